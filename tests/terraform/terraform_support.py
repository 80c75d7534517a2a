"""Running the real terraform binary offline (provider mirror at /opt/tf-plugins) on a private copy of terraform/."""

import json
import os
import shutil
import subprocess  # nosec B404 - runs terraform/checkov with fixed arguments
import zipfile
from pathlib import Path

import pytest
from required_tools import PLUGIN_DIR, terraform_path

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"

# The one `terraform apply` to the local endpoint (tests/terraform/conftest.py `deployment`), worker service included
APPLY_REGIONS = ["us-east-1", "eu-west-1"]
APPLY_PREFIX = "tf-apply-test"  # own names: nothing else on the shared endpoint uses them
ACCOUNT = "123456789012"
WORKER_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/gcl-worker:2026-12-04"
WORKER_QUEUE = "tf-apply-worker-queue"

# Resolved when a test runs (tests/terraform/conftest.py): skipped without the provider mirror, and without the binary
# outside CI; under CI=true a missing binary fails (tests/required_tools.py).
requires_terraform = pytest.mark.usefixtures("terraform_binary")


def terraform_env(**extra: str) -> dict[str, str]:
    """The test environment minus TF_CLI_CONFIG_FILE (it may point at a network mirror), non-interactive."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CLI_CONFIG_FILE"}
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
    env.update(extra)
    return env


def run_terraform(
    args: list[str], cwd: Path, timeout: float = 900, **env: str
) -> subprocess.CompletedProcess:
    """Run terraform and return the finished process (never raises on a non-zero exit)."""
    return subprocess.run(  # nosec B603
        [terraform_path(), *args],
        check=False,
        cwd=cwd,
        env=terraform_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def copy_module_tree(destination: Path) -> Path:
    """Copy terraform/ without local state, caches or the user's own tfvars (tests must be hermetic)."""
    target = destination / "terraform"
    shutil.copytree(
        TERRAFORM_DIR,
        target,
        ignore=shutil.ignore_patterns(
            ".terraform",
            ".terraform.lock.hcl",
            "terraform.tfstate*",
            "*.tfplan",
            "terraform.tfvars",
            "*.auto.tfvars",
        ),
    )
    return target


POWERTOOLS_LAYER = "AWSLambdaPowertoolsPythonV3-python312-x86_64"


def publish_powertools_layer(regions: list[str], version: int = 27) -> None:
    """Stand in for AWS's published Powertools layer: the local endpoint resolves a layer ARN by name and version
    (whatever its account), so publish that name until `version` exists in every region the apply uses."""
    import io

    import boto3

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as layer:
        layer.writestr("python/aws_lambda_powertools/__init__.py", "")
    for region in regions:
        client = boto3.client("lambda", region_name=region)
        for _ in range(version):
            client.publish_layer_version(LayerName=POWERTOOLS_LAYER, Content={"ZipFile": archive.getvalue()},
                                         CompatibleRuntimes=["python3.12"])


def init_offline(workdir: Path) -> None:
    done = run_terraform(["init", "-backend=false", f"-plugin-dir={PLUGIN_DIR}", "-no-color"], cwd=workdir)
    assert done.returncode == 0, f"terraform init failed:\n{done.stdout}\n{done.stderr}"


def build_lambda_zip(path: Path) -> Path:
    """The real inference package when the packager exists, else a minimal valid handler zip."""
    try:
        from inference.package import build_zip
    except ImportError:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(
                "handler.py", "def lambda_handler(event, context):\n    return {'statusCode': 200}\n"
            )
        return path
    return build_zip(path)


class Deployment:
    """The package's deployment on the local endpoint: one state, applied (and destroyed) with the same variables."""

    def __init__(self, workdir: Path, endpoint: str, lambda_zip: Path, state: Path):
        self.workdir, self.state = workdir, state
        self.variables = [
            f"-var=aws_endpoint_url={endpoint}",
            "-var=enable_global_accelerator=false",
            f"-var=regions={json.dumps(APPLY_REGIONS)}",
            f"-var=name_prefix={APPLY_PREFIX}",
            f"-var=lambda_zip_path={lambda_zip}",
            "-var=enable_worker_service=true",
            f"-var=worker_image={WORKER_IMAGE}",
            "-var=temporal_address=127.0.0.1:7233",
            f"-var=temporal_task_queue={WORKER_QUEUE}",
        ]

    def run(self, command: str) -> subprocess.CompletedProcess:
        """`terraform apply` or `destroy`, auto-approved, on this state."""
        return run_terraform([command, "-auto-approve", "-no-color", "-input=false", f"-state={self.state}",
                              *self.variables], cwd=self.workdir)

    def outputs(self) -> dict:
        shown = run_terraform(["output", "-json", "-no-color", f"-state={self.state}"], cwd=self.workdir)
        assert shown.returncode == 0, shown.stderr
        return {name: value["value"] for name, value in json.loads(shown.stdout).items()}
