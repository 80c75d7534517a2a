"""Client of the emulator's control API (`/_emulator/*`), stdlib only so any process can use it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class EmulatorControlError(RuntimeError):
    """The control API refused a request (bad settings, unknown endpoint)."""


class EmulatorControl:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, route: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_emulator/{route}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # loopback control API  # nosec B310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                message = exc.reason
            raise EmulatorControlError(f"{method} /_emulator/{route}: {message}") from None

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def reset(self) -> None:
        """Wipe every service's state, the Custom Labels state, faults, settings and call counters."""
        self._call("POST", "reset", {})

    def config(self) -> dict[str, Any]:
        return self._call("GET", "config")

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Deep-merge settings (objects merge, lists and values replace); returns the full configuration."""
        return self._call("POST", "config", settings)

    def advance(self, region: str | None = None, project: str | None = None, version: str | None = None) -> list[dict]:
        """Complete pending transitions now; returns what moved."""
        body = {k: v for k, v in {"region": region, "project": project, "version": version}.items() if v}
        return self._call("POST", "advance", body)["moved"]

    def calls(self) -> dict[str, int]:
        return self._call("GET", "calls")

    def reset_calls(self) -> None:
        self._call("POST", "calls/reset", {})

    def versions(self) -> list[dict[str, Any]]:
        return self._call("GET", "versions")["versions"]

    def flush_replication(self, timeout: float = 30.0) -> bool:
        """Wait until every queued replication is done; True if the queue emptied in time."""
        return self._call("POST", "replication/flush", {"timeout": timeout})["idle"]

    def service_session(self, role_arn: str, service: str, session_name: str | None = None,
                        source_account: str | None = None) -> dict[str, str]:
        """Credentials of a session of `role_arn` as `service` gets them (its trust policy must allow it);
        the service acts for `source_account` (aws:SourceAccount, default: the role's account)."""
        body = {"role_arn": role_arn, "service": service, **({"session_name": session_name} if session_name else {}),
                **({"source_account": source_account} if source_account else {})}
        return self._call("POST", "iam/service-session", body)
