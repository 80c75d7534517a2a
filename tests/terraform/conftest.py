"""Fixtures of the Terraform tests: one initialised private copy of terraform/ per session, a Lambda zip."""

from pathlib import Path

import pytest
from required_tools import terraform_path
from terraform_support import build_lambda_zip, copy_module_tree, init_offline


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
