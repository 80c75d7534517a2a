"""Optional API-key check of the inference endpoint (stdlib + the runtime's boto3).

The key lives in an SSM Parameter Store SecureString (API_KEY_PARAMETER); a warm container reads it once and
keeps it for `ttl` seconds (so a rotated key takes effect within that time), and compares the header in
constant time (hmac.compare_digest) so the answer time says nothing about how much of a guess was right.
"""

import hmac
import threading
import time


class ApiKeyUnavailable(Exception):
    """The parameter could not be read (missing, no permission, SSM unavailable): refuse, never fail open."""


def ssm_client(region: str):
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=4)
    return boto3.session.Session().client("ssm", region_name=region, config=config)


class ApiKeyCheck:
    """Holds the expected key per container; `matches(value)` is the constant-time comparison."""

    def __init__(self, region: str, parameter: str, *, ttl: float = 300.0, client_factory=ssm_client,
                 clock=time.monotonic):
        self.region = region
        self.parameter = parameter
        self.ttl = ttl
        self._client_factory = client_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._key: tuple[bytes, float] | None = None

    def expected(self) -> bytes:
        with self._lock:
            cached = self._key
            if cached is not None and self._clock() - cached[1] < self.ttl:
                return cached[0]
            try:
                value = self._client_factory(self.region).get_parameter(
                    Name=self.parameter, WithDecryption=True
                )["Parameter"]["Value"]
            except Exception as exc:
                if cached is not None:  # keep serving with the last key rather than lock everyone out
                    return cached[0]
                code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
                raise ApiKeyUnavailable(f"cannot read the API key parameter {self.parameter}: {code}") from exc
            if not value:
                raise ApiKeyUnavailable(f"the API key parameter {self.parameter} is empty")
            self._key = (value.encode(), self._clock())
            return self._key[0]

    def matches(self, presented: str | None) -> bool:
        expected = self.expected()
        return hmac.compare_digest((presented or "").encode(), expected)
