"""What a request asks IAM for: the (action, resource ARN) pairs AWS authorizes it against.

Action and resource names from the Service Authorization Reference ("Actions, resources, and condition keys
for Amazon S3 / Amazon Rekognition / Amazon SNS / AWS STS") and the S3 User Guide ("Required permissions
for Amazon S3 API operations"). Services without a mapping here are checked as `service:Operation` on
resource `*`, which only a statement with `Resource: "*"` grants (stricter than AWS, never looser).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, unquote

from ..aws_request import AwsRequest

Need = tuple[str, str]  # (action, resource ARN)

# Bucket subresources: query key -> actions for GET, PUT, DELETE.
_BUCKET_SUBRESOURCES: dict[str, tuple[str | None, str | None, str | None]] = {
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "policyStatus": ("GetBucketPolicyStatus", None, None),
    "acl": ("GetBucketAcl", "PutBucketAcl", None),
    "replication": ("GetReplicationConfiguration", "PutReplicationConfiguration", "PutReplicationConfiguration"),
    "lifecycle": ("GetLifecycleConfiguration", "PutLifecycleConfiguration", "PutLifecycleConfiguration"),
    "encryption": ("GetEncryptionConfiguration", "PutEncryptionConfiguration", "PutEncryptionConfiguration"),
    "publicAccessBlock": ("GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "PutBucketTagging"),
    "location": ("GetBucketLocation", None, None),
    "versions": ("ListBucketVersions", None, None),
    "uploads": ("ListBucketMultipartUploads", None, None),
    "notification": ("GetBucketNotification", "PutBucketNotification", None),
    "cors": ("GetBucketCORS", "PutBucketCORS", "PutBucketCORS"),
    "website": ("GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
    "logging": ("GetBucketLogging", "PutBucketLogging", None),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls", "PutBucketOwnershipControls"),
    "object-lock": ("GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration", None),
    "accelerate": ("GetAccelerateConfiguration", "PutAccelerateConfiguration", None),
    "requestPayment": ("GetBucketRequestPayment", "PutBucketRequestPayment", None),
}
_METHOD_INDEX = {"GET": 0, "HEAD": 0, "PUT": 1, "DELETE": 2}
_UNMAPPED = "s3:UnmappedOperationOnlyS3StarGrants"  # only `s3:*` (or `*`) matches it


def s3_arn(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}" if key is None else f"arn:aws:s3:::{bucket}/{key}"


def _s3_path(environ: dict[str, Any]) -> tuple[str, str | None]:
    """(bucket, key) of a path-style or virtual-hosted request; key None for bucket-level calls."""
    path = unquote(environ.get("PATH_INFO", "/"))
    host = environ.get("HTTP_HOST", "").split(":")[0]
    virtual = re.match(r"^(.+?)\.s3[.-]", host)
    if virtual:
        bucket, key = virtual.group(1), path.lstrip("/")
    else:
        bucket, _, key = path.lstrip("/").partition("/")
    return bucket, (key or None)


def _object_action(method: str, query: dict[str, list[str]], environ: dict[str, Any]) -> list[str]:
    versioned = "versionId" in query
    if "uploadId" in query:
        return {"GET": ["ListMultipartUploadParts"], "DELETE": ["AbortMultipartUpload"]}.get(method, ["PutObject"])
    if "uploads" in query:
        return ["PutObject"]
    if "tagging" in query:
        suffix = "VersionTagging" if versioned else "Tagging"
        return [{"GET": f"GetObject{suffix}", "PUT": f"PutObject{suffix}", "DELETE": f"DeleteObject{suffix}"}[method]]
    if "acl" in query:
        return [("GetObjectVersionAcl" if versioned else "GetObjectAcl") if method == "GET" else "PutObjectAcl"]
    if "attributes" in query:
        return ["GetObjectVersionAttributes" if versioned else "GetObjectAttributes"]
    if "retention" in query:
        return ["GetObjectRetention" if method == "GET" else "PutObjectRetention"]
    if "legal-hold" in query:
        return ["GetObjectLegalHold" if method == "GET" else "PutObjectLegalHold"]
    if "restore" in query:
        return ["RestoreObject"]
    if method in ("GET", "HEAD"):
        return ["GetObjectVersion" if versioned else "GetObject"]
    if method == "PUT":
        return ["PutObject"]
    if method == "DELETE":
        return ["DeleteObjectVersion" if versioned else "DeleteObject"]
    return [_UNMAPPED.split(":", 1)[1]]


def _copy_source(environ: dict[str, Any]) -> Need | None:
    source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
    if not source:
        return None
    source = unquote(source).lstrip("/")
    path, _, version = source.partition("?versionId=")
    bucket, _, key = path.partition("/")
    return ("s3:GetObjectVersion" if version else "s3:GetObject", s3_arn(bucket, key))


def _deleted_keys(body: bytes) -> list[tuple[str, bool]]:
    """(key, has VersionId) of a DeleteObjects body."""
    objects = re.findall(rb"<Object>(.*?)</Object>", body, re.DOTALL)
    found = []
    for block in objects:
        key = re.search(rb"<Key>(.*?)</Key>", block, re.DOTALL)
        if key:
            text = key.group(1).decode("utf-8", "replace")
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            found.append((text.replace("&amp;", "&"), b"<VersionId>" in block))
    return found


def s3_needs(environ: dict[str, Any], body: bytes) -> list[Need]:
    method = environ.get("REQUEST_METHOD", "GET").upper()
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    bucket, key = _s3_path(environ)
    if not bucket:
        return [("s3:ListAllMyBuckets", "*")]
    if key is not None:
        needs = [(f"s3:{action}", s3_arn(bucket, key)) for action in _object_action(method, query, environ)]
        source = _copy_source(environ) if method == "PUT" else None
        return needs + ([source] if source else [])
    if method == "POST" and "delete" in query:
        keys = _deleted_keys(body) or [("*", False)]
        return [("s3:DeleteObjectVersion" if v else "s3:DeleteObject", s3_arn(bucket, k)) for k, v in keys]
    for name, actions in _BUCKET_SUBRESOURCES.items():
        if name in query:
            action = actions[_METHOD_INDEX.get(method, 1)] if method in _METHOD_INDEX else None
            return [(f"s3:{action}" if action else _UNMAPPED, s3_arn(bucket))]
    simple = {"GET": "s3:ListBucket", "HEAD": "s3:ListBucket", "PUT": "s3:CreateBucket", "DELETE": "s3:DeleteBucket"}
    return [(simple.get(method, _UNMAPPED), s3_arn(bucket))]


# --- JSON and query protocol services ---------------------------------------------------------------------
def _params(request: AwsRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    if request.is_json_protocol:
        try:
            decoded = json.loads(request.body)
        except ValueError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}


_VERSION_OPERATIONS = {"StartProjectVersion", "StopProjectVersion", "DeleteProjectVersion", "DetectCustomLabels"}
_PROJECT_OPERATIONS = {"CreateProjectVersion", "DescribeProjectVersions", "DeleteProject", "CreateDataset",
                       "PutProjectPolicy", "DeleteProjectPolicy", "ListProjectPolicies"}
_DATASET_OPERATIONS = {"DescribeDataset", "DeleteDataset", "ListDatasetEntries", "ListDatasetLabels",
                       "UpdateDatasetEntries", "DistributeDatasetEntries"}


def _created_arn(request: AwsRequest, params: dict[str, Any]) -> str:
    """The ARN the resource a Create* call makes will get (name or type plus creation time)."""
    now_ms = int(time.time() * 1000)
    project_prefix = str(params.get("ProjectArn", "")).rsplit("/", 1)[0]
    if request.operation == "CreateProject":
        return f"arn:aws:rekognition:{request.region}:{request.account_id}:project/{params.get('ProjectName', '')}/{now_ms}"
    if request.operation == "CreateProjectVersion":
        return f"{project_prefix}/version/{params.get('VersionName', '')}/{now_ms}"
    return f"{project_prefix}/dataset/{str(params.get('DatasetType', '')).lower()}/{now_ms}"


def rekognition_needs(request: AwsRequest, params: dict[str, Any]) -> list[Need]:
    """Service Authorization Reference, "Actions, resources, and condition keys for Amazon Rekognition": the
    action on its resource, plus rekognition:TagResource when a Create* call carries Tags and
    rekognition:ListDatasetEntries on the dataset CreateDataset copies (its "API operations" table)."""
    op = request.operation
    action = f"rekognition:{op}"
    if op == "CreateProject":
        found = [(action, _created_arn(request, params))]  # the project being created
    elif op in _VERSION_OPERATIONS:
        found = [(action, str(params.get("ProjectVersionArn", "*")))]
    elif op in _PROJECT_OPERATIONS:
        found = [(action, str(params.get("ProjectArn", "*")))]
    elif op == "DistributeDatasetEntries":
        found = [(action, str(d.get("Arn", "*"))) for d in params.get("Datasets") or [{}] if isinstance(d, dict)]
    elif op in _DATASET_OPERATIONS:
        found = [(action, str(params.get("DatasetArn", "*")))]
    elif op in ("TagResource", "UntagResource", "ListTagsForResource"):
        found = [(action, str(params.get("ResourceArn", "*")))]
    elif op == "CopyProjectVersion":
        found = [(action, str(params.get("SourceProjectVersionArn", "*")))]
    else:
        found = [(action, "*")]  # DescribeProjects and the non-Custom-Labels operations have no resource type
    source = params.get("DatasetSource")
    if op == "CreateDataset" and isinstance(source, dict) and source.get("DatasetArn"):
        found.append(("rekognition:ListDatasetEntries", str(source["DatasetArn"])))
    if op in ("CreateProject", "CreateProjectVersion", "CreateDataset") and params.get("Tags"):
        found.append(("rekognition:TagResource", _created_arn(request, params)))
    return found


def needs(request: AwsRequest, environ: dict[str, Any], body: bytes) -> list[Need]:
    """Every (action, resource) the request must be allowed."""
    if request.service == "s3":
        return s3_needs(environ, body)
    params = _params(request)
    if request.service == "rekognition":
        return rekognition_needs(request, params)
    action = f"{request.service}:{request.operation}"
    if request.service == "sns":
        if request.operation == "CreateTopic":
            return [(action, f"arn:aws:sns:{request.region}:{request.account_id}:{params.get('Name', '')}")]
        return [(action, str(params.get("TopicArn") or params.get("ResourceArn") or "*"))]
    if request.service == "sts" and request.operation == "AssumeRole":
        return [(action, str(params.get("RoleArn", "*")))]
    return [(action, "*")]
