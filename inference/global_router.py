"""The local stand-in for Global Accelerator: send each request to the first healthy region in preference order.

Like the real accelerator it decides on health checks (each region's GET /health, cached for `health_ttl`),
skips unhealthy regions and fails open (sends to the first reachable region) when none is healthy.
Because it sees the answer too, a region that answers 503 for a model (stopped since the last health check)
is skipped for that model only, for `health_ttl`, and the request moves on to the next region at once:
one stopped model never takes a region away from the others.
"""

import http.client
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

from inference.alb_adapter import HOP_BY_HOP, HttpAnswer
from inference.http_common import EndpointRequestHandler, json_answer

SERVED_REGION_HEADER = "X-Served-Region"


class RegionHealth:
    """Health of each region's endpoint from its /health, cached briefly."""

    def __init__(
        self,
        region_urls: dict[str, str],
        ttl: float,
        *,
        timeout: float = 5.0,
        clock=time.monotonic,
        health_path: str = "/health",
    ):
        self.region_urls = dict(region_urls)
        self.health_path = health_path
        self.ttl = ttl
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[bool, float]] = {}
        self._models: dict[tuple[str, tuple[str, str]], float] = {}

    def is_healthy(self, region: str) -> bool:
        with self._lock:
            known = self._known.get(region)
        if known is not None and self._clock() - known[1] < self.ttl:
            return known[0]
        healthy = self._check(region)
        self._remember(region, healthy)
        return healthy

    def mark_unhealthy(self, region: str) -> None:
        self._remember(region, False)

    def mark_model_unavailable(self, region: str, model: tuple[str, str]) -> None:
        """This model answered 503 here: skip the region for it (only) until the health TTL passes."""
        with self._lock:
            self._models[(region, model)] = self._clock()

    def serves(self, region: str, model: tuple[str, str]) -> bool:
        """Healthy region, and the model did not answer 503 here within the TTL."""
        with self._lock:
            failed_at = self._models.get((region, model))
        if failed_at is not None and self._clock() - failed_at < self.ttl:
            return False
        return self.is_healthy(region)

    def snapshot(self) -> list[dict]:
        return [
            {"region": region, "url": url, "healthy": self.is_healthy(region)}
            for region, url in self.region_urls.items()
        ]

    def _remember(self, region: str, healthy: bool) -> None:
        with self._lock:
            self._known[region] = (healthy, self._clock())

    def _check(self, region: str) -> bool:
        try:
            answer = forward(self.region_urls[region], "GET", self.health_path, [], b"", timeout=self.timeout)
        except OSError:
            return False
        return answer.status == 200


def forward(
    base_url: str, method: str, target: str, headers: list[tuple[str, str]], body: bytes, *, timeout: float
) -> HttpAnswer:
    """One HTTP exchange with a regional endpoint; OSError when it cannot be reached."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        sent = [
            (name, value)
            for name, value in headers
            if name.lower() not in HOP_BY_HOP | {"host", "content-length"}
        ]
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in sent:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        payload = response.read()
        kept = [
            (name, value)
            for name, value in response.getheaders()
            if name.lower() not in HOP_BY_HOP | {"content-length"}
        ]
        return HttpAnswer(response.status, kept, payload)
    except http.client.HTTPException as exc:
        raise OSError(f"bad answer from {base_url}: {exc}") from exc
    finally:
        connection.close()


def _error_of(answer: HttpAnswer) -> str | None:
    try:
        return json.loads(answer.body).get("error")
    except (ValueError, AttributeError):
        return None


def model_of(target: str) -> tuple[str, str]:
    """(ProjectName, VersionName) of a request ("" for what is not given: the endpoint's defaults)."""
    query = parse_qs(urlsplit(target).query)
    return query.get("ProjectName", [""])[0], query.get("VersionName", [""])[0]


class GlobalRouter:
    """Chooses the region for each request; used by the global endpoint's request handler."""

    def __init__(
        self,
        region_urls: dict[str, str],
        *,
        health_ttl: float = 2.0,
        timeout: float = 30.0,
        health_path: str = "/health",
    ):
        self.preference = list(region_urls)
        self.region_urls = dict(region_urls)
        self.health_path = "/" + health_path.strip("/")
        self.health = RegionHealth(region_urls, health_ttl, health_path=self.health_path)
        self.timeout = timeout

    def route(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> HttpAnswer:
        if "/" + target.split("?", 1)[0].strip("/") == self.health_path and method in ("GET", "HEAD"):
            return self.health_answer()
        failed = []
        model = model_of(target)
        for region in self.preference:
            if not self.health.serves(region, model):
                continue
            answer = self._try(region, method, target, headers, body)
            if answer is not None and answer.status != 503:
                return answer
            if answer is None or _error_of(answer) == "RegionUnavailable":  # the whole region is down
                self.health.mark_unhealthy(region)
            else:  # this model is not served there; other models may be
                self.health.mark_model_unavailable(region, model)
            failed.append(region)
        # No healthy region: fail open like Global Accelerator, to the first region that answers at all.
        for region in self.preference:
            if region in failed:
                continue
            answer = self._try(region, method, target, headers, body)
            if answer is not None:
                return answer
        return json_answer(
            503,
            {
                "error": "NoHealthyRegion",
                "message": "no region is serving the model",
                "regions": self.preference,
            },
            [("Retry-After", "5")],
        )

    def _try(self, region, method, target, headers, body) -> HttpAnswer | None:
        try:
            answer = forward(self.region_urls[region], method, target, headers, body, timeout=self.timeout)
        except OSError:
            return None
        kept = [
            (name, value) for name, value in answer.headers if name.lower() != SERVED_REGION_HEADER.lower()
        ]
        return HttpAnswer(answer.status, [*kept, (SERVED_REGION_HEADER, region)], answer.body)

    def health_answer(self) -> HttpAnswer:
        regions = self.health.snapshot()
        healthy = any(region["healthy"] for region in regions)
        body = {"Healthy": healthy, "Preference": self.preference, "Regions": regions}
        return HttpAnswer(
            200 if healthy else 503, [("Content-Type", "application/json")], json.dumps(body).encode()
        )


class GlobalRequestHandler(EndpointRequestHandler):
    router: GlobalRouter  # set on a subclass per server

    def answer(self, body: bytes) -> HttpAnswer:
        headers = list(self.headers.items())
        forwarded = self.headers.get("X-Forwarded-For")
        client = self.client_address[0]
        headers = [(name, value) for name, value in headers if name.lower() != "x-forwarded-for"]
        headers.append(("X-Forwarded-For", f"{forwarded}, {client}" if forwarded else client))
        return self.router.route(self.command, self.path, headers, body)
