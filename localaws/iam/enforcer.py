"""Authorizing one request: find the issued principal, evaluate its policies (plus the bucket policy for S3,
the role's trust policy for AssumeRole), and answer the AWS error of the caller's protocol when denied.

Also remembers the caller for the request's duration (`caller()`), because Custom Labels reads the
training data and writes its output with the caller's S3 permissions (Custom Labels guide, "Set up SDK
permissions"), checked through `check_caller_s3`.
"""

from __future__ import annotations

import contextvars
import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from ..aws_request import AwsRequest
from . import actions
from .policy import Decision, Principal, evaluate, listed, load, principal_named, statement_effect

_CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("localaws_iam_caller", default=None)


@dataclass(frozen=True)
class Caller:
    principal: Principal
    policies: list[dict[str, Any]]
    region: str


class Denied(Exception):
    """A request the policies refuse; `status, code, message` in the service's terms."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _session_token(environ: dict[str, Any]) -> str | None:
    token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
    if token is None:
        token = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Security-Token", [None])[0]
    return token


def resolve(request: AwsRequest, environ: dict[str, Any]) -> Caller | None:
    """The issued identity behind the access key, None for keys the endpoint never issued (account root)."""
    from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, IAMUserAccessKey

    account = request.account_id
    token = _session_token(environ)
    headers = {} if token is None else {"X-Amz-Security-Token": token}
    key_class = IAMUserAccessKey if request.access_key.startswith("AKIA") or token is None else AssumedRoleAccessKey
    try:
        key = key_class(account_id=account, partition="aws", access_key_id=request.access_key, headers=headers)
    except CreateAccessKeyFailure as failure:
        if failure.reason == "InvalidId":
            return None
        raise _invalid_token(request) from None
    role_arn = None
    if isinstance(key, AssumedRoleAccessKey):
        role = key.backend.get_role(key._owner_role_name)
        role_arn = role.arn
    principal = Principal(key.arn, account, role_arn)
    return Caller(principal, [load(p) for p in key.collect_policies()], request.region)


def _invalid_token(request: AwsRequest) -> Denied:
    message = "The security token included in the request is invalid."
    if request.service == "s3":
        return Denied(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
    if request.is_json_protocol:
        return Denied(400, "UnrecognizedClientException", message)
    return Denied(403, "InvalidClientTokenId", message)


def context_of(caller: Caller, environ: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> dict:
    """Global condition keys (IAM User Guide, "AWS global condition context keys") the endpoint can know.

    aws:SecureTransport is true: the loopback endpoint stands in for AWS's HTTPS endpoints.
    """
    principal = caller.principal
    context: dict[str, Any] = {
        "aws:SecureTransport": "true",
        "aws:PrincipalArn": principal.role_arn or principal.arn,
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalType": principal.kind,
        "aws:RequestedRegion": caller.region,
    }
    if environ is not None:
        prefix = parse_qs(environ.get("QUERY_STRING", "")).get("prefix")
        if prefix:
            context["s3:prefix"] = prefix[0]
    context.update(extra or {})
    return context


def bucket_policy(account: str, resource: str) -> dict[str, Any] | None:
    if not resource.startswith("arn:aws:s3:::") or resource == "arn:aws:s3:::*":
        return None
    from moto.s3.models import s3_backends

    bucket = s3_backends[account]["aws"].buckets.get(resource[len("arn:aws:s3:::") :].split("/", 1)[0])
    if bucket is None or not bucket.policy:
        return None
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    return json.loads(policy)


def decide(caller: Caller, action: str, resource: str, context: dict[str, Any]) -> Decision:
    return evaluate(caller.principal, caller.policies, action, resource, context,
                    bucket_policy(caller.principal.account, resource) if action.startswith("s3:") else None)


def denial_message(caller: Caller, action: str, resource: str, decision: Decision) -> str:
    """AWS's wording (IAM User Guide, "Troubleshoot access denied error messages")."""
    if decision.explicit_deny_in:
        article = "an" if decision.explicit_deny_in.startswith("identity") else "a"
        why = f"with an explicit deny in {article} {decision.explicit_deny_in} policy"
    else:
        why = f"because no identity-based policy allows the {action} action"
    return f"User: {caller.principal.arn} is not authorized to perform: {action} on resource: {resource} {why}"


def _denied(request: AwsRequest, message: str) -> Denied:
    service = request.service
    if service == "s3":
        return Denied(403, "AccessDenied", message)
    if service == "sns":
        return Denied(403, "AuthorizationError", message)
    if service == "ec2":
        return Denied(403, "UnauthorizedOperation", message)
    if request.is_json_protocol:
        return Denied(400, "AccessDeniedException", message)
    if service in ("lambda", "globalaccelerator"):
        return Denied(403, "AccessDeniedException", message)
    return Denied(403, "AccessDenied", message)


def _check_assume_role(request: AwsRequest, caller: Caller | None, role_arn: str, identity: Decision) -> None:
    """AssumeRole needs the role's trust policy to name the caller, and (when it names only the account)
    an identity policy allowing sts:AssumeRole (IAM User Guide, "Cross-account/same-account role access").
    The account root cannot assume roles at all (STS API Reference, AssumeRole)."""
    if caller is None:
        raise Denied(403, "AccessDenied", "Roles may not be assumed by root accounts.")
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[caller.principal.account]["aws"].get_role_by_arn(role_arn)
    except NotFoundException:
        role = None
    named = ""
    if role is not None:
        trust = json.loads(role.assume_role_policy_document)
        context = context_of(caller, extra={"sts:ExternalId": _external_id(request)})
        for statement in listed(trust.get("Statement")):
            who = principal_named(statement, caller.principal)
            effect = statement_effect(statement, "sts:AssumeRole", role_arn, context) if who else "none"
            if effect == "deny":
                named = ""
                break
            if effect == "allow":
                named = "self" if "self" in (who, named) else who
    if identity.explicit_deny_in or not named or (named == "account" and not identity.allowed):
        raise _denied(request, f"User: {caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")


def _external_id(request: AwsRequest) -> str | None:
    if not request.body:
        return None
    return parse_qs(request.body.decode("utf-8", "replace")).get("ExternalId", [None])[0]


def authorize(request: AwsRequest, environ: dict[str, Any], body: bytes) -> Caller | None:
    """Raise Denied, or return the caller (None for the account root) after every need was allowed."""
    if request.service == "sts" and request.operation == "GetCallerIdentity":
        return resolve(request, environ)  # needs no permission (STS API Reference)
    caller = resolve(request, environ)
    if caller is None:
        if request.service == "sts" and request.operation == "AssumeRole":
            _check_assume_role(request, None, "", Decision(False))
        return None
    context = context_of(caller, environ)
    for action, resource in actions.needs(request, environ, body):
        decision = decide(caller, action, resource, context)
        if action == "sts:AssumeRole":
            _check_assume_role(request, caller, resource, decision)
            continue
        if not decision.allowed:
            raise _denied(request, denial_message(caller, action, resource, decision))
    return caller


# --- unsigned requests ----------------------------------------------------------------------------------------
ANONYMOUS = Principal("anonymous", "")


def _routed_to_s3(environ: dict[str, Any]) -> bool:
    """Unsigned requests moto would answer as S3 (not its own API, not a query or JSON protocol call)."""
    if environ.get("PATH_INFO", "").startswith("/moto-api") or environ.get("HTTP_X_AMZ_TARGET"):
        return False
    query_protocol = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    return not (query_protocol and environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "/") == "/")


def _public_read(account: str, resource: str) -> bool:
    """The object's ACL grants everyone READ (S3 User Guide, "Access control list (ACL) overview")."""
    from moto.s3.models import s3_backends

    bucket_name, _, key = resource[len("arn:aws:s3:::") :].partition("/")
    bucket = s3_backends[account]["aws"].buckets.get(bucket_name)
    found = bucket.keys.get(key) if bucket is not None and key else None
    return bool(found is not None and getattr(found, "acl", None) is not None and found.acl.public_read)


def authorize_anonymous(environ: dict[str, Any], body: bytes) -> None:
    """Raise Denied unless every S3 need of an unsigned request is granted to everyone: by a bucket policy
    statement for Principal "*" (IAM User Guide, "Policy evaluation logic"), or, for object reads, by a
    public-read object ACL. Public-write ACLs are not modelled (a bucket policy must grant anonymous writes)."""
    if not _routed_to_s3(environ):
        return
    from moto.core import DEFAULT_ACCOUNT_ID

    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    context = {"aws:SecureTransport": "true"}
    for action, resource in actions.s3_needs(environ, body):
        decision = evaluate(ANONYMOUS, [], action, resource, context, bucket_policy(account, resource))
        if decision.allowed:
            continue
        if not decision.explicit_deny_in and action in ("s3:GetObject", "s3:GetObjectVersion") and _public_read(
                account, resource):
            continue
        raise Denied(403, "AccessDenied", "Access Denied")


# --- the caller, for what Rekognition does on its behalf -------------------------------------------------------
def set_caller(caller: Caller | None) -> contextvars.Token:
    return _CALLER.set(caller)


def reset_caller(token: contextvars.Token) -> None:
    _CALLER.reset(token)


def current_context() -> dict[str, Any]:
    """Condition keys of the request being served (only aws:SecureTransport for the account root)."""
    caller = _CALLER.get()
    return context_of(caller) if caller is not None else {"aws:SecureTransport": "true"}


def check_caller_s3(action: str, bucket: str, key: str | None = None) -> str | None:
    """None when the current caller (if an issued identity under enforcement) may do `action` on the object;
    otherwise the reason, naming the bucket, for Rekognition to report."""
    caller = _CALLER.get()
    if caller is None:
        return None
    resource = actions.s3_arn(bucket, key)
    decision = decide(caller, action, resource, context_of(caller))
    if decision.allowed:
        return None
    target = f"s3://{bucket}/{key}" if key is not None else f"s3://{bucket}"
    return (f"Access denied to {target}: the caller {caller.principal.arn} is not allowed {action} on bucket "
            f"{bucket} (Custom Labels uses the caller's S3 permissions).")
