"""Rewriting a manifest line changes the bucket of source-ref and nothing else."""

import io
import json

import pytest

from activities.manifest import (
    ManifestLineError,
    RewrittenBlock,
    _uniform_bucket,
    rewrite_block,
    rewrite_line,
    split_s3_uri,
    whole_line_blocks,
)

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


# ------------------------------------------------------------------ whole blocks (the activity's unit of work)

def gt_line(index: int, bucket: str = "mgmt-bucket", key: str | None = None) -> bytes:
    key = key or f"assets/img/car-{index:05d}.png"
    meta = {"class-name": "car", "confidence": 0.9, "job-name": "labeling-job/x"}
    return (b'{"source-ref": ' + json.dumps(f"s3://{bucket}/{key}", ensure_ascii=False).encode()
            + b', "vehicle": 0, "vehicle-metadata": ' + json.dumps(meta).encode() + b"}")


def per_line(block: bytes, bucket: str) -> bytes:
    """The reference: rewrite_line on every non-blank line (lines end at "\n" only: a "\r" stays in its line)."""
    return b"".join(rewrite_line(line, bucket)[0] + b"\n" for line in block.split(b"\n") if line.strip())


CANONICAL = b"\n".join([gt_line(i) for i in range(50)] + [gt_line(50, key="caf\u00e9 \"quoted\".png")]) + b"\n"


def test_a_canonical_block_is_rewritten_in_one_pass_exactly_as_line_by_line():
    assert _uniform_bucket(CANONICAL) == (b"mgmt-bucket", 51)
    done = rewrite_block(CANONICAL, "train-eu")
    assert done.data == per_line(CANONICAL, "train-eu")
    assert (done.lines, done.rewritten) == (51, 51)
    assert rewrite_block(CANONICAL, "mgmt-bucket") == RewrittenBlock(CANONICAL, 51, 0)


@pytest.mark.parametrize("odd_line", [
    gt_line(99, bucket="other-bucket"),  # two buckets in one manifest
    gt_line(99).replace(b'{"source-ref": ', b'{"source-ref":'),  # other spacing
    b'{"vehicle": 0, "source-ref": "s3://mgmt-bucket/k.png"}',  # source-ref not first
    b'{"source-ref": "s3://mgmt-bucket/k.png", "m": {"source-ref": "s3://mgmt-bucket/x"}}',  # a second one
    b'{"source-ref": "s3:\\/\\/mgmt-bucket\\/k.png"}',  # escaped slashes
    b"",  # a blank line
    gt_line(99) + b"\r",  # CRLF line ending
    gt_line(99) + b"  ",  # trailing spaces
])
def test_any_other_block_goes_line_by_line_with_the_same_result(odd_line):
    block = CANONICAL + odd_line + b"\n" + gt_line(100) + b"\n"
    assert _uniform_bucket(block) is None
    done = rewrite_block(block, "train-eu")
    assert done.data == per_line(block, "train-eu")
    assert done.lines == block.count(b"\n")


def test_a_bad_line_in_a_block_names_its_line():
    block = gt_line(1) + b"\n" + gt_line(2) + b"\n" + b'{"label": 1}\n'
    with pytest.raises(ManifestLineError, match="no source-ref") as error:
        rewrite_block(block, "train")
    assert error.value.line == 3


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_blocks_end_at_newlines_and_lose_nothing(size):
    text = b"".join(gt_line(i) + b"\n" for i in range(30)) + b"no newline at the end"
    blocks = list(whole_line_blocks(io.BytesIO(text).read, size))
    assert b"".join(blocks) == text + b"\n"
    assert all(block.endswith(b"\n") and block.count(b"\n") >= 1 for block in blocks)
    assert max(len(block) for block in blocks) <= max(size, max(len(line) for line in text.splitlines())) * 2 + 1
