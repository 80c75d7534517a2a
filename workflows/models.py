"""Inputs and results of the workflows and activities: plain dataclasses, one per call.

Workflow inputs keep the seed's Step Functions field names (ProjectName, VersionName, ...) so the JSON its
users already know deserializes as is; extra fields are optional. Activity inputs use snake_case.
Pure module: imported inside the workflow sandbox, so no I/O and no boto3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Operations, as they appear in workflow ids, the Operation search attribute and results.
BUILD = "build"
START = "start"
STOP = "stop"
DELETE = "delete"
OPERATIONS = (BUILD, START, STOP, DELETE)
ADOPT = "adopt"  # not a per-region operation: it copies a project's data, then runs a build


# ---------------------------------------------------------------- parent workflow inputs (seed-compatible)


@dataclass
class CommonOptions:
    """Optional overrides every parent accepts on top of the seed's fields."""

    Regions: list[str] | None = None  # subset of the configured regions
    PollIntervalSeconds: int | None = None  # longest wait between two polls (default: settings, 300 s)
    Strict: bool = False  # fail the workflow when any region fails (default: only when every region fails)
    PollPolicy: str | None = None  # name of a schedule in workflows.polling.POLICIES (default: settings' poll_policy)


@dataclass
class BuildModelInput(CommonOptions):
    ProjectName: str = ""
    ManifestKey: str = ""
    VersionName: str = ""
    MaxTrainingHours: float | None = None
    TestManifestKey: str | None = None  # a test set to train with instead of AutoCreate (adopt: the source's split)
    # rollout (issue 17.2, workflows/rollout.py): the run's owner trains the canary first, tolerates failures, waves
    CanaryRegion: str | None = None  # default: the settings' canary_region when it is one of the run's regions
    MinF1: float | None = None  # the canary's quality gate: the others train only when its F1 reaches it
    MaxFailedRegions: int | None = None  # no region is launched once this many have failed (0 acts as 1)
    MaxConcurrentRegions: int | None = None  # at most this many regions train at once


@dataclass
class StartModelInput(CommonOptions):
    ProjectName: str = ""
    VersionNames: list[str] = field(default_factory=list)
    MinInferenceUnits: int | None = None
    MaxInferenceUnits: int | None = None
    TtlHours: float | None = None  # cost guard: stop again after this many hours
    MinF1: float | None = None  # start only where the version's F1 reaches it; the others are REFUSED (issue 17.3)


@dataclass
class StopModelInput(CommonOptions):
    ProjectName: str = ""
    VersionNames: list[str] = field(default_factory=list)


@dataclass
class DeleteModelInput(CommonOptions):
    ProjectName: str = ""
    VersionNames: list[str] = field(default_factory=list)  # empty: every version, then the project


@dataclass
class AdoptProjectInput(CommonOptions):
    """Make a project trained in one region (e.g. in the console) global: copy its data, then build everywhere."""

    ProjectName: str = ""
    SourceRegion: str = ""
    VersionName: str | None = None  # the source version whose data and F1 to use (default: the newest trained one)
    MaxTrainingHours: float | None = None


# ---------------------------------------------------------------- progress and results


@dataclass
class ProgressRow:
    """One line of the live table: a version in a region (version "*" for project-level steps)."""

    region: str
    version: str
    status: str = "PENDING"
    detail: str = ""
    error: str | None = None
    arn: str | None = None
    ok: bool | None = None  # None while in progress, then True/False

    @property
    def final(self) -> bool:
        return self.ok is not None


# Row statuses of the rollout (issue 17): a region the run never launched, a version the quality gate kept stopped.
NOT_ATTEMPTED = "NOT_ATTEMPTED"
REFUSED = "REFUSED"
# The detail of a delete's row in a region where the project is not there at all.
PROJECT_ABSENT = "project does not exist"


@dataclass
class RegionResult:
    region: str
    ok: bool
    error: str | None = None
    rows: list[ProgressRow] = field(default_factory=list)
    # version -> its evaluation here (workflows.quality.FIGURES): a build's trained version, a start's gated ones
    evaluation: dict[str, dict] = field(default_factory=dict)


@dataclass
class OperationSummary:
    """What a parent returns and publishes: `{"operation","project","succeeded","failed","rows"}` (CONTRACTS.md)."""

    operation: str
    project: str
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    rows: list[ProgressRow] = field(default_factory=list)
    notification_error: str | None = None
    cost_guard_workflow_id: str | None = None
    ttl_hours: float | None = None  # start: the cost guard's TTL this run asked for (0 = none), input or settings
    stop_at: dict[str, dict[str, str]] = field(default_factory=dict)  # start: version -> region -> ISO time
    dataset_warnings: list[str] = field(default_factory=list)  # build: what trains but trains badly (preflight)
    # issue 17: regions never launched (canary failed, MaxFailedRegions reached) and regions whose versions the
    # quality gate did not start, each with its reason; neither succeeded nor failed
    not_attempted: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    evaluation: dict[str, dict[str, dict]] = field(default_factory=dict)  # version -> region -> figures (quality.py)


# ---------------------------------------------------------------- configuration served by an activity


@dataclass
class RegionalDataRequest:
    regions: list[str] | None = None


@dataclass
class RegionalData:
    """The seed's "Set Regional Data": what the worker loaded from configuration shared with Terraform."""

    regions: list[str]
    management_region: str
    management_bucket: str
    training_buckets: dict[str, str]
    output_buckets: dict[str, str]
    sns_topic_arn: str
    max_training_hours: float
    poll_interval_seconds: int
    min_inference_units: int
    max_inference_units: int | None = None
    search_attributes_enabled: bool = False
    poll_policy: str | None = None  # settings' poll_policy; None in histories from before it existed ("fixed")
    inference_ttl_hours: float | None = None  # settings' cost guard default (0 = none); None in older histories
    canary_region: str | None = None  # settings' default canary of a build (None: every region at once)


# ---------------------------------------------------------------- children


@dataclass
class RegionConfig:
    """The slice of RegionalData one region needs."""

    region: str
    management_bucket: str
    training_bucket: str
    output_bucket: str
    poll_interval_seconds: int
    management_region: str
    max_training_hours: float
    poll_policy: str | None = None
    search_attributes_enabled: bool = False
    # Runs handed out by the project's owner (workflows/project.py): no progress signals (the status goes to the
    # ModelStatus search attribute, the outcome in the result), no payload on poll timers, the region child's
    # description carried to the version child, a region that failed fails its workflow. False in older histories.
    lean: bool = False


@dataclass
class OperationParams:
    manifest_key: str = ""
    test_manifest_key: str | None = None  # build: train with this test set instead of AutoCreate
    min_inference_units: int | None = None  # start: filled from settings when the input has none
    max_inference_units: int | None = None
    min_f1: float | None = None  # start: the quality gate (StartModelInput.MinF1), checked per version and region


@dataclass
class RegionInput:
    operation: str
    project: str
    versions: list[str]  # empty for a whole-project delete
    config: RegionConfig
    params: OperationParams
    report_to: str  # workflow id of the parent that answers `progress`


@dataclass
class VersionState:
    """What a per-version workflow carries over continue-as-new."""

    phase: str = "check"
    polls: int = 0
    last_status: str | None = None
    arn: str | None = None
    phase_started_at: str | None = None  # ISO time the current wait began
    deadline: str | None = None  # ISO time after which the wait is reported as timed out
    siblings_finished: bool = False
    resume_line: int = 0  # replication check: manifest lines already found replicated


@dataclass
class VersionInput:
    operation: str
    project: str
    region: str
    version: str
    project_arn: str | None
    config: RegionConfig
    params: OperationParams
    report_to: str
    state: VersionState | None = None
    known: VersionDescription | None = None  # lean runs: what the region child's DescribeProjectVersions found


# ---------------------------------------------------------------- activity inputs and results


@dataclass
class ReplicationCheckInput:
    region: str
    management_bucket: str
    manifest_key: str
    training_bucket: str
    management_region: str
    resume_from_line: int = 0  # lines before this were already found replicated


@dataclass
class ReplicationCheckResult:
    complete: bool
    lines_verified: int  # lines whose objects are all present (resume point of the next check)
    missing: int = 0
    first_missing: str | None = None
    total_lines: int | None = None


@dataclass
class ManifestRewriteInput:
    region: str
    source_bucket: str  # where the replicated manifest is read (the regional training bucket)
    manifest_key: str
    target_bucket: str
    target_key: str


@dataclass
class ManifestRewriteResult:
    lines: int
    rewritten: int
    bytes_written: int


@dataclass
class EnsureProjectInput:
    region: str
    project: str


@dataclass
class EnsureProjectResult:
    project_arn: str
    created: bool


@dataclass
class CreateVersionInput:
    region: str
    project_arn: str
    version: str
    training_bucket: str
    manifest_key: str
    output_bucket: str
    output_prefix: str
    test_manifest_key: str | None = None  # in training_bucket; None: TestingData AutoCreate


@dataclass
class VersionDescription:
    """One project version as DescribeProjectVersions reports it; exists=False when it is gone."""

    exists: bool
    version: str
    arn: str | None = None
    status: str | None = None
    message: str | None = None
    created_at: str | None = None  # ISO


@dataclass
class CreateVersionResult:
    arn: str
    status: str
    existed: bool
    created_at: str | None = None


@dataclass
class DescribeVersionInput:
    region: str
    project_arn: str
    version: str


@dataclass
class ResolveVersionsInput:
    region: str
    project: str
    versions: list[str]  # empty: every version of the project


@dataclass
class ResolvedProject:
    project_arn: str | None  # None when the project does not exist in the region
    versions: list[VersionDescription] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class StartVersionInput:
    region: str
    version_arn: str
    min_inference_units: int
    max_inference_units: int | None = None


@dataclass
class AwaitStatusInput:
    """A lean wait: poll the version until `phase` is over (activities/rekognition.py await_version_status)."""

    region: str
    project_arn: str
    version: str
    phase: str
    phase_started_at: str  # ISO, workflow time the wait began (the schedule depends on the time elapsed)
    polls_before: int  # polls already made in this wait (the timer's)
    max_interval_seconds: int
    poll_policy: str | None = None


@dataclass
class VersionArnInput:
    region: str
    version_arn: str


@dataclass
class ProjectInput:
    region: str
    project_arn: str


@dataclass
class ProjectStatus:
    exists: bool
    status: str | None = None


@dataclass
class DeleteProjectResult:
    datasets_deleted: int
    status: str | None = None


@dataclass
class PublishInput:
    topic_arn: str
    subject: str
    message: str


@dataclass
class RunningOperationInput:
    workflow_id: str


# ---------------------------------------------------------------- adopt (workflows/adopt.py, activities/adopt_*.py)


@dataclass
class DataSource:
    """Where the entries of one dataset are read: a Custom Labels dataset, or a Ground Truth manifest in S3."""

    kind: str  # DATASET | MANIFEST
    dataset_arn: str | None = None
    bucket: str | None = None
    key: str | None = None


DATASET = "dataset"
MANIFEST = "manifest"
FROM_DATASETS = "datasets"  # AdoptSource.origin: the project's TRAIN and TEST datasets
FROM_VERSION = "version"  # the manifests the version's description names (TrainingDataResult / TestingDataResult)
# Statuses of a version that holds a trained model (FAILED: it failed to start, the model is there).
TRAINED_STATUSES = frozenset({"TRAINING_COMPLETED", "STARTING", "RUNNING", "STOPPING", "STOPPED", "FAILED",
                              "COPYING_COMPLETED"})


@dataclass
class AdoptSourceInput:
    region: str
    project: str
    version: str | None = None


@dataclass
class AdoptSource:
    """The source project as found: the version whose name and F1 are used, and where its data is."""

    project_arn: str
    version: str
    status: str
    f1_score: float | None
    origin: str
    train: DataSource
    test: DataSource | None = None  # None: no separate test set (the builds use AutoCreate)


@dataclass
class StageAdoptionInput:
    source_region: str
    project: str
    version: str
    train: DataSource
    test: DataSource | None
    management_region: str
    management_bucket: str


@dataclass
class ImageBatch:
    """A slice of the image list the workflow copies in one activity (its unit of durable progress)."""

    first: int  # index of its first image in the list
    count: int
    start_byte: int
    end_byte: int  # exclusive


@dataclass
class StagedAdoption:
    train_manifest_key: str
    train_entries: int
    test_manifest_key: str | None
    test_entries: int
    images_key: str  # the distinct source images, one JSON string (s3:// URI) per line, sorted
    images: int
    batches: list[ImageBatch] = field(default_factory=list)


@dataclass
class CopyImagesInput:
    source_region: str
    management_region: str
    management_bucket: str
    project: str
    images_key: str
    batch: ImageBatch


@dataclass
class UnreadableImage:
    source: str  # s3://bucket/key
    reason: str


@dataclass
class CopyImagesResult:
    copied: int
    skipped: int  # already in the management bucket with the same size and ETag
    bytes_copied: int
    unreadable: list[UnreadableImage] = field(default_factory=list)


@dataclass
class NamedVersionInput:
    """A version by project and version name (adopt: the source's and every region's copy)."""

    region: str
    project: str
    version: str


@dataclass
class NamedVersionScore:
    """A version's status and F1 (DescribeProjectVersions), or exists=False."""

    region: str
    exists: bool
    status: str | None = None
    f1_score: float | None = None


@dataclass
class RegionComparison:
    """One line of adopt's summary: a region's F1 next to the source model's."""

    region: str
    status: str  # the version's status; SOURCE for the source region
    f1_score: float | None = None
    source_f1_score: float | None = None
    difference: float | None = None  # f1_score - source_f1_score
    error: str | None = None


@dataclass
class AdoptSummary:
    operation: str
    project: str
    source_region: str
    version: str
    source_f1_score: float | None
    origin: str
    already_global: bool = False
    train_manifest_key: str | None = None
    test_manifest_key: str | None = None
    train_entries: int = 0
    test_entries: int = 0
    images: int = 0
    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0
    unreadable: list[UnreadableImage] = field(default_factory=list)  # the first ones (unreadable_count: all)
    unreadable_count: int = 0
    build_workflow_id: str | None = None
    build: OperationSummary | None = None
    regions: list[RegionComparison] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- cost guard


@dataclass
class CostGuardInput:
    ProjectName: str
    VersionNames: list[str]
    TtlHours: float
    Regions: list[str] | None = None
    WarnMinutesBefore: float = 15.0
    expires_at: str | None = None  # ISO; set by the start workflow or a reschedule


# ---------------------------------------------------------------- the project's owner (workflows/project.py)


@dataclass
class OperationTicket:
    """One operation handed to the project's owner: by a seed front door, or by the owner's own cost guard."""

    operation: str
    project: str
    versions: list[str]  # empty: the whole project (delete)
    regions: list[str] | None  # the request's Regions (None: every configured region)
    request: dict  # the front door's validated seed JSON, validated again by the operation's own run
    requester_id: str | None = None  # front door to signal with the outcome (None: the cost guard's own stop)
    requester_run_id: str | None = None
    submitted_at: str | None = None  # ISO, workflow time of the requester

    @property
    def key(self) -> str:
        return f"{self.requester_id}#{self.requester_run_id}" if self.requester_id else f"internal#{self.submitted_at}"


@dataclass
class OperationOutcome:
    """What the owner signals back to a front door once its operation ended."""

    key: str
    summary: OperationSummary | None = None
    error: str | None = None  # the operation failed as a whole before any region ran (e.g. unknown region)
    error_type: str | None = None
    error_details: dict | None = None  # that failure's first detail (e.g. a rejected dataset's report)


@dataclass
class RunningTicket:
    ticket: OperationTicket
    workflow_id: str  # the ProjectOperationWorkflow running it
    started_at: str


@dataclass
class ProjectState:
    """The owner's durable state, carried over continue-as-new."""

    project: str
    queue: list[OperationTicket] = field(default_factory=list)
    stop_at: dict[str, dict[str, str]] = field(default_factory=dict)  # cost guard: version -> region -> ISO time
    warned: dict[str, dict[str, str]] = field(default_factory=dict)  # version -> region -> stop_at already warned of
    recent: list[str] = field(default_factory=list)  # keys of tickets already taken (duplicates are dropped)
    operations: int = 0  # operations run by the owner over its whole life (ids of its own stops)
    continue_after_events: int = 5_000  # continue as new between operations past this history length


@dataclass
class SubmitInput:
    ticket: OperationTicket
    task_queue: str


@dataclass
class SubmitResult:
    owner_id: str
    regions: list[str]  # the configured regions (settings), for the front door's Regions search attribute
    search_attributes_enabled: bool = False
# ---------------------------------------------------------------- dataset preflight and evaluation


@dataclass
class PreflightInput:
    region: str  # where the manifest's bucket is (the management region)
    bucket: str
    manifest_key: str
    regions: list[str] = field(default_factory=list)  # where the build trains (some allow fewer lines)
    # True (the build): every source-ref is pointed at this bucket's copy, images are looked up there by key.
    # False: the manifest is trained as it is, images looked up where their source-ref says.
    rewrites_buckets: bool = True


@dataclass
class DatasetReport:
    """The preflight's verdict (configuration.dataset_rules.Report): one line of text per finding or warning."""

    rejected: bool
    findings: list[str] = field(default_factory=list)  # the first ones; findings_total counts them all
    warnings: list[str] = field(default_factory=list)
    findings_total: int = 0
    warnings_total: int = 0
    lines: int = 0
    valid_lines: int = 0
    labels: int = 0
    use_case: str = ""


@dataclass
class EvaluationInput:
    region: str
    version_arn: str


@dataclass
class VersionEvaluation:
    """A trained version's evaluation: F1 from DescribeProjectVersions, the rest from its summary file in S3."""

    region: str
    version_arn: str
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    test_images: int | None = None
    summary_uri: str | None = None
