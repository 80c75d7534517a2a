"""Offline checks of terraform/: formatting, validation, `terraform test` with mocked providers, checkov, layout."""

import json
import re
import subprocess  # nosec B404
from pathlib import Path

import pytest
from required_tools import checkov_path
from terraform_support import REPO_ROOT, TERRAFORM_DIR, requires_terraform, run_terraform

pytestmark = [pytest.mark.terraform, requires_terraform]

MODULES = sorted(p for p in (TERRAFORM_DIR / "modules").iterdir() if p.is_dir())
TEST_FILES = sorted((TERRAFORM_DIR / "tests").glob("*.tftest.hcl"))
CONTRACT_OUTPUTS = {
    "account_id",
    "management_bucket",
    "training_buckets",
    "output_buckets",
    "sns_topic_arn",
    "accelerator_dns_name",
    "alb_dns_names",
    "worker_policy_arn",
    "regions",
    "management_region",
}


def test_formatting_is_canonical():
    done = run_terraform(["fmt", "-check", "-recursive", "-diff", "-no-color"], cwd=TERRAFORM_DIR)
    assert done.returncode == 0, f"terraform fmt would change:\n{done.stdout}{done.stderr}"


def test_configuration_is_valid(terraform_workdir: Path):
    done = run_terraform(["validate", "-no-color"], cwd=terraform_workdir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success! The configuration is valid." in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("test_file", TEST_FILES, ids=[p.name for p in TEST_FILES])
def test_terraform_test_file_passes(terraform_workdir: Path, lambda_zip: Path, test_file: Path):
    """Every run block of the file passes (mocked providers: the logic, not AWS)."""
    relative = f"tests/{test_file.name}"
    done = run_terraform(
        ["test", "-no-color", f"-filter={relative}", f"-var=lambda_zip_path={lambda_zip}"],
        cwd=terraform_workdir,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    runs = len(re.findall(r'^run "', test_file.read_text(), flags=re.MULTILINE))
    assert f"Success! {runs} passed, 0 failed." in report, report


@pytest.mark.slow
def test_checkov_finds_nothing():
    checkov = checkov_path(REPO_ROOT)
    done = subprocess.run(  # nosec B603
        [
            checkov,
            "--skip-download",
            "--framework",
            "terraform",
            "-d",
            "terraform",
            "--compact",
            "--quiet",
            "-o",
            "json",
        ],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]})"
        for c in report["results"]["failed_checks"]
    ]
    assert summary["parsing_errors"] == 0, summary
    assert summary["failed"] == 0 and not failed, "checkov failures:\n" + "\n".join(failed)
    assert summary["passed"] > 0, summary
    assert done.returncode == 0, done.stderr


def test_every_checkov_skip_gives_a_reason():
    skip = re.compile(r"#checkov:skip=([A-Z0-9_]+)(?::(.*))?")
    found = 0
    for tf_file in TERRAFORM_DIR.rglob("*.tf"):
        for number, line in enumerate(tf_file.read_text().splitlines(), start=1):
            match = skip.search(line)
            if match:
                found += 1
                assert re.fullmatch(r"CKV2?_AWS_\d+", match.group(1)), f"{tf_file}:{number}: bad check id"
                assert match.group(2) and len(match.group(2).strip()) >= 30, (
                    f"{tf_file}:{number}: skip without a reason"
                )
    assert found > 0


def _blocks(path: Path, kind: str) -> dict[str, dict]:
    import hcl2

    with path.open() as handle:
        parsed = hcl2.load(handle)
    return {name.strip('"'): body for block in parsed.get(kind, []) for name, body in block.items()}


@pytest.mark.parametrize("module_dir", [TERRAFORM_DIR, *MODULES], ids=["root", *[m.name for m in MODULES]])
def test_module_layout_and_documented_interface(module_dir: Path):
    """terraform-aws-modules layout: main/variables/outputs/versions, every variable typed and described."""
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (module_dir / name).is_file(), f"{module_dir.name}/{name} missing"
    variables = _blocks(module_dir / "variables.tf", "variable")
    assert variables
    for name, body in variables.items():
        assert "type" in body, f"variable {name} in {module_dir.name} has no type"
        assert body.get("description"), f"variable {name} in {module_dir.name} has no description"
    for name, body in _blocks(module_dir / "outputs.tf", "output").items():
        assert body.get("description"), f"output {name} in {module_dir.name} has no description"


def test_root_outputs_are_the_contract():
    assert CONTRACT_OUTPUTS <= set(_blocks(TERRAFORM_DIR / "outputs.tf", "output"))


def test_readme_lists_every_input_and_output():
    readme = (TERRAFORM_DIR / "README.md").read_text()
    names = [
        *_blocks(TERRAFORM_DIR / "variables.tf", "variable"),
        *_blocks(TERRAFORM_DIR / "outputs.tf", "output"),
    ]
    missing = [name for name in names if f"`{name}`" not in readme]
    assert not missing, f"terraform/README.md does not mention {missing}"
