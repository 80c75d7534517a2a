"""Names of deployed resources: `terraform output -json` when Terraform has state, else the naming rule."""

import json
import os
import subprocess  # nosec B404 - runs the terraform binary with fixed arguments
from dataclasses import dataclass
from pathlib import Path

from configuration import names
from configuration.settings import TERRAFORM_DIR, Settings
from configuration.tools import find_tool


@dataclass(frozen=True)
class Resources:
    account_id: str
    management_bucket: str
    training_buckets: dict[str, str]
    output_buckets: dict[str, str]
    sns_topic_arn: str
    accelerator_dns_name: str | None = None
    alb_dns_names: dict[str, str] | None = None
    source: str = "naming rule"


def derive_resources(settings: Settings, account_id: str) -> Resources:
    """The names terraform/locals.tf gives, for an account without Terraform state (e.g. the local stack)."""
    prefix = settings.name_prefix
    return Resources(
        account_id=account_id,
        management_bucket=names.management_bucket_name(prefix, account_id, settings.management_region),
        training_buckets={r: names.training_bucket_name(prefix, account_id, r) for r in settings.regions},
        output_buckets={r: names.output_bucket_name(prefix, account_id, r) for r in settings.regions},
        sns_topic_arn=names.topic_arn(prefix, account_id, settings.management_region),
    )


def terraform_outputs(terraform_dir: Path = TERRAFORM_DIR) -> dict | None:
    """`terraform output -json` as a plain dict, or None when there is no binary or no state."""
    binary = find_tool("terraform")
    if binary is None or not (terraform_dir / ".terraform").is_dir():
        return None
    env = {**os.environ, "TF_IN_AUTOMATION": "1"}
    if not env.get("TF_CLI_CONFIG_FILE"):
        env.pop("TF_CLI_CONFIG_FILE", None)
    try:
        done = subprocess.run(  # nosec B603
            [binary, "output", "-json"], cwd=terraform_dir, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    outputs = {k: v.get("value") for k, v in json.loads(done.stdout or "{}").items()}
    return outputs or None


def _account_from_sts(region: str) -> str:
    """The caller's account; STS is asked in the management region (no AWS_DEFAULT_REGION needed)."""
    import boto3  # deferred

    return boto3.client("sts", region_name=region).get_caller_identity()["Account"]


def resolve_resources(settings: Settings, account_id: str | None = None, use_terraform: bool = True) -> Resources:
    """Terraform outputs if deployed, else the naming rule with the caller's account (STS)."""
    outputs = terraform_outputs() if use_terraform and not os.environ.get("GCL_IGNORE_TERRAFORM_STATE") else None
    if outputs and outputs.get("training_buckets"):
        return Resources(
            account_id=str(outputs.get("account_id") or account_id or ""),
            management_bucket=outputs["management_bucket"],
            training_buckets=dict(outputs["training_buckets"]),
            output_buckets=dict(outputs["output_buckets"]),
            sns_topic_arn=outputs["sns_topic_arn"],
            accelerator_dns_name=outputs.get("accelerator_dns_name"),
            alb_dns_names=dict(outputs.get("alb_dns_names") or {}),
            source="terraform output",
        )
    return derive_resources(settings, account_id or os.environ.get("GCL_ACCOUNT_ID")
                            or _account_from_sts(settings.management_region))
