"""moto's own bucket-policy check, corrected: moto (5.2) applies a bucket policy's statements to every
request with their conditions ignored (all but StringEquals), so the usual `DenyInsecureTransport` statement
(Deny s3:* when aws:SecureTransport is false) refuses every GetObject/PutObject, even over "HTTPS".

`install()` swaps `FakeBucket.get_permission` for the same question answered with `policy.statement_effect`
(conditions evaluated, aws:SecureTransport true on the loopback stand-in for AWS's HTTPS endpoint). Like moto,
it only looks at statements for everyone (`"*"`); principals of issued keys are handled by the enforcer.
"""

from __future__ import annotations

import json
from typing import Any

from .policy import ALLOW, DENY, listed, statement_effect


def _get_permission(bucket: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import PermissionResult

    from .enforcer import current_context

    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy)
    result = PermissionResult.NEUTRAL
    for statement in listed(document.get("Statement")):
        if statement.get("Principal") not in ("*", {"AWS": "*"}):
            continue
        effect = statement_effect(statement, action, resource, current_context())
        if effect == DENY:
            return PermissionResult.DENIED
        if effect == ALLOW:
            result = PermissionResult.PERMITTED
    return result


def install() -> None:
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = _get_permission
