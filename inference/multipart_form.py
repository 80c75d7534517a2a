"""multipart/form-data parsing and image sniffing for the inference Lambda (stdlib only).

Why not `cgi` or `email`: `cgi` is gone from Python 3.13 and both are heavier than needed on a cold start.
A form is at most 1 MB here (the ALB's Lambda body limit), so parsing the whole body in memory is fine.
"""

from dataclasses import dataclass

JPEG = "image/jpeg"
PNG = "image/png"


class MultipartError(ValueError):
    """The body claims to be multipart/form-data but cannot be parsed."""


@dataclass(frozen=True)
class FormPart:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def parse_header_value(value: str) -> tuple[str, dict[str, str]]:
    """Split `type/sub; a=1; b="x;y"` into ("type/sub", {"a": "1", "b": "x;y"}); names lower-cased."""
    main, params, i, n = "", {}, 0, len(value)
    while i < n and value[i] != ";":
        i += 1
    main = value[:i].strip().lower()
    while i < n:
        i += 1  # skip ';'
        start = i
        while i < n and value[i] not in "=;":
            i += 1
        key = value[start:i].strip().lower()
        if i >= n or value[i] == ";":
            if key:
                params[key] = ""
            continue
        i += 1  # skip '='
        while i < n and value[i] in " \t":
            i += 1
        if i < n and value[i] == '"':
            i += 1
            chars = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            i += 1  # closing quote
            param = "".join(chars)
            while i < n and value[i] != ";":
                i += 1
        else:
            start = i
            while i < n and value[i] != ";":
                i += 1
            param = value[start:i].strip()
        if key:
            params[key] = param
    return main, params


def boundary_of(content_type: str) -> str:
    media_type, params = parse_header_value(content_type)
    if media_type != "multipart/form-data":
        raise MultipartError(f"content type {media_type!r} is not multipart/form-data")
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        raise MultipartError("multipart/form-data content type has no valid boundary parameter")
    return boundary


def _part_headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("utf-8", errors="replace").split("\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise MultipartError(f"malformed part header line {line[:60]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """Every part of a multipart/form-data body, in order (RFC 7578)."""
    boundary = boundary_of(content_type).encode("latin-1")
    delimiter = b"--" + boundary
    start = body.find(delimiter)
    if start < 0 or (start > 0 and body[start - 2 : start] != b"\r\n"):
        raise MultipartError("multipart body does not contain its boundary")
    parts: list[FormPart] = []
    pos = start + len(delimiter)
    while True:
        if body[pos : pos + 2] == b"--":
            return parts  # close delimiter; the epilogue is ignored
        line_end = body.find(b"\r\n", pos)
        if line_end < 0 or body[pos:line_end].strip(b" \t"):
            raise MultipartError("multipart body is truncated or malformed after a boundary")
        headers_end = body.find(b"\r\n\r\n", line_end)
        if headers_end == line_end:  # part without headers
            headers_block, data_start = b"", line_end + 4
        elif headers_end < 0:
            raise MultipartError("multipart part headers are not terminated")
        else:
            headers_block, data_start = body[line_end + 2 : headers_end], headers_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, data_start)
        if next_delimiter < 0:
            raise MultipartError("multipart body ends without its closing boundary")
        headers = _part_headers(headers_block)
        disposition, params = parse_header_value(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in params:
            raise MultipartError("multipart part has no Content-Disposition: form-data; name=...")
        content_type_header = headers.get("content-type")
        parts.append(
            FormPart(
                name=params["name"],
                filename=params.get("filename"),
                content_type=parse_header_value(content_type_header)[0] if content_type_header else None,
                data=body[data_start:next_delimiter],
            )
        )
        pos = next_delimiter + 2 + len(delimiter)


def sniff_image_type(data: bytes) -> str | None:
    """JPEG or PNG by magic number (the only formats DetectCustomLabels accepts); None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None
