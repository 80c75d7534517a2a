"""Fixtures of the Terraform tests: one initialised private copy of terraform/ per session, a Lambda zip, and one
`terraform apply` to the local endpoint shared by the tests that check what it made."""

import json
from pathlib import Path

import pytest
from required_tools import terraform_path
from terraform_support import (
    APPLY_PREFIX,
    APPLY_REGIONS,
    build_lambda_zip,
    copy_module_tree,
    init_offline,
    run_terraform,
)


@pytest.fixture
def terraform_binary() -> str:
    """The terraform binary (skip without the offline provider mirror; fail under CI when the binary is missing)."""
    return terraform_path()


@pytest.fixture(scope="session")
def terraform_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """terraform/ copied to a temporary folder and initialised offline, so parallel runs never share .terraform."""
    terraform_path()
    workdir = copy_module_tree(tmp_path_factory.mktemp("tf"))
    init_offline(workdir)
    return workdir


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lambda_zip(tmp_path_factory.mktemp("lambda") / "inference-lambda.zip")


@pytest.fixture(scope="package")
def deployed(emulator_for_apply, terraform_workdir: Path, lambda_zip: Path, tmp_path_factory) -> dict:
    """Apply once for every check of the package; returns `terraform output -json` values."""
    state = tmp_path_factory.mktemp("state") / "terraform.tfstate"
    variables = [
        f"-var=aws_endpoint_url={emulator_for_apply}",
        "-var=enable_global_accelerator=false",
        f"-var=regions={json.dumps(APPLY_REGIONS)}",
        f"-var=name_prefix={APPLY_PREFIX}",
        f"-var=lambda_zip_path={lambda_zip}",
    ]
    done = run_terraform(
        ["apply", "-auto-approve", "-no-color", "-input=false", f"-state={state}", *variables],
        cwd=terraform_workdir,
    )
    assert done.returncode == 0, f"terraform apply failed:\n{done.stdout[-6000:]}\n{done.stderr}"
    shown = run_terraform(["output", "-json", "-no-color", f"-state={state}"], cwd=terraform_workdir)
    assert shown.returncode == 0, shown.stderr
    return {name: value["value"] for name, value in json.loads(shown.stdout).items()}


@pytest.fixture(scope="package")
def emulator_for_apply(local_aws):
    """The session's local AWS endpoint, wiped before and after the package's single apply."""
    from localaws.control import EmulatorControl

    control = EmulatorControl(local_aws.url)
    control.reset()
    yield local_aws.url
    control.reset()
