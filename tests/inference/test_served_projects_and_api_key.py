"""Issue 14 item 2: the public endpoint serves only what it is meant to, the Lambda and the local endpoints alike.

A project outside ALLOWED_PROJECTS gets exactly the answer of a project that does not exist (status, headers,
body; no Rekognition call, so existence cannot be probed), whether it is asked of the handler, of a local regional
adapter or of the local global router. With an API key parameter, requests without the key are refused (401)
before anything else, the key is read from SSM once per container and rotation takes effect after the cache TTL,
an unreadable parameter refuses rather than opens (503), and the ALB health check needs no key.
"""

import argparse
import base64
import io
import json

import boto3
import pytest
from inference_samples import make_png
from inference_support import PROJECT, VERSION, ManualClock, calls_of
from test_inference_local_server import request

from inference.alb_adapter import alb_event, lambda_context
from inference.api_key import ApiKeyCheck
from inference.handler import make_handler
from inference.local_server import LocalInference

REGION = "eu-west-1"
SECRET_PROJECT = "SecretProject"  # exists in the account, not served
GHOST_PROJECT = "GhostProject"  # exists nowhere
PARAMETER = "/global-custom-labels/api-key"
KEY = "correct horse battery staple"


def post_event(project: str, version: str = VERSION, headers: dict[str, str] | None = None) -> dict:
    image = make_png(seed=5)
    target = f"/?ProjectName={project}&VersionName={version}"
    return alb_event("POST", target, [("Content-Type", "image/png"), *(headers or {}).items()], image, region=REGION)


def comparable(status: int, headers: dict, body: bytes | str, project: str) -> tuple:
    """An answer with the project's name blanked and per-request headers dropped, for byte-level comparison."""
    text = body.decode() if isinstance(body, bytes) else body
    kept = {k.lower(): v for k, v in headers.items() if k.lower() not in ("date", "server", "content-length", "connection")}
    return status, kept, text.replace(project, "<project>")


def lambda_answer(handler, event: dict, project: str) -> tuple:
    response = handler(event, lambda_context(REGION))
    return comparable(response["statusCode"], response["headers"], response["body"], project)


@pytest.fixture
def two_projects(models, local_aws):
    """The served project and a second, RUNNING project in the same account that is not on the allow-list."""
    models.deploy(REGION)
    models.deploy(REGION, project=SECRET_PROJECT)


def test_an_unserved_project_gets_exactly_the_answer_of_a_project_that_does_not_exist(two_projects, emulator):
    handler = make_handler(REGION, default_project=PROJECT, default_version=VERSION,
                           allowed_projects=[PROJECT, GHOST_PROJECT])
    emulator.reset_calls()
    unserved = lambda_answer(handler, post_event(SECRET_PROJECT), SECRET_PROJECT)
    assert calls_of(emulator, REGION, "DescribeProjects") == 0, "an unserved project must not reach Rekognition"
    missing = lambda_answer(handler, post_event(GHOST_PROJECT), GHOST_PROJECT)  # served, but exists nowhere
    assert unserved[0] == 404 and json.loads(unserved[2])["error"] == "ModelNotFound"
    assert unserved == missing
    assert handler(post_event(PROJECT), None)["statusCode"] == 200  # the served one still answers


def test_the_local_endpoints_refuse_an_unserved_project_exactly_as_the_lambda(two_projects):
    event = post_event(SECRET_PROJECT)
    body = base64.b64decode(event["body"])
    target = f"/?ProjectName={SECRET_PROJECT}&VersionName={VERSION}"
    with LocalInference("127.0.0.1", 0, [REGION], PROJECT, VERSION, allowed_projects=[PROJECT],
                        emulated=False, router_health_ttl=3600) as local:
        expected = lambda_answer(local.handlers[REGION], event, SECRET_PROJECT)
        for url in (local.urls[REGION], local.global_url):
            status, headers, payload = request(url, "POST", target, body, {"Content-Type": "image/png"})
            assert comparable(status, headers, payload, SECRET_PROJECT) == expected, url
        # The refusal is about that model only: the region keeps serving the allowed project through the router.
        status, headers, payload = request(local.global_url, "POST", f"/?ProjectName={PROJECT}&VersionName={VERSION}",
                                           body, {"Content-Type": "image/png"})
        assert (status, headers["X-Served-Region"]) == (200, REGION), payload


def test_the_local_stack_serves_the_allow_list_from_the_settings(two_projects, tmp_path, monkeypatch):
    """inference.local_server takes project_name + inference_extra_projects, as Terraform's ALLOWED_PROJECTS."""
    from inference import local_server

    tfvars = tmp_path / "served.tfvars"
    tfvars.write_text(f'regions = ["{REGION}"]\nproject_name = "{PROJECT}"\ninference_extra_projects = ["Extra"]\n')
    monkeypatch.setenv("GCL_TFVARS", str(tfvars))
    args = argparse.Namespace(regions=None, project=None, version=None, health_path=None, allowed_projects=None,
                              api_key_parameter=None, api_key_header=None)
    local_server._settings_defaults(args)
    assert args.allowed_projects == [PROJECT, "Extra"] and args.health_path == "/health"


@pytest.fixture
def api_key(local_aws):
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=PARAMETER, Value=KEY, Type="SecureString", Overwrite=True)
    yield ssm
    ssm.delete_parameter(Name=PARAMETER)


def _keyed_handler(clock=None):
    check = ApiKeyCheck(REGION, PARAMETER, ttl=300, clock=clock or ManualClock())
    return make_handler(REGION, default_project=PROJECT, default_version=VERSION, api_key_check=check), check


def test_requests_without_the_right_key_are_refused_before_anything_else(models, api_key, emulator):
    models.deploy(REGION)
    handler, _ = _keyed_handler()
    emulator.reset_calls()
    for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": KEY[:-1]}, {"x-api-key": KEY + " "}):
        response = handler(post_event(PROJECT, headers=headers), None)
        assert response["statusCode"] == 401, headers
        assert json.loads(response["body"])["error"] == "Unauthorized"
    unserved = handler(post_event(SECRET_PROJECT), None)
    assert unserved["statusCode"] == 401, "without a key nothing, not even 404, is said about projects"
    assert calls_of(emulator, REGION, "DescribeProjects") == 0
    assert handler(post_event(PROJECT, headers={"X-Api-Key": KEY}), None)["statusCode"] == 200


def test_the_key_is_read_once_per_container_and_rotation_takes_effect_after_the_ttl(models, api_key, emulator):
    models.deploy(REGION)
    clock = ManualClock()
    handler, _ = _keyed_handler(clock)
    emulator.reset_calls()
    for _ in range(3):
        assert handler(post_event(PROJECT, headers={"x-api-key": KEY}), None)["statusCode"] == 200
    assert calls_of(emulator, REGION, "ssm:GetParameter") == 1
    api_key.put_parameter(Name=PARAMETER, Value="rotated", Type="SecureString", Overwrite=True)
    assert handler(post_event(PROJECT, headers={"x-api-key": KEY}), None)["statusCode"] == 200  # cached
    clock.advance(301)
    assert handler(post_event(PROJECT, headers={"x-api-key": KEY}), None)["statusCode"] == 401
    assert handler(post_event(PROJECT, headers={"x-api-key": "rotated"}), None)["statusCode"] == 200


def test_an_unreadable_key_parameter_refuses_instead_of_opening(models, local_aws):
    models.deploy(REGION)
    handler = make_handler(REGION, default_project=PROJECT, default_version=VERSION,
                           api_key_parameter="/no/such/parameter")
    response = handler(post_event(PROJECT, headers={"x-api-key": "anything"}), None)
    assert response["statusCode"] == 503 and json.loads(response["body"])["error"] == "AuthUnavailable"
    assert response["headers"]["Retry-After"]


def test_the_health_check_needs_no_key(models, api_key):
    models.deploy(REGION)
    handler, _ = _keyed_handler()
    health = alb_event("GET", "/health", [("User-Agent", "ELB-HealthChecker/2.0")], b"", region=REGION)
    assert handler(health, None)["statusCode"] == 200


def test_the_local_endpoints_check_the_key_like_the_lambda(models, api_key):
    models.deploy(REGION)
    target = f"/?ProjectName={PROJECT}&VersionName={VERSION}"
    image = make_png(seed=5)
    with LocalInference("127.0.0.1", 0, [REGION], PROJECT, VERSION, api_key_parameter=PARAMETER,
                        emulated=False) as local:
        for url in (local.urls[REGION], local.global_url):
            assert request(url, "POST", target, image, {"Content-Type": "image/png"})[0] == 401, url
            status, _, payload = request(url, "POST", target, image, {"Content-Type": "image/png", "x-api-key": KEY})
            assert status == 200, payload


def test_the_handler_answers_health_on_the_configured_path_only(models, monkeypatch):
    """HEALTH_CHECK_PATH is the one value Terraform gives the target group and the Lambda."""
    models.deploy(REGION)
    monkeypatch.setenv("HEALTH_CHECK_PATH", "/ping")
    handler = make_handler(REGION, default_project=PROJECT, default_version=VERSION)
    ping = alb_event("GET", "/ping", [("User-Agent", "ELB-HealthChecker/2.0")], b"", region=REGION)
    answer = handler(ping, None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["Healthy"] is True
    old = alb_event("GET", "/health", [("User-Agent", "ELB-HealthChecker/2.0")], b"", region=REGION)
    assert handler(old, None)["statusCode"] == 405  # not a health path any more: only POST predicts there


def _log_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_writes_one_json_line_that_is_also_its_emf_record(two_projects):
    stream = io.StringIO()
    handler = make_handler(REGION, default_project=PROJECT, default_version=VERSION, log_stream=stream)
    context = lambda_context(REGION)
    assert handler(post_event(PROJECT), context)["statusCode"] == 200
    assert handler(post_event(SECRET_PROJECT, version="probe"), None)["statusCode"] == 404
    handler(alb_event("GET", "/health", [], b"", region=REGION), None)  # health checks are not request lines
    served, unserved = _log_lines(stream)
    assert {key: served[key] for key in ("request_id", "region", "project", "version", "status", "level")} == {
        "request_id": context.aws_request_id, "region": REGION, "project": PROJECT, "version": VERSION,
        "status": 200, "level": "INFO"}
    assert served["latency_ms"] > 0 and served["Latency"] == [served["latency_ms"]]
    directive = served["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "GlobalCustomLabels/Inference"
    assert directive["Dimensions"] == [["Region", "VersionName"]]
    assert {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]} == {
        "Requests": "Count", "Errors": "Count", "ClientErrors": "Count", "Latency": "Milliseconds"}
    assert (served["Region"], served["VersionName"], served["Requests"], served["Errors"]) == (REGION, VERSION, [1], [0])
    # A caller cannot mint metric dimensions with made-up names.
    assert (unserved["VersionName"], unserved["ClientErrors"], unserved["status"]) == ("-", [1], 404)


def test_a_server_error_is_an_error_line_counted_in_errors(models, emulator, fast_failures):
    models.deploy(REGION)
    emulator.configure({"faults": {"down_regions": [REGION]}})
    stream = io.StringIO()
    handler = make_handler(REGION, default_project=PROJECT, default_version=VERSION, log_stream=stream)
    assert handler(post_event(PROJECT), None)["statusCode"] == 503
    (line,) = _log_lines(stream)
    assert (line["level"], line["Errors"], line["status"]) == ("ERROR", [1], 503)


def test_the_key_is_compared_in_constant_time(api_key, monkeypatch):
    """Every comparison goes through hmac.compare_digest (whose time does not depend on where the strings differ)."""
    import hmac

    from inference import api_key as api_key_module

    compared, original = [], hmac.compare_digest

    def recording(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(api_key_module.hmac, "compare_digest", recording)
    check = ApiKeyCheck(REGION, PARAMETER)
    assert check.matches(KEY) and not check.matches("nearly " + KEY) and not check.matches(None)
    assert compared == [(KEY.encode(), KEY.encode()), (("nearly " + KEY).encode(), KEY.encode()), (b"", KEY.encode())]
