"""Transition timing: by DescribeProjectVersions calls, by time, manually, globally and per region."""

import pytest
from localaws_support import seed_dataset

from localaws.control import EmulatorControlError


def _version(local_aws, rek, region="us-east-1", name="v1"):
    args = seed_dataset(local_aws.url, region)
    project = rek.create_project(ProjectName="timed")["ProjectArn"]
    arn = rek.create_project_version(ProjectArn=project, VersionName=name, **args)["ProjectVersionArn"]
    return project, arn


def _statuses(rek, project, count):
    return [rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]["Status"] for _ in range(count)]


def test_calls_mode_counts_describe_calls(local_aws, emulator, rekognition):
    emulator.configure({"timing": {"mode": "calls", "TRAINING": 3, "STARTING": 2}})
    rek = rekognition()
    project, arn = _version(local_aws, rek)
    assert _statuses(rek, project, 4) == ["TRAINING_IN_PROGRESS"] * 3 + ["TRAINING_COMPLETED"]
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    assert _statuses(rek, project, 3) == ["STARTING", "STARTING", "RUNNING"]


def test_manual_mode_waits_for_advance(local_aws, emulator, rekognition):
    emulator.configure({"timing": {"mode": "manual"}})
    rek = rekognition()
    project, _ = _version(local_aws, rek)
    assert _statuses(rek, project, 5) == ["TRAINING_IN_PROGRESS"] * 5
    assert emulator.advance(region="eu-west-1") == []
    moved = emulator.advance(region="us-east-1", project="timed", version="v1")
    assert moved == [{"region": "us-east-1", "project": "timed", "version": "v1", "from": "TRAINING_IN_PROGRESS", "to": "TRAINING_COMPLETED"}]
    assert _statuses(rek, project, 1) == ["TRAINING_COMPLETED"]
    history = [row["status"] for row in emulator.versions()[0]["history"]]
    assert history == ["TRAINING_IN_PROGRESS", "TRAINING_COMPLETED"]


def test_time_mode_zero_and_long_durations(local_aws, emulator, rekognition):
    emulator.configure({"timing": {"mode": "time", "TRAINING": 0, "STARTING": 3600}})
    rek = rekognition()
    project, arn = _version(local_aws, rek)
    assert _statuses(rek, project, 1) == ["TRAINING_COMPLETED"]
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    assert _statuses(rek, project, 3) == ["STARTING"] * 3
    # Shortening the duration applies to a version already in the state.
    emulator.configure({"timing": {"STARTING": 0}})
    assert _statuses(rek, project, 1) == ["RUNNING"]


def test_datasets_follow_the_timing_modes(local_aws, emulator, rekognition):
    """DATASET times a dataset's create and update, DELETING its deletion; calls mode counts DescribeDataset and
    the DescribeProjects calls that list it; a per-region block applies to datasets too."""
    emulator.configure({"timing": {"mode": "time", "DATASET": 3600, "DELETING": 0,
                                   "per_region": {"eu-west-1": {"mode": "calls", "DATASET": 2}}}})
    slow, counted = rekognition("us-east-1"), rekognition("eu-west-1")
    slow_dataset = slow.create_dataset(ProjectArn=slow.create_project(ProjectName="slow")["ProjectArn"], DatasetType="TRAIN")
    described = [slow.describe_dataset(DatasetArn=slow_dataset["DatasetArn"])["DatasetDescription"]["Status"] for _ in range(3)]
    assert described == ["CREATE_IN_PROGRESS"] * 3
    emulator.configure({"timing": {"DATASET": 0}})  # applies to the dataset already in the state
    assert slow.describe_dataset(DatasetArn=slow_dataset["DatasetArn"])["DatasetDescription"]["Status"] == "CREATE_COMPLETE"
    project = counted.create_project(ProjectName="counted")["ProjectArn"]
    dataset = counted.create_dataset(ProjectArn=project, DatasetType="TEST")["DatasetArn"]
    listed = counted.describe_projects()["ProjectDescriptions"][0]["Datasets"][0]["Status"]
    assert (listed, counted.describe_dataset(DatasetArn=dataset)["DatasetDescription"]["Status"]) == (
        "CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS")
    assert counted.describe_dataset(DatasetArn=dataset)["DatasetDescription"]["Status"] == "CREATE_COMPLETE"
    slow.delete_dataset(DatasetArn=slow_dataset["DatasetArn"])
    assert slow.describe_projects(ProjectNames=["slow"])["ProjectDescriptions"][0]["Datasets"] == []  # DELETING 0


def test_per_region_overrides(local_aws, emulator, rekognition):
    emulator.configure(
        {"timing": {"mode": "calls", "TRAINING": 0, "per_region": {"ap-south-1": {"mode": "manual"}, "eu-west-2": {"TRAINING": 2}}}}
    )
    fast, manual, slower = rekognition("us-east-1"), rekognition("ap-south-1"), rekognition("eu-west-2")
    fast_project, _ = _version(local_aws, fast, "us-east-1")
    manual_project, _ = _version(local_aws, manual, "ap-south-1")
    slower_project, _ = _version(local_aws, slower, "eu-west-2")
    assert _statuses(fast, fast_project, 1) == ["TRAINING_COMPLETED"]
    assert _statuses(manual, manual_project, 3) == ["TRAINING_IN_PROGRESS"] * 3
    assert _statuses(slower, slower_project, 3) == ["TRAINING_IN_PROGRESS"] * 2 + ["TRAINING_COMPLETED"]


def test_versions_endpoint_lists_every_region(local_aws, fast, rekognition):
    for region in ("us-east-1", "eu-west-1"):
        _version(local_aws, rekognition(region), region)
    rows = {(row["region"], row["project"], row["version"]): row for row in fast.versions()}
    assert set(rows) == {("us-east-1", "timed", "v1"), ("eu-west-1", "timed", "v1")}
    assert all(row["status"] == "TRAINING_IN_PROGRESS" and row["entered_at"] > 0 for row in rows.values())


@pytest.mark.parametrize(
    "bad",
    [
        {"timing": {"mode": "sometimes"}},
        {"timing": {"TRAINING": -1}},
        {"timing": {"BOOTING": 1}},
        {"faults": {"throttle_rate": 2}},
        {"faults": {"unknown": True}},
        {"nonsense": 1},
    ],
)
def test_bad_configuration_is_refused_and_not_applied(emulator, bad):
    before = emulator.config()
    with pytest.raises(EmulatorControlError):
        emulator.configure(bad)
    assert emulator.config() == before
