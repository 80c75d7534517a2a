"""What an incoming AWS call is: service, region, account, operation, read from the WSGI environ.

The region and service come from the SigV4 credential scope (header or presigned query), exactly what
AWS itself routes on, so a client configured for eu-west-1 is treated as calling eu-west-1.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

DEFAULT_REGION = "us-east-1"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9.-]+)/aws4_request")
# Services whose errors are JSON with an x-amzn-ErrorType header (rest-json) rather than XML.
_REST_JSON_SERVICES = {"lambda", "apigateway", "execute-api", "elasticfilesystem", "globalaccelerator", "sns-json"}


@dataclass
class AwsRequest:
    service: str
    region: str
    access_key: str
    target: str  # X-Amz-Target, empty for non-JSON protocols
    operation: str
    body: bytes | None  # read only for JSON and query protocols
    account_header: str = ""  # moto's x-moto-account-id override

    @property
    def is_json_protocol(self) -> bool:
        return bool(self.target)

    @property
    def counter_key(self) -> str:
        if self.service == "rekognition":
            return f"{self.region}/{self.operation}"
        return f"{self.region}/{self.service}:{self.operation}"

    @property
    def account_id(self) -> str:
        """Same rule as moto: MOTO_ACCOUNT_ID, x-moto-account-id, the access key's account, the default."""
        if "MOTO_ACCOUNT_ID" in os.environ:
            return os.environ["MOTO_ACCOUNT_ID"]
        if self.account_header:
            return self.account_header
        from moto.iam.models import get_account_id_from

        return get_account_id_from(self.access_key)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def parse_request(environ: dict[str, Any]) -> AwsRequest | None:
    """None for requests that are not signed AWS calls (control API, moto's own API, browser)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL.search(auth)
    if not match:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = query.get("X-Amz-Credential", [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
    if not match:
        return None
    access_key, _, region, service = match.groups()
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    body = None
    if target:
        body = _read_body(environ)
        operation = target.rsplit(".", 1)[-1]
    elif environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and service != "s3":
        body = _read_body(environ)
        form = parse_qs(body.decode("utf-8", "replace"))
        operation = form.get("Action", [environ.get("REQUEST_METHOD", "GET")])[0]
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        operation = query.get("Action", [environ.get("REQUEST_METHOD", "GET")])[0]
    return AwsRequest(service, region, access_key, target, operation, body, environ.get("HTTP_X_MOTO_ACCOUNT_ID", ""))


def error_response(request: AwsRequest, status: int, code: str, message: str) -> tuple[int, dict, bytes]:
    """An error in the wire format of the caller's protocol, so botocore raises the right exception."""
    if request.is_json_protocol or request.service in _REST_JSON_SERVICES:
        payload = {"__type": code, "message": message}
        if request.service == "rekognition":  # Rekognition's error shapes carry Message, Code and Logref
            payload = {"__type": code, "Code": code, "Message": message, "Logref": str(uuid.uuid4())}
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
        return status, headers, body
    if request.service == "s3":
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>localaws</RequestId></Error>"
    elif request.service == "ec2":
        body = f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>localaws</RequestID></Response>"
    else:
        body = f"<?xml version='1.0' encoding='UTF-8'?><ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>localaws</RequestId></ErrorResponse>"
    return status, {"Content-Type": "text/xml"}, body.encode()
