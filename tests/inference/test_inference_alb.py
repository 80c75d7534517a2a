"""ALB event reading / response building (handler side) and HTTP <-> ALB conversion (local adapter side)."""

import base64
import json

import pytest

from inference import alb_events
from inference.alb_adapter import BadLambdaResponse, alb_event, http_answer, is_text_content, split_query

# The documented single-value event shape (Elastic Load Balancing guide), with a base64 image body.
DOCUMENTED_EVENT = {
    "requestContext": {
        "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/6d0e"}
    },
    "httpMethod": "POST",
    "path": "/",
    "queryStringParameters": {"ProjectName": "AWS%20DeepRacer", "VersionName": "first", "a+b": "c+d"},
    "headers": {
        "content-type": "image/png",
        "Host": "x.elb.amazonaws.com",
        "x-forwarded-for": "72.21.198.66",
    },
    "body": base64.b64encode(b"\x89PNG data").decode(),
    "isBase64Encoded": True,
}


def test_reads_documented_event():
    assert alb_events.header(DOCUMENTED_EVENT, "Content-Type") == "image/png"
    assert alb_events.header(DOCUMENTED_EVENT, "host") == "x.elb.amazonaws.com"
    assert alb_events.header(DOCUMENTED_EVENT, "missing") is None
    # the ALB does not URL-decode query strings: the handler does
    assert alb_events.query_parameters(DOCUMENTED_EVENT) == {
        "ProjectName": "AWS DeepRacer",
        "VersionName": "first",
        "a b": "c d",
    }
    assert alb_events.body_bytes(DOCUMENTED_EVENT) == b"\x89PNG data"
    assert alb_events.transmitted_body_size(DOCUMENTED_EVENT) == len(DOCUMENTED_EVENT["body"])


def test_multi_value_event_last_value_wins_and_response_uses_multi_value_headers():
    event = {
        "httpMethod": "GET",
        "path": "/",
        "multiValueQueryStringParameters": {"VersionName": ["one", "two"]},
        "multiValueHeaders": {"Accept": ["a", "b"]},
        "body": "",
        "isBase64Encoded": False,
    }
    assert alb_events.query_parameters(event) == {"VersionName": "two"}
    assert alb_events.header(event, "accept") == "b"
    response = alb_events.response(event, 200, {"ok": True}, {"X-Served-Region": "eu-west-1"})
    assert "headers" not in response
    assert response["multiValueHeaders"]["X-Served-Region"] == ["eu-west-1"]


def test_response_shape_the_alb_requires():
    response = alb_events.response(DOCUMENTED_EVENT, 404, {"error": "x"})
    assert response == {
        "statusCode": 404,
        "statusDescription": "404 Not Found",
        "isBase64Encoded": False,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": '{"error":"x"}',
    }


def test_invalid_base64_is_a_400():
    with pytest.raises(alb_events.HttpError) as caught:
        alb_events.body_bytes({"body": "***", "isBase64Encoded": True})
    assert caught.value.status == 400


def test_adapter_builds_the_alb_event():
    event = alb_event(
        "post",
        "/?ProjectName=AWS%20DeepRacer&VersionName=first&VersionName=second&flag",
        [
            ("Content-Type", "multipart/form-data; boundary=x"),
            ("X-Custom", "1"),
            ("x-custom", "2"),
            ("Connection", "keep-alive"),
        ],
        b"\x00\x01binary",
        region="eu-west-1",
        client_ip="10.0.0.9",
        port=8711,
    )
    assert event["httpMethod"] == "POST" and event["path"] == "/"
    assert event["queryStringParameters"] == {
        "ProjectName": "AWS%20DeepRacer",
        "VersionName": "second",
        "flag": "",
    }
    assert event["headers"]["x-custom"] == "2"  # lower-cased, last value wins
    assert "connection" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "10.0.0.9"
    assert event["headers"]["x-forwarded-port"] == "8711"
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01binary"
    assert event["requestContext"]["elb"]["targetGroupArn"].startswith(
        "arn:aws:elasticloadbalancing:eu-west-1:"
    )
    assert "multiValueHeaders" not in event and "multiValueQueryStringParameters" not in event


def test_adapter_passes_text_bodies_as_is_and_empty_bodies_empty():
    text = alb_event(
        "POST", "/", [("Content-Type", "application/json; charset=utf-8")], b'{"a":1}', region="r"
    )
    assert text["body"] == '{"a":1}' and text["isBase64Encoded"] is False
    empty = alb_event("GET", "/health", [], b"", region="r")
    assert empty["body"] == "" and empty["isBase64Encoded"] is False and empty["queryStringParameters"] == {}
    assert is_text_content("text/plain") and is_text_content("application/xml")
    assert not is_text_content("image/jpeg") and not is_text_content(None)
    assert split_query("a=1&&b=x=y") == {"a": "1", "b": "x=y"}


def test_adapter_turns_alb_responses_into_http():
    answer = http_answer(
        {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"Content-Type": "image/png", "Content-Length": "999"},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )
    assert answer.status == 200 and answer.body == b"\x89PNG"
    assert ("Set-Cookie", "a=1") in answer.headers and ("Set-Cookie", "b=2") in answer.headers
    assert all(name.lower() != "content-length" for name, _ in answer.headers)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {"statusCode": "200", "body": ""},
        {"statusCode": 999, "body": ""},
        {"statusCode": 200, "body": 5},
        {"statusCode": 200, "body": "***", "isBase64Encoded": True},
        {"statusCode": 200, "body": "x" * (1024 * 1024 + 1)},
    ],
)
def test_adapter_refuses_what_the_alb_would_answer_with_502(bad):
    with pytest.raises(BadLambdaResponse):
        http_answer(bad)


def test_error_payload_has_hint_only_when_given():
    error = alb_events.HttpError(413, "PayloadTooLarge", "too big", hint="resize")
    assert json.loads(alb_events.error_response({}, error)["body"]) == {
        "error": "PayloadTooLarge",
        "message": "too big",
        "hint": "resize",
    }
