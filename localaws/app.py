"""The WSGI application: control API, fault injection and Custom Labels in front of moto's dispatcher.

Request flow: `/_emulator/*` -> control API; signed AWS calls are counted, may hit an injected outage or
throttle, Custom Labels operations are answered here (other Rekognition operations with a 4xx "not
implemented"), everything else goes to moto (with S3 writes recorded for replication).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from .aws_request import AwsRequest, error_response, parse_request
from .config import ConfigError, EmulatorConfig
from .custom_labels.errors import RekognitionError
from .custom_labels.handlers import OPERATIONS, Context
from .custom_labels.outputs import write_training_outputs
from .custom_labels.store import Store
from .faults import Faults
from .iam import bucket_policies, enforcer
from .iam.service_sessions import service_session
from .replication import Replicator, begin_request, end_request

CONTROL_PREFIX = "/_emulator/"
# The error code of a Rekognition operation the endpoint does not implement (a 4xx, so SDKs neither retry it
# nor mistake it for an outage).
NOT_IMPLEMENTED = "NotImplementedException"
ANONYMOUS_S3 = AwsRequest("s3", "us-east-1", "", "", "", None)  # an unsigned request, answered as S3 answers


def _json(start_response: Callable, status: int, payload: Any, headers: dict[str, str] | None = None) -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    return _send(start_response, status, {"Content-Type": "application/json", **(headers or {})}, body)


def _send(start_response: Callable, status: int, headers: dict[str, str], body: bytes) -> list[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
    all_headers = {"x-amzn-RequestId": str(uuid.uuid4()), **headers, "Content-Length": str(len(body))}
    start_response(f"{status} {reasons.get(status, 'Error')}", list(all_headers.items()))
    return [body]


def _s3_body(request: AwsRequest, environ: dict[str, Any]) -> bytes:
    """The body of an S3 DeleteObjects call (its keys are what IAM checks), put back for moto."""
    if request.service != "s3" or environ.get("REQUEST_METHOD") != "POST" or "delete" not in environ.get("QUERY_STRING", ""):
        return b""
    from .aws_request import _read_body

    return _read_body(environ)


class LocalAwsApp:
    """All emulator state lives here; `moto_app` is moto's DomainDispatcherApplication."""

    def __init__(self, moto_app: Callable, enforce_iam: bool = False) -> None:
        self.moto_app = moto_app
        bucket_policies.install()
        self.config = EmulatorConfig({"iam": {"enforce": enforce_iam}})
        self.store = Store(self.config)
        self.store.on_training_ended = lambda version, succeeded: write_training_outputs(
            version, succeeded, self.config.evaluation_for(version.region, version.project, version.name))
        self.faults = Faults(self.config)
        self.replicator = Replicator(self.config)
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------------------------
    def reset(self) -> None:
        from moto.moto_api._internal.models import moto_api_backend

        self.replicator.clear()
        moto_api_backend.reset()
        self.store.reset()
        self.config.reset()
        with self._calls_lock:
            self.calls.clear()

    # --- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self.control(environ, start_response, path[len(CONTROL_PREFIX) :].strip("/"))
        request = parse_request(environ)
        if request is None:
            if self.config.iam_enforced():
                try:
                    enforcer.authorize_anonymous(environ, _s3_body(ANONYMOUS_S3, environ))
                except enforcer.Denied as denied:
                    return _send(start_response, *error_response(ANONYMOUS_S3, denied.status, denied.code, denied.message))
            return self.moto_app(environ, start_response)
        with self._calls_lock:
            self.calls[request.counter_key] += 1
        caller = None
        if self.config.iam_enforced():
            try:
                caller = enforcer.authorize(request, environ, _s3_body(request, environ))
            except enforcer.Denied as denied:
                return _send(start_response, *error_response(request, denied.status, denied.code, denied.message))
        token = enforcer.set_caller(caller)
        try:
            return self._dispatch(request, environ, start_response)
        finally:
            enforcer.reset_caller(token)

    def _dispatch(self, request: AwsRequest, environ: dict[str, Any], start_response: Callable) -> Any:
        outage = self.faults.outage(request)
        if outage:
            return _send(start_response, *error_response(request, *outage))
        throttle = self.faults.throttled(request)
        if throttle:
            return _send(start_response, *error_response(request, *throttle, "Rate exceeded (localaws throttling)."))
        if request.service == "rekognition":
            if request.operation not in OPERATIONS:  # never moto: its answers are canned or an HTML 500 page
                return _send(start_response, *error_response(request, 400, NOT_IMPLEMENTED, (
                    f"localaws does not implement Rekognition {request.operation or 'this operation'}: it answers the "
                    "Custom Labels operations only (docs/CONTRACTS.md).")))
            return self.custom_labels(request, start_response)
        begin_request()
        try:
            return self.moto_app(environ, start_response)
        finally:
            end_request()

    def custom_labels(self, request: AwsRequest, start_response: Callable) -> list[bytes]:
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return _send(start_response, *error_response(request, 400, "SerializationException", "Malformed JSON body."))
        self.store.settle()
        try:
            with self.store.lock:
                result = OPERATIONS[request.operation](Context(self.store, request.account_id, request.region), params)
        except RekognitionError as exc:
            return _send(start_response, *error_response(request, exc.status, exc.code, exc.message))
        return _send(start_response, 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(result).encode())

    # --- control API -------------------------------------------------------------------------------
    def control(self, environ: dict[str, Any], start_response: Callable, route: str) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _json(start_response, 400, {"error": "the request body is not JSON"})
        handler = {
            ("GET", "health"): self._health,
            ("POST", "reset"): self._reset,
            ("GET", "config"): lambda _: self.config.snapshot(),
            ("POST", "config"): self.config.merge,
            ("POST", "advance"): self._advance,
            ("GET", "calls"): lambda _: self._calls(),
            ("POST", "calls/reset"): self._reset_calls,
            ("GET", "versions"): self._versions,
            ("POST", "replication/flush"): self._flush,
            ("POST", "iam/service-session"): service_session,
        }.get((method, route))
        if handler is None:
            return _json(start_response, 404, {"error": f"no control endpoint {method} /_emulator/{route}"})
        try:
            return _json(start_response, 200, handler(body))
        except ConfigError as exc:
            return _json(start_response, 400, {"error": str(exc)})

    def _health(self, _: Any) -> dict[str, Any]:
        return {"ok": True, "replication_pending": self.replicator.pending}

    def _reset(self, _: Any) -> dict[str, Any]:
        self.reset()
        return {"ok": True}

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) - {"region", "project", "version"}:
            raise ConfigError("advance takes an object with optional region, project, version")
        return {"moved": self.store.advance(body.get("region"), body.get("project"), body.get("version"))}

    def _calls(self) -> dict[str, int]:
        with self._calls_lock:
            return dict(self.calls)

    def _reset_calls(self, _: Any) -> dict[str, Any]:
        with self._calls_lock:
            self.calls.clear()
        return {"ok": True}

    def _versions(self, _: Any) -> dict[str, Any]:
        self.store.settle()
        return {"versions": self.store.describe_all()}

    def _flush(self, body: dict[str, Any]) -> dict[str, Any]:
        timeout = body.get("timeout", 30) if isinstance(body, dict) else 30
        return {"idle": self.replicator.wait_idle(float(timeout)), "pending": self.replicator.pending}
