"""multipart/form-data parsing, checked against an independent encoder (urllib3's, which botocore ships)."""

import pytest
from inference_samples import make_jpeg, make_png
from urllib3.filepost import encode_multipart_formdata

from inference.multipart_form import (
    JPEG,
    PNG,
    MultipartError,
    parse_header_value,
    parse_multipart,
    sniff_image_type,
)


def test_parses_a_file_field_and_a_text_field_like_curl_sends():
    image = make_jpeg() + b"\r\n--not-the-boundary\r\n"  # data containing CRLF and dashes
    body, content_type = encode_multipart_formdata(
        {"note": "hello", "image": ("DeepRacer.jpg", image, "image/jpeg")}
    )
    parts = parse_multipart(body, content_type)
    assert [part.name for part in parts] == ["note", "image"]
    assert parts[0].data == b"hello" and parts[0].filename is None
    assert parts[1].data == image
    assert parts[1].filename == "DeepRacer.jpg"
    assert parts[1].content_type == "image/jpeg"


def test_handles_quoted_boundary_and_preamble():
    png = make_png()
    body = (
        b"preamble to ignore\r\n--a;b\r\n"
        b'Content-Disposition: form-data; name="image"; filename="x;y.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png + b"\r\n--a;b--\r\nepilogue"
    )
    [part] = parse_multipart(body, 'multipart/form-data; boundary="a;b"')
    assert part.filename == "x;y.png" and part.data == png


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\nabc",
            "multipart/form-data; boundary=b",
            "closing",
        ),
        (b"no boundary here", "multipart/form-data; boundary=b", "boundary"),
        (b"--b\r\n\r\nabc\r\n--b--", "multipart/form-data; boundary=b", "Content-Disposition"),
        (b"", "multipart/form-data", "boundary parameter"),
        (b"", "multipart/mixed; boundary=b", "not multipart/form-data"),
        (
            b"--b\r\nContent-Disposition: form-data; name=x\r\nabc",
            "multipart/form-data; boundary=b",
            "terminated",
        ),
    ],
)
def test_rejects_malformed_bodies(body, content_type, message):
    with pytest.raises(MultipartError, match=message):
        parse_multipart(body, content_type)


def test_header_value_parameters():
    assert parse_header_value('Form-Data; name="a\\"b"; filename=plain.jpg; flag') == (
        "form-data",
        {"name": 'a"b', "filename": "plain.jpg", "flag": ""},
    )
    assert parse_header_value("") == ("", {})


def test_sniffs_only_jpeg_and_png():
    assert sniff_image_type(make_jpeg()) == JPEG
    assert sniff_image_type(make_png()) == PNG
    assert sniff_image_type(b"GIF89a....") is None
    assert sniff_image_type(b"") is None
