"""The Custom Labels operations on projects and model versions, with AWS's validation, errors and shapes.

A version trains from the manifests of its request (TrainingData, TestingData) or, without them, from the
project's TRAIN and TEST datasets (dataset_operations.py).
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from ..iam.enforcer import check_caller_s3
from .api import Context, name_param, operation, paged
from .dataset_content import manifest_text
from .detection import detect
from .errors import RekognitionError, in_use, invalid, not_ready
from .images import MAX_S3_BYTES, check_image
from .manifest import ManifestError, bucket_region, read_object
from .outputs import OUTPUT_KEYS, VALIDATION_KEYS, evaluation_summary_name, output_key
from .store import STATUS_MESSAGES, Project, Version
from .tags import checked_tags
from .training_rules import Outcome, validate_dataset_training, validate_training


# --- projects ---------------------------------------------------------------------------------------
@operation
def create_project(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    name = name_param(params.get("ProjectName"), "ProjectName")
    feature = params.get("Feature", "CUSTOM_LABELS")
    if feature not in ("CUSTOM_LABELS", "CONTENT_MODERATION"):
        raise invalid(f"Feature {feature!r} is not supported.")
    if name in ctx.projects:
        raise in_use(f"The project {name} already exists.")
    tags = checked_tags(params.get("Tags"))
    now = time.time()
    created_ms = int(now * 1000)
    project = Project(
        status="CREATED",
        account=ctx.account,
        region=ctx.region,
        name=name,
        arn=f"arn:aws:rekognition:{ctx.region}:{ctx.account}:project/{name}/{created_ms}",
        created_at=created_ms / 1000,
        feature=feature,
        auto_update=params.get("AutoUpdate"),
        tags=tags,
    )
    project.enter("CREATED", now)
    ctx.projects[name] = project
    return {"ProjectArn": project.arn}


def _dataset_metadata(project: Project) -> list[dict[str, Any]]:
    """ProjectDescription.Datasets (API_DatasetMetadata); listing a dataset counts as seeing its state."""
    metadata = []
    for dataset in sorted(project.datasets.values(), key=lambda d: d.created_at):
        dataset.seen_calls += 1
        metadata.append({
            "CreationTimestamp": dataset.created_at,
            "DatasetType": dataset.dataset_type,
            "DatasetArn": dataset.arn,
            "Status": dataset.status,
            "StatusMessage": dataset.status_message,
            "StatusMessageCode": dataset.status_message_code,
        })
    return metadata


def _project_description(project: Project) -> dict[str, Any]:
    description = {
        "ProjectArn": project.arn,
        "CreationTimestamp": project.created_at,
        "Status": project.status,
        "Datasets": _dataset_metadata(project),
        "Feature": project.feature,
    }
    if project.auto_update:
        description["AutoUpdate"] = project.auto_update
    return description


@operation
def describe_projects(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    names = params.get("ProjectNames")
    features = params.get("Features")
    if names is not None:
        if not isinstance(names, list) or not 1 <= len(names) <= 10:
            raise invalid("ProjectNames must list 1 to 10 names.")
        for name in names:
            name_param(name, "ProjectNames")
    projects = sorted(ctx.projects.values(), key=lambda p: p.created_at, reverse=True)
    if names is not None:
        projects = [p for p in projects if p.name in names]
    if features:
        projects = [p for p in projects if p.feature in features]
    response = paged("ProjectDescriptions", projects, params)
    for project in response["ProjectDescriptions"]:
        if project.status == "DELETING":
            project.seen_calls += 1
    response["ProjectDescriptions"] = [_project_description(p) for p in response["ProjectDescriptions"]]
    return response


@operation
def delete_project(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    if project.versions:
        raise in_use(
            f"The project {project.name} still has {len(project.versions)} model version(s); delete them first."
        )
    if project.datasets:  # "you must first delete all models and datasets in the project" (mp-delete-project)
        kinds = " and ".join(sorted(project.datasets))
        raise in_use(f"The project {project.name} still has its {kinds} dataset(s); delete them first.")
    if project.status != "DELETING":
        project.enter("DELETING")
        project.policies.clear()  # "deleting a given project will also delete any ProjectPolicies"
    return {"Status": "DELETING"}


# --- versions ---------------------------------------------------------------------------------------
_TRAINABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_FAILED")


def _check_data_args(project: Project, params: dict[str, Any]) -> bool:
    """True when the version trains from the project's datasets. Manifests in the request need a project
    without datasets, datasets need both a TRAIN and a TEST one (API_CreateProjectVersion, TrainingData and
    TestingData; guide, "Training a model (SDK)" and "Distributing a training dataset (SDK)")."""
    output = params.get("OutputConfig")
    if not isinstance(output, dict) or not output.get("S3Bucket"):
        raise invalid("OutputConfig.S3Bucket is required.")
    training, testing = params.get("TrainingData"), params.get("TestingData")
    if training is not None or testing is not None:
        if project.datasets:
            raise invalid(f"The project {project.name} has datasets: train from them (no TrainingData and TestingData).")
        if not training or not training.get("Assets"):
            raise invalid("TrainingData with at least one asset is required when the project has no datasets.")
        if not testing or not (testing.get("Assets") or testing.get("AutoCreate")):
            raise invalid("TestingData (Assets or AutoCreate) is required when the project has no datasets.")
        return False
    if not project.datasets:
        raise invalid(f"The project {project.name} has no datasets: create a TRAIN and a TEST dataset (CreateDataset) "
                      "or give TrainingData and TestingData.")
    for kind in ("TRAIN", "TEST"):
        if kind not in project.datasets:
            raise invalid(f"The project {project.name} has no {kind} dataset: training needs a training and a test "
                          "dataset (create it, or split the training dataset with DistributeDatasetEntries).")
    for dataset in project.datasets.values():
        if dataset.status.endswith("_IN_PROGRESS"):
            raise in_use(f"The {dataset.dataset_type} dataset is {dataset.status}; train when it is complete.")
        if dataset.status not in _TRAINABLE:
            raise invalid(f"The {dataset.dataset_type} dataset is {dataset.status} and cannot be used for training.")
    return True


def _training_outcome(ctx: Context, params: dict[str, Any], project: Project | None = None) -> Outcome:
    """Validate the data now, like training would; a failure becomes the eventual TRAINING_FAILED message.
    `project` is given when the version trains from the project's datasets."""
    output_bucket = params["OutputConfig"]["S3Bucket"]
    output_region = bucket_region(ctx.account, output_bucket)
    if output_region is None:
        return Outcome(failure=f"Unable to write to output S3 bucket: s3://{output_bucket} does not exist.")
    if output_region != ctx.region:
        return Outcome(failure=f"The output bucket s3://{output_bucket} is in {output_region}, not {ctx.region}.")
    denied = check_caller_s3("s3:PutObject", output_bucket, f"{params['OutputConfig'].get('S3KeyPrefix', '')}*")
    if denied:  # the outputs are written with the caller's S3 permissions ("Set up SDK permissions")
        return Outcome(failure=f"Unable to write to output S3 bucket. {denied}")
    if project is not None:
        train, test = (manifest_text(project.datasets[kind].entries) for kind in ("TRAIN", "TEST"))
        return validate_dataset_training(ctx.account, ctx.region, train, test)
    return validate_training(ctx.account, ctx.region, params)


@operation
def create_project_version(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    name = name_param(params.get("VersionName"), "VersionName")
    from_datasets = _check_data_args(project, params)
    tags = checked_tags(params.get("Tags"))
    if project.status == "DELETING":
        raise in_use(f"The project {project.name} is being deleted.")
    if name in project.versions:
        raise in_use(f"The version {name} already exists in project {project.name}.")
    outcome = _training_outcome(ctx, params, project if from_datasets else None)
    now = time.time()
    created_ms = int(now * 1000)
    version = Version(
        status="TRAINING_IN_PROGRESS",
        account=ctx.account,
        region=ctx.region,
        project=project.name,
        name=name,
        arn=f"{project.arn.rsplit('/', 1)[0]}/version/{name}/{created_ms}",
        created_at=created_ms / 1000,
        request=params,
        dataset=outcome.dataset,
        validation=outcome.validation,
        failure=outcome.failure,
        status_message=STATUS_MESSAGES["TRAINING_IN_PROGRESS"],
        tags=tags,
    )
    version.enter("TRAINING_IN_PROGRESS", now)
    project.versions[name] = version
    return {"ProjectVersionArn": version.arn}


def _manifest_asset(bucket: str, key: str) -> dict[str, Any]:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


def _add_training_results(description: dict[str, Any], version: Version) -> None:
    bucket = version.request["OutputConfig"]["S3Bucket"]
    training, testing = description["TrainingDataResult"], description["TestingDataResult"]
    training["Validation"] = {"Assets": [_manifest_asset(bucket, output_key(version, VALIDATION_KEYS["training"]))]}
    testing["Validation"] = {"Assets": [_manifest_asset(bucket, output_key(version, VALIDATION_KEYS["testing"]))]}
    description["ManifestSummary"] = {"S3Object": {"Bucket": bucket, "Name": output_key(version, VALIDATION_KEYS["summary"])}}
    if version.status == "TRAINING_FAILED":
        return
    training["Output"] = {"Assets": [_manifest_asset(bucket, output_key(version, OUTPUT_KEYS["training"]))]}
    testing["Output"] = {"Assets": [_manifest_asset(bucket, output_key(version, OUTPUT_KEYS["testing"]))]}
    if "AutoCreate" in testing["Input"]:
        testing["Output"]["AutoCreate"] = testing["Input"]["AutoCreate"]
    description["EvaluationResult"] = {
        "F1Score": version.f1_score,
        "Summary": {"S3Object": {"Bucket": bucket, "Name": output_key(version, evaluation_summary_name(version))}},
    }


def _version_description(version: Version) -> dict[str, Any]:
    request = version.request
    description: dict[str, Any] = {
        "ProjectVersionArn": version.arn,
        "CreationTimestamp": version.created_at,
        "Status": version.status,
        "StatusMessage": version.status_message,
        "OutputConfig": request["OutputConfig"],
        "Feature": "CUSTOM_LABELS",
    }
    for source, target in (("VersionDescription", "VersionDescription"), ("KmsKeyId", "KmsKeyId")):
        if source in request:
            description[target] = request[source]
    # A version trained from the project's datasets had no manifests in its request: its Input is empty (ours).
    description["TrainingDataResult"] = {"Input": request.get("TrainingData", {})}
    description["TestingDataResult"] = {"Input": request.get("TestingData", {})}
    if version.training_end is not None:
        description["TrainingEndTimestamp"] = version.training_end
        description["BillableTrainingTimeInSeconds"] = max(1, int(version.training_end - version.created_at))
    if version.validation_written:  # after training completes or fails on a dataset ("Getting the validation results")
        _add_training_results(description, version)
    if version.min_units is not None:
        description["MinInferenceUnits"] = version.min_units
    if version.max_units is not None:
        description["MaxInferenceUnits"] = version.max_units
    return description


@operation
def describe_project_versions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    names = params.get("VersionNames")
    versions = sorted(project.versions.values(), key=lambda v: v.created_at, reverse=True)  # newest first
    if names is not None:
        if not isinstance(names, list) or not 1 <= len(names) <= 10:
            raise invalid("VersionNames must list 1 to 10 names.")
        for name in names:
            name_param(name, "VersionNames")
        versions = [v for v in versions if v.name in names]
    response = paged("ProjectVersionDescriptions", versions, params)
    for version in response["ProjectVersionDescriptions"]:
        version.seen_calls += 1
    response["ProjectVersionDescriptions"] = [_version_description(v) for v in response["ProjectVersionDescriptions"]]
    return response


def _units(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(f"{field} must be an integer >= 1, got {value!r}.")
    return value


@operation
def start_project_version(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if "MinInferenceUnits" not in params:
        raise invalid("MinInferenceUnits is required.")
    min_units = _units(params["MinInferenceUnits"], "MinInferenceUnits")
    max_units = params.get("MaxInferenceUnits")
    if max_units is not None:
        max_units = _units(max_units, "MaxInferenceUnits")
        if max_units < min_units:
            raise invalid("MaxInferenceUnits must be greater than or equal to MinInferenceUnits.")
    version = ctx.version_by_arn(params.get("ProjectVersionArn"))
    if version.status not in ("TRAINING_COMPLETED", "STOPPED", "FAILED"):
        raise in_use(f"The model {version.name} is {version.status} and cannot be started.")
    version.min_units, version.max_units = min_units, max_units
    version.enter("STARTING")
    version.status_message = STATUS_MESSAGES["STARTING"]
    return {"Status": "STARTING"}


@operation
def stop_project_version(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    version = ctx.version_by_arn(params.get("ProjectVersionArn"))
    if version.status not in ("RUNNING", "STARTING"):
        raise in_use(f"The model {version.name} is {version.status} and cannot be stopped.")
    version.enter("STOPPING")
    version.status_message = STATUS_MESSAGES["STOPPING"]
    return {"Status": "STOPPING"}


@operation
def delete_project_version(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    version = ctx.version_by_arn(params.get("ProjectVersionArn"))
    if version.status == "DELETING":
        return {"Status": "DELETING"}
    if version.status not in ("TRAINING_COMPLETED", "TRAINING_FAILED", "STOPPED", "FAILED"):
        raise in_use(f"The model {version.name} is {version.status}; stop it (or wait for training) before deleting.")
    version.enter("DELETING")
    version.status_message = STATUS_MESSAGES["DELETING"]
    return {"Status": "DELETING"}


def _image_bytes(ctx: Context, image: Any) -> bytes:
    if not isinstance(image, dict) or ("Bytes" in image) == ("S3Object" in image):
        raise invalid("Image must have exactly one of Bytes or S3Object.")
    if "Bytes" in image:
        try:
            data = base64.b64decode(image["Bytes"], validate=True)
        except (binascii.Error, TypeError) as exc:
            raise invalid("Image.Bytes is not valid base64.") from exc
        check_image(data)
        return data
    s3_object = image["S3Object"]
    try:
        data, region = read_object(ctx.account, s3_object.get("Bucket", ""), s3_object.get("Name", ""), s3_object.get("Version"))
    except ManifestError as exc:
        raise RekognitionError("InvalidS3ObjectException", f"Unable to get object metadata from S3: {exc}") from exc
    if region != ctx.region:
        raise RekognitionError("InvalidS3ObjectException", "The S3 bucket must be in the same region as the model.")
    check_image(data, MAX_S3_BYTES)
    return data


@operation
def detect_custom_labels(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    version = ctx.version_by_arn(params.get("ProjectVersionArn"))
    min_confidence = params.get("MinConfidence")
    if min_confidence is not None and (
        isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float)) or not 0 <= min_confidence <= 100
    ):
        raise invalid("MinConfidence must be between 0 and 100.")
    max_results = params.get("MaxResults")
    if max_results is not None and (isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 0):
        raise invalid("MaxResults must be an integer >= 0.")
    image = _image_bytes(ctx, params.get("Image"))
    if version.status != "RUNNING":
        raise not_ready(f"ProjectVersion arn {version.arn} is not ready, status is {version.status}.")
    regional = ctx.store.config.detection_for(ctx.region)
    return {"CustomLabels": detect(version.dataset, image, min_confidence, max_results, regional)}
