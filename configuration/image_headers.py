"""Format and pixel size of a PNG or JPEG from its first bytes, read through a ranged-read callback.

The dataset preflight checks images where they lie (an S3 object, a local file) without downloading them:
`read_at(offset, length)` returns at most `length` bytes from `offset` (an S3 ranged GET, a file seek+read).
A PNG's size is in its first 24 bytes; a JPEG's is in its start-of-frame segment, after APPn segments that can
hold up to 64 KiB each (EXIF thumbnails), so JPEG segments are walked window by window and only the windows
holding segment headers are read. Hand-written rather than a library such as imagesize: those read a whole
local file or an in-memory buffer, and we need bounded ranged reads and exactly the PNG/JPEG signatures that
Custom Labels accepts (guide, "Preparing images": PNG and JPEG only).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
WINDOW = 64 * 1024  # bytes per read; the first one covers PNG and almost every JPEG
MAX_WINDOWS = 16  # give up on a JPEG whose frame header is not within the first ~1 MiB of segment headers
# Start-of-frame markers carry the size (C4 = DHT, C8 = JPG extension, CC = DAC are not frames).
_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset([0x01, 0xD8, *range(0xD0, 0xD8)])  # markers without a length field

ReadAt = Callable[[int, int], bytes]


class HeaderTooDeep(Exception):
    """The JPEG frame header lies beyond what the preflight reads: the size was not checked."""


def image_format(head: bytes) -> str | None:
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    return None


class _Windows:
    """Bytes of an object by offset, fetched in WINDOW-sized ranged reads, at most MAX_WINDOWS of them."""

    def __init__(self, read_at: ReadAt, first: bytes):
        self.read_at = read_at
        self.start, self.data = 0, first
        self.reads = 1

    def get(self, offset: int, length: int) -> bytes | None:
        """`length` bytes at `offset`, or None past the end of the object."""
        end = offset + length
        if not (self.start <= offset and end <= self.start + len(self.data)):
            if self.reads >= MAX_WINDOWS:
                raise HeaderTooDeep()
            self.reads += 1
            self.start, self.data = offset, self.read_at(offset, max(WINDOW, length))
        piece = self.data[offset - self.start: end - self.start]
        return piece if len(piece) == length else None


def _jpeg_size(windows: _Windows) -> tuple[int, int] | None:
    offset = 2  # after the SOI marker
    while True:
        head = windows.get(offset, 2)
        if head is None or head[0] != 0xFF:
            return None
        marker = head[1]
        if marker == 0xFF:  # fill byte before a marker
            offset += 1
        elif marker in _STANDALONE:
            offset += 2
        else:
            length_bytes = windows.get(offset + 2, 2)
            if length_bytes is None:
                return None
            if marker in _FRAME_MARKERS:
                frame = windows.get(offset + 5, 4)  # after length (2) and sample precision (1)
                if frame is None:
                    return None
                height, width = struct.unpack(">HH", frame)
                return width, height
            offset += 2 + struct.unpack(">H", length_bytes)[0]


def image_size(read_at: ReadAt, first: bytes | None = None) -> tuple[str | None, tuple[int, int] | None]:
    """(format, (width, height)); format None when neither PNG nor JPEG, size None when the header is unreadable.

    `first`: the object's first bytes if the caller already has them (one read saved). Raises HeaderTooDeep.
    """
    head = first if first is not None else read_at(0, WINDOW)
    kind = image_format(head)
    if kind == "png":
        if len(head) < 24 or head[12:16] != b"IHDR":
            return kind, None
        width, height = struct.unpack(">II", head[16:24])
        return kind, (width, height)
    if kind == "jpeg":
        return kind, _jpeg_size(_Windows(read_at, head))
    return None, None
