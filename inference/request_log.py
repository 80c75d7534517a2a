"""One structured JSON log line per inference request that is also its CloudWatch embedded-metric-format record.

Written with AWS Lambda Powertools: its Logger formats the line (level, timestamp, service and the request's
fields), its EphemeralMetrics builds the EMF block (namespace GlobalCustomLabels/Inference: Requests, Errors,
ClientErrors and Latency by Region and VersionName). In Lambda, Powertools comes from the AWS-published layer that
terraform/modules/region pins per region (powertools_layer_version); locally it is a pip dependency. It replaced a
hand-written line (bench/handwritten_log.py) because bench/section_inference.py measured its cold first request
within the bench's COLD_START_BUDGET (docs/benchmarks.md). Lambda sends stdout to CloudWatch Logs, which extracts
the `_aws` block into metrics.
EMF spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

import contextvars
import sys
import time
from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

NAMESPACE = "GlobalCustomLabels/Inference"
SERVICE = "global-custom-labels-inference"
UNSERVED = "-"  # the VersionName dimension for requests that named no served model (keeps cardinality bounded)

_destination: contextvars.ContextVar = contextvars.ContextVar("request_log_stream", default=None)


class _Destination:
    """The Logger's stream: the one given for the record being written, else the process's stdout at that moment."""

    def write(self, text: str) -> int:
        return (_destination.get() or sys.stdout).write(text)

    def flush(self) -> None:
        (_destination.get() or sys.stdout).flush()


logger = Logger(service=SERVICE, stream=_Destination())


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
    """Write the line (to `stream`, else stdout) and return its fields (tests read them back)."""
    metrics = EphemeralMetrics(namespace=NAMESPACE)  # one per record: concurrent requests never share a metric set
    metrics.set_timestamp(datetime.fromtimestamp(now(), tz=UTC))
    # Only served versions become dimension values, so callers cannot mint metrics.
    metrics.add_dimension(name="Region", value=region)
    metrics.add_dimension(name="VersionName", value=version if served and version else UNSERVED)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1 if status >= 500 else 0)
    metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1 if 400 <= status < 500 else 0)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=round(latency_ms, 3))
    fields = {
        "request_id": request_id,
        "region": region,
        "project": project,
        "version": version,
        "status": status,
        "latency_ms": round(latency_ms, 3),
        "error": error,
        **metrics.serialize_metric_set(),
    }
    token = _destination.set(stream)
    try:
        (logger.error if status >= 500 else logger.info)("inference request", extra=fields)
    finally:
        _destination.reset(token)
    return fields
