"""The dataset preflight and the local endpoint's training agree on a corpus of manifests, both ways.

For every manifest: the real `preflight_dataset` activity (boto3 HEAD and ranged GETs over HTTP) gives its verdict,
then the same manifest is trained by CreateProjectVersion (TestingData AutoCreate, as the build trains).
- preflight refuses => training fails; training fails => preflight refuses, naming the rule training failed on;
- what trains is accepted (a few invalid lines, few images per label: warnings only).
The two are written apart (configuration/dataset_rules.py never imports localaws), so a rule one of them gets
wrong shows up here. The manifests are trained as they are (rewrites_buckets=False): the one-bucket rule applies.
"""

import json

import pytest
from localaws_support import client, create_bucket, jpeg_header, png
from temporalio.testing import ActivityEnvironment

from activities.clients import Boto3Clients
from activities.dataset import DatasetActivities
from activities.preflight import PreflightActivities
from configuration import dataset_preflight, dataset_rules
from localaws.custom_labels import manifest as emulator_manifest
from localaws.custom_labels import training_rules as emulator_rules
from workflows.models import ManifestRewriteInput, PreflightInput

REGION, TRAIN, OTHER, OUTPUT = "eu-west-1", "agree-train", "agree-other", "agree-output"
OK = f"s3://{TRAIN}/images/ok-0.png"
# Terminal manifest file errors have no code on AWS: the emulator's message, and the preflight's rule for it.
FILE_ERRORS = {
    "The manifest file is empty": "MANIFEST_FILE_EMPTY",
    "The manifest file size exceeds the maximum supported size": "MANIFEST_FILE_SIZE",
    "The manifest file extension or contents are invalid": "MANIFEST_FILE_ENCODING",
}


def image(index: int = 0, bucket: str = TRAIN, name: str = "ok") -> str:
    return f"s3://{bucket}/images/{name}-{index}.png"


def cls(label: str, ref: str = OK, **extra) -> dict:
    return {"source-ref": ref, "c": 1, "c-metadata": {"class-name": label, "type": "groundtruth/image-classification"},
            **extra}


def det(labels: list[str], ref: str = OK, boxes: list | None = None, class_map: dict | None = None) -> dict:
    boxes = boxes if boxes is not None else [
        {"class_id": i, "left": 1, "top": 1, "width": 10, "height": 10} for i in range(len(labels))]
    return {"source-ref": ref, "b": {"annotations": boxes},
            "b-metadata": {"class-map": class_map if class_map is not None else dict(enumerate(labels)),
                           "type": "groundtruth/object-detection"}}


def two_labels(per_label: int = 2) -> list[dict]:
    return [cls(name, image(i)) for name in ("car", "truck") for i in range(per_label)]


BROKEN_LINES = [  # one JSON Line error each (tm-debugging-json-line-errors.html)
    "not json at all",
    json.dumps(["a", "list"]),
    json.dumps({"c": 1, "c-metadata": {"class-name": "car"}}),
    json.dumps({"source-ref": "https://example.com/a.png", "c": 1, "c-metadata": {"class-name": "car"}}),
    json.dumps({"source-ref": OK}),
    json.dumps({"source-ref": OK, "c": 1, "c-metadata": "car"}),
    json.dumps({"source-ref": OK, "c-metadata": {"class-name": "car"}}),
    json.dumps({"source-ref": OK, "c": 1, "c-metadata": {"confidence": 1}}),
    json.dumps(det(["car"], boxes=[{"class_id": 7, "left": 1, "top": 1, "width": 2, "height": 2}])),
    json.dumps(det(["car"], boxes=[{"class_id": 0, "left": -1, "top": 1, "width": 2, "height": 2}])),
    json.dumps({"source-ref": OK, "b": {"annotations": []}, "b-metadata": {"type": "groundtruth/object-detection"}}),
    json.dumps({"source-ref": OK, "b": {"boxes": 1}, "b-metadata": {"class-map": {}, "type": "groundtruth/object-detection"}}),
]


def lines(*records) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


CORPUS = {
    # trains
    "two labels": lines(*two_labels()),
    "detection with one label": lines(*[det(["car"], image(i)) for i in range(3)]),
    "multi-label classification": lines(*[{"source-ref": image(i), "m": [0, 1], "m-metadata": {
        "class-map": {"0": "car", "1": "truck"}, "type": "groundtruth/image-classification-multilabel"}}
        for i in range(3)]),
    "one bad image in ten lines": lines(*two_labels(4), cls("car", image(name="gif")), cls("truck", image(9))),
    "one broken line in six": lines(*two_labels(), cls("car", image(5)), BROKEN_LINES[0]),
    "a jpeg": lines(*two_labels(), cls("car", f"s3://{TRAIN}/images/photo.jpg")),
    "blank lines and a missing final newline": lines(*two_labels())[:-1].replace(b"\n", b"\n\n  \n"),
    # fails on a content rule
    "one label": lines(*[cls("car", image(i)) for i in range(4)]),
    "251 labels": lines(*[cls(f"label-{n}", image(i)) for n in range(251) for i in range(2)]),
    "two buckets": lines(*two_labels(), cls("truck", image(0, OTHER))),
    "one image of a label": lines(*[cls("car", image(i)) for i in range(5)], cls("truck", image(6))),
    "three missing images in eleven": lines(*two_labels(4), *[cls("car", image(i, name="missing")) for i in range(3)]),
    "every JSON line error": lines(*two_labels(), *BROKEN_LINES),
    "small, stretched and non-image files": lines(*two_labels(), *[cls("car", image(name=n)) for n in ("small", "wide",
                                                                                                       "gif", "empty")]),
    "a jpeg without a frame header": lines(cls("car", f"s3://{TRAIN}/images/noframe.jpg"),
                                           cls("car", f"s3://{TRAIN}/images/noframe.jpg"), *two_labels(1)),
    "detection boxes naming unknown classes": lines(*[det(["car"], image(i), class_map={"5": "car"}) for i in range(3)]),
    "nothing valid": lines(*BROKEN_LINES[:4]),
    # fails on the manifest file itself
    "only blank lines": b"\n   \n\n",
    "not UTF-8": lines(*two_labels()) + b'{"source-ref": "s3://agree-train/images/\xff.png"}\n',
}


@pytest.fixture
def buckets(local_aws, fast):
    for bucket in (TRAIN, OTHER, OUTPUT):
        create_bucket(local_aws.url, REGION, bucket)
    s3 = client("s3", REGION, local_aws.url)
    for index in range(10):
        s3.put_object(Bucket=TRAIN, Key=f"images/ok-{index}.png", Body=png(seed=index))
    s3.put_object(Bucket=OTHER, Key="images/ok-0.png", Body=png(seed=50))
    bad = {"gif-0": b"GIF89a not a png", "small-0": png(width=32, height=64), "wide-0": png(width=1300, height=64),
           "empty-0": b""}
    for name, body in bad.items():
        s3.put_object(Bucket=TRAIN, Key=f"images/{name}.png", Body=body)
    s3.put_object(Bucket=TRAIN, Key="images/photo.jpg", Body=jpeg_header(80, 96))
    s3.put_object(Bucket=TRAIN, Key="images/noframe.jpg", Body=b"\xff\xd8\xff\xe0\x00\x04ab\xff\xd9")
    return s3


@pytest.fixture
def rek(local_aws, buckets):
    return client("rekognition", REGION, local_aws.url)


def preflight(key: str, regions=(REGION,)):
    activities = PreflightActivities(Boto3Clients(), workers=4)
    return ActivityEnvironment().run(activities.preflight_dataset,
                                     PreflightInput(REGION, TRAIN, key, list(regions), rewrites_buckets=False))


def train(rek, key: str, version: str) -> dict:
    project = rek.create_project(ProjectName=f"Agree-{version}")["ProjectArn"]
    rek.create_project_version(
        ProjectArn=project, VersionName=version, OutputConfig={"S3Bucket": OUTPUT, "S3KeyPrefix": f"{version}/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": TRAIN, "Name": key}}}]},
        TestingData={"AutoCreate": True})
    for _ in range(3):
        description = rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]
        if description["Status"] != "TRAINING_IN_PROGRESS":
            return description
    raise AssertionError("training never ended")


def training_rule(message: str) -> str:
    """The code a failed training names (content errors), or the preflight rule of a manifest file error."""
    for text, rule in FILE_ERRORS.items():
        if message.startswith(text):
            return rule
    return message.split(":", 1)[0]


def rules_of(report) -> set[str]:
    return {finding.split(": ", 2)[1] for finding in report.findings}


def agree(buckets, rek, body: bytes, version: str):
    key = f"manifests/{version}.manifest"
    buckets.put_object(Bucket=TRAIN, Key=key, Body=body)
    report = preflight(key)
    description = train(rek, key, version)
    failed = description["Status"] == "TRAINING_FAILED"
    assert report.rejected == failed, (description["StatusMessage"], report)
    if failed:
        assert training_rule(description["StatusMessage"]) in rules_of(report), (description["StatusMessage"], report)
    if "ManifestSummary" in description:  # the lines were validated: both count the same valid lines
        found = description["ManifestSummary"]["S3Object"]
        summary = json.loads(buckets.get_object(Bucket=found["Bucket"], Key=found["Name"])["Body"].read())
        statistics = summary["statistics"]
        assert report.lines == sum(statistics[d]["total_json_lines"] for d in ("training", "testing"))
        assert report.valid_lines == sum(statistics[d]["valid_json_lines"] for d in ("training", "testing"))
    return report, description


@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_preflight_refuses_exactly_what_training_fails(buckets, rek, case):
    report, _ = agree(buckets, rek, CORPUS[case], f"c{list(CORPUS).index(case)}")
    assert all(len(text.splitlines()) == 1 for text in report.findings + report.warnings)


def test_a_trainable_dataset_with_bad_lines_gets_one_warning_per_line_with_its_number(buckets, rek):
    report, description = agree(buckets, rek, CORPUS["one bad image in ten lines"], "warned")
    assert description["Status"] == "TRAINING_COMPLETED"
    bad = [w for w in report.warnings if w.startswith("line 9: ERROR_INVALID_IMAGE")]
    assert len(bad) == 1 and "is not a PNG or JPEG image" in bad[0] and "left out of training" in bad[0]
    assert any("FEW_IMAGES_PER_LABEL" in w for w in report.warnings)


def test_every_finding_names_the_rule_the_line_and_what_to_change(buckets, rek):
    report, _ = agree(buckets, rek, CORPUS["every JSON line error"], "named")
    codes = {line.split(": ")[1] for line in report.findings if line.startswith("line ")}
    assert codes == {"ERROR_INVALID_JSON_LINE", "ERROR_MISSING_SOURCE_REF", "ERROR_INVALID_SOURCE_REF_FORMAT",
                     "ERROR_NO_LABEL_ATTRIBUTES", "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT",
                     "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", "ERROR_NO_VALID_LABEL_ATTRIBUTES",
                     "ERROR_MISSING_CLASS_MAP_ID", "ERROR_INVALID_BOUNDING_BOX"}
    assert report.findings[1].startswith("line 5: ERROR_INVALID_JSON_LINE")  # 1-based: after four good lines
    assert all(text.count(": ") >= 3 for text in report.findings)  # where: rule: problem: fix


@pytest.mark.parametrize("limit", ["rows", "manifest size", "image size"])
def test_limits_too_large_to_upload_agree_when_shrunk(buckets, rek, monkeypatch, limit):
    """The 250,000 lines, 1 GB and 15 MB limits, shrunk in both (the endpoint runs in this process)."""
    if limit == "rows":
        monkeypatch.setattr(emulator_rules, "MAX_ROWS", 3)
        monkeypatch.setattr(dataset_rules, "MAX_ROWS", 3)
    elif limit == "manifest size":
        monkeypatch.setattr(emulator_manifest, "MAX_MANIFEST_BYTES", 100)
        monkeypatch.setattr(dataset_preflight, "MAX_MANIFEST_BYTES", 100)
    else:
        monkeypatch.setattr(emulator_manifest, "MAX_IMAGE_BYTES", 20)
        monkeypatch.setattr(dataset_rules, "MAX_IMAGE_BYTES", 20)
    report, description = agree(buckets, rek, CORPUS["two labels"], f"shrunk-{limit.replace(' ', '-')}")
    assert report.rejected and description["Status"] == "TRAINING_FAILED"


def test_mumbai_and_london_allow_fewer_lines(buckets, monkeypatch):
    monkeypatch.setitem(dataset_rules.SMALL_REGION_ROWS, "ap-south-1", 3)
    buckets.put_object(Bucket=TRAIN, Key="manifests/regions.manifest", Body=CORPUS["two labels"])
    assert not preflight("manifests/regions.manifest", ["eu-west-1", "us-east-1"]).rejected
    refused = preflight("manifests/regions.manifest", ["eu-west-1", "ap-south-1"])
    assert refused.rejected and "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM" in rules_of(refused)


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf" + CORPUS["two labels"] * 3,
                                  CORPUS["two labels"] + b'{"pad": "' + b"p" * (1024 * 1024) + b'"}\n'],
                         ids=["bom", "line-over-1-MiB"])
def test_what_the_preflight_refuses_beyond_training_the_build_refuses_too(buckets, body):
    """A BOM or an overlong line is not a documented training failure; the build's own manifest rewrite refuses it
    (activities/dataset.py), so refusing it first loses no dataset that the build could train."""
    buckets.put_object(Bucket=TRAIN, Key="manifests/build-rule.manifest", Body=body)
    report = preflight("manifests/build-rule.manifest")
    assert report.rejected and rules_of(report) <= {"UTF8_BOM", "LINE_TOO_LONG"}
    rewrite = DatasetActivities(Boto3Clients()).write_regional_manifest
    with pytest.raises(Exception) as refused:
        ActivityEnvironment().run(rewrite, ManifestRewriteInput(REGION, TRAIN, "manifests/build-rule.manifest",
                                                                OUTPUT, "rewritten.manifest"))
    assert getattr(refused.value, "type", None) == "InvalidManifestException"
