"""The seed's "Set Regional Data": configuration the worker loaded at start, served to workflows."""

from temporalio import activity

from activities.errors import permanent
from workflows import activity_api as api
from workflows.models import RegionalData, RegionalDataRequest


class ConfigActivities:
    def __init__(self, settings, resources, search_attributes_enabled: bool = False):
        self.settings = settings
        self.resources = resources
        self.search_attributes_enabled = search_attributes_enabled

    @activity.defn(name=api.GET_REGIONAL_DATA)
    def get_regional_data(self, request: RegionalDataRequest) -> RegionalData:
        configured = list(self.settings.regions)
        regions = configured
        if request.regions is not None:
            unknown = [r for r in request.regions if r not in configured]
            if unknown or not request.regions:
                raise permanent(
                    f"region(s) {', '.join(unknown) or '(none)'} not configured: choose from {', '.join(configured)}",
                    "RegionNotConfigured",
                )
            regions = [r for r in configured if r in request.regions]  # settings order, no duplicates
        res = self.resources
        return RegionalData(
            regions=regions,
            management_region=self.settings.management_region,
            management_bucket=res.management_bucket,
            training_buckets={r: res.training_buckets[r] for r in regions},
            output_buckets={r: res.output_buckets[r] for r in regions},
            sns_topic_arn=res.sns_topic_arn,
            max_training_hours=float(self.settings.max_training_hours),
            poll_interval_seconds=int(self.settings.poll_interval_seconds),
            poll_policy=self.settings.poll_policy,
            min_inference_units=int(self.settings.min_inference_units),
            max_inference_units=self.settings.max_inference_units,
            search_attributes_enabled=self.search_attributes_enabled,
            inference_ttl_hours=float(self.settings.inference_ttl_hours or 0),
            canary_region=self.settings.canary_region,
        )
