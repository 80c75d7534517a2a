"""What an ALB does around a Lambda target, for the local stack: HTTP request -> ALB event, ALB response -> HTTP.

Follows the documented ALB behaviour with multi-value headers off (the default): header names lower-cased and
the last value wins, query strings split but not URL-decoded, bodies other than text/*, JSON, JavaScript and
XML base64-encoded, a response that is not valid or exceeds 1 MB becomes a 502 (as the ALB would answer).
"""

import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus

ACCOUNT_ID = "123456789012"
RESPONSE_LIMIT = 1024 * 1024
TEXT_TYPES = ("application/json", "application/javascript", "application/xml")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class BadLambdaResponse(Exception):
    """The function answered something the ALB would refuse (it then sends 502 Bad Gateway)."""


@dataclass
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class LocalLambdaContext:
    """The attributes of a Lambda context object that handlers commonly read."""

    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256
    deadline_ms: int = 0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def lambda_context(region: str, timeout_seconds: int = 30) -> LocalLambdaContext:
    name = f"local-inference-{region}"
    return LocalLambdaContext(
        function_name=name,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}",
        deadline_ms=int(time.time() * 1000) + timeout_seconds * 1000,
    )


def is_text_content(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in TEXT_TYPES


def split_query(query: str) -> dict[str, str]:
    """`a=1&b=x%20y&c` -> {"a": "1", "b": "x%20y", "c": ""}: split like the ALB, never decoded, last wins."""
    params: dict[str, str] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        params[key] = value
    return params


def alb_event(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    region: str,
    client_ip: str = "127.0.0.1",
    port: int = 80,
) -> dict:
    """The event an ALB (multi-value headers off) passes to its Lambda target for this HTTP request."""
    path, _, query = target.partition("?")
    event_headers: dict[str, str] = {}
    for name, value in headers:
        if name.lower() not in HOP_BY_HOP:
            event_headers[name.lower()] = value
    forwarded = event_headers.get("x-forwarded-for")
    event_headers["x-forwarded-for"] = f"{forwarded}, {client_ip}" if forwarded else client_ip
    event_headers["x-forwarded-port"] = str(port)
    event_headers["x-forwarded-proto"] = "http"
    event_headers["x-amzn-trace-id"] = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    if not body:
        encoded, is_base64 = "", False
    elif is_text_content(event_headers.get("content-type")):
        encoded, is_base64 = body.decode("utf-8", errors="replace"), False
    else:
        encoded, is_base64 = base64.b64encode(body).decode("ascii"), True
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:"
                f"targetgroup/local-inference/{secrets.token_hex(8)}"
            }
        },
        "httpMethod": method.upper(),
        "path": path or "/",
        "queryStringParameters": split_query(query),
        "headers": event_headers,
        "body": encoded,
        "isBase64Encoded": is_base64,
    }


def http_answer(alb_response) -> HttpAnswer:
    """The HTTP response the ALB sends for a Lambda's answer; BadLambdaResponse where it would send a 502."""
    if not isinstance(alb_response, dict):
        raise BadLambdaResponse(f"the function returned {type(alb_response).__name__}, not an object")
    if len(json.dumps(alb_response)) > RESPONSE_LIMIT:
        raise BadLambdaResponse("the function's response exceeds 1 MB")
    status = alb_response.get("statusCode")
    if not isinstance(status, int) or isinstance(status, bool) or status not in {s.value for s in HTTPStatus}:
        raise BadLambdaResponse(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, value in (alb_response.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (alb_response.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    body = alb_response.get("body") or ""
    if not isinstance(body, str):
        raise BadLambdaResponse("the response body must be a string")
    if alb_response.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body, validate=True)
        except ValueError:
            raise BadLambdaResponse("isBase64Encoded is true but the body is not base64") from None
    else:
        payload = body.encode("utf-8")
    headers = [
        (name, value) for name, value in headers if name.lower() not in HOP_BY_HOP | {"content-length"}
    ]
    return HttpAnswer(status, headers, payload)


def bad_gateway(reason: str) -> HttpAnswer:
    body = f"<html><body><h1>502 Bad Gateway</h1><!-- {reason} --></body></html>".encode()
    return HttpAnswer(502, [("Content-Type", "text/html")], body)
