"""The local endpoints over HTTP: regional ALB adapters around the handler and the global failover router."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from inference_samples import make_jpeg, make_png
from inference_support import PROJECT, VERSION, calls_of
from required_tools import required_tool
from thread_signals import sigterm_a_non_main_thread

from inference.local_server import LocalInference

FIRST, SECOND = "us-east-1", "eu-west-1"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def request(url: str, method: str = "GET", target: str = "/", body: bytes = b"", headers=None):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, target, body=body or None, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return response.status, dict(response.getheaders()), payload
    finally:
        connection.close()


def predict(url: str, image: bytes, version: str = VERSION, content_type: str = "image/jpeg"):
    status, headers, payload = request(
        url, "POST", f"/?ProjectName={PROJECT}&VersionName={version}", image, {"Content-Type": content_type}
    )
    return status, headers, json.loads(payload)


@pytest.fixture
def local(models, local_aws):
    """Two regions with the model RUNNING; router health cached 'forever' so failover relies on the 503 retry."""
    models.deploy(FIRST)
    models.deploy(SECOND)
    endpoints = LocalInference(
        "127.0.0.1", 0, [FIRST, SECOND], PROJECT, VERSION, cache_ttl=30, health_ttl=0, router_health_ttl=3600
    )
    with endpoints:
        yield endpoints


def test_seed_post_image_script_works_unchanged_against_a_regional_adapter(local, tmp_path):
    curl = required_tool("curl")
    (tmp_path / "DeepRacer.jpg").write_bytes(make_jpeg(comment=b"deepracer"))
    script = (
        "baseUrl=$1\n"
        'curl -i -X POST -H "Content-Type: multipart/form-data" -F "image=@DeepRacer.jpg" '
        '"http://$baseUrl?ProjectName=AWSDeepRacer&VersionName=first"\n'
    )
    (tmp_path / "postImage.sh").write_text(script)
    base_url = local.urls[SECOND].removeprefix("http://")
    done = subprocess.run(
        ["bash", "postImage.sh", base_url],
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{Path(curl).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 200")
    assert f"x-served-region: {SECOND}" in head.lower()
    result = json.loads(body)
    assert (result["Region"], result["ProjectName"], result["VersionName"]) == (SECOND, PROJECT, VERSION)
    assert result["CustomLabels"] and all(
        label["Name"] in {"car", "track", "cone"} for label in result["CustomLabels"]
    )


def test_curl_form_upload_to_the_global_endpoint(local, tmp_path):
    (tmp_path / "car.png").write_bytes(make_png(seed=5))
    done = subprocess.run(
        [
            required_tool("curl"),
            "-s",
            "-F",
            f"image=@{tmp_path / 'car.png'}",
            f"{local.global_url}/?ProjectName={PROJECT}&VersionName={VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(done.stdout)["Region"] == FIRST


def test_global_endpoint_fails_over_when_the_first_regions_model_stops(local, models):
    status, headers, body = predict(local.global_url, make_jpeg())
    assert (status, headers["X-Served-Region"], body["Region"]) == (200, FIRST, FIRST)
    models.stop(FIRST)
    status, headers, body = predict(local.global_url, make_jpeg())
    assert (status, headers["X-Served-Region"], body["Region"]) == (200, SECOND, SECOND)
    # the regional endpoint itself says why: the model is not running there
    status, _, body = predict(local.urls[FIRST], make_jpeg())
    assert (status, body["error"]) == (503, "ModelNotRunning")


def test_router_skips_unhealthy_regions_and_returns_when_they_recover(models, emulator, local_aws):
    models.deploy(FIRST)
    models.deploy(SECOND)
    with LocalInference(
        "127.0.0.1", 0, [FIRST, SECOND], PROJECT, VERSION, health_ttl=0, router_health_ttl=0
    ) as local:
        models.stop(FIRST)
        emulator.reset_calls()
        status, headers, _ = predict(local.global_url, make_png())
        assert (status, headers["X-Served-Region"]) == (200, SECOND)
        assert (
            calls_of(emulator, FIRST, "DetectCustomLabels") == 0
        )  # its /health said no, so it got no request
        models.start(FIRST)
        status, headers, _ = predict(local.global_url, make_png())
        assert (status, headers["X-Served-Region"]) == (200, FIRST)


def test_global_health_and_fail_open_when_no_region_serves(local, models):
    status, _, payload = request(local.global_url, "GET", "/health")
    health = json.loads(payload)
    assert status == 200 and health["Preference"] == [FIRST, SECOND]
    assert [region["healthy"] for region in health["Regions"]] == [True, True]
    models.stop(FIRST)
    models.stop(SECOND)
    local.router.health.ttl = 0
    status, _, payload = request(local.global_url, "GET", "/health")
    assert status == 503 and json.loads(payload)["Healthy"] is False
    status, headers, body = predict(local.global_url, make_jpeg())  # fails open, like Global Accelerator
    assert (status, body["error"], headers["X-Served-Region"]) == (503, "ModelNotRunning", FIRST)


def test_global_endpoint_answers_503_json_when_no_region_is_reachable(local):
    regional_ports = {urlsplit(url).port for url in local.region_urls.values()}
    for server in local._servers:  # stop the regional adapters, keep the router
        if server.server_address[1] in regional_ports:
            server.shutdown()
            server.server_close()
    local.router.health.ttl = 0
    status, _, body = predict(local.global_url, make_jpeg())
    assert (status, body["error"]) == (503, "NoHealthyRegion")


def test_regional_health_over_http(local, models):
    status, headers, payload = request(
        local.urls[FIRST], "GET", "/health", headers={"User-Agent": "ELB-HealthChecker/2.0"}
    )
    assert status == 200 and json.loads(payload)["Status"] == "RUNNING"
    assert headers["X-Served-Region"] == FIRST
    models.stop(FIRST)
    status, _, payload = request(local.urls[FIRST], "GET", "/health")
    assert status == 503 and json.loads(payload)["Status"] == "STOPPED"


def test_over_1mb_is_413_with_a_hint(local):
    big = make_jpeg(comment=bytes(60000)) + bytes(1_100_000)
    status, headers, body = predict(local.urls[FIRST], big)
    assert (status, body["error"], headers["Content-Type"]) == (413, "PayloadTooLarge", "application/json")
    assert "750 KB" in body["hint"]
    assert predict(local.global_url, big)[0] == 413


def test_bodies_far_over_the_limit_are_refused_unread(local):
    parts = urlsplit(local.urls[FIRST])
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(
            b"POST /?ProjectName=AWSDeepRacer&VersionName=first HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: image/jpeg\r\nContent-Length: 50000000\r\n\r\n"
        )
        reply = connection.makefile("rb").read()
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["hint"]


def test_head_health_has_no_body(local):
    status, headers, payload = request(local.urls[FIRST], "HEAD", "/health")
    assert (status, payload) == (200, b"")
    assert int(headers["Content-Length"]) > 0


def test_text_is_415(local):
    status, _, body = predict(local.urls[FIRST], b"just some words", content_type="text/plain")
    assert (status, body["error"]) == (415, "UnsupportedMediaType")


def test_unknown_version_is_404_and_not_requeried(local, emulator):
    emulator.reset_calls()
    for _ in range(3):
        status, _, body = predict(local.urls[FIRST], make_jpeg(), version="second")
        assert (status, body["error"]) == (404, "ModelNotFound")
    assert calls_of(emulator, FIRST, "DescribeProjectVersions") == 1


def test_chunked_upload_and_keep_alive(local):
    parts = urlsplit(local.urls[FIRST])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        for _ in range(2):  # two requests on one connection
            connection.request(
                "POST",
                f"/?ProjectName={PROJECT}&VersionName={VERSION}",
                body=iter([make_png()[:50], make_png()[50:]]),
                headers={"Content-Type": "image/png"},
                encode_chunked=True,
            )
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())["Region"] == FIRST
    finally:
        connection.close()


def test_region_ports_follow_the_base_port_rule():
    for _ in range(10):  # a probed free port can be taken by another process before we bind it: probe again
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        local = LocalInference("127.0.0.1", base, [FIRST, SECOND], PROJECT, VERSION)
        try:
            local.start()
        except OSError:
            continue
        try:
            assert local.urls == {
                "global": f"http://127.0.0.1:{base}",
                FIRST: f"http://127.0.0.1:{base + 1}",
                SECOND: f"http://127.0.0.1:{base + 2}",
            }
            return
        finally:
            local.stop()
    pytest.fail("no three consecutive free ports found in 10 tries")


def run_module(*args, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "inference.local_server", *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_command_line_serves_and_stops_on_sigterm(models, local_aws):
    models.deploy(SECOND)
    env = {**os.environ, "AWS_ENDPOINT_URL": local_aws.url}
    process = run_module(
        "--base-port", "0", "--regions", SECOND, FIRST, "--project", PROJECT, "--version", VERSION, env=env
    )
    try:
        lines = [process.stdout.readline().split() for _ in range(3)]
        assert [line[0] for line in lines] == ["global", SECOND, FIRST]
        urls = dict(lines)
        status, headers, body = predict(urls["global"], make_jpeg())
        assert (status, headers["X-Served-Region"], body["Region"]) == (200, SECOND, SECOND)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=30)
        finally:
            process.kill()  # never left running to hold ports for the tests after
    assert process.returncode == 0, err


def test_a_sigterm_the_kernel_gives_another_thread_still_stops_it(models, local_aws):
    """Before, the main thread slept in a bare Event.wait() and never ran the handler: the server lived on, holding
    its ports (a CI run lost its later local-stack tests to such a leftover)."""
    env = {**os.environ, "AWS_ENDPOINT_URL": local_aws.url}
    process = run_module("--base-port", "0", "--regions", FIRST, "--project", PROJECT, "--version", VERSION, env=env)
    try:
        assert [process.stdout.readline().split()[0] for _ in range(2)] == ["global", FIRST]
        sigterm_a_non_main_thread(process.pid)
        _, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
    finally:
        process.kill()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regions", "mars-1", "--project", PROJECT, "--version", VERSION], "unknown region"),
        (["--regions", FIRST, "--project", "bad/name", "--version", VERSION], "invalid model name"),
        (["--base-port", "70000"], "--base-port"),
    ],
)
def test_command_line_errors_are_one_line(args, message):
    process = run_module(*args)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert message in err and "Traceback" not in err


def test_command_line_reports_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = run_module(
            "--base-port", str(port), "--regions", FIRST, "--project", PROJECT, "--version", VERSION
        )
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
