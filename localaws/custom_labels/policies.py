"""Project policies: PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy (API reference of each).

- A new name without PolicyRevisionId attaches a policy; a name that exists needs its current
  PolicyRevisionId (ResourceAlreadyExistsException without one, InvalidPolicyRevisionIdException with
  another), and every change gets a new revision id ("Each time you modify a policy, Amazon Rekognition Custom
  Labels generates and assigns a new PolicyRevisionId").
- The document must follow the IAM syntax of a resource policy (Statement with Effect, Principal, Action),
  else MalformedPolicyDocumentException.
- DeleteProject deletes the project's policies with it (API_DeleteProject).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from .api import Context, operation, paged
from .errors import RekognitionError, invalid, not_found
from .store import ProjectPolicy

POLICY_NAME = re.compile(r"[a-zA-Z0-9_.\-]{1,128}")
REVISION_ID = re.compile(r"[0-9A-Fa-f]{0,64}")
DOCUMENT = re.compile(r"[\u0009\u000A\u000D\u0020-\u00FF]{1,2000}")
LARGEST_PAGE = 5  # ListProjectPolicies: "The largest value you can specify is 5"


def _policy_name(value: Any) -> str:
    if not isinstance(value, str) or not POLICY_NAME.fullmatch(value):
        raise invalid(f"PolicyName must be 1-128 characters of [a-zA-Z0-9_.-], got {value!r}.")
    return value


def _revision(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not REVISION_ID.fullmatch(value):
        raise invalid(f"PolicyRevisionId must be at most 64 hexadecimal characters, got {value!r}.")
    return value


def _malformed(why: str) -> RekognitionError:
    return RekognitionError("MalformedPolicyDocumentException", f"The policy document is malformed: {why}.")


def _check_document(document: Any) -> str:
    if not isinstance(document, str) or not DOCUMENT.fullmatch(document):
        raise invalid("PolicyDocument must be 1-2000 characters of printable Latin-1 text.")
    try:
        policy = json.loads(document)
    except ValueError as exc:
        raise _malformed("it is not JSON") from exc
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed("it has no Statement")
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise _malformed("every statement needs an Effect of Allow or Deny")
        if "Principal" not in statement or not ("Action" in statement or "NotAction" in statement):
            raise _malformed("a project policy's statements need a Principal and an Action")
    return document


@operation
def put_project_policy(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    name = _policy_name(params.get("PolicyName"))
    revision = _revision(params.get("PolicyRevisionId"))
    document = _check_document(params.get("PolicyDocument"))
    existing = project.policies.get(name)
    if existing is None and revision:
        raise RekognitionError("InvalidPolicyRevisionIdException", f"The project has no policy {name} to revise.")
    if existing is not None and not revision:
        raise RekognitionError("ResourceAlreadyExistsException",
                               f"The project already has a policy {name}; pass its PolicyRevisionId to change it.")
    if existing is not None and revision != existing.revision_id:
        raise RekognitionError("InvalidPolicyRevisionIdException",
                               f"{revision} is not the current revision of policy {name}.")
    now = time.time()
    project.policies[name] = ProjectPolicy(name, document, uuid.uuid4().hex, existing.created_at if existing else now, now)
    return {"PolicyRevisionId": project.policies[name].revision_id}


@operation
def list_project_policies(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    policies = [
        {"ProjectArn": project.arn, "PolicyName": p.name, "PolicyRevisionId": p.revision_id,
         "PolicyDocument": p.document, "CreationTimestamp": p.created_at, "LastUpdatedTimestamp": p.updated_at}
        for p in sorted(project.policies.values(), key=lambda p: p.created_at)
    ]
    return paged("ProjectPolicies", policies, params, LARGEST_PAGE)


@operation
def delete_project_policy(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    name = _policy_name(params.get("PolicyName"))
    revision = _revision(params.get("PolicyRevisionId"))
    existing = project.policies.get(name)
    if existing is None:
        raise not_found(f"The project has no policy {name}.")
    if revision and revision != existing.revision_id:
        raise RekognitionError("InvalidPolicyRevisionIdException",
                               f"{revision} is not the current revision of policy {name}.")
    del project.policies[name]
    return {}
