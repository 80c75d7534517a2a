"""The inference request log of inference/request_log.py written with AWS Lambda Powertools (Logger + Metrics).

Only for the bench's side-by-side measure (issue 14 item 4): `record` has request_log.record's signature, so the
same handler runs with either. Imported after the clock starts in the cold-start child, so its import counts.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "GlobalCustomLabels/Inference"
UNSERVED = "-"

logger = Logger(service="inference")
metrics = Metrics(namespace=NAMESPACE)


def record(*, request_id, region, project, version, served, status, latency_ms, error=None, stream=None, now=None):
    """One structured log line and one EMF record, as the hand-written request_log.record writes."""
    logger.info("inference request", request_id=request_id, region=region, project=project, version=version,
                status=status, latency_ms=round(latency_ms, 3), error=error)
    metrics.add_dimension(name="Region", value=region)
    metrics.add_dimension(name="VersionName", value=version if served and version else UNSERVED)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1 if status >= 500 else 0)
    metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1 if 400 <= status < 500 else 0)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=round(latency_ms, 3))
    metrics.flush_metrics()
