"""Reading Ground Truth manifests (JSON lines) in linear time and bounded memory, shared by `sync` and the activities.

Lines end at b"\\n" only: never at "\\r", "\\x0b", "\\u2028" or the other breaks str.splitlines() knows (a
U+2028 inside a JSON string is part of the line). A line longer than MAX_LINE_BYTES is refused instead of
being gathered: one Ground Truth line describes one image with at most 50 labels (Custom Labels "Guidelines
and quotas"), a few kilobytes, so the limit is far above any real line and keeps memory bounded whatever
the file holds. Pieces of a long line are collected in a list and joined once (no quadratic `pending + chunk`).
"""

from collections.abc import Callable, Iterator

UTF8_BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 1024 * 1024
CHUNK_BYTES = 1024 * 1024


class ManifestTooLongLine(ValueError):
    """A line over MAX_LINE_BYTES (`line`: its 1-based number)."""

    def __init__(self, line: int | None, limit: int = MAX_LINE_BYTES):
        size = f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit} bytes"
        where = f"line {line}" if line else "a line"
        super().__init__(f"{where} is longer than {size}: not a Ground Truth manifest line (one image per line)")
        self.line = line


class ManifestHasBom(ValueError):
    def __init__(self) -> None:
        super().__init__("starts with a UTF-8 byte order mark, which Custom Labels refuses: "
                         "save it as UTF-8 without BOM")


def iter_lines(read: Callable[[int], bytes], *, max_line: int = MAX_LINE_BYTES, chunk: int = CHUNK_BYTES,
               refuse_bom: bool = True) -> Iterator[bytes]:
    """Each line of `read(n)` (a file or an S3 body) without its b"\\n"; a last line without newline is yielded too."""
    pending: list[bytes] = []
    pending_size = 0
    number = 0
    first = True
    while True:
        data = read(chunk)
        if not data:
            break
        if first:
            first = False
            if refuse_bom and data.startswith(UTF8_BOM[: len(data)]):
                data += read(len(UTF8_BOM))  # a first read shorter than the mark: look at all three bytes
                if data.startswith(UTF8_BOM):
                    raise ManifestHasBom()
        start = 0
        while True:
            cut = data.find(b"\n", start)
            if cut < 0:
                break
            piece = data[start:cut]
            if pending:
                pending.append(piece)
                piece, pending, pending_size = b"".join(pending), [], 0
            number += 1
            if len(piece) > max_line:
                raise ManifestTooLongLine(number, max_line)
            yield piece
            start = cut + 1
        if start < len(data):
            pending.append(data[start:])
            pending_size += len(data) - start
            if pending_size > max_line:
                raise ManifestTooLongLine(number + 1, max_line)
    if pending:
        yield b"".join(pending)


def whole_line_blocks(read: Callable[[int], bytes], size: int, *, max_line: int = MAX_LINE_BYTES,
                      refuse_bom: bool = True, count_lines: bool = True) -> Iterator[bytes]:
    """Blocks of about `size` bytes made of whole lines, each ending in b"\n" (a missing last newline is added).

    Cut at the block's last newline with one rfind (C speed, as fast as sed); the start of a line that runs past
    the block is kept in a list and joined once. Linear time, memory O(size + max_line). count_lines=False
    leaves the line number out of ManifestTooLongLine (callers that count lines anyway save a pass).
    """
    pending: list[bytes] = []
    pending_size = 0
    lines = 0
    first = True
    while True:
        data = read(size)
        if not data:
            break
        if first:
            first = False
            if refuse_bom and data.startswith(UTF8_BOM[: len(data)]):
                data += read(len(UTF8_BOM))
                if data.startswith(UTF8_BOM):
                    raise ManifestHasBom()
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            pending.append(data)
            pending_size += len(data)
            if pending_size > max_line:
                raise ManifestTooLongLine(lines + 1 if count_lines else None, max_line)
            continue
        block = b"".join([*pending, data[:cut]]) if pending else data[:cut]
        if pending_size and block.find(b"\n") > max_line:
            raise ManifestTooLongLine(lines + 1 if count_lines else None, max_line)
        if count_lines:
            lines += block.count(b"\n")
        pending = [data[cut:]] if cut < len(data) else []
        pending_size = len(data) - cut
        yield block
    if pending:
        yield b"".join(pending) + b"\n"
