"""Section `inference`: the regional handler against a direct DetectCustomLabels on the same local endpoint.

Both sides send the same ~700 KB PNG to the same RUNNING model of the emulator; the handler gets it as the
ALB delivers it (base64 body, raw image/png or the seed's multipart form). Cold start: the import time of
inference/handler.py in a fresh interpreter, next to `python -c pass`.
"""

from __future__ import annotations

import base64
import statistics
import time
import uuid

from bench import world
from bench.proc import python, run_measured
from bench.results import Row, SectionResult

REQUESTS = {"tiny": 3, "quick": 20, "full": 60}
IMPORTS = {"tiny": 2, "quick": 5, "full": 11}
REGION = "eu-west-1"
PROJECT, VERSION = "BenchInference", "v1"
IMAGE_SIDE = (480, 490)  # noise PNG of ~700 KB


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
    size_kb = len(image) / 1024
    result.rows += [
        Row("inference", f"handler, raw image/png {size_kb:.0f} KB (median of {count})", raw, direct, "ms",
            "direct detect_custom_labels", note=f"{raw - direct:+.1f} ms per request"),
        Row("inference", f"handler, multipart form {size_kb:.0f} KB (median of {count})", form, direct, "ms",
            "direct detect_custom_labels", note=f"{form - direct:+.1f} ms per request"),
    ]
    runs = IMPORTS.get(size, IMPORTS["full"])
    ours, bare, process, interpreter = import_ms(runs)
    result.rows += [
        Row("inference", f"cold start: import inference.handler (median of {runs})", ours, bare, "ms",
            "import json, logging, threading", note="boto3 is imported on the first request, not here"),
        Row("inference", "cold start: `python -c 'import inference.handler'` process", process, interpreter, "ms",
            "`python -c pass`"),
    ]
    return result
