"""A tiny labelled dataset made on the spot (no download): PNGs drawn in pure Python + a Ground Truth manifest.

Three classes the seed's DeepRacer theme suggests: "car", "track", "cone". Each image is 64x64 (the smallest
size DetectCustomLabels accepts) with a class-specific shape and colour on a noisy background.
"""

import json
import random
import struct
import zlib
from pathlib import Path

CLASSES = ("car", "track", "cone")
SIZE = 64
LABEL_ATTRIBUTE = "gcl-class"
SOURCE_BUCKET = "gcl-sample-dataset"  # where the refs point before `sync` rewrites them
MANIFEST_NAME = "output.manifest"


def encode_png(rows: list[bytes], width: int, grey: bool = False, level: int = 9) -> bytes:
    """A PNG from raw 8-bit rows (RGB, or one byte per pixel when grey), no filter. Used by tests and bench too."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, len(rows), 8, 0 if grey else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, level))
            + chunk(b"IEND", b""))


def png_bytes(pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """Encode rows of RGB tuples as a PNG."""
    return encode_png([bytes(channel for pixel in row for channel in pixel) for row in pixels], len(pixels[0]))


def _draw(label: str, rng: random.Random) -> list[list[tuple[int, int, int]]]:
    background = [[(rng.randint(90, 130),) * 3 for _ in range(SIZE)] for _ in range(SIZE)]
    cx, cy = rng.randint(22, 42), rng.randint(22, 42)
    for y in range(SIZE):
        for x in range(SIZE):
            if label == "car" and abs(x - cx) < 14 and abs(y - cy) < 7:
                background[y][x] = (200, 30, 30)
            elif label == "track" and abs((x + y) - (cx + cy)) < 6:
                background[y][x] = (40, 40, 40)
            elif label == "cone" and 0 <= y - (cy - 12) < 24 and abs(x - cx) * 2 < y - (cy - 12):
                background[y][x] = (250, 140, 0)
    return background


def manifest_line(source_ref: str, label: str, creation_date: str = "2026-01-01T00:00:00.000000") -> str:
    """One SageMaker Ground Truth image-classification line, the format Custom Labels imports."""
    return json.dumps({
        "source-ref": source_ref,
        LABEL_ATTRIBUTE: CLASSES.index(label),
        f"{LABEL_ATTRIBUTE}-metadata": {
            "confidence": 1,
            "job-name": f"labeling-job/{LABEL_ATTRIBUTE}",
            "class-name": label,
            "human-annotated": "yes",
            "creation-date": creation_date,
            "type": "groundtruth/image-classification",
        },
    })


def create_sample_dataset(target: Path, images_per_class: int = 4, seed: int = 7) -> Path:
    """Write images/<class>-NN.png and output.manifest under `target`; returns the manifest path. Deterministic."""
    rng = random.Random(seed)  # nosec B311 - picture noise, not security
    (target / "images").mkdir(parents=True, exist_ok=True)
    lines = []
    for label in CLASSES:
        for index in range(1, images_per_class + 1):
            relative = f"images/{label}-{index:02d}.png"
            (target / relative).write_bytes(png_bytes(_draw(label, rng)))
            lines.append(manifest_line(f"s3://{SOURCE_BUCKET}/{relative}", label))
    manifest = target / MANIFEST_NAME
    manifest.write_text("\n".join(lines) + "\n")
    return manifest
