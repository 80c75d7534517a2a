"""Settings shared by the CLI, the worker and Terraform.

Precedence is Terraform's own: variable defaults in terraform/variables.tf, then TF_VAR_<name> environment
variables, then terraform.tfvars, then *.auto.tfvars in name order, then the file named by $GCL_TFVARS (like
-var-file).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from configuration.hcl import ConfigFileError, read_env_values, read_tfvars, read_variable_defaults
from configuration.names import validate_name
from configuration.regions import validate_regions

POLL_POLICIES = ("adaptive", "fixed", "backoff")  # workflows.polling.POLICIES; checked equal by a test
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM_DIR = PROJECT_ROOT / "terraform"


@dataclass(frozen=True)
class Settings:
    regions: tuple[str, ...]
    management_region: str
    name_prefix: str
    project_name: str
    default_version_name: str
    max_training_hours: float
    min_inference_units: int
    max_inference_units: int | None
    poll_interval_seconds: int
    poll_policy: str  # a name in workflows.polling.POLICIES
    inference_ttl_hours: float
    task_queue: str
    # The inference endpoint's (terraform/variables.tf): the local endpoints use exactly what Lambda gets.
    health_check_path: str = "/health"
    inference_extra_projects: tuple[str, ...] = ()
    api_key_parameter_name: str | None = None
    api_key_header: str = "x-api-key"
    canary_region: str | None = None  # build's default canary (issue 17.2): one of `regions`, or None
    sources: tuple[str, ...] = field(default=(), compare=False)


def _tfvars_files(terraform_dir: Path, extra: Path | None) -> list[Path]:
    files = []
    if (terraform_dir / "terraform.tfvars").is_file():
        files.append(terraform_dir / "terraform.tfvars")
    files.extend(sorted(terraform_dir.glob("*.auto.tfvars")))
    if extra is not None:
        if not extra.is_file():
            raise ConfigFileError(f"settings file {extra} does not exist")
        files.append(extra)
    return files


def load_settings(terraform_dir: Path | None = None, tfvars: Path | str | None = None) -> Settings:
    """Read settings; raise ConfigFileError / UnknownRegionError / InvalidNameError with one readable line."""
    terraform_dir = terraform_dir or Path(os.environ.get("GCL_TERRAFORM_DIR", TERRAFORM_DIR))
    if tfvars is None and os.environ.get("GCL_TFVARS"):
        tfvars = os.environ["GCL_TFVARS"]
    extra = Path(tfvars) if tfvars else None
    values = read_variable_defaults(terraform_dir / "variables.tf")
    values.update(read_env_values(values, dict(os.environ)))
    files = _tfvars_files(terraform_dir, extra)
    for path in files:
        values.update(read_tfvars(path))
    try:
        regions = validate_regions(list(values["regions"]))
        management_region = values["management_region"]
        validate_regions([management_region])
        max_units = values.get("max_inference_units")
        settings = Settings(
            regions=regions,
            management_region=management_region,
            name_prefix=str(values["name_prefix"]),
            project_name=validate_name("project name", str(values["project_name"])),
            default_version_name=validate_name("version name", str(values["default_version_name"])),
            max_training_hours=float(values["max_training_hours"]),
            min_inference_units=int(values["min_inference_units"]),
            max_inference_units=int(max_units) if max_units is not None else None,
            poll_interval_seconds=int(values["poll_interval_seconds"]),
            poll_policy=str(values["poll_policy"]),
            inference_ttl_hours=float(values.get("inference_ttl_hours") or 0),
            task_queue=str(values["temporal_task_queue"]),
            health_check_path=str(values.get("health_check_path") or "/health"),
            inference_extra_projects=tuple(
                validate_name("project name", str(name)) for name in values.get("inference_extra_projects") or ()
            ),
            api_key_parameter_name=values.get("api_key_parameter_name") or None,
            api_key_header=str(values.get("api_key_header") or "x-api-key"),
            canary_region=values.get("canary_region") or None,
            sources=tuple(str(p) for p in [terraform_dir / "variables.tf", *files]),
        )
    except KeyError as missing:
        raise ConfigFileError(f"setting {missing.args[0]} is missing from {terraform_dir / 'variables.tf'}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, (ConfigFileError,)) or exc.__class__.__module__.startswith("configuration"):
            raise
        raise ConfigFileError(f"bad value in {', '.join(map(str, files)) or 'variables.tf'}: {exc}") from None
    if settings.poll_interval_seconds < 1:
        raise ConfigFileError("poll_interval_seconds must be at least 1")
    if settings.poll_policy not in POLL_POLICIES:
        raise ConfigFileError(f"poll_policy {settings.poll_policy!r} is not one of {', '.join(POLL_POLICIES)}")
    from workflows.inputs import (
        MAX_TTL_HOURS,  # the longest TtlHours a start takes (lazy: workflows import configuration)
    )

    if not 0 <= settings.inference_ttl_hours <= MAX_TTL_HOURS:  # NaN fails too
        raise ConfigFileError(f"inference_ttl_hours must be 0 (no guard) or at most {MAX_TTL_HOURS:g} hours, "
                              f"got {settings.inference_ttl_hours:g}")
    if settings.min_inference_units < 1:
        raise ConfigFileError("min_inference_units must be at least 1")
    if settings.canary_region is not None and settings.canary_region not in settings.regions:
        raise ConfigFileError(f"canary_region {settings.canary_region!r} is not one of regions "
                              f"({', '.join(settings.regions)})")
    return settings
