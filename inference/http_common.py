"""Shared plumbing for the local HTTP endpoints: reading request bodies and writing answers."""

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from inference.alb_adapter import HttpAnswer
from inference.handler import TOO_LARGE_HINT

logger = logging.getLogger("inference.local")

# Far above the 1 MB the ALB hands to Lambda, so the handler's own 413 (with its hint) is what clients see;
# beyond this the local endpoint refuses the body without reading it.
MAX_LOCAL_BODY = 8 * 1024 * 1024
# A connection that sends nothing for IDLE_TIMEOUT_SECONDS (idle keep-alive, stalled client) is closed; a request
# (line, headers and body) that takes longer than REQUEST_DEADLINE_SECONDS to arrive is cut off (a byte every few
# seconds would otherwise hold a thread forever). ALB's idle timeout is 60 s by default.
IDLE_TIMEOUT_SECONDS = 60.0
REQUEST_DEADLINE_SECONDS = 120.0


class BodyTooLarge(Exception):
    pass


class BadRequestBody(Exception):
    pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the listen backlog (socketserver's default of 5 resets bursts of clients)


class EndpointRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 (keep-alive, Expect: 100-continue) with bounded body reads; subclasses implement answer()."""

    protocol_version = "HTTP/1.1"
    server_version = "local-inference"

    @property
    def timeout(self) -> float:  # read by StreamRequestHandler.setup(): every socket read and write
        return IDLE_TIMEOUT_SECONDS

    def handle_one_request(self) -> None:
        """Serve one request with a deadline on receiving it; the timer is cancelled once the body is read."""
        self._deadline = threading.Timer(REQUEST_DEADLINE_SECONDS, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()
        try:
            super().handle_one_request()
        except OSError:  # cut off, or the client went away
            self.close_connection = True
        finally:
            self._deadline.cancel()

    def _cut_off(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def answer(self, body: bytes) -> HttpAnswer:
        raise NotImplementedError

    def _serve(self) -> None:
        try:
            body = self.read_body()
            self._deadline.cancel()  # received in time: answering may take as long as it takes
        except BodyTooLarge as exc:
            self.close_connection = True
            payload = {"error": "PayloadTooLarge", "message": str(exc), "hint": TOO_LARGE_HINT}
            self.write_answer(json_answer(413, payload))
            return
        except BadRequestBody as exc:
            self.close_connection = True
            self.write_answer(json_answer(400, {"error": "BadRequest", "message": str(exc)}))
            return
        try:
            answer = self.answer(body)
        except Exception:
            logger.exception("local endpoint failed")
            answer = json_answer(500, {"error": "InternalError", "message": "local endpoint failed"})
        self.write_answer(answer)

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if not raw_length:
            return b""
        if not raw_length.strip().isdigit():
            raise BadRequestBody("Content-Length is not a number")
        length = int(raw_length)
        if length > MAX_LOCAL_BODY:
            raise BodyTooLarge(f"request body of {length} bytes exceeds the 1 MB the ALB passes to Lambda")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks, total = [], 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BadRequestBody("malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_LOCAL_BODY:
                raise BodyTooLarge("chunked request body exceeds the 1 MB the ALB passes to Lambda")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def write_answer(self, answer: HttpAnswer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def log_message(self, format, *args):
        logger.info("%s %s", self.address_string(), format % args)


def json_answer(status: int, payload: dict, headers: list[tuple[str, str]] | None = None) -> HttpAnswer:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return HttpAnswer(status, [("Content-Type", "application/json"), *(headers or [])], body)
