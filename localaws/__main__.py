"""`python -m localaws --host 127.0.0.1 --port 4566`: the project's local AWS endpoint in the foreground."""

from __future__ import annotations

import argparse
import errno
import signal
import sys

from .server import LocalAws


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localaws", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=4566, help="port to listen on (default 4566, 0 = any free port)")
    parser.add_argument("--verbose", action="store_true", help="log every request (werkzeug access log)")
    parser.add_argument("--enforce-iam", action="store_true",
                        help="check the policies of keys the endpoint issued (IAM users, STS sessions); "
                        "other keys act as the account root")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: --port must be between 0 and 65535, got {args.port}", file=sys.stderr)
        return 2
    server = LocalAws(host=args.host, port=args.port, verbose=args.verbose, enforce_iam=args.enforce_iam)
    try:
        server.start()
    except OSError as exc:
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
        print(f"error: {args.host}:{args.port} {reason}", file=sys.stderr)
        return 1
    print(f"localaws listening on {server.url} (control API: {server.url}/_emulator/health)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server._stopping.set())
    try:
        # with a timeout: a bare wait() never runs the handler of a SIGTERM the kernel gave a server thread
        while not server._stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
