"""`POST /_emulator/iam/service-session {"role_arn": ..., "service": "lambda.amazonaws.com"}`: credentials of a
session of a role, as an AWS service obtains them for the code it runs (a Lambda function's execution role).

The role's trust policy must allow `sts:AssumeRole` for that service principal, as AWS requires before a
service can use a role (IAM User Guide, "Roles terms and concepts": trust policy). The service states on whose
behalf it acts in aws:SourceAccount (and aws:SourceArn when given), so trust policies guarding against the confused
deputy hold (IAM User Guide, "The confused deputy problem"): `source_account` defaults to the role's own account.
The session is a real STS session of moto, so requests signed with it are evaluated like any AssumeRole session.
"""

from __future__ import annotations

import json
from typing import Any

from ..config import ConfigError
from .policy import listed, statement_effect


def _trusts(document: dict[str, Any], service: str, role_arn: str, context: dict[str, Any]) -> bool:
    allowed = False
    for statement in listed(document.get("Statement")):
        principal = statement.get("Principal")
        services = listed(principal.get("Service")) if isinstance(principal, dict) else []
        if principal != "*" and service not in services:
            continue
        effect = statement_effect(statement, "sts:AssumeRole", role_arn, context)
        if effect == "deny":
            return False
        allowed = allowed or effect == "allow"
    return allowed


def service_session(body: Any) -> dict[str, Any]:
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    if not isinstance(body, dict) or not isinstance(body.get("role_arn"), str) or not isinstance(body.get("service"), str):
        raise ConfigError('iam/service-session takes {"role_arn": "arn:aws:iam::...:role/...", "service": "x.amazonaws.com"}')
    role_arn, service = body["role_arn"], body["service"]
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    try:
        role = iam_backends[account]["aws"].get_role_by_arn(role_arn)
    except NotFoundException:
        raise ConfigError(f"no role {role_arn}") from None
    context = {"aws:SecureTransport": "true", "aws:SourceAccount": str(body.get("source_account") or account)}
    if body.get("source_arn"):
        context["aws:SourceArn"] = str(body["source_arn"])
    if not _trusts(json.loads(role.assume_role_policy_document), service, role_arn, context):
        raise ConfigError(f"the trust policy of {role_arn} does not let {service} assume it")
    session = sts_backends[account]["aws"].assume_role(
        region_name="us-east-1", role_session_name=str(body.get("session_name") or service.split(".")[0]),
        role_arn=role_arn, policy=None, duration=int(body.get("duration_seconds") or 3600), external_id=None,
    )
    return {"AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token, "Arn": session.arn}
