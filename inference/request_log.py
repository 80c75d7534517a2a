"""One structured JSON log line per inference request, with CloudWatch embedded-metric-format metrics.

Written by hand (stdlib only). AWS Lambda Powertools (Logger + Metrics) was measured side by side in
bench/section_inference.py (docs/benchmarks.md, 2026-12-04): its cold first request is within the bench's
COLD_START_BUDGET (1.03x the hand-written one's; +15 ms of import, warm requests equal), so by that rule it may
replace this module; the switch is not done yet (it makes Powertools a runtime dependency of the package and of
the local endpoints, and needs the AWS-published layer version pinned per region in terraform/modules/region).
Powertools would also write two lines per request (log + EMF) where this writes one holding both.
Lambda sends stdout to CloudWatch Logs, which extracts the `_aws` block into metrics (Requests, Errors,
ClientErrors, Latency by Region and VersionName, and by Region).
EMF spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

import json
import sys
import time

NAMESPACE = "GlobalCustomLabels/Inference"
UNSERVED = "-"  # the VersionName dimension for requests that named no served model (keeps cardinality bounded)


def record(
    *,
    request_id: str | None,
    region: str,
    project: str | None,
    version: str | None,
    served: bool,
    status: int,
    latency_ms: float,
    error: str | None = None,
    stream=None,
    now=time.time,
) -> dict:
    """Write the line and return it (tests read it back)."""
    entry = {
        "level": "ERROR" if status >= 500 else "INFO",
        "message": "inference request",
        "request_id": request_id,
        "region": region,
        "project": project,
        "version": version,
        "status": status,
        "latency_ms": round(latency_ms, 3),
        "error": error,
        # EMF: only served versions become dimension values, so callers cannot mint metrics.
        "Region": region,
        "VersionName": version if served and version else UNSERVED,
        "Requests": 1,
        "Errors": 1 if status >= 500 else 0,
        "ClientErrors": 1 if 400 <= status < 500 else 0,
        "Latency": round(latency_ms, 3),
        "_aws": {
            "Timestamp": int(now() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["Region", "VersionName"], ["Region"]],
                    "Metrics": [
                        {"Name": "Requests", "Unit": "Count"},
                        {"Name": "Errors", "Unit": "Count"},
                        {"Name": "ClientErrors", "Unit": "Count"},
                        {"Name": "Latency", "Unit": "Milliseconds"},
                    ],
                }
            ],
        },
    }
    out = stream or sys.stdout
    out.write(json.dumps(entry, separators=(",", ":")) + "\n")
    out.flush()
    return entry
