"""Fixtures of the Terraform tests: one initialised private copy of terraform/ per session, a Lambda zip, and one
`terraform apply` to the local endpoint shared by the tests that check what it made."""

from pathlib import Path

import pytest
from required_tools import terraform_path
from terraform_support import (
    APPLY_REGIONS,
    Deployment,
    build_lambda_zip,
    copy_module_tree,
    init_offline,
    publish_powertools_layer,
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
def deployment(emulator_for_apply, terraform_workdir: Path, lambda_zip: Path, tmp_path_factory) -> Deployment:
    """Apply once for every check of the package (test_terraform_apply_local.py destroys and re-applies it)."""
    state = tmp_path_factory.mktemp("state") / "terraform.tfstate"
    deployment = Deployment(terraform_workdir, emulator_for_apply, lambda_zip, state)
    done = deployment.run("apply")
    assert done.returncode == 0, f"terraform apply failed:\n{done.stdout[-6000:]}\n{done.stderr}"
    return deployment


@pytest.fixture(scope="package")
def deployed(deployment: Deployment) -> dict:
    """`terraform output -json` values of the package's apply (the same names after a re-apply)."""
    return deployment.outputs()


@pytest.fixture(scope="package")
def emulator_for_apply(local_aws):
    """The session's local AWS endpoint, wiped before and after the package's single apply."""
    from localaws.control import EmulatorControl

    control = EmulatorControl(local_aws.url)
    control.reset()
    publish_powertools_layer(APPLY_REGIONS)
    yield local_aws.url
    control.reset()
