"""SNS publishing and the regional data served to workflows."""

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.config import ConfigActivities
from activities.notify import NotifyActivities
from workflows.models import PublishInput, RegionalDataRequest


def test_publish_reaches_subscribers(world, clients):
    message_id = ActivityEnvironment().run(
        NotifyActivities(clients).publish, PublishInput(world.resources.sns_topic_arn, "subject", "the table")
    )
    assert message_id
    assert world.messages() == ["the table"]


def test_publish_to_an_sns_that_is_down_is_retryable(world, clients, emulator):
    emulator.configure({"faults": {"sns_down": True}})
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(NotifyActivities(clients).publish, PublishInput(world.resources.sns_topic_arn, "s", "m"))
    assert not raised.value.non_retryable


def test_publish_to_a_bad_arn_fails_fast(clients):
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(NotifyActivities(clients).publish, PublishInput("not-an-arn", "s", "m"))
    assert raised.value.non_retryable and "not an SNS topic ARN" in raised.value.message


def test_regional_data_follows_settings_and_honours_a_subset(world):
    config = ConfigActivities(world.settings, world.resources, search_attributes_enabled=True)
    everything = ActivityEnvironment().run(config.get_regional_data, RegionalDataRequest())
    assert everything.regions == list(world.regions)
    assert everything.training_buckets == world.resources.training_buckets
    assert everything.poll_interval_seconds == 300 and everything.search_attributes_enabled
    subset = ActivityEnvironment().run(config.get_regional_data, RegionalDataRequest(["eu-west-1"]))
    assert subset.regions == ["eu-west-1"] and list(subset.training_buckets) == ["eu-west-1"]


def test_an_unconfigured_region_is_refused_with_the_configured_list(world):
    config = ConfigActivities(world.settings, world.resources)
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(config.get_regional_data, RegionalDataRequest(["sa-east-1"]))
    assert raised.value.non_retryable and raised.value.type == "RegionNotConfigured"
    assert "sa-east-1" in raised.value.message and "us-east-1, eu-west-1" in raised.value.message
