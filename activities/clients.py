"""Per-region boto3 clients, created once and shared by the activity threads (clients are thread-safe)."""

import threading
from collections.abc import Callable
from typing import Any

ClientFactory = Callable[[str, str], Any]


class Boto3Clients:
    """`clients("rekognition", "eu-west-1")`; the endpoint comes from AWS_ENDPOINT_URL like any boto3 client.

    botocore's own retries are off: Temporal retries each activity with backoff, so a throttling storm or
    a region that is down shows up in the activity's attempts instead of being hidden inside one call.
    """

    def __init__(self, max_attempts: int = 1, connect_timeout: float = 10, read_timeout: float = 60):
        from botocore.config import Config

        self._config = Config(
            retries={"total_max_attempts": max_attempts, "mode": "standard"},  # total: 1 = no retry
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:  # creating clients is not thread-safe; using them is
            if key not in self._clients:
                if self._session is None:
                    import boto3

                    # One session for every client: each session loads its own copy of the service models.
                    self._session = boto3.session.Session()
                self._clients[key] = self._session.client(service, region_name=region, config=self._config)
            return self._clients[key]
