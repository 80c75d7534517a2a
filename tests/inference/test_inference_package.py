"""The deployment zip: reproducible, handler at the root, self-contained (stdlib, boto3 from the runtime and AWS Lambda
Powertools from the AWS-published layer Terraform attaches), cheap to import."""

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from inference import package

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)


def test_zip_is_byte_for_byte_reproducible_and_sorted(tmp_path):
    first = package.build_zip(tmp_path / "a" / "inference-lambda.zip")
    second = package.build_zip(tmp_path / "b" / "inference-lambda.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert "handler.py" in names
        assert all("/" not in name for name in names)
        for info in archive.infolist():
            assert info.date_time == package.FIXED_TIMESTAMP
            assert (info.external_attr >> 16) & 0o777 == 0o644


def test_cli_writes_the_zip_and_reports_bad_paths(tmp_path):
    output = tmp_path / "build" / "inference-lambda.zip"
    done = subprocess.run(
        [sys.executable, "-m", "inference.package", "--output", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(output)
    blocked = tmp_path / "file"
    blocked.write_text("x")
    failed = subprocess.run(
        [sys.executable, "-m", "inference.package", "--output", str(blocked / "x.zip")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("error:") and "Traceback" not in failed.stderr


def _imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


RUNTIME_AND_LAYER = {"boto3", "botocore", "aws_lambda_powertools"}  # the python3.12 runtime + terraform's layer


def test_zip_modules_import_only_stdlib_boto3_powertools_and_each_other(tmp_path):
    archive = zipfile.ZipFile(package.build_zip(tmp_path / "lambda.zip"))
    modules = {name[:-3] for name in archive.namelist()}
    for name in archive.namelist():
        outside = _imports(archive.read(name).decode()) - STDLIB - modules - RUNTIME_AND_LAYER
        assert not outside, f"{name} imports {outside}, which the Lambda zip does not contain"


def test_zip_runs_alone_and_import_does_not_load_boto3(tmp_path):
    """Import the handler from the zip in a fresh interpreter that cannot see the project, like Lambda does."""
    zip_path = package.build_zip(tmp_path / "lambda.zip")
    script = f"""
import json, sys
sys.path = [p for p in sys.path if p not in ('', {str(PROJECT_ROOT)!r})]
sys.path.insert(0, {str(zip_path)!r})
import handler
loaded_boto3 = 'boto3' in sys.modules
assert 'inference' not in sys.modules
event = {{"httpMethod": "POST", "path": "/", "queryStringParameters": {{"ProjectName": "p", "VersionName": "v"}},
          "headers": {{"content-type": "text/plain"}}, "body": "hello", "isBase64Encoded": False}}
print(json.dumps({{"boto3": loaded_boto3, "response": handler.lambda_handler(event, None)}}))
"""
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"AWS_REGION": "eu-west-1", "AWS_LAMBDA_FUNCTION_NAME": "inference", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    log_line, result_line = done.stdout.strip().splitlines()[-2:]
    assert json.loads(log_line)["status"] == 415  # one structured request log line (request_log.py)
    result = json.loads(result_line)
    assert result["boto3"] is False
    assert result["response"]["statusCode"] == 415
    assert result["response"]["headers"]["X-Served-Region"] == "eu-west-1"


def test_project_import_of_handler_does_not_load_boto3():
    done = subprocess.run(
        [sys.executable, "-c", "import sys, inference.handler; print('boto3' in sys.modules)"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "False", done.stderr
