"""Small but valid PNG and JPEG images built with zlib/struct (no Pillow), at least 64x64 like Rekognition needs."""

import struct

from local_stack.sample_dataset import encode_png


def make_png(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """An 8-bit grayscale PNG; `seed` changes the pixels (and so the emulator's deterministic labels)."""
    rows = [bytes((x * 3 + y * 5 + seed) % 256 for x in range(width)) for y in range(height)]
    return encode_png(rows, width, grey=True, level=6)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def make_jpeg(width: int = 64, height: int = 64, comment: bytes = b"") -> bytes:
    """A baseline grayscale JPEG of uniform mid-grey: every 8x8 block is DC difference 0 then end-of-block.

    Both Huffman tables hold one 1-bit code ("0"), so each block is two 0 bits.
    """
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)  # the spec pads the last byte with 1 bits
    scan = int(bits, 2).to_bytes(len(bits) // 8, "big")
    quantisation = b"\x00" + bytes([1] * 64)
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    dc_table = b"\x00" + bytes([1] + [0] * 15) + b"\x00"  # class 0 id 0: one code of length 1 -> category 0
    ac_table = b"\x10" + bytes([1] + [0] * 15) + b"\x00"  # class 1 id 0: one code of length 1 -> EOB
    scan_header = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + (_segment(0xFE, comment) if comment else b"")
        + _segment(0xDB, quantisation)
        + _segment(0xC0, frame)
        + _segment(0xC4, dc_table)
        + _segment(0xC4, ac_table)
        + _segment(0xDA, scan_header)
        + scan
        + b"\xff\xd9"
    )
