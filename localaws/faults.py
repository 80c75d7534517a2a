"""Injected faults: throttling at a seeded rate, whole regions down, SNS down."""

from __future__ import annotations

import random
import threading

from .aws_request import AwsRequest
from .config import EmulatorConfig


class Faults:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(1)  # seeded fault injection, not crypto  # nosec B311
        self._seeded_for = -1

    def outage(self, request: AwsRequest) -> tuple[int, str, str] | None:
        """(status, code, message) when the whole region, or SNS, is down."""
        faults = self.config.faults()
        if request.region in faults.get("down_regions", []):
            return 503, "ServiceUnavailable", f"Service unavailable in {request.region} (localaws outage)."
        if request.service == "sns" and faults.get("sns_down"):
            return 503, "ServiceUnavailable", "Amazon SNS is unavailable (localaws sns_down)."
        return None

    def throttled(self, request: AwsRequest) -> tuple[int, str] | None:
        """(status, error code) of a throttling answer, or None.

        With no `throttle_operations` every Rekognition call may be throttled; listed operations are
        throttled whatever their service (e.g. "Publish" for SNS), with that service's own code.
        """
        faults = self.config.faults()
        rate = float(faults.get("throttle_rate", 0.0))
        if rate <= 0:
            return None
        operations = faults.get("throttle_operations") or []
        if operations and request.operation not in operations:
            return None
        if not operations and request.service != "rekognition":
            return None
        with self._lock:
            if self._seeded_for != self.config.version:
                self._rng = random.Random(faults.get("throttle_seed", 1))  # reproducible faults  # nosec B311
                self._seeded_for = self.config.version
            hit = self._rng.random() < rate
        if not hit:
            return None
        if request.service == "rekognition":
            return 400, faults.get("throttle_error", "ThrottlingException")
        if request.service == "s3":
            return 503, "SlowDown"
        return 400, "ThrottlingException" if request.is_json_protocol else "Throttling"
