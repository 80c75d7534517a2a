"""Regional inference Lambda behind the ALB: POST an image, get Rekognition Custom Labels back.

Deployed alone (inference/package.py zips this file and its sibling modules at the zip root), so it imports
only the standard library, its siblings, the runtime's boto3 - and boto3 only when the first request
needs it, to keep the cold start cheap - and AWS Lambda Powertools for the request log (request_log.py), from the
AWS-published layer Terraform attaches.

    POST /?ProjectName=P&VersionName=V[&MinConfidence=50&MaxResults=10]
         body: multipart/form-data with field `image` (the seed's postImage.sh), or raw image/jpeg / image/png
    GET  $HEALTH_CHECK_PATH (default /health)   200 only if DEFAULT_PROJECT_NAME / DEFAULT_VERSION_NAME is
         RUNNING here (the ALB health check; Terraform sets the same path on the target group)

Only the projects in ALLOWED_PROJECTS (default: DEFAULT_PROJECT_NAME) are served: any other project gets
exactly the 404 of a project that does not exist, without a Rekognition call (so callers cannot tell which
projects exist). With API_KEY_PARAMETER set, every request but the health check must carry the key from that
SSM parameter in API_KEY_HEADER (default x-api-key), else 401.

Every answer is JSON; failures carry {"error", "message"[, "hint"]} with a status a client can act on:
400 bad parameters, 401 no or wrong API key, 404 unknown model, 413 too large, 415 not an image, 429 throttled,
503 model not running or region unavailable (so the health check and Global Accelerator move traffic on).
Each inference request writes one JSON log line that is also its EMF metrics record (request_log.py).
"""

import logging
import math
import os
import re
import threading
import time

try:  # inside the project: inference.handler
    from . import alb_events, api_key, model_versions, multipart_form, request_log
except ImportError:  # in the Lambda zip: handler.py next to its siblings at the root
    import alb_events
    import api_key
    import model_versions
    import multipart_form
    import request_log

HttpError = alb_events.HttpError
logger = logging.getLogger("inference")

IMAGE_FIELD = "image"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{1,255}")
DEFAULT_CACHE_TTL_SECONDS = 30.0
DEFAULT_HEALTH_TTL_SECONDS = 5.0
DEFAULT_HEALTH_PATH = "/health"
DEFAULT_API_KEY_HEADER = "x-api-key"
RAW_IMAGE_TYPES = {"", "image/jpeg", "image/jpg", "image/pjpeg", "image/png", "application/octet-stream"}
THROTTLING_CODES = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}
UNAVAILABLE_CODES = {
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "InternalFailure",
}
TOO_LARGE_HINT = (
    "The ALB passes at most 1 MB to Lambda and images travel base64-encoded (4/3 larger), so keep the image "
    "under about 750 KB: resize it (e.g. 1280 px on the long side) or re-encode it as JPEG."
)
USAGE = (
    "POST an image to /?ProjectName=NAME&VersionName=NAME (multipart field 'image' or a raw image/jpeg body)"
)


def rekognition_client(region: str):
    """A Rekognition client for one region; its own session because boto3's default one is not thread-safe."""
    import boto3
    from botocore.config import Config

    attempts = _env_number("REKOGNITION_MAX_ATTEMPTS", 3, int)
    config = Config(
        retries={"total_max_attempts": max(1, attempts), "mode": "standard"},
        # bounded so that retries fit well inside the Lambda timeout: a timed-out Lambda is a 502 at the ALB
        connect_timeout=2,
        read_timeout=6,
        user_agent_extra="global-custom-labels-inference",
    )
    return boto3.session.Session().client("rekognition", region_name=region, config=config)


class InferenceHandler:
    """The ALB handler for one region; one instance per warm container (its caches live as long)."""

    def __init__(
        self,
        region: str,
        *,
        default_project: str | None = None,
        default_version: str | None = None,
        cache_ttl: float = DEFAULT_CACHE_TTL_SECONDS,
        health_ttl: float = DEFAULT_HEALTH_TTL_SECONDS,
        client_factory=rekognition_client,
        clock=time.monotonic,
        health_path: str = DEFAULT_HEALTH_PATH,
        allowed_projects=None,
        api_key_check: "api_key.ApiKeyCheck | None" = None,
        api_key_header: str = DEFAULT_API_KEY_HEADER,
        log_requests: bool | None = None,
        log_stream=None,
    ):
        self.region = region
        self.default_project = default_project or None
        self.default_version = default_version or None
        self.health_path = "/" + health_path.strip("/")
        # Nothing configured at all (bare test handlers) serves any project; the Lambda always has a list.
        allowed = set(allowed_projects or ())
        if not allowed and self.default_project:
            allowed = {self.default_project}
        self.allowed_projects = frozenset(allowed) or None
        self.api_key_check = api_key_check
        self.api_key_header = api_key_header.lower()
        # Default: log where CloudWatch collects stdout (in Lambda) or into a given stream; a handler run in-process
        # elsewhere (bench, tests) must not write to the host program's stdout.
        if log_requests is None:
            log_requests = log_stream is not None or "AWS_LAMBDA_FUNCTION_NAME" in os.environ
        self.log_requests = log_requests
        self.log_stream = log_stream
        self.cache_ttl = cache_ttl
        self.health_ttl = health_ttl
        self._client_factory = client_factory
        self._clock = clock
        self._client = None
        self._client_lock = threading.Lock()
        self.versions = model_versions.VersionDirectory(self.client, clock=clock)
        self._health_failure: tuple[float, str] | None = None

    def client(self):
        """The boto3 client, created on first use (not at import) so cold starts stay cheap."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._client_factory(self.region)
        return self._client

    def __call__(self, event, context=None) -> dict:
        if not isinstance(event, dict):
            event = {}
        started = time.perf_counter()
        error_code = None
        try:
            response = self._route(event)
        except HttpError as error:
            error_code = error.code
            response = alb_events.error_response(event, error, self._region_header())
        except Exception:
            logger.exception("unexpected error in %s", self.region)
            error_code = "InternalError"
            error = HttpError(500, "InternalError", "unexpected error; the function's logs have the details")
            response = alb_events.error_response(event, error, self._region_header())
        if self.log_requests and not self._is_health_check(event):
            self._log(event, context, response, error_code, (time.perf_counter() - started) * 1000)
        return response

    def _is_health_check(self, event: dict) -> bool:
        return "/" + str(event.get("path") or "/").strip("/") == self.health_path

    def _log(self, event, context, response, error_code, latency_ms) -> None:
        try:
            params = alb_events.query_parameters(event)
            project, version = params.get("ProjectName"), params.get("VersionName")
            request_log.record(
                request_id=getattr(context, "aws_request_id", None),
                region=self.region,
                project=project,
                version=version,
                served=self.serves(project) and response.get("statusCode") != 404,
                status=int(response.get("statusCode") or 0),
                latency_ms=latency_ms,
                error=error_code,
                stream=self.log_stream,
            )
        except Exception:  # a log line must never fail the request
            logger.exception("could not write the request log line")

    def serves(self, project: str | None) -> bool:
        """Whether `project` is one this endpoint serves (ALLOWED_PROJECTS)."""
        if not project:
            return False
        return self.allowed_projects is None or project in self.allowed_projects

    def _authorize(self, event: dict) -> None:
        if self.api_key_check is None:
            return
        try:
            ok = self.api_key_check.matches(alb_events.header(event, self.api_key_header))
        except api_key.ApiKeyUnavailable as exc:
            logger.error("%s", exc)
            raise HttpError(503, "AuthUnavailable", "the endpoint cannot check API keys right now",
                            headers={"Retry-After": "5"}) from None
        if not ok:
            raise HttpError(401, "Unauthorized", f"a valid API key is required in the {self.api_key_header} header")

    def _region_header(self) -> dict[str, str]:
        return {"X-Served-Region": self.region}

    def _route(self, event: dict) -> dict:
        method = str(event.get("httpMethod") or "").upper()
        if self._is_health_check(event):
            if method not in ("GET", "HEAD"):
                raise HttpError(
                    405, "MethodNotAllowed", f"use GET {self.health_path}", headers={"Allow": "GET, HEAD"}
                )
            return self.health(event)
        self._authorize(event)
        if method != "POST":
            raise HttpError(405, "MethodNotAllowed", USAGE, headers={"Allow": "POST"})
        return self.predict(event)

    # POST: prediction

    def predict(self, event: dict) -> dict:
        size = alb_events.transmitted_body_size(event)
        if size > alb_events.ALB_LAMBDA_BODY_LIMIT:
            raise HttpError(
                413,
                "PayloadTooLarge",
                f"request body is {size} bytes as passed to Lambda; the limit is "
                f"{alb_events.ALB_LAMBDA_BODY_LIMIT} bytes",
                hint=TOO_LARGE_HINT,
            )
        params = alb_events.query_parameters(event)
        project = _model_name(params, "ProjectName")
        version = _model_name(params, "VersionName")
        options = _detect_options(params)
        image = _request_image(event)
        if not self.serves(project):  # the same answer as a project that does not exist, with no AWS call
            raise self._not_found(project, version)
        info = self._lookup(project, version, self.cache_ttl)
        try:
            result = self._detect(info, image, options)
        except HttpError as error:
            if error.code != "ModelNotFound" or not info.exists:
                raise
            # The cached ARN is gone; the version may have been deleted and rebuilt under the same name.
            fresh = self._lookup(project, version, 0.0)
            if fresh.arn in (None, info.arn):
                raise
            result = self._detect(fresh, image, options)
        payload = {
            "Region": self.region,
            "ProjectName": project,
            "VersionName": version,
            "CustomLabels": result.get("CustomLabels", []),
        }
        return alb_events.response(event, 200, payload, self._region_header())

    def _detect(self, info: model_versions.VersionInfo, image: bytes, options: dict) -> dict:
        if not info.exists:
            raise self._not_found(info.project, info.version)
        try:
            return self.client().detect_custom_labels(
                ProjectVersionArn=info.arn, Image={"Bytes": image}, **options
            )
        except Exception as exc:
            raise self._detect_error(exc, info) from exc

    def _lookup(self, project: str, version: str, max_age: float) -> model_versions.VersionInfo:
        try:
            return self.versions.get(project, version, max_age)
        except model_versions.VersionLookupError as exc:
            raise self._aws_error(exc.cause, "looking up the model version") from exc

    def _not_found(self, project: str, version: str) -> HttpError:
        return HttpError(
            404,
            "ModelNotFound",
            f"model version {version!r} of project {project!r} does not exist in {self.region}",
        )

    def _detect_error(self, exc: Exception, info: model_versions.VersionInfo) -> Exception:
        code = _error_code(exc)
        if code == "ResourceNotFoundException":
            self.versions.forget(info.project, info.version)
            return self._not_found(info.project, info.version)
        if code == "ResourceNotReadyException":
            return HttpError(
                503,
                "ModelNotRunning",
                f"model version {info.version!r} of project {info.project!r} is not running in {self.region} "
                f"(last seen status {info.status})",
                hint="Start it (cli.py start) or use the global endpoint, which sends requests to a region "
                "where it runs.",
                headers={"Retry-After": "30"},
            )
        if code == "InvalidImageFormatException":
            return HttpError(
                415, "UnsupportedImage", _aws_message(exc) or "Rekognition cannot read this image"
            )
        if code == "ImageTooLargeException":
            return HttpError(
                413, "ImageTooLarge", _aws_message(exc) or "image too large", hint=TOO_LARGE_HINT
            )
        if code == "InvalidParameterException":
            return HttpError(400, "InvalidParameter", _aws_message(exc) or "Rekognition rejected the request")
        return self._aws_error(exc, "calling DetectCustomLabels")

    def _aws_error(self, exc: Exception, doing: str) -> Exception:
        if not model_versions.is_aws_error(exc):
            return exc
        code = _error_code(exc)
        if code in THROTTLING_CODES:
            return HttpError(
                429,
                "Throttled",
                f"Rekognition throttled the request in {self.region} while {doing}",
                hint="Retry with backoff.",
                headers={"Retry-After": "1"},
            )
        if code is None or code in UNAVAILABLE_CODES:
            logger.warning("Rekognition unavailable in %s while %s: %s", self.region, doing, exc)
            return HttpError(
                503,
                "RegionUnavailable",
                f"Rekognition is not answering in {self.region} while {doing}",
                headers={"Retry-After": "5"},
            )
        logger.error("Rekognition error in %s while %s: %s", self.region, doing, exc)
        return HttpError(500, "UpstreamError", f"Rekognition answered {code} in {self.region} while {doing}")

    # GET /health: the ALB health check

    def health(self, event: dict) -> dict:
        project, version = self.default_project, self.default_version
        body = {"Region": self.region, "ProjectName": project, "VersionName": version}
        if not project or not version:
            body.update(
                Healthy=False, Status=None, Reason="DEFAULT_PROJECT_NAME / DEFAULT_VERSION_NAME not set"
            )
            return alb_events.response(event, 503, body, self._region_header())
        failure = self._health_failure
        if failure is not None and self._clock() - failure[0] < self.health_ttl:
            body.update(Healthy=False, Status=model_versions.UNKNOWN, Reason=failure[1])
            return alb_events.response(event, 503, body, self._region_header())
        try:
            info = self.versions.get(project, version, self.health_ttl, project_max_age=self.cache_ttl)
        except model_versions.VersionLookupError as exc:
            stale = self.versions.peek(project, version)
            if stale is None or _error_code(exc.cause) not in THROTTLING_CODES:
                reason = self._aws_error(exc.cause, "checking the default model").args[0]
                self._health_failure = (self._clock(), reason)
                body.update(Healthy=False, Status=model_versions.UNKNOWN, Reason=reason)
                return alb_events.response(event, 503, body, self._region_header())
            info = stale  # throttled: keep the last known status rather than flap the ALB target
        self._health_failure = None
        healthy = info.status == "RUNNING"
        body.update(Healthy=healthy, Status=info.status)
        return alb_events.response(event, 200 if healthy else 503, body, self._region_header())


def _model_name(params: dict[str, str], key: str) -> str:
    value = params.get(key)
    if not value:
        raise HttpError(400, "MissingParameter", f"query parameter {key} is required", hint=USAGE)
    if not NAME_PATTERN.fullmatch(value):
        raise HttpError(
            400, "InvalidParameter", f"{key} must be 1-255 characters of letters, digits, '_', '.' or '-'"
        )
    return value


def _detect_options(params: dict[str, str]) -> dict:
    options = {}
    if params.get("MinConfidence", "") != "":
        try:
            confidence = float(params["MinConfidence"])
        except ValueError:
            confidence = math.nan
        if not 0 <= confidence <= 100:
            raise HttpError(400, "InvalidParameter", "MinConfidence must be a number from 0 to 100")
        options["MinConfidence"] = confidence
    if params.get("MaxResults", "") != "":
        raw = params["MaxResults"]
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 4096:
            raise HttpError(400, "InvalidParameter", "MaxResults must be a whole number from 0 to 4096")
        options["MaxResults"] = int(raw)
    return options


def _request_image(event: dict) -> bytes:
    """The image bytes from a multipart form field `image` or a raw body; 400/415 when there is none."""
    content_type = alb_events.header(event, "content-type") or ""
    media_type, _ = multipart_form.parse_header_value(content_type)
    body = alb_events.body_bytes(event)
    if media_type == "multipart/form-data":
        try:
            parts = multipart_form.parse_multipart(body, content_type)
        except multipart_form.MultipartError as exc:
            raise HttpError(400, "BadMultipart", str(exc)) from None
        image_part = next((part for part in parts if part.name == IMAGE_FIELD), None)
        if image_part is None:
            fields = ", ".join(repr(part.name) for part in parts) or "none"
            raise HttpError(
                400,
                "MissingImage",
                f"multipart form has no field {IMAGE_FIELD!r} (fields: {fields})",
                hint="curl -F image=@photo.jpg ...",
            )
        image = image_part.data
    elif media_type in RAW_IMAGE_TYPES:
        image = body
    else:
        raise HttpError(
            415,
            "UnsupportedMediaType",
            f"content type {media_type!r} is not an image",
            hint="Send image/jpeg or image/png, or multipart/form-data with the image in field 'image'.",
        )
    if not image:
        raise HttpError(400, "MissingImage", "the request carries no image", hint=USAGE)
    if multipart_form.sniff_image_type(image) is None:
        raise HttpError(
            415,
            "UnsupportedMediaType",
            "the image is neither JPEG nor PNG (the formats Rekognition Custom Labels reads)",
        )
    return image


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def _aws_message(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Message") if isinstance(response, dict) else None


def _env_number(name: str, default, kind=float):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        logger.warning("ignoring %s=%r: not a number", name, raw)
        return default
    if value < 0 or (kind is float and not math.isfinite(value)):
        logger.warning("ignoring %s=%r: must be a finite number >= 0", name, raw)
        return default
    return value


def make_handler(region: str | None = None, **overrides) -> InferenceHandler:
    """A handler for `region` configured from the environment; keyword arguments override the environment.

    The local adapters call this once per region, so several regions can share one process.
    """
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise ValueError("no region: pass one or set AWS_REGION")
    cache_ttl = _env_number("CACHE_TTL_SECONDS", DEFAULT_CACHE_TTL_SECONDS)
    allowed = [name.strip() for name in os.environ.get("ALLOWED_PROJECTS", "").split(",") if name.strip()]
    settings = {
        "default_project": os.environ.get("DEFAULT_PROJECT_NAME"),
        "default_version": os.environ.get("DEFAULT_VERSION_NAME"),
        "cache_ttl": cache_ttl,
        "health_ttl": _env_number("HEALTH_CACHE_TTL_SECONDS", min(DEFAULT_HEALTH_TTL_SECONDS, cache_ttl)),
        "health_path": os.environ.get("HEALTH_CHECK_PATH") or DEFAULT_HEALTH_PATH,
        "allowed_projects": allowed or None,
        "api_key_header": os.environ.get("API_KEY_HEADER") or DEFAULT_API_KEY_HEADER,
    }
    parameter = overrides.pop("api_key_parameter", None) or os.environ.get("API_KEY_PARAMETER")
    if parameter:
        settings["api_key_check"] = api_key.ApiKeyCheck(
            region, parameter, ttl=_env_number("API_KEY_CACHE_TTL_SECONDS", 300.0)
        )
    settings.update({key: value for key, value in overrides.items() if value is not None})
    return InferenceHandler(region, **settings)


_handler: InferenceHandler | None = None
_handler_lock = threading.Lock()


def lambda_handler(event, context):
    """Lambda entry point (handler.lambda_handler): one InferenceHandler per warm container."""
    global _handler
    if _handler is None:
        with _handler_lock:
            if _handler is None:
                _handler = make_handler(os.environ.get("AWS_REGION"))
    return _handler(event, context)
