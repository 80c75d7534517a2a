"""The generated dataset is valid PNG + a Ground Truth manifest Custom Labels can import."""

import json
import struct
import zlib

from local_stack.sample_dataset import CLASSES, LABEL_ATTRIBUTE, SIZE, create_sample_dataset, png_bytes


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = body
        position += 12 + length
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2)
    assert b"IEND" in chunks
    return width, height, zlib.decompress(chunks[b"IDAT"])


def test_png_encoder_round_trips_pixels():
    pixels = [[(x * 10, y * 10, 7) for x in range(3)] for y in range(2)]
    width, height, raw = _decode_png(png_bytes(pixels))
    assert (width, height) == (3, 2)
    assert raw == b"\x00" + bytes([0, 0, 7, 10, 0, 7, 20, 0, 7]) + b"\x00" + bytes([0, 10, 7, 10, 10, 7, 20, 10, 7])


def test_dataset_has_images_of_every_class_and_a_matching_manifest(tmp_path):
    manifest = create_sample_dataset(tmp_path, images_per_class=3)
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert len(lines) == 3 * len(CLASSES)
    assert {line[f"{LABEL_ATTRIBUTE}-metadata"]["class-name"] for line in lines} == set(CLASSES)
    for line in lines:
        metadata = line[f"{LABEL_ATTRIBUTE}-metadata"]
        assert metadata["type"] == "groundtruth/image-classification"
        assert line[LABEL_ATTRIBUTE] == CLASSES.index(metadata["class-name"])
        relative = line["source-ref"].split("/", 3)[3]
        width, height, raw = _decode_png((tmp_path / relative).read_bytes())
        assert (width, height) == (SIZE, SIZE)  # DetectCustomLabels' minimum
        assert len(raw) == SIZE * (1 + 3 * SIZE)


def test_dataset_is_deterministic(tmp_path):
    create_sample_dataset(tmp_path / "a")
    create_sample_dataset(tmp_path / "b")
    for path in sorted((tmp_path / "a").rglob("*.*")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    images = sorted((tmp_path / "a" / "images").glob("*.png"))
    assert len({image.read_bytes() for image in images}) == len(images)  # all different
