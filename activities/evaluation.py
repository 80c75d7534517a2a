"""A trained version's evaluation (F1, precision, recall, test images) as an activity, for the quality gate."""

from __future__ import annotations

from temporalio import activity

from activities.clients import ClientFactory
from activities.errors import aws_call, permanent
from activities.rekognition import RekognitionActivities
from configuration.evaluation import read_figures
from workflows import activity_api as api
from workflows.models import EvaluationInput, VersionEvaluation


class EvaluationActivities:
    def __init__(self, clients: ClientFactory):
        self.clients = clients
        self.rekognition = RekognitionActivities(clients)

    @activity.defn(name=api.READ_EVALUATION)
    def read_evaluation(self, inp: EvaluationInput) -> VersionEvaluation:
        """DescribeProjectVersions' EvaluationResult, then the summary file it names in the output bucket.

        A version that has not completed training has no evaluation: every figure is None.
        """
        description = self.rekognition.describe_by_arn(inp.region, inp.version_arn)
        if description is None:
            raise permanent(f"{inp.region}: version {inp.version_arn} not found", "ResourceNotFoundException")
        s3 = self.clients("s3", inp.region)

        def get_object(bucket: str, key: str) -> bytes:
            with aws_call(inp.region, "GetObject"):
                body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            try:
                return body.read()
            finally:
                body.close()

        found = read_figures(description, get_object)
        return VersionEvaluation(inp.region, inp.version_arn, found.f1, found.precision, found.recall,
                                 found.test_images, found.summary_uri)
