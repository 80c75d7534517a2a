"""Section `inference`: the regional handler against a direct DetectCustomLabels on the same local endpoint.

Both sides send the same ~700 KB PNG to the same RUNNING model of the emulator; the handler gets it as the
ALB delivers it (base64 body, raw image/png or the seed's multipart form). Cold start: the import time of
inference/handler.py in a fresh interpreter, next to `python -c pass`.

Request log (issue 14 item 4): the JSON/EMF line written with AWS Lambda Powertools (inference/request_log.py)
against the hand-written stdlib line it replaced (bench/handwritten_log.py), each in fresh processes taken in
turns: the import, the first request of a cold container (handler import, boto3 import and client, one
DetectCustomLabels, the log line) and warm requests. Powertools stays only while its cold first request is within
COLD_START_BUDGET of the hand-written one's.
"""

from __future__ import annotations

import base64
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench import world
from bench.proc import python, run_measured
from bench.results import Row, SectionResult

REQUESTS = {"tiny": 3, "quick": 20, "full": 60}
IMPORTS = {"tiny": 2, "quick": 5, "full": 11}
REGION = "eu-west-1"
PROJECT, VERSION = "BenchInference", "v1"
IMAGE_SIDE = (480, 490)  # noise PNG of ~700 KB
# The cold-start budget of the inference Lambda: a logging library may make the first request of a fresh container
# (what a caller waits for after a scale-out) at most 10% slower than the hand-written request log. The first request
# is dominated by boto3's import and client creation, which every variant pays alike.
COLD_START_BUDGET = 1.10
LOG_CHILD_RUNS = {"tiny": 2, "quick": 5, "full": 11}
LOG_CHILD = """
import json, statistics, sys, time
event = json.load(open(sys.argv[1]))
started = time.perf_counter()
if sys.argv[2] == "hand-written":  # the handler imports this instead of the Powertools module
    sys.path.insert(0, sys.argv[4])
    import inference, handwritten_log
    sys.modules["inference.request_log"] = handwritten_log
import inference.handler as handler_module
imported = time.perf_counter()
handler = handler_module.make_handler(sys.argv[3], log_requests=True, log_stream=sys.stdout)
assert handler(event)["statusCode"] == 200
first = time.perf_counter()
warm = []
for _ in range(int(sys.argv[5])):
    began = time.perf_counter()
    handler(event)
    warm.append(time.perf_counter() - began)
print("RESULT " + json.dumps({"import": imported - started, "first": first - started,
                              "warm": statistics.median(warm)}))
"""


def alb_event(image: bytes, multipart: bool) -> dict:
    if multipart:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.png\"\r\n"
                f"Content-Type: image/png\r\n\r\n").encode() + image + f"\r\n--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
    else:
        body, content_type = image, "image/png"
    return {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/1"}},
        "httpMethod": "POST", "path": "/", "queryStringParameters": {"ProjectName": PROJECT, "VersionName": VERSION},
        "headers": {"content-type": content_type, "host": "bench"}, "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def per_call_ms(call, count: int) -> float:
    call()  # warm: connection, client, ARN cache
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def import_ms(runs: int) -> tuple[float, float]:
    code = "import time; t = time.perf_counter(); import inference.handler; print(time.perf_counter() - t)"
    run_measured(python("-c", code))
    ours = statistics.median(float(run_measured(python("-c", code)).stdout) for _ in range(runs))
    bare_code = "import time; t = time.perf_counter(); import json, logging, threading; print(time.perf_counter() - t)"
    bare = statistics.median(float(run_measured(python("-c", bare_code)).stdout) for _ in range(runs))
    process = statistics.median(run_measured(python("-c", "import inference.handler")).seconds for _ in range(runs))
    interpreter = statistics.median(run_measured(python("-c", "pass")).seconds for _ in range(runs))
    return ours * 1000, bare * 1000, process * 1000, interpreter * 1000


def request_log_ms(event: dict, runs: int, warm: int) -> dict[str, dict[str, float]]:
    """Median import / cold first request / warm request (ms) per request-log variant, children taken in turns."""
    samples: dict[str, dict[str, list[float]]] = {v: {"import": [], "first": [], "warm": []}
                                                  for v in ("hand-written", "powertools")}
    with tempfile.TemporaryDirectory() as folder:
        event_file = Path(folder) / "event.json"
        event_file.write_text(json.dumps(event))
        bench_dir = str(Path(__file__).resolve().parent)
        for index in range(runs + 1):
            for variant in samples:
                out = run_measured(python("-c", LOG_CHILD, str(event_file), variant, REGION, bench_dir, str(warm)))
                result = json.loads(out.stdout.rsplit("RESULT ", 1)[1])
                if index:  # the first round warms the page cache
                    for key, value in result.items():
                        samples[variant][key].append(value * 1000)
    return {variant: {key: statistics.median(values) for key, values in found.items()}
            for variant, found in samples.items()}


def request_log_rows(event: dict, size: str) -> list[Row]:
    runs = LOG_CHILD_RUNS.get(size, LOG_CHILD_RUNS["full"])
    warm = max(3, REQUESTS.get(size, REQUESTS["full"]) // 2)
    found = request_log_ms(event, runs, warm)
    ours, baseline = found["powertools"], found["hand-written"]
    cold_ratio = ours["first"] / baseline["first"]
    verdict = "within" if cold_ratio <= COLD_START_BUDGET else "OVER"
    label = f"(median of {runs} fresh processes each)"
    name = "request log with Powertools (inference/request_log.py)"
    return [
        Row("inference", f"{name}: import {label}", ours["import"], baseline["import"], "ms",
            "hand-written line (bench/handwritten_log.py)", note=f"{ours['import'] - baseline['import']:+.1f} ms"),
        Row("inference", f"{name}: cold first request {label}", ours["first"], baseline["first"], "ms",
            "hand-written line (bench/handwritten_log.py)", note=f"{verdict} the {COLD_START_BUDGET:.2f}x budget"),
        Row("inference", f"{name}: warm request (median of {warm})", ours["warm"], baseline["warm"], "ms",
            "hand-written line (bench/handwritten_log.py)", note=f"{ours['warm'] - baseline['warm']:+.2f} ms per request"),
    ]


def run(size: str) -> SectionResult:
    import boto3

    from inference.handler import make_handler

    count = REQUESTS.get(size, REQUESTS["full"])
    image = world.png(*IMAGE_SIDE, seed=3, noise=True)
    result = SectionResult("inference")
    with world.local_aws() as (_, control):
        arn = world.running_model(control, REGION, PROJECT, VERSION)
        rek = boto3.client("rekognition", region_name=REGION)
        handler = make_handler(REGION)
        raw_event, form_event = alb_event(image, False), alb_event(image, True)
        answer = handler(raw_event)
        if answer["statusCode"] != 200:
            raise RuntimeError(f"handler answered {answer['statusCode']}: {answer.get('body', '')[:200]}")
        direct = per_call_ms(lambda: rek.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": image}), count)
        raw = per_call_ms(lambda: handler(raw_event), count)
        form = per_call_ms(lambda: handler(form_event), count)
        log_rows = request_log_rows(raw_event, size)
    size_kb = len(image) / 1024
    result.rows += [
        Row("inference", f"handler, raw image/png {size_kb:.0f} KB (median of {count})", raw, direct, "ms",
            "direct detect_custom_labels", note=f"{raw - direct:+.1f} ms per request"),
        Row("inference", f"handler, multipart form {size_kb:.0f} KB (median of {count})", form, direct, "ms",
            "direct detect_custom_labels", note=f"{form - direct:+.1f} ms per request"),
    ]
    result.rows += log_rows
    runs = IMPORTS.get(size, IMPORTS["full"])
    ours, bare, process, interpreter = import_ms(runs)
    result.rows += [
        Row("inference", f"cold start: import inference.handler (median of {runs})", ours, bare, "ms",
            "import json, logging, threading", note="boto3 is imported on the first request, not here"),
        Row("inference", "cold start: `python -c 'import inference.handler'` process", process, interpreter, "ms",
            "`python -c pass`"),
    ]
    return result
