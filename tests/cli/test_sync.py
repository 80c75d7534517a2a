"""`sync` against the real local AWS endpoint: uploads, skips unchanged files, rewrites refs, waits for replication."""

import json
import re

import boto3
import pytest
from cli_helpers import assert_runs_from_a_fresh_shell, write_tfvars
from typer.testing import CliRunner

from cli import app
from cli_commands.datasets import default_manifest_key, etag_of, rewrite_manifest
from cli_commands.errors import UserError
from configuration.resources import derive_resources
from configuration.settings import load_settings
from local_stack.bootstrap import bootstrap
from local_stack.sample_dataset import create_sample_dataset

runner = CliRunner()
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture
def deployed(local_aws, emulator, tmp_path, monkeypatch):
    """A bootstrapped account (what terraform apply makes) with two regions."""
    tfvars = write_tfvars(tmp_path / "two.tfvars", REGIONS)
    monkeypatch.setenv("GCL_TFVARS", str(tfvars))
    settings = load_settings()
    resources = derive_resources(settings, "123456789012")
    bootstrap(settings, resources)
    return resources


def _sync(dataset, *extra):
    result = runner.invoke(app, ["sync", str(dataset), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sync_uploads_rewrites_refs_and_replicates(deployed, tmp_path):
    dataset = tmp_path / "cars"
    create_sample_dataset(dataset, images_per_class=2)
    summary = _sync(dataset)
    assert summary["prefix"] == "datasets/cars/"
    assert len(summary["uploaded"]) == 7  # 6 images + manifest
    assert summary["refs_rewritten"] == 6 and summary["refs_unmapped"] == []
    assert summary["replication_pending"] == [] and summary["replication_failed"] == []
    s3 = boto3.client("s3", region_name="us-east-1")
    manifest = s3.get_object(Bucket=deployed.management_bucket, Key="datasets/cars/output.manifest")["Body"].read()
    refs = [json.loads(line)["source-ref"] for line in manifest.decode().splitlines()]
    assert all(ref.startswith(f"s3://{deployed.management_bucket}/datasets/cars/images/") for ref in refs)
    for ref in refs:  # every referenced object exists in the management bucket and in every regional bucket
        key = ref.split("/", 3)[3]
        s3.head_object(Bucket=deployed.management_bucket, Key=key)
        for region in REGIONS:
            boto3.client("s3", region_name=region).head_object(Bucket=deployed.training_buckets[region], Key=key)


def test_second_sync_uploads_nothing_and_a_changed_file_only_that(deployed, tmp_path):
    dataset = tmp_path / "cars"
    create_sample_dataset(dataset, images_per_class=2)
    _sync(dataset)
    s3 = boto3.client("s3", region_name="us-east-1")
    versions_before = len(s3.list_object_versions(Bucket=deployed.management_bucket)["Versions"])
    again = _sync(dataset)
    assert again["uploaded"] == [] and again["unchanged"] == 7
    assert len(s3.list_object_versions(Bucket=deployed.management_bucket)["Versions"]) == versions_before
    (dataset / "images" / "car-01.png").write_bytes((dataset / "images" / "cone-01.png").read_bytes())
    changed = _sync(dataset)
    assert changed["uploaded"] == ["datasets/cars/images/car-01.png"]


def test_keep_refs_uploads_the_manifest_as_is(deployed, tmp_path):
    dataset = tmp_path / "raw"
    create_sample_dataset(dataset, images_per_class=2)
    summary = _sync(dataset, "--keep-refs", "--prefix", "custom")
    assert summary["prefix"] == "custom/" and summary["refs_rewritten"] == 0
    body = boto3.client("s3", region_name="us-east-1").get_object(
        Bucket=deployed.management_bucket, Key="custom/output.manifest")["Body"].read()
    assert body == (dataset / "output.manifest").read_bytes()


def test_human_output_names_the_next_step(deployed, tmp_path):
    dataset = tmp_path / "cars"
    create_sample_dataset(dataset, images_per_class=2)
    result = runner.invoke(app, ["sync", str(dataset)])
    assert result.exit_code == 0, result.output
    hint = re.search(r"next: (?P<cli>.+) build --version first --manifest datasets/cars/output\.manifest", result.output)
    assert hint, result.output
    assert_runs_from_a_fresh_shell(hint["cli"])


def test_missing_folder_is_one_line(deployed, tmp_path):
    result = runner.invoke(app, ["sync", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_rewrite_maps_bucket_refs_relative_and_absolute_paths(tmp_path):
    files = {"images/a.png", "b.png"}
    text = "\n".join([
        json.dumps({"source-ref": "s3://hongkong-datasets/assets/deepracer/images/a.png", "x": 1}),
        json.dumps({"source-ref": "b.png"}),
        json.dumps({"source-ref": str(tmp_path / "images" / "a.png")}),
        json.dumps({"source-ref": "s3://other/elsewhere/c.png"}),
        "",
    ])
    new, rewritten, unmapped = rewrite_manifest(text, files, tmp_path, "mgmt", "ds/")
    refs = [json.loads(line)["source-ref"] for line in new.splitlines() if line]
    assert refs == ["s3://mgmt/ds/images/a.png", "s3://mgmt/ds/b.png", "s3://mgmt/ds/images/a.png",
                    "s3://other/elsewhere/c.png"]
    assert rewritten == 3 and unmapped == ["s3://other/elsewhere/c.png"]
    assert json.loads(new.splitlines()[0])["x"] == 1
    assert rewrite_manifest(new, files, tmp_path, "mgmt", "ds/")[1] == 0  # already pointing there: unchanged


def test_multipart_etag_is_recognised():
    data = b"x" * (9 * 1024 * 1024)
    single = etag_of(data, "abc")
    multi = etag_of(data, "whatever-2")
    assert "-" not in single and multi.endswith("-2")


def test_build_finds_the_only_manifest_and_refuses_to_guess_between_two(deployed, tmp_path):
    with pytest.raises(UserError, match="no manifest"):
        default_manifest_key(deployed.management_bucket, "us-east-1")
    create_sample_dataset(tmp_path / "one", images_per_class=2)
    _sync(tmp_path / "one")
    assert default_manifest_key(deployed.management_bucket, "us-east-1") == "datasets/one/output.manifest"
    create_sample_dataset(tmp_path / "two", images_per_class=2)
    _sync(tmp_path / "two")
    with pytest.raises(UserError, match="2 manifests .* choose one with --manifest"):
        default_manifest_key(deployed.management_bucket, "us-east-1")
