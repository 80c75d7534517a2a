"""Reading ALB -> Lambda events and building the responses the ALB accepts (stdlib only).

Facts this follows (Elastic Load Balancing guide, "Lambda functions as targets"):
- with multi-value headers off (the default) the event has `headers` / `queryStringParameters`, last value wins;
  with them on it has `multiValueHeaders` / `multiValueQueryStringParameters` and the response must use
  `multiValueHeaders` too;
- query strings are passed as sent, not URL-decoded;
- bodies that are not text/*, JSON, JavaScript or XML arrive base64 with `isBase64Encoded: true`;
- the request body (as the ALB passes it) and the response JSON are each at most 1 MB.
"""

import base64
import binascii
import json
from http import HTTPStatus
from urllib.parse import unquote_plus

ALB_LAMBDA_BODY_LIMIT = 1024 * 1024


class HttpError(Exception):
    """An error the handler answers as JSON with this status, never as a stack trace."""

    def __init__(self, status: int, code: str, message: str, *, hint: str | None = None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.headers = dict(headers or {})

    def payload(self) -> dict:
        payload = {"error": self.code, "message": self.message}
        if self.hint:
            payload["hint"] = self.hint
        return payload


def uses_multi_value(event: dict) -> bool:
    return "multiValueHeaders" in event or "multiValueQueryStringParameters" in event


def header(event: dict, name: str) -> str | None:
    """A request header, case-insensitively; with multi-value headers on, the last value."""
    name = name.lower()
    single = event.get("headers") or {}
    for key, value in single.items():
        if key.lower() == name:
            return value
    multi = event.get("multiValueHeaders") or {}
    for key, values in multi.items():
        if key.lower() == name and values:
            return values[-1]
    return None


def query_parameters(event: dict) -> dict[str, str]:
    """Query parameters URL-decoded here, because the ALB leaves them as sent; last value wins."""
    params: dict[str, str] = {}
    for key, value in (event.get("queryStringParameters") or {}).items():
        params[unquote_plus(key)] = unquote_plus(value or "")
    for key, values in (event.get("multiValueQueryStringParameters") or {}).items():
        if values:
            params[unquote_plus(key)] = unquote_plus(values[-1] or "")
    return params


def transmitted_body_size(event: dict) -> int:
    """Size of the body as the ALB passed it to Lambda (base64 text when isBase64Encoded)."""
    body = event.get("body") or ""
    return len(body.encode("utf-8")) if isinstance(body, str) else len(body)


def body_bytes(event: dict) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(
                400, "BadRequest", "request body is marked base64 but is not valid base64"
            ) from None
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def response(event: dict, status: int, payload, headers: dict[str, str] | None = None) -> dict:
    """An ALB response with a JSON body, in the header style the event used."""
    all_headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    result = {
        "statusCode": status,
        "statusDescription": f"{status} {HTTPStatus(status).phrase}",
        "isBase64Encoded": False,
        "body": json.dumps(payload, separators=(",", ":")),
    }
    if uses_multi_value(event):
        result["multiValueHeaders"] = {key: [value] for key, value in all_headers.items()}
    else:
        result["headers"] = all_headers
    return result


def error_response(event: dict, error: HttpError, headers: dict[str, str] | None = None) -> dict:
    return response(event, error.status, error.payload(), {**(headers or {}), **error.headers})
