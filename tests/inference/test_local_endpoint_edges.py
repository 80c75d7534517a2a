"""Issue 15.4/16.5: the local endpoints under stress and abuse, and honest about the emulator (real HTTP)."""

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from inference_samples import make_jpeg
from inference_support import PROJECT, VERSION
from test_inference_local_server import predict, request

from inference import http_common
from inference.local_server import EMULATOR_SOURCE, LocalInference

FIRST, SECOND = "us-east-1", "eu-west-1"
OTHER = "second"


@pytest.fixture
def two_models(models, local_aws):
    """`first` RUNNING in both regions, `second` RUNNING only in SECOND (STOPPED in FIRST)."""
    for region in (FIRST, SECOND):
        models.deploy(region)
    models.deploy(FIRST, version=OTHER, running=False)
    models.deploy(SECOND, version=OTHER)
    with LocalInference("127.0.0.1", 0, [FIRST, SECOND], PROJECT, VERSION, cache_ttl=30, health_ttl=0,
                        router_health_ttl=3600) as local:
        yield local


def test_a_stopped_model_does_not_take_its_region_away_from_the_others(two_models):
    status, headers, _ = predict(two_models.global_url, make_jpeg(), version=OTHER)
    assert (status, headers["X-Served-Region"]) == (200, SECOND)  # not served in FIRST: moved on
    status, headers, body = predict(two_models.global_url, make_jpeg(), version=VERSION)
    assert (status, headers["X-Served-Region"], body["Region"]) == (200, FIRST, FIRST)  # FIRST still serves it
    status, headers, _ = predict(two_models.global_url, make_jpeg(), version=OTHER)
    assert headers["X-Served-Region"] == SECOND


def test_fifty_concurrent_clients_all_get_answers(two_models):
    clients = 50
    barrier = threading.Barrier(clients)
    outcomes: list = [None] * clients

    def one(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = predict(two_models.global_url, make_jpeg())[0]
        except OSError as exc:  # a reset or a refused connection
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert outcomes == [200] * clients


def test_predictions_say_they_come_from_the_emulator_in_a_header_only(two_models):
    status, headers, body = predict(two_models.global_url, make_jpeg())
    assert status == 200 and headers["X-Prediction-Source"] == EMULATOR_SOURCE
    assert set(body) == {"Region", "ProjectName", "VersionName", "CustomLabels"}  # the AWS-shaped body, unchanged
    _, headers, _ = predict(two_models.urls[FIRST], make_jpeg())
    assert headers["X-Prediction-Source"] == EMULATOR_SOURCE


def test_no_emulator_header_when_rekognition_is_not_the_emulator(models, local_aws):
    models.deploy(FIRST)
    with LocalInference("127.0.0.1", 0, [FIRST], PROJECT, VERSION, emulated=False) as local:
        _, headers, _ = predict(local.global_url, make_jpeg())
    assert "X-Prediction-Source" not in headers


@pytest.fixture
def short_timeouts(monkeypatch, local_aws):
    monkeypatch.setattr(http_common, "IDLE_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(http_common, "REQUEST_DEADLINE_SECONDS", 2.0)
    with LocalInference("127.0.0.1", 0, [FIRST], PROJECT, VERSION, emulated=False) as local:
        yield local


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=30)
    return connection


@pytest.mark.parametrize("which", ["global", FIRST])
def test_an_idle_connection_is_closed(short_timeouts, which):
    with _connect(short_timeouts.urls[which]) as connection:
        assert connection.recv(1) == b""  # closed by the server (the client would wait 30 s)


@pytest.mark.parametrize("which", ["global", FIRST])
def test_a_request_dripped_byte_by_byte_is_cut_off(short_timeouts, which):
    request_bytes = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    sent = 0
    with _connect(short_timeouts.urls[which]) as connection:
        try:
            for byte in request_bytes:
                connection.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.2)  # always within the idle timeout, never within the deadline
                if sent % 5 == 0:
                    connection.setblocking(False)
                    try:
                        if connection.recv(1) == b"":
                            break
                    except BlockingIOError:
                        pass
                    finally:
                        connection.setblocking(True)
        except OSError:  # reset or broken pipe: cut off
            pass
    assert sent < len(request_bytes)


def test_health_still_answers_after_the_abuse(short_timeouts):
    status, _, payload = request(short_timeouts.global_url, "GET", "/health")
    assert status in (200, 503) and "Preference" in json.loads(payload)
