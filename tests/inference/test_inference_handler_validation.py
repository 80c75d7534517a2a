"""Requests the handler must refuse before any AWS call: the client factory fails the test if it is used."""

import base64
import json

import pytest
from inference_samples import make_jpeg, make_png
from urllib3.filepost import encode_multipart_formdata

from inference.alb_adapter import alb_event
from inference.handler import InferenceHandler, make_handler

QUERY = "/?ProjectName=AWSDeepRacer&VersionName=first"


def no_aws(region):
    raise AssertionError("the handler must not call AWS for this request")


@pytest.fixture
def handler():
    return InferenceHandler("eu-west-1", client_factory=no_aws)


def call(handler, method="POST", target=QUERY, body=b"", content_type=None):
    headers = [("Content-Type", content_type)] if content_type else []
    response = handler(alb_event(method, target, headers, body, region="eu-west-1"), None)
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["headers"]["X-Served-Region"] == "eu-west-1"
    assert response["statusDescription"].startswith(str(response["statusCode"]))
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("/", "MissingParameter"),
        ("/?ProjectName=AWSDeepRacer", "MissingParameter"),
        ("/?ProjectName=bad%2Fname&VersionName=first", "InvalidParameter"),
        ("/?ProjectName=" + "a" * 256 + "&VersionName=first", "InvalidParameter"),
        (QUERY + "&MinConfidence=101", "InvalidParameter"),
        (QUERY + "&MinConfidence=abc", "InvalidParameter"),
        (QUERY + "&MinConfidence=nan", "InvalidParameter"),
        (QUERY + "&MaxResults=-1", "InvalidParameter"),
        (QUERY + "&MaxResults=2.5", "InvalidParameter"),
        (QUERY + "&MaxResults=%C2%B2", "InvalidParameter"),  # a superscript two: a digit to str.isdigit()
    ],
)
def test_bad_parameters_are_400(handler, target, error):
    status, body = call(handler, target=target, body=make_jpeg(), content_type="image/jpeg")
    assert (status, body["error"]) == (400, error)
    assert body["message"]


def test_text_is_415(handler):
    status, body = call(handler, body=b"hello, not an image", content_type="text/plain")
    assert (status, body["error"]) == (415, "UnsupportedMediaType")
    assert "hint" in body


def test_bytes_that_are_not_jpeg_or_png_are_415(handler):
    status, body = call(handler, body=b"GIF89a" + bytes(100), content_type="image/jpeg")
    assert (status, body["error"]) == (415, "UnsupportedMediaType")
    form, content_type = encode_multipart_formdata({"image": ("x.gif", b"GIF89a" + bytes(100), "image/gif")})
    assert call(handler, body=form, content_type=content_type)[0] == 415


def test_body_over_the_alb_lambda_limit_is_413_with_a_hint(handler):
    status, body = call(
        handler, body=make_jpeg(comment=bytes(60000)) + bytes(1_100_000), content_type="image/jpeg"
    )
    assert (status, body["error"]) == (413, "PayloadTooLarge")
    assert "750 KB" in body["hint"]


def test_multipart_without_image_field_or_empty_body_is_400(handler):
    form, content_type = encode_multipart_formdata({"file": ("car.jpg", make_jpeg(), "image/jpeg")})
    status, body = call(handler, body=form, content_type=content_type)
    assert (status, body["error"]) == (400, "MissingImage")
    assert "'file'" in body["message"]
    assert call(handler, body=b"", content_type="image/png")[1]["error"] == "MissingImage"
    assert call(handler, body=b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")[0] == 400


def test_other_methods_are_405(handler):
    status, body = call(handler, method="GET", target="/")
    assert (status, body["error"]) == (405, "MethodNotAllowed")
    assert call(handler, method="POST", target="/health")[0] == 405


def test_health_without_default_model_is_503(handler):
    status, body = call(handler, method="GET", target="/health")
    assert status == 503 and body["Healthy"] is False


def test_garbage_events_never_raise(handler):
    for event in (None, {}, {"httpMethod": "POST", "body": 5}, {"httpMethod": "POST", "headers": None}):
        response = handler(event, None)
        assert response["statusCode"] in (400, 405, 415, 500)
        assert json.loads(response["body"])["error"]


def test_unexpected_errors_are_500_json_without_a_stack_trace():
    def broken_client(region):
        raise RuntimeError("secret internals")

    handler = InferenceHandler("eu-west-1", client_factory=broken_client)
    event = alb_event("POST", QUERY, [("Content-Type", "image/png")], make_png(), region="eu-west-1")
    response = handler(event, None)
    assert response["statusCode"] == 500
    assert "secret" not in response["body"] and "Traceback" not in response["body"]


def test_make_handler_reads_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    monkeypatch.setenv("DEFAULT_PROJECT_NAME", "P")
    monkeypatch.setenv("DEFAULT_VERSION_NAME", "V")
    monkeypatch.setenv("CACHE_TTL_SECONDS", "7")
    handler = make_handler()
    assert (handler.region, handler.default_project, handler.default_version) == ("ap-south-1", "P", "V")
    assert handler.cache_ttl == 7 and handler.health_ttl == 5
    monkeypatch.setenv("CACHE_TTL_SECONDS", "junk")
    assert make_handler("eu-west-2", default_version="W").cache_ttl == 30
    assert make_handler("eu-west-2", default_version="W").default_version == "W"


def test_raw_body_base64_flag_is_honoured(handler):
    """A text/plain body that happens to be base64 of a JPEG must not be decoded (isBase64Encoded false)."""
    text = base64.b64encode(make_jpeg()).decode()
    event = {
        "httpMethod": "POST",
        "path": "/",
        "queryStringParameters": {"ProjectName": "p", "VersionName": "v"},
        "headers": {"content-type": "text/plain"},
        "body": text,
        "isBase64Encoded": False,
    }
    assert handler(event, None)["statusCode"] == 415
