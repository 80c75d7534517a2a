"""The hand-written request log the inference handler used before AWS Lambda Powertools (issue 14 item 4): one JSON
line per request holding both the log fields and the CloudWatch EMF record, stdlib only. Kept as the bench's
baseline (bench/section_inference.py), with inference/request_log.record's signature.
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
