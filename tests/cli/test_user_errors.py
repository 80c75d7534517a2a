"""Errors a user will hit: one line on stderr, exit code 1, no traceback (real subprocesses and CliRunner)."""

import os

import pytest
from cli_helpers import free_port, run_cli, write_tfvars
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def _one_line_error(result, *fragments: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_invalid_version_name():
    _one_line_error(run_cli("start", "--versions", "first", "bad name!"), "invalid version name", "bad name!")


def test_invalid_project_name():
    _one_line_error(run_cli("stop", "--versions", "first", "--project", "no/slashes"), "invalid project name")


def test_unknown_region_in_the_settings_file(tmp_path):
    bad = write_tfvars(tmp_path / "bad.tfvars", ["us-east-1", "mars-north-1"])
    _one_line_error(run_cli("status", env={"GCL_TFVARS": str(bad)}), "unknown region", "mars-north-1")


def test_settings_file_that_does_not_parse(tmp_path):
    bad = tmp_path / "broken.tfvars"
    bad.write_text('regions = ["us-east-1"\n')
    _one_line_error(run_cli("build", "--manifest", "m", env={"GCL_TFVARS": str(bad)}), "broken.tfvars")


def test_missing_settings_file(tmp_path):
    _one_line_error(run_cli("status", env={"GCL_TFVARS": str(tmp_path / "nope.tfvars")}), "does not exist")


def test_region_option_outside_the_configuration(tmp_path):
    tfvars = write_tfvars(tmp_path / "two.tfvars", ["us-east-1", "eu-west-1"])
    _one_line_error(run_cli("build", "--manifest", "m", "--region", "ap-south-1", env={"GCL_TFVARS": str(tfvars)}),
                    "unknown region", "ap-south-1")


def test_temporal_server_not_running():
    address = f"127.0.0.1:{free_port()}"
    line = _one_line_error(run_cli("build", "--manifest", "datasets/x/output.manifest",
                                   env={"TEMPORAL_ADDRESS": address}), "cannot reach the Temporal server")
    assert address in line


def test_no_aws_credentials(tmp_path):
    env = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    env.update({"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "GCL_TFVARS": str(
                    write_tfvars(tmp_path / "one.tfvars", ["us-east-1"]))})
    full = {k: v for k, v in {**os.environ, **env}.items() if v != ""}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        full.pop(key, None)
    import subprocess
    import sys

    from cli_helpers import PROJECT_ROOT

    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "cli.py"), "status"], cwd=PROJECT_ROOT, env=full,
                            capture_output=True, text=True, check=False, timeout=60)
    _one_line_error(result, "credentials")


def test_delete_asks_for_confirmation_and_aborts(local_aws, emulator, tmp_path, monkeypatch):
    import boto3

    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "one.tfvars", ["us-east-1"])))
    boto3.client("rekognition", region_name="us-east-1").create_project(ProjectName="AWSDeepRacer")
    result = runner.invoke(app, ["delete"], input="n\n")
    assert result.exit_code == 1
    assert "Delete project AWSDeepRacer and all its versions in 1 region(s)?" in result.output
    assert "Aborted" in result.output


def test_delete_of_a_project_that_exists_nowhere_is_a_no_op(local_aws, emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "one.tfvars", ["us-east-1"])))
    result = runner.invoke(app, ["delete", "--yes", "--project", "Nothing"])
    assert result.exit_code == 0, result.output
    assert "nothing to delete" in result.output


def test_version_not_found(local_aws, emulator, tmp_path, monkeypatch, capsys):
    import boto3

    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "two.tfvars", ["us-east-1", "eu-west-1"])))
    boto3.client("rekognition", region_name="us-east-1").create_project(ProjectName="AWSDeepRacer")
    result = runner.invoke(app, ["start", "--versions", "typo"])
    assert result.exit_code == 1
    assert "version(s) typo of project AWSDeepRacer not found in any of 2 region(s)" in result.output


@pytest.mark.parametrize("args", [["start"], ["stop"]])
def test_versions_are_required_for_start_and_stop(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--versions" in result.output
