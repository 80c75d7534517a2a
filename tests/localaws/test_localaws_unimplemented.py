"""Every Rekognition operation the endpoint does not implement answers a 4xx JSON error in the service's
protocol, never moto's canned answer or its HTML 500 page: walked from botocore's service model."""

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from localaws_support import client

from localaws.custom_labels.handlers import OPERATIONS

MODEL = botocore.session.get_session().get_service_model("rekognition")
NOT_IMPLEMENTED = sorted(set(MODEL.operation_names) - set(OPERATIONS))


def minimal(shape) -> Any:
    """The smallest value botocore's validation accepts: required members only, shortest strings and lists."""
    kind = shape.type_name
    if kind == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [minimal(shape.member) for _ in range(shape.metadata.get("min", 0))]
    if kind == "map":
        return {}
    if kind == "string":
        return shape.enum[0] if shape.enum else "a" * max(1, shape.metadata.get("min", 1))
    if kind == "blob":
        return b"x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return float(shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    raise AssertionError(f"no minimal value for {kind}")


def test_the_walk_covers_operations_moto_would_have_answered():
    assert {"DetectLabels", "CompareFaces", "CopyProjectVersion", "DetectFaces"} <= set(NOT_IMPLEMENTED)
    assert {"CreateDataset", "TagResource", "PutProjectPolicy"} <= set(OPERATIONS)


@pytest.mark.parametrize("operation", NOT_IMPLEMENTED)
def test_an_operation_the_endpoint_does_not_implement_is_a_4xx_json_error(local_aws, emulator, operation):
    rek = client("rekognition", "us-east-1", local_aws.url)
    params = minimal(MODEL.operation_model(operation).input_shape)
    method = getattr(rek, botocore.xform_name(operation))
    with pytest.raises(ClientError) as excinfo:
        method(**params)
    response = excinfo.value.response
    assert 400 <= response["ResponseMetadata"]["HTTPStatusCode"] < 500, response
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert response["Error"]["Code"] == "NotImplementedException"
    assert f"does not implement Rekognition {operation}" in response["Error"]["Message"]
