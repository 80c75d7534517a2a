"""The handler against the local AWS endpoint, driven with real ALB event shapes (multi-value headers off)."""

import base64
import json

import boto3
import pytest
from inference_samples import make_jpeg, make_png
from inference_support import PROJECT, VERSION, calls_of
from urllib3.filepost import encode_multipart_formdata

from inference import handler as handler_module
from inference.handler import make_handler

REGION = "eu-west-1"
TTL = 30.0


def alb_post(body: bytes, content_type: str, query: dict[str, str] | None = None) -> dict:
    """An ALB event exactly as the load balancer sends a binary POST (base64, single-value maps)."""
    return {
        "requestContext": {
            "elb": {"targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/t/1"}
        },
        "httpMethod": "POST",
        "path": "/",
        "queryStringParameters": query
        if query is not None
        else {"ProjectName": PROJECT, "VersionName": VERSION},
        "headers": {
            "content-type": content_type,
            "host": "inference-123.eu-west-1.elb.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-forwarded-for": "203.0.113.9",
            "x-forwarded-port": "80",
            "x-forwarded-proto": "http",
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def health_event() -> dict:
    return {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}
        },
        "httpMethod": "GET",
        "path": "/health",
        "queryStringParameters": {},
        "headers": {"user-agent": "ELB-HealthChecker/2.0"},
        "body": "",
        "isBase64Encoded": False,
    }


def form(image: bytes, filename="DeepRacer.jpg") -> tuple[bytes, str]:
    return encode_multipart_formdata({"image": (filename, image, "image/jpeg")})


def answer(response: dict) -> tuple[int, dict]:
    assert response["statusDescription"].split()[0] == str(response["statusCode"])
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def handler(local_aws, clock):
    return make_handler(
        REGION, default_project=PROJECT, default_version=VERSION, cache_ttl=TTL, health_ttl=5, clock=clock
    )


def direct_labels(arn: str, image: bytes, **options) -> list:
    return boto3.client("rekognition", region_name=REGION).detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": image}, **options
    )["CustomLabels"]


def test_multipart_post_returns_the_models_labels(handler, models):
    arn = models.deploy(REGION)
    image = make_jpeg(comment=b"car on track")
    status, body = answer(handler(alb_post(*form(image)), None))
    assert status == 200
    assert body == {
        "Region": REGION,
        "ProjectName": PROJECT,
        "VersionName": VERSION,
        "CustomLabels": direct_labels(arn, image),
    }
    assert {label["Name"] for label in body["CustomLabels"]} <= {"car", "track", "cone"}


@pytest.mark.parametrize(
    ("content_type", "image"), [("image/png", make_png(seed=7)), ("image/jpeg", make_jpeg())]
)
def test_raw_image_bodies(handler, models, content_type, image):
    arn = models.deploy(REGION)
    status, body = answer(handler(alb_post(image, content_type), None))
    assert status == 200 and body["CustomLabels"] == direct_labels(arn, image)


def test_min_confidence_and_max_results_reach_rekognition(handler, models):
    arn = models.deploy(REGION)
    image = make_png(seed=11)
    query = {"ProjectName": PROJECT, "VersionName": VERSION, "MinConfidence": "0", "MaxResults": "2"}
    status, body = answer(handler(alb_post(image, "image/png", query), None))
    assert status == 200
    assert body["CustomLabels"] == direct_labels(arn, image, MinConfidence=0, MaxResults=2)
    query["MaxResults"] = "0"
    assert answer(handler(alb_post(image, "image/png", query), None))[1]["CustomLabels"] == []


def test_version_arn_lookup_is_cached_per_container_until_the_ttl(handler, models, emulator, clock):
    models.deploy(REGION)
    event = alb_post(make_png(), "image/png")
    emulator.reset_calls()
    for _ in range(3):
        assert handler(event, None)["statusCode"] == 200
    assert calls_of(emulator, REGION, "DescribeProjects") == 1
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 1
    assert calls_of(emulator, REGION, "DetectCustomLabels") == 3
    clock.advance(TTL + 1)
    assert handler(event, None)["statusCode"] == 200
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 2


def test_unknown_version_is_404_and_negatively_cached(handler, models, emulator, clock):
    models.deploy(REGION)
    event = alb_post(make_png(), "image/png", {"ProjectName": PROJECT, "VersionName": "nope"})
    emulator.reset_calls()
    for _ in range(3):
        status, body = answer(handler(event, None))
        assert (status, body["error"]) == (404, "ModelNotFound")
    assert "'nope'" in body["message"] and REGION in body["message"]
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 1  # not re-queried on every request
    assert calls_of(emulator, REGION, "DetectCustomLabels") == 0
    clock.advance(TTL + 1)
    assert handler(event, None)["statusCode"] == 404
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 2


def test_unserved_project_is_404_without_any_rekognition_call(handler, emulator, local_aws):
    event = alb_post(make_png(), "image/png", {"ProjectName": "NoSuchProject", "VersionName": VERSION})
    for _ in range(2):
        assert handler(event, None)["statusCode"] == 404
    assert calls_of(emulator, REGION, "DescribeProjects") == 0
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 0


def test_a_version_created_after_a_404_is_found_once_the_negative_entry_expires(handler, models, clock):
    event = alb_post(make_png(), "image/png")
    assert handler(event, None)["statusCode"] == 404
    models.deploy(REGION)
    assert handler(event, None)["statusCode"] == 404  # still the cached answer
    clock.advance(TTL + 1)
    assert handler(event, None)["statusCode"] == 200


def test_stopped_model_is_503_so_traffic_can_fail_over(handler, models):
    models.deploy(REGION, running=False)
    response = handler(alb_post(make_png(), "image/png"), None)
    status, body = answer(response)
    assert (status, body["error"]) == (503, "ModelNotRunning")
    assert response["headers"]["Retry-After"]
    assert "TRAINING_COMPLETED" in body["message"]


def test_deleted_version_behind_a_cached_arn_is_404_and_forgotten(handler, models, emulator):
    models.deploy(REGION)
    event = alb_post(make_png(), "image/png")
    assert handler(event, None)["statusCode"] == 200
    models.stop(REGION)
    models.delete(REGION)
    emulator.reset_calls()
    assert handler(event, None)["statusCode"] == 404  # DetectCustomLabels: ResourceNotFoundException
    assert handler(event, None)["statusCode"] == 404  # now from the negative cache
    assert calls_of(emulator, REGION, "DetectCustomLabels") == 1
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 1


def test_a_version_rebuilt_under_the_same_name_is_found_at_once(handler, models, emulator):
    models.deploy(REGION)
    event = alb_post(make_png(), "image/png")
    assert handler(event, None)["statusCode"] == 200
    models.stop(REGION)
    models.delete(REGION)
    new_arn = models.deploy(REGION)  # same project and version name, new ARN
    emulator.reset_calls()
    status, body = answer(handler(event, None))
    assert calls_of(emulator, REGION, "DetectCustomLabels") == 2  # old ARN: not found; new ARN: labels
    assert status == 200 and body["CustomLabels"] == direct_labels(new_arn, make_png())


def test_image_rekognition_cannot_read_is_415(handler, models):
    models.deploy(REGION)
    status, body = answer(handler(alb_post(make_png(width=32, height=32), "image/png"), None))
    assert (status, body["error"]) == (415, "UnsupportedImage")
    assert "32x32" in body["message"]


def test_throttling_is_429(handler, models, emulator, fast_failures):
    models.deploy(REGION)
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["DetectCustomLabels"]}})
    response = handler(alb_post(make_png(), "image/png"), None)
    status, body = answer(response)
    assert (status, body["error"]) == (429, "Throttled")
    assert response["headers"]["Retry-After"] == "1"


def test_throttled_lookup_is_429_too(handler, models, emulator, fast_failures):
    models.deploy(REGION)
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["DescribeProjects"]}})
    assert handler(alb_post(make_png(), "image/png"), None)["statusCode"] == 429


def test_region_down_is_503_for_predictions_and_health(handler, models, emulator, fast_failures):
    models.deploy(REGION)
    emulator.configure({"faults": {"down_regions": [REGION]}})
    status, body = answer(handler(alb_post(make_png(), "image/png"), None))
    assert (status, body["error"]) == (503, "RegionUnavailable")
    status, body = answer(handler(health_event(), None))
    assert status == 503 and body["Healthy"] is False and body["Status"] == "UNKNOWN"


def test_health_is_200_only_while_the_default_version_runs_and_is_cached(handler, models, emulator, clock):
    models.deploy(REGION)
    status, body = answer(handler(health_event(), None))
    assert status == 200
    assert body == {
        "Region": REGION,
        "ProjectName": PROJECT,
        "VersionName": VERSION,
        "Healthy": True,
        "Status": "RUNNING",
    }
    models.stop(REGION)
    emulator.reset_calls()
    assert handler(health_event(), None)["statusCode"] == 200  # cached: answered without a call
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 0
    clock.advance(6)
    status, body = answer(handler(health_event(), None))
    assert (status, body["Status"]) == (503, "STOPPED")
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 1
    assert calls_of(emulator, REGION, "DescribeProjects") == 0  # the project ARN is kept for the longer TTL


def test_health_survives_the_project_being_recreated_behind_a_cached_project_arn(handler, models, clock):
    models.deploy(REGION)
    assert handler(health_event(), None)["statusCode"] == 200
    models.stop(REGION)
    models.delete(REGION)
    models.delete_project(REGION)
    models.deploy(REGION)  # same names, new ARNs
    clock.advance(6)  # past the health TTL, within the project ARN TTL
    status, body = answer(handler(health_event(), None))
    assert (status, body["Status"]) == (200, "RUNNING")
    assert answer(handler(alb_post(make_png(), "image/png"), None))[0] == 200


def test_throttled_health_check_keeps_the_last_known_status(handler, models, emulator, clock, fast_failures):
    models.deploy(REGION)
    assert handler(health_event(), None)["statusCode"] == 200
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["DescribeProjectVersions"]}})
    emulator.reset_calls()
    clock.advance(6)
    status, body = answer(handler(health_event(), None))
    assert (status, body["Status"]) == (200, "RUNNING")
    assert calls_of(emulator, REGION, "DescribeProjectVersions") == 1  # it did ask, and was throttled


def test_throttled_first_health_check_is_503(handler, models, emulator, fast_failures):
    models.deploy(REGION)
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["DescribeProjectVersions"]}})
    status, body = answer(handler(health_event(), None))
    assert (status, body["Status"]) == (503, "UNKNOWN")
    assert "throttled" in body["Reason"]


def test_health_for_a_missing_default_model_is_503(handler, local_aws, emulator):
    status, body = answer(handler(health_event(), None))
    assert (status, body["Status"], body["Healthy"]) == (503, "NOT_FOUND", False)


def test_lambda_handler_entry_point_uses_the_lambda_environment(models, monkeypatch):
    models.deploy(REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("DEFAULT_PROJECT_NAME", PROJECT)
    monkeypatch.setenv("DEFAULT_VERSION_NAME", VERSION)
    monkeypatch.setattr(handler_module, "_handler", None)
    assert handler_module.lambda_handler(health_event(), None)["statusCode"] == 200
    status, body = answer(handler_module.lambda_handler(alb_post(*form(make_jpeg())), None))
    assert status == 200 and body["Region"] == REGION
