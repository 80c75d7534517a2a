"""boto3 calls wrapped as Temporal activities (classes with injected per-region clients)."""

from activities.adopt_copy import ImageCopyActivities
from activities.adopt_source import AdoptSourceActivities
from activities.clients import Boto3Clients, ClientFactory
from activities.config import ConfigActivities
from activities.dataset import DatasetActivities
from activities.evaluation import EvaluationActivities
from activities.notify import NotifyActivities
from activities.preflight import PreflightActivities
from activities.rekognition import RekognitionActivities
from activities.temporal_ops import TemporalActivities


def all_activities(settings, resources, client=None, clients: ClientFactory | None = None,
                   search_attributes_enabled: bool = False) -> list:
    """Every activity the worker registers, bound to one shared client factory."""
    clients = clients or Boto3Clients()
    rekognition = RekognitionActivities(clients)
    dataset = DatasetActivities(clients)
    notify = NotifyActivities(clients)
    config = ConfigActivities(settings, resources, search_attributes_enabled)
    preflight = PreflightActivities(clients)
    evaluation = EvaluationActivities(clients)
    adopt = AdoptSourceActivities(clients)
    found = [
        config.get_regional_data,
        dataset.check_replication,
        dataset.write_regional_manifest,
        rekognition.ensure_project,
        rekognition.create_version,
        rekognition.describe_version,
        rekognition.await_version_status,
        rekognition.resolve_versions,
        rekognition.start_version,
        rekognition.stop_version,
        rekognition.delete_version,
        rekognition.delete_project,
        rekognition.describe_project,
        notify.publish,
        preflight.preflight_dataset,
        evaluation.read_evaluation,
        adopt.describe_source,
        adopt.stage,
        adopt.describe_evaluation,
        ImageCopyActivities(clients).copy_images,
    ]
    if client is not None:
        temporal = TemporalActivities(client, search_attributes_enabled, list(settings.regions))
        found += [temporal.running_operation, temporal.submit_operation]
    return found
