"""Ground Truth manifest lines: point `source-ref` at another bucket, touching nothing else. Pure functions."""

import json
from dataclasses import dataclass

SOURCE_REF = "source-ref"


class ManifestLineError(ValueError):
    """A manifest line that is not a JSON object with an s3:// source-ref (`line`: 1-based, within a block)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ManifestLineError(f"source-ref {uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    if not bucket or not key:
        raise ManifestLineError(f"source-ref {uri!r} is not an s3://bucket/key URI")
    return bucket, key


def source_ref(line: bytes | str) -> str:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise ManifestLineError(f"not JSON: {exc}") from None
    if not isinstance(record, dict) or SOURCE_REF not in record:
        raise ManifestLineError("no source-ref field")
    return record[SOURCE_REF]


def rewrite_line(line: bytes, bucket: str) -> tuple[bytes, bool]:
    """The line with its source-ref's bucket replaced; returns (line, changed).

    The original bytes are kept except for the bucket (labels, metadata, key order, spacing); only when the
    URI cannot be found verbatim (unusual escaping) is the record re-serialized.
    """
    old = source_ref(line)
    old_bucket, key = split_s3_uri(old)
    if old_bucket == bucket:
        return line, False
    return with_source_ref(line, old, f"s3://{bucket}/{key}"), True


def with_source_ref(line: bytes, old: str, new: str) -> bytes:
    """The line with its source-ref (`old`, as parsed) replaced by `new`, every other byte kept.

    Only when the URI cannot be found verbatim (unusual escaping) is the record re-serialized.
    """
    for ascii_only in (True, False):
        needle = json.dumps(old, ensure_ascii=ascii_only).encode()
        if line.count(needle) == 1:
            return line.replace(needle, json.dumps(new, ensure_ascii=ascii_only).encode())
    record = json.loads(line)
    record[SOURCE_REF] = new
    return json.dumps(record, ensure_ascii=False).encode()


# Ground Truth writes every line as `{"source-ref": "s3://bucket/key", ...}`: source-ref first, one per line.
GROUND_TRUTH_PREFIX = b'{"source-ref": "s3://'
_SOURCE_REF_KEY = b'"source-ref"'


@dataclass(frozen=True)
class RewrittenBlock:
    data: bytes  # every non-blank line, rewritten, each ending in a newline
    lines: int  # lines read, blank ones included (for line numbers)
    rewritten: int  # lines whose bucket changed


def _uniform_bucket(block: bytes) -> tuple[bytes, int] | None:
    """(the bucket every line starts with, the line count) if the block is all canonical Ground Truth lines.

    Canonical: no blank lines or carriage returns, every line starts with GROUND_TRUTH_PREFIX + the same bucket
    + "/" + a non-empty key, holds no other "source-ref" and ends with "}". Counting substrings in C is what makes
    this as fast as sed; anything else returns None and takes the line-by-line path.
    """
    slash = block.find(b"/", len(GROUND_TRUTH_PREFIX))
    head = block[len(GROUND_TRUTH_PREFIX): max(slash, 0)]
    if not block.startswith(GROUND_TRUTH_PREFIX) or not head or any(c in head for c in (b'"', b"\\", b"\n")):
        return None
    lines = block.count(b"\n")
    start = GROUND_TRUTH_PREFIX + head + b"/"
    # `lines` newlines, the last one after "}", every other one between "}" and `start`: each line is canonical
    if (b"\r" in block or not block.endswith(b"}\n") or block.count(b"}\n" + start) != lines - 1
            or block.count(_SOURCE_REF_KEY) != lines or start + b'"' in block):
        return None
    return head, lines


def rewrite_block(block: bytes, bucket: str) -> RewrittenBlock:
    """Whole lines (the block ends with a newline): every source-ref pointed at `bucket`, blank lines dropped.

    The same output as rewrite_line on each canonical line. A block of canonical Ground Truth lines that share one bucket
    is rewritten with one bytes.replace (no JSON parse; the bytes after the bucket are passed through: the build's
    check_replication has parsed every line first); any other block goes line by line.
    """
    uniform = _uniform_bucket(block)
    if uniform is not None:
        old, lines = uniform
        if old == bucket.encode():
            return RewrittenBlock(block, lines, 0)
        start = GROUND_TRUTH_PREFIX + old + b"/"
        return RewrittenBlock(block.replace(start, GROUND_TRUTH_PREFIX + bucket.encode() + b"/"), lines, lines)
    out, rewritten = [], 0
    parts = block.split(b"\n")  # "\n" only: a U+2028 or a "\r" inside a line belongs to it
    if parts and parts[-1] == b"":
        parts.pop()
    for number, line in enumerate(parts, start=1):
        if not line.strip():
            continue
        try:
            new_line, changed = rewrite_line(line, bucket)
        except ManifestLineError as exc:
            raise ManifestLineError(str(exc), number) from None
        rewritten += changed
        out.append(new_line)
    out.append(b"")
    return RewrittenBlock(b"\n".join(out) if len(out) > 1 else b"", len(parts), rewritten)


def whole_line_blocks(read, size: int):
    """Blocks of about `size` bytes ending at a newline (configuration.jsonlines: linear, bounded, no BOM).

    Raises ManifestLineError for a BOM or a line over jsonlines.MAX_LINE_BYTES (`line` None: the caller,
    which counts lines with rewrite_block, knows it is the line after those it has seen).
    """
    from configuration.jsonlines import ManifestHasBom, ManifestTooLongLine
    from configuration.jsonlines import whole_line_blocks as blocks

    try:
        yield from blocks(read, size, count_lines=False)
    except ManifestTooLongLine as exc:
        raise ManifestLineError(str(exc), exc.line) from None
    except ManifestHasBom as exc:
        raise ManifestLineError(str(exc), None) from None
