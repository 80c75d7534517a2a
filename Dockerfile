# The Temporal worker, as terraform/modules/worker_service runs it on ECS Fargate (README: On AWS).
#   docker build -t REGISTRY/gcl-worker:TAG .   (from the repository root)
# Settings come from the environment the task definition sets (TF_VAR_* over terraform/variables.tf, TEMPORAL_*);
# Temporal credentials arrive as ECS secrets. `python cli.py worker` stays the way to run it anywhere else.

# Exact tag of the slim Python 3.11 image (Debian bookworm): rebuilds get the same interpreter.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GCL_TERRAFORM_DIR=/app/terraform

# A fixed non-root user (uid/gid 10001, also named in the ECS task definition); it owns nothing in /app.
RUN groupadd --system --gid 10001 worker \
 && useradd --system --uid 10001 --gid worker --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin worker

WORKDIR /app
# .dockerignore keeps tests, benches, docs, virtualenvs, Terraform state and tfvars out of the context.
COPY . /app
# The package and its runtime dependencies only (no [dev] extra: no pytest, ruff, bandit, test server).
RUN pip install --no-cache-dir /app \
 && python -c "import worker, temporalio, boto3"

USER 10001:10001

# checkov:skip=CKV_DOCKER_2:A Temporal worker serves no request to probe; liveness is the process itself (ECS replaces a task whose process exits) and readiness is Temporal's poller list, which cli.py checks before every operation (require_worker).
ENTRYPOINT ["python", "worker.py"]
