"""SNS: the one message each operation publishes when it ends."""

from temporalio import activity

from activities.clients import ClientFactory
from activities.errors import aws_call, permanent
from workflows import activity_api as api
from workflows.models import PublishInput

MAX_MESSAGE_BYTES = 256 * 1024


def topic_region(topic_arn: str) -> str:
    parts = topic_arn.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        raise permanent(f"{topic_arn!r} is not an SNS topic ARN", "InvalidParameter")
    return parts[3]


class NotifyActivities:
    def __init__(self, clients: ClientFactory):
        self.clients = clients

    @activity.defn(name=api.PUBLISH)
    def publish(self, inp: PublishInput) -> str:
        """Publish and return the MessageId; a message over SNS's 256 KB is cut with a note, not refused."""
        region = topic_region(inp.topic_arn)
        message = inp.message
        if len(message.encode()) > MAX_MESSAGE_BYTES:
            message = message.encode()[: MAX_MESSAGE_BYTES - 200].decode(errors="ignore") + "\n... (truncated)"
        with aws_call(region, "Publish"):
            response = self.clients("sns", region).publish(TopicArn=inp.topic_arn, Subject=inp.subject[:100], Message=message)
        return response["MessageId"]
