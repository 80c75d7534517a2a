"""Local inference endpoints: one ALB-like adapter per region around the Lambda handler, plus a global router.

    python -m inference.local_server --host 127.0.0.1 --base-port 8710 [--regions r1 r2 ...] [--project P --version V]

The global endpoint listens on base-port, region i (settings order) on base-port+1+i. Each regional adapter turns
an HTTP request into the exact ALB event, calls `handler.make_handler(region)` - so several regions share one
process without touching AWS_REGION - and turns the ALB response back into HTTP. Rekognition calls go wherever
boto3 points (AWS_ENDPOINT_URL on the local stack).
"""

import argparse
import logging
import signal
import sys
import threading
from typing import Self

from inference import handler as inference_handler
from inference.alb_adapter import BadLambdaResponse, alb_event, bad_gateway, http_answer, lambda_context
from inference.global_router import GlobalRequestHandler, GlobalRouter
from inference.http_common import EndpointRequestHandler, QuietServer

logger = logging.getLogger("inference.local")


# On every answer of a regional adapter whose Rekognition is the local emulator: its labels are made up (drawn
# from the manifest's classes, deterministic per image), not a trained model's. A header, so the AWS-shaped
# body stays exactly what the Lambda returns.
PREDICTION_SOURCE_HEADER = "X-Prediction-Source"
EMULATOR_SOURCE = "emulator: labels made up by the local Custom Labels emulator, not a trained model"


def rekognition_is_emulated(endpoint_url: str | None) -> bool:
    """True when boto3's endpoint (AWS_ENDPOINT_URL) is the project's local AWS endpoint (it answers its health)."""
    import urllib.request

    if not endpoint_url or not endpoint_url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(f"{endpoint_url.rstrip('/')}/_emulator/health", timeout=5) as answer:  # nosec B310
            return answer.status == 200
    except OSError:
        return False


class RegionalRequestHandler(EndpointRequestHandler):
    """Plays the ALB in front of one region's Lambda."""

    region: str
    lambda_handler = None  # set on a subclass per server
    emulated = False  # set on a subclass per server

    def answer(self, body: bytes):
        answer = self._answer(body)
        if self.emulated:
            answer.headers.append((PREDICTION_SOURCE_HEADER, EMULATOR_SOURCE))
        return answer

    def _answer(self, body: bytes):
        event = alb_event(
            self.command,
            self.path,
            list(self.headers.items()),
            body,
            region=self.region,
            client_ip=self.client_address[0],
            port=self.server.server_address[1],
        )
        try:
            return http_answer(self.lambda_handler(event, lambda_context(self.region)))
        except BadLambdaResponse as exc:
            logger.error("%s: invalid Lambda response: %s", self.region, exc)
            return bad_gateway(str(exc))
        except Exception as exc:  # a Lambda that raises makes the ALB answer 502
            logger.exception("%s: the handler raised", self.region)
            return bad_gateway(f"the function raised {type(exc).__name__}")


class LocalInference:
    """The regional adapters and the global router in this process, each on its own thread.

    base_port=0 picks free ports (tests). `urls` maps "global" and every region to its base URL.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        base_port: int = 8710,
        regions=("us-east-1",),
        default_project: str | None = None,
        default_version: str | None = None,
        *,
        cache_ttl: float | None = None,
        health_ttl: float | None = None,
        router_health_ttl: float = 2.0,
        emulated: bool | None = None,
        health_path: str = inference_handler.DEFAULT_HEALTH_PATH,
        allowed_projects=None,
        api_key_parameter: str | None = None,
        api_key_header: str = inference_handler.DEFAULT_API_KEY_HEADER,
        log_requests: bool = False,
    ):
        if not regions:
            raise ValueError("at least one region is needed")
        self.host = host
        self.base_port = base_port
        self.regions = list(regions)
        self.default_project = default_project
        self.default_version = default_version
        self.cache_ttl = cache_ttl
        self.health_ttl = health_ttl
        self.router_health_ttl = router_health_ttl
        self.emulated = emulated  # None: ask AWS_ENDPOINT_URL whether it is the local emulator
        self.health_path = health_path
        self.allowed_projects = list(allowed_projects) if allowed_projects else None
        self.api_key_parameter = api_key_parameter
        self.api_key_header = api_key_header
        self.log_requests = log_requests
        self.handlers: dict[str, inference_handler.InferenceHandler] = {}
        self.router: GlobalRouter | None = None
        self._servers: list[QuietServer] = []
        self._threads: list[threading.Thread] = []
        self._urls: dict[str, str] = {}

    def _port(self, index: int) -> int:
        """index -1 is the global endpoint."""
        return 0 if self.base_port == 0 else self.base_port + 1 + index

    def start(self) -> "LocalInference":
        if self._servers:
            return self
        if self.emulated is None:
            import os

            self.emulated = rekognition_is_emulated(os.environ.get("AWS_ENDPOINT_URL"))
        try:
            global_class = type("GlobalRequestHandler_", (GlobalRequestHandler,), {"router": None})
            global_url = self._bind(self._port(-1), global_class)
            region_urls = {}
            for index, region in enumerate(self.regions):
                handler = inference_handler.make_handler(
                    region,
                    default_project=self.default_project,
                    default_version=self.default_version,
                    cache_ttl=self.cache_ttl,
                    health_ttl=self.health_ttl,
                    health_path=self.health_path,
                    allowed_projects=self.allowed_projects,
                    api_key_parameter=self.api_key_parameter,
                    api_key_header=self.api_key_header,
                    log_requests=self.log_requests,
                )
                self.handlers[region] = handler
                request_class = type(
                    f"RegionalRequestHandler_{index}",
                    (RegionalRequestHandler,),
                    {"region": region, "lambda_handler": staticmethod(handler), "emulated": self.emulated},
                )
                region_urls[region] = self._bind(self._port(index), request_class)
        except BaseException:
            self.stop()
            raise
        self.router = global_class.router = GlobalRouter(
            region_urls, health_ttl=self.router_health_ttl, health_path=self.health_path
        )
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="local-inference",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        self._urls = {"global": global_url, **region_urls}
        return self

    def _bind(self, port: int, request_class) -> str:
        try:
            server = QuietServer((self.host, port), request_class)
        except OSError as exc:
            raise OSError(f"cannot listen on {self.host}:{port}: {exc.strerror or exc}") from None
        self._servers.append(server)
        return f"http://{self.host}:{server.server_address[1]}"

    def stop(self) -> None:
        running = bool(self._threads)
        for server in self._servers:
            if running:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    @property
    def urls(self) -> dict[str, str]:
        return dict(self._urls)

    @property
    def global_url(self) -> str:
        return self._urls["global"]

    @property
    def region_urls(self) -> dict[str, str]:
        return {region: url for region, url in self._urls.items() if region != "global"}

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _settings_defaults(args) -> None:
    """Fill regions / project / version from configuration.settings when not given on the command line."""
    from configuration.regions import validate_regions

    if args.regions and args.project and args.version and args.health_path and args.allowed_projects:
        validate_regions(args.regions)
        return
    from configuration.settings import load_settings

    settings = load_settings()
    args.regions = args.regions or list(settings.regions)
    args.project = args.project or settings.project_name
    args.version = args.version or settings.default_version_name
    args.health_path = args.health_path or settings.health_check_path
    args.allowed_projects = args.allowed_projects or [settings.project_name, *settings.inference_extra_projects]
    args.api_key_parameter = args.api_key_parameter or settings.api_key_parameter_name
    args.api_key_header = args.api_key_header or settings.api_key_header
    validate_regions(args.regions)


# Python runs signal handlers in the main thread only, when it runs bytecode; a SIGTERM the kernel hands to one of
# the server threads would leave a main thread blocked in Event.wait() without a timeout asleep for good.
SIGNAL_CHECK_SECONDS = 0.5


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(
        prog="python -m inference.local_server", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("GCL_INFERENCE_PORT", "8710")))
    parser.add_argument("--regions", nargs="+", help="default: the regions in the settings, in order")
    parser.add_argument(
        "--project", help="default model project for /health (default: settings project_name)"
    )
    parser.add_argument(
        "--version", help="default model version for /health (default: settings default_version_name)"
    )
    parser.add_argument(
        "--cache-ttl", type=float, help="seconds a version lookup is cached (CACHE_TTL_SECONDS)"
    )
    parser.add_argument("--health-ttl", type=float, help="seconds a region's /health answer is cached")
    parser.add_argument("--router-health-ttl", type=float, default=2.0)
    parser.add_argument("--health-path", help="health check path (default: settings health_check_path)")
    parser.add_argument(
        "--allowed-projects", nargs="+", help="projects served (default: project_name + inference_extra_projects)"
    )
    parser.add_argument("--api-key-parameter", help="SSM parameter holding the API key (default: settings)")
    parser.add_argument("--api-key-header", help="header carrying the API key (default: settings, x-api-key)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s"
    )
    if not 0 <= args.base_port <= 65535:
        print("error: --base-port must be 0-65535", file=sys.stderr)
        return 2
    try:
        _settings_defaults(args)
        for name in (args.project, args.version):
            if not inference_handler.NAME_PATTERN.fullmatch(name):
                raise ValueError(f"invalid model name {name!r}")
        local = LocalInference(
            args.host,
            args.base_port,
            args.regions,
            args.project,
            args.version,
            cache_ttl=args.cache_ttl,
            health_ttl=args.health_ttl,
            router_health_ttl=args.router_health_ttl,
            health_path=args.health_path,
            allowed_projects=args.allowed_projects,
            api_key_parameter=args.api_key_parameter,
            api_key_header=args.api_key_header or inference_handler.DEFAULT_API_KEY_HEADER,
            log_requests=args.verbose,
        ).start()
    except (OSError, ValueError) as exc:  # settings or socket problems: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for name, url in local.urls.items():
        print(f"{name} {url}", flush=True)
    try:
        while not stop.wait(SIGNAL_CHECK_SECONDS):  # a bare wait() never sees a signal the kernel gave another thread
            pass
    finally:
        local.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
