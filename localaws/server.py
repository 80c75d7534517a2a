"""The local AWS endpoint as an object: moto's server plus our additions, on one loopback port."""

from __future__ import annotations

import logging
import os
import socket
import threading

from werkzeug.serving import BaseWSGIServer, make_server

from .app import LocalAwsApp

LOG = logging.getLogger("localaws")
TICK_SECONDS = 0.25  # how often time-based transitions are applied even when nobody is asking
# A connection silent for IDLE_TIMEOUT_SECONDS is closed (idle keep-alive, stalled client; boto3 reconnects);
# a request line and headers that take longer than HEADER_DEADLINE_SECONDS to arrive are cut off, so a client
# sending a byte now and then cannot hold a thread forever.
IDLE_TIMEOUT_SECONDS = 60.0
HEADER_DEADLINE_SECONDS = 30.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def _GuardedHandler(base: type, quiet: bool) -> type:
    """The request handler with socket timeouts (and without werkzeug's per-request access log when quiet)."""

    class Guarded(base):
        @property
        def timeout(self) -> float:  # read by StreamRequestHandler.setup(): every socket read and write
            return IDLE_TIMEOUT_SECONDS

        def handle_one_request(self) -> None:
            self._deadline = threading.Timer(HEADER_DEADLINE_SECONDS, self._cut_off)
            self._deadline.daemon = True
            self._deadline.start()
            try:
                super().handle_one_request()
            except OSError:  # cut off, timed out, or the client went away
                self.close_connection = True
            finally:
                self._deadline.cancel()

        def parse_request(self) -> bool:
            parsed = super().parse_request()  # reads the headers
            self._deadline.cancel()
            return parsed

        def handle_expect_100(self) -> bool:
            # http.server would answer "100 Continue" here and werkzeug answers it again when it runs the app:
            # two interim responses break clients (the original project's JS SDK throws). Leave it to werkzeug.
            return True

        def _cut_off(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def log_request(self, *args: object, **kwargs: object) -> None:
            if not quiet:
                super().log_request(*args, **kwargs)

    return Guarded


class LocalAws:
    """`LocalAws(host, port).start()`; port 0 picks a free port; `.url` for AWS_ENDPOINT_URL; `.stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False, enforce_iam: bool = False) -> None:
        self.verbose = verbose
        self.enforce_iam = enforce_iam
        self.host = host
        self.port = port
        self.app: LocalAwsApp | None = None
        self._server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalAws is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalAws:
        """Bind (OSError if the port is taken) and serve on background threads."""
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        listener = _bind(self.host, self.port)  # raises OSError itself (werkzeug would print and exit)
        self.app = LocalAwsApp(DomainDispatcherApplication(create_backend_app), enforce_iam=self.enforce_iam)
        handler = _GuardedHandler(MotoRequestHandler, quiet=not self.verbose)
        try:
            self._server = make_server(
                self.host, self.port, self.app, threaded=True, request_handler=handler, fd=listener.fileno()
            )
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        self.port = self._server.port
        os.environ.setdefault("MOTO_PORT", str(self.port))  # moto builds some URLs (SQS queues...) from it
        self.app.replicator.start()
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="localaws-http", daemon=True),
            threading.Thread(target=self._tick, name="localaws-tick", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _tick(self) -> None:
        while not self._stopping.wait(TICK_SECONDS):
            try:
                self.app.store.settle()
            except Exception:  # a failed tick must not kill the ticker; the next request settles
                LOG.exception("settling Custom Labels transitions failed")

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self.app is not None:
            self.app.replicator.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server = None

    def serve_forever(self) -> None:
        """Start and block until interrupted (used by `python -m localaws`)."""
        self.start()
        try:
            self._stopping.wait()
        finally:
            self.stop()

    def __enter__(self) -> LocalAws:  # noqa: PYI034 - start() returns self
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
