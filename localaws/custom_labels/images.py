"""Image checks DetectCustomLabels does before inference: format by magic bytes, size, dimensions."""

from __future__ import annotations

import struct

from .errors import RekognitionError

MAX_BYTES = 4 * 1024 * 1024  # Image.Bytes limit
MAX_S3_BYTES = 15 * 1024 * 1024  # Image.S3Object limit
MIN_SIDE, MAX_SIDE = 64, 4096

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# JPEG start-of-frame markers carry the dimensions (C4 = DHT, C8 = JPG, CC = DAC are not frames).
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_format(data: bytes) -> str | None:
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in _SOF_MARKERS:
            if index + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height), or None when the header cannot be read."""
    kind = image_format(data)
    if kind == "png":
        return _png_size(data)
    if kind == "jpeg":
        return _jpeg_size(data)
    return None


def check_image(data: bytes, limit: int = MAX_BYTES) -> tuple[int, int]:
    """Raise the error AWS would for this image; return its (width, height)."""
    if len(data) > limit:
        raise RekognitionError("ImageTooLargeException", f"Image size {len(data)} bytes exceeds the {limit} byte limit.")
    if image_format(data) is None:
        raise RekognitionError("InvalidImageFormatException", "Request has unsupported image format")
    size = image_size(data)
    if size is None:
        raise RekognitionError("InvalidImageFormatException", "Request has invalid image format")
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise RekognitionError(
            "InvalidImageFormatException",
            f"Image dimensions {width}x{height} are outside {MIN_SIDE}..{MAX_SIDE} pixels.",
        )
    return size
