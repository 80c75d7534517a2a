"""Issue 15.4: the local AWS endpoint closes idle connections and cuts off requests dripped byte by byte."""

import socket
import time

import boto3
import pytest

from localaws import server as localaws_server
from localaws.server import LocalAws


@pytest.fixture
def strict_server(monkeypatch, local_aws):
    monkeypatch.setattr(localaws_server, "IDLE_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(localaws_server, "HEADER_DEADLINE_SECONDS", 2.0)
    with LocalAws(host="127.0.0.1", port=0) as server:
        yield server


def test_an_idle_connection_is_closed(strict_server):
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=30) as connection:
        assert connection.recv(1) == b""  # the client alone would wait 30 s


def test_headers_dripped_byte_by_byte_are_cut_off(strict_server):
    data = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=30) as connection:
        try:
            for byte in data:
                connection.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.2)  # within the idle timeout, never within the deadline
                if sent % 5 == 0:
                    connection.setblocking(False)
                    try:
                        if connection.recv(1) == b"":
                            break
                    except BlockingIOError:
                        pass
                    finally:
                        connection.setblocking(True)
        except OSError:
            pass
    assert sent < len(data)


def test_normal_clients_are_unaffected(strict_server):
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=strict_server.url)
    s3.create_bucket(Bucket="timeouts-ok")
    time.sleep(1.5)  # boto3's pooled connection was closed meanwhile: it reconnects
    assert "timeouts-ok" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_expect_100_continue_gets_one_interim_response(local_aws):
    """One "100 Continue" before the body, as HTTP/1.1 (RFC 9110 15.2.1) has it; two broke the seed's JS SDK uploads."""
    host, port = local_aws.url.removeprefix("http://").split(":")
    body = b"x" * 10
    boto3.client("s3", region_name="us-east-1", endpoint_url=local_aws.url).create_bucket(Bucket="expect-bucket")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"PUT /expect-bucket/key HTTP/1.1\r\nHost: " + host.encode() + b"\r\nExpect: 100-continue\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
        )
        interim = connection.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        connection.sendall(body)
        received = interim
        while chunk := connection.recv(65536):
            received += chunk
    assert received.count(b"100 Continue") == 1, received
    assert b"HTTP/1.1 200" in received, received
