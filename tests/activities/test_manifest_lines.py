"""Rewriting a manifest line changes the bucket of source-ref and nothing else."""

import json

import pytest

from activities.manifest import ManifestLineError, rewrite_line, split_s3_uri

LINE = (b'{"source-ref": "s3://mgmt-bucket/assets/img/car 01.png", "vehicle": 0, '
        b'"vehicle-metadata": {"confidence": 0.95, "class-name": "car", "creation-date": "2026-01-01T00:00:00"}}')


def test_only_the_bucket_changes_byte_for_byte():
    rewritten, changed = rewrite_line(LINE, "train-eu")
    assert changed
    assert rewritten == LINE.replace(b"s3://mgmt-bucket/", b"s3://train-eu/")


def test_a_ref_already_in_the_target_bucket_is_left_alone():
    line = LINE.replace(b"mgmt-bucket", b"train-eu")
    assert rewrite_line(line, "train-eu") == (line, False)


def test_escaped_or_non_ascii_keys_survive():
    line = json.dumps({"source-ref": "s3://mgmt/images/caf\u00e9 \"q\".png", "x-metadata": {}}).encode()
    rewritten, changed = rewrite_line(line, "train")
    assert changed and json.loads(rewritten)["source-ref"] == "s3://train/images/caf\u00e9 \"q\".png"
    unicode_line = json.dumps({"source-ref": "s3://mgmt/caf\u00e9.png"}, ensure_ascii=False).encode()
    assert json.loads(rewrite_line(unicode_line, "train")[0])["source-ref"] == "s3://train/caf\u00e9.png"


@pytest.mark.parametrize("line", [b"not json", b'{"label": 1}', b'{"source-ref": "https://x/y"}', b'{"source-ref": "s3://b"}'])
def test_bad_lines_raise_a_readable_error(line):
    with pytest.raises(ManifestLineError):
        rewrite_line(line, "train")


def test_split_s3_uri():
    assert split_s3_uri("s3://b/k/with/slashes.png") == ("b", "k/with/slashes.png")
