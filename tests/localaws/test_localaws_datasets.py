"""Custom Labels datasets over HTTP with boto3, shape-checked against botocore: the guide's dataset workflow
(create project -> CreateDataset TRAIN and TEST -> ListDatasetEntries -> CreateProjectVersion without
TrainingData), entries and labels, updates, distribution, deletion and the errors AWS documents."""

import json

import pytest
from botocore.exceptions import ClientError
from localaws_support import (
    assert_valid_output,
    classification_manifest,
    client,
    create_bucket,
    manifest_source,
    png,
    seed_dataset,
    settled_dataset,
    settled_version,
)

REGION = "us-east-1"
TRAIN_BUCKET = f"train-{REGION}"


@pytest.fixture
def world(local_aws, fast, rekognition):
    """Training/output buckets with images of car/truck/cone, a project, and a way to put manifests."""
    args = seed_dataset(local_aws.url, REGION, classes=("car", "truck", "cone"))
    s3 = client("s3", REGION, local_aws.url)
    rek = rekognition(REGION)
    project = rek.create_project(ProjectName="datasets")["ProjectArn"]

    def put(key: str, text: str) -> dict:
        s3.put_object(Bucket=TRAIN_BUCKET, Key=key, Body=text.encode())
        return manifest_source(TRAIN_BUCKET, key)

    return {"rek": rek, "project": project, "args": args, "put": put, "s3": s3, "url": local_aws.url, "control": fast}


def line(image: str, label: str, bucket: str = TRAIN_BUCKET) -> dict:
    return {"source-ref": f"s3://{bucket}/{image}", "label": 0,
            "label-metadata": {"class-name": label, "confidence": 1, "type": "groundtruth/image-classification",
                               "human-annotated": "yes"}}


def jsonl(lines: list) -> str:
    return "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in lines)


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def created(world, kind: str, source: dict | None = None, **extra) -> str:
    kwargs = {"DatasetSource": source} if source is not None else {}
    response = world["rek"].create_dataset(ProjectArn=world["project"], DatasetType=kind, **kwargs, **extra)
    assert_valid_output("CreateDataset", response)
    return response["DatasetArn"]


def test_the_guides_dataset_workflow_trains_from_the_projects_datasets(world):
    rek, project = world["rek"], world["project"]
    train_text = classification_manifest(TRAIN_BUCKET, ["car", "truck", "cone"])
    train = created(world, "TRAIN", world["put"]("train.manifest", train_text))
    test = created(world, "TEST", world["put"]("test.manifest", train_text))
    assert train.startswith(f"{project.rsplit('/', 1)[0]}/dataset/train/")
    first = rek.describe_dataset(DatasetArn=train)
    assert_valid_output("DescribeDataset", first)
    assert first["DatasetDescription"]["Status"] == "CREATE_IN_PROGRESS"
    described = settled_dataset(rek, train)
    assert described["Status"] == "CREATE_COMPLETE" and described["StatusMessageCode"] == "SUCCESS"
    assert described["DatasetStats"] == {"LabeledEntries": 6, "TotalEntries": 6, "TotalLabels": 3, "ErrorEntries": 0}
    settled_dataset(rek, test)

    pages = list(rek.get_paginator("list_dataset_entries").paginate(DatasetArn=train, PaginationConfig={"PageSize": 4}))
    for page in pages:
        assert_valid_output("ListDatasetEntries", page)
    entries = [json.loads(entry) for page in pages for entry in page["DatasetEntries"]]
    assert [len(page["DatasetEntries"]) for page in pages] == [4, 2]
    assert [entry["source-ref"] for entry in entries] == [json.loads(x)["source-ref"] for x in train_text.split("\n") if x]
    assert all(entry["cl-metadata"] == {"is_labeled": True} and "cl-errors" not in entry for entry in entries)
    labels = rek.list_dataset_labels(DatasetArn=train)
    assert_valid_output("ListDatasetLabels", labels)
    assert {d["LabelName"]: d["LabelStats"]["EntryCount"] for d in labels["DatasetLabelDescriptions"]} == {
        "car": 2, "truck": 2, "cone": 2}

    projects = rek.describe_projects(ProjectNames=["datasets"])
    assert_valid_output("DescribeProjects", projects)
    listed = {d["DatasetType"]: d for d in projects["ProjectDescriptions"][0]["Datasets"]}
    assert listed["TRAIN"]["DatasetArn"] == train and listed["TEST"]["DatasetArn"] == test
    assert {d["Status"] for d in listed.values()} == {"CREATE_COMPLETE"}

    version_arn = rek.create_project_version(ProjectArn=project, VersionName="v1",
                                             OutputConfig=world["args"]["OutputConfig"])["ProjectVersionArn"]
    version = settled_version(rek, project)
    assert version["ProjectVersionArn"] == version_arn and version["Status"] == "TRAINING_COMPLETED", version
    described = rek.describe_project_versions(ProjectArn=project)
    assert_valid_output("DescribeProjectVersions", described)
    summary = version["EvaluationResult"]["Summary"]["S3Object"]
    evaluation = json.loads(world["s3"].get_object(Bucket=summary["Bucket"], Key=summary["Name"])["Body"].read())
    assert sorted(evaluation["EvaluationDetails"]["Labels"]) == ["car", "cone", "truck"]


def test_training_from_datasets_follows_the_training_rules(world):
    rek, project = world["rek"], world["project"]
    one_label = [line("images/0.png", "car"), line("images/0-1.png", "car")]
    for kind in ("TRAIN", "TEST"):
        settled_dataset(rek, created(world, kind, world["put"](f"{kind}.manifest", jsonl(one_label))))
    rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig=world["args"]["OutputConfig"])
    version = settled_version(rek, project)
    assert version["Status"] == "TRAINING_FAILED"
    assert version["StatusMessage"].startswith("ERROR_MANIFEST_TOO_FEW_LABELS: The manifest file has too few labels.")


def test_create_project_version_needs_both_datasets_or_manifests_but_not_both(world):
    rek, project, args = world["rek"], world["project"], world["args"]
    with pytest.raises(ClientError) as excinfo:  # no datasets and no manifests
        rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig=args["OutputConfig"])
    assert code(excinfo) == "InvalidParameterException" and "no datasets" in str(excinfo.value)
    world["control"].configure({"timing": {"mode": "manual"}})
    train = created(world, "TRAIN", world["put"]("t.manifest", classification_manifest(TRAIN_BUCKET, ["car", "truck"])))
    with pytest.raises(ClientError) as excinfo:  # still being created
        rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig=args["OutputConfig"])
    assert code(excinfo) == "InvalidParameterException" and "no TEST dataset" in str(excinfo.value)
    world["control"].advance()
    assert settled_dataset(rek, train)["Status"] == "CREATE_COMPLETE"
    with pytest.raises(ClientError) as excinfo:  # a training dataset alone: the API does not split it
        rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig=args["OutputConfig"])
    assert "DistributeDatasetEntries" in str(excinfo.value)
    with pytest.raises(ClientError) as excinfo:  # manifests are refused once the project has datasets
        rek.create_project_version(ProjectArn=project, VersionName="v1", **args)
    assert code(excinfo) == "InvalidParameterException" and "has datasets" in str(excinfo.value)
    created(world, "TEST")
    with pytest.raises(ClientError) as excinfo:
        rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig=args["OutputConfig"])
    assert code(excinfo) == "ResourceInUseException"


@pytest.mark.parametrize("case, expected", [
    ("missing", "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT: The manifest file extension or contents are invalid."),
    ("empty", "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"),
    ("terminal", "ERROR_TOO_MANY_RECORDS_IN_ERROR: The manifest file has too many terminal errors."),
    ("labels", "ERROR_MANIFEST_TOO_MANY_LABELS: The manifest file has too many labels."),
])
def test_terminal_file_errors_fail_the_creation(world, case, expected):
    lines = {
        "empty": "\n\n",
        "terminal": jsonl([line("images/0.png", "car"), "{not json", {"label": 1}, {"source-ref": "https://x/y"}]),
        "labels": jsonl([line(f"images/{i}.png", f"label{i}") for i in range(251)]),
    }
    source = manifest_source(TRAIN_BUCKET, "nowhere.manifest") if case == "missing" else world["put"]("m", lines[case])
    dataset = created(world, "TRAIN", source)
    described = settled_dataset(world["rek"], dataset)
    assert described["Status"] == "CREATE_FAILED" and described["StatusMessageCode"] == "CLIENT_ERROR"
    assert described["StatusMessage"].startswith(expected), described["StatusMessage"]
    with pytest.raises(ClientError) as excinfo:
        world["rek"].list_dataset_entries(DatasetArn=dataset)
    assert code(excinfo) == "ResourceNotReadyException"


def test_terminal_content_errors_remove_lines_and_non_terminal_errors_mark_them(world):
    rek = world["rek"]
    good = [line(f"images/{i}.png", "car" if i % 2 else "truck") for i in range(8)]
    lines = [*good, "{broken", line("images/0.png", "car"), {"source-ref": "s3://b/k", "x-metadata": "not an object"}]
    described = settled_dataset(rek, dataset := created(world, "TRAIN", world["put"]("m", jsonl(lines))))
    assert described["Status"] == "CREATE_COMPLETE"
    # The broken line and the second images/0.png are gone; the line without usable labels stays, with its error.
    assert described["DatasetStats"] == {"LabeledEntries": 8, "TotalEntries": 9, "TotalLabels": 2, "ErrorEntries": 1}
    errors = [json.loads(e) for e in rek.list_dataset_entries(DatasetArn=dataset, HasErrors=True)["DatasetEntries"]]
    assert [e["source-ref"] for e in errors] == ["s3://b/k"]
    assert errors[0]["cl-errors"][0]["code"] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    assert errors[0]["cl-metadata"] == {"is_labeled": False}


def test_list_dataset_entries_filters(world):
    rek = world["rek"]
    lines = [line("images/0.png", "car"), line("images/1.png", "truck"), line("other/2.png", "cone"),
             {"source-ref": f"s3://{TRAIN_BUCKET}/other/3.png", "nothing-metadata": {"type": "x"}}]
    dataset = created(world, "TRAIN", world["put"]("m", jsonl(lines)))
    settled_dataset(rek, dataset)

    def refs(**filters):
        return [json.loads(e)["source-ref"].rsplit("/", 2)[-2] + "/" + json.loads(e)["source-ref"].rsplit("/", 1)[-1]
                for e in rek.list_dataset_entries(DatasetArn=dataset, **filters)["DatasetEntries"]]

    assert refs() == ["images/0.png", "images/1.png", "other/2.png", "other/3.png"]
    assert refs(HasErrors=False) == refs()  # AWS's own example passes HasErrors=False to list everything
    assert refs(ContainsLabels=["car", "cone"]) == ["images/0.png", "other/2.png"]
    assert refs(Labeled=True) == ["images/0.png", "images/1.png", "other/2.png"]
    assert refs(Labeled=False) == ["other/3.png"]
    assert refs(SourceRefContains="other/") == ["other/2.png", "other/3.png"]
    assert refs(HasErrors=True) == ["other/3.png"]
    for bad in ({"MaxResults": 101}, {"NextToken": "not-a-token"}):
        with pytest.raises(ClientError) as excinfo:
            rek.list_dataset_entries(DatasetArn=dataset, **bad)
        assert code(excinfo) in ("InvalidParameterException", "InvalidPaginationTokenException")
    labels = rek.list_dataset_labels(DatasetArn=dataset, MaxResults=2)
    assert len(labels["DatasetLabelDescriptions"]) == 2 and labels["NextToken"]
    rest = rek.list_dataset_labels(DatasetArn=dataset, NextToken=labels["NextToken"])
    assert [d["LabelName"] for d in rest["DatasetLabelDescriptions"]] == ["cone"] and "NextToken" not in rest


def test_update_dataset_entries_adds_and_replaces_by_source_ref(world):
    rek = world["rek"]
    dataset = created(world, "TRAIN", world["put"]("m", jsonl([line("images/0.png", "car"), line("images/1.png", "car")])))
    settled_dataset(rek, dataset)
    changes = jsonl([line("images/1.png", "truck"), line("images/2.png", "cone")])
    assert_valid_output("UpdateDatasetEntries", rek.update_dataset_entries(DatasetArn=dataset,
                                                                          Changes={"GroundTruth": changes.encode()}))
    with pytest.raises(ClientError) as excinfo:  # one change at a time
        rek.update_dataset_entries(DatasetArn=dataset, Changes={"GroundTruth": changes.encode()})
    assert code(excinfo) == "ResourceInUseException"
    described = rek.describe_dataset(DatasetArn=dataset)["DatasetDescription"]
    assert described["Status"] == "UPDATE_IN_PROGRESS"
    described = settled_dataset(rek, dataset)
    assert described["Status"] == "UPDATE_COMPLETE" and described["DatasetStats"]["TotalEntries"] == 3
    entries = [json.loads(e) for e in rek.list_dataset_entries(DatasetArn=dataset)["DatasetEntries"]]
    assert [(e["source-ref"][-5:], e["label-metadata"]["class-name"]) for e in entries] == [
        ("0.png", "car"), ("1.png", "truck"), ("2.png", "cone")]
    rek.update_dataset_entries(DatasetArn=dataset, Changes={"GroundTruth": b"{oops\n{oops\n"})
    described = settled_dataset(rek, dataset)
    assert described["Status"] == "UPDATE_FAILED" and described["StatusMessage"].startswith("ERROR_TOO_MANY_RECORDS_IN_ERROR")
    assert described["DatasetStats"]["TotalEntries"] == 3  # a failed update changes nothing


def test_distribute_dataset_entries_moves_a_fifth_of_each_label_to_the_empty_test_dataset(world):
    rek = world["rek"]
    lines = [line(f"images/{label}-{i}.png", label) for label in ("car", "truck") for i in range(10)]
    train = created(world, "TRAIN", world["put"]("m", jsonl(lines)))
    test = created(world, "TEST")
    for arn in (train, test):
        settled_dataset(rek, arn)
    with pytest.raises(ClientError) as excinfo:
        rek.distribute_dataset_entries(Datasets=[{"Arn": train}, {"Arn": train}])
    assert code(excinfo) == "InvalidParameterException"
    assert_valid_output("DistributeDatasetEntries", rek.distribute_dataset_entries(Datasets=[{"Arn": train}, {"Arn": test}]))
    stats = {arn: settled_dataset(rek, arn) for arn in (train, test)}
    assert {d["Status"] for d in stats.values()} == {"UPDATE_COMPLETE"}
    assert stats[train]["DatasetStats"]["TotalEntries"] == 16 and stats[test]["DatasetStats"]["TotalEntries"] == 4
    with pytest.raises(ClientError) as excinfo:  # the test dataset must be empty
        rek.distribute_dataset_entries(Datasets=[{"Arn": train}, {"Arn": test}])
    assert code(excinfo) == "InvalidParameterException"


def test_distribute_fails_when_a_label_has_too_few_images(world):
    rek = world["rek"]
    train = created(world, "TRAIN", world["put"]("m", jsonl([line("images/0.png", "car"), line("images/1.png", "truck"),
                                                             line("images/2.png", "truck")])))
    test = created(world, "TEST")
    for arn in (train, test):
        settled_dataset(rek, arn)
    rek.distribute_dataset_entries(Datasets=[{"Arn": test}, {"Arn": train}])
    for arn in (train, test):
        described = settled_dataset(rek, arn)
        assert described["Status"] == "UPDATE_FAILED"
        assert described["StatusMessage"].startswith("ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE")


def test_copy_a_dataset_into_another_project(world):
    rek = world["rek"]
    source = created(world, "TRAIN", world["put"]("m", classification_manifest(TRAIN_BUCKET, ["car", "truck"])))
    settled_dataset(rek, source)
    other = rek.create_project(ProjectName="copy-target")["ProjectArn"]
    copy = rek.create_dataset(ProjectArn=other, DatasetType="TEST", DatasetSource={"DatasetArn": source})["DatasetArn"]
    assert settled_dataset(rek, copy)["DatasetStats"]["TotalEntries"] == 4
    for bad_source in ({}, {"DatasetArn": source, **manifest_source(TRAIN_BUCKET, "m")}):
        with pytest.raises(ClientError) as excinfo:
            rek.create_dataset(ProjectArn=other, DatasetType="TRAIN", DatasetSource=bad_source)
        assert code(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        rek.create_dataset(ProjectArn=other, DatasetType="TEST")
    assert code(excinfo) == "ResourceAlreadyExistsException"


def test_delete_dataset_and_project(world):
    rek, project = world["rek"], world["project"]
    world["control"].configure({"timing": {"mode": "manual"}})
    dataset = created(world, "TRAIN")
    with pytest.raises(ClientError) as excinfo:
        rek.delete_dataset(DatasetArn=dataset)
    assert code(excinfo) == "ResourceInUseException"  # "You can't delete a dataset while it is creating"
    world["control"].advance()
    assert_valid_output("DeleteDataset", rek.delete_dataset(DatasetArn=dataset))
    assert rek.describe_dataset(DatasetArn=dataset)["DatasetDescription"]["Status"] == "DELETE_IN_PROGRESS"
    with pytest.raises(ClientError) as excinfo:  # "delete all models and datasets in the project" first
        rek.delete_project(ProjectArn=project)
    assert code(excinfo) == "ResourceInUseException"
    moved = world["control"].advance()
    assert {"region": REGION, "project": "datasets", "version": None, "dataset": "TRAIN",
            "from": "DELETE_IN_PROGRESS", "to": "DELETED"} in moved
    with pytest.raises(ClientError) as excinfo:
        rek.describe_dataset(DatasetArn=dataset)
    assert code(excinfo) == "ResourceNotFoundException"
    assert rek.describe_projects()["ProjectDescriptions"][0]["Datasets"] == []
    assert rek.delete_project(ProjectArn=project)["Status"] == "DELETING"


def test_dataset_arns_of_other_regions_and_bad_arns(world, rekognition):
    rek = world["rek"]
    dataset = created(world, "TRAIN")
    with pytest.raises(ClientError) as excinfo:
        rekognition("eu-west-1").describe_dataset(DatasetArn=dataset)
    assert code(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        rek.describe_dataset(DatasetArn=dataset.replace("/train/", "/validation/"))
    assert code(excinfo) == "InvalidParameterException"


def test_images_bucket_in_another_region_is_refused_at_training(world):
    """A dataset only stores JSON Lines; its images are read when a model trains (with the training rules)."""
    url = world["url"]
    create_bucket(url, "eu-west-1", "images-eu")
    for key in ("a.png", "b.png"):
        client("s3", "eu-west-1", url).put_object(Bucket="images-eu", Key=key, Body=png())
    lines = [line("a.png", "car", "images-eu"), line("b.png", "truck", "images-eu")]
    for kind in ("TRAIN", "TEST"):
        assert settled_dataset(world["rek"], created(world, kind, world["put"](kind, jsonl(lines))))["Status"] == "CREATE_COMPLETE"
    world["rek"].create_project_version(ProjectArn=world["project"], VersionName="v1",
                                        OutputConfig=world["args"]["OutputConfig"])
    assert settled_version(world["rek"], world["project"])["Status"] == "TRAINING_FAILED"
