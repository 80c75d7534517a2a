"""Bad input through the CLI, the workflows' JSON inputs and the inference endpoint: one clear error each, and
`status` shows nothing half-made afterwards."""

import json
import os
import time
import urllib.error
import urllib.request

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.reliability
REGION = "us-east-1"
OTHER = "eu-west-2"
BAD_PROJECT = "BadInput"


def assert_clear_cli_error(result: harness.CliResult) -> str:
    """Non-zero exit, a readable message, never a traceback."""
    assert result.returncode != 0, f"`{' '.join(result.args)}` was accepted:\n{result.output}"
    assert "Traceback" not in result.output, result.output
    message = result.stderr.strip() or result.stdout.strip()
    assert message, f"`{' '.join(result.args)}` failed silently"
    harness.FIGURES.bad_inputs["CLI"] += 1
    return message


def record_leftovers(stack, label: str, project: str, regions: list[str] | None = None) -> list[str]:
    found = stack.leftovers(project, regions)
    harness.FIGURES.leaked[label] = found
    return found


# ------------------------------------------------------------------------------------------------ CLI

CLI_CASES = {
    "invalid project name": (["build", "--project", "bad name!", "--version", "v1", "--manifest", harness.MANIFEST_KEY],
                             "invalid project name"),
    "invalid version name": (["build", "--project", BAD_PROJECT, "--version", "v 1", "--manifest", harness.MANIFEST_KEY],
                             "invalid version name"),
    "version name of 256 chars": (["build", "--project", BAD_PROJECT, "--version", "v" * 256,
                                   "--manifest", harness.MANIFEST_KEY], "invalid version name"),
    "unknown region": (["build", "--project", BAD_PROJECT, "--version", "v1", "--manifest", harness.MANIFEST_KEY,
                        "--region", "mars-north-1"], "unknown region"),
    "start a version that does not exist": (["start", "--project", BAD_PROJECT, "--versions", "ghost",
                                             "--region", REGION], "not found"),
    "stop a version that does not exist": (["stop", "--project", BAD_PROJECT, "--versions", "ghost",
                                            "--region", REGION], "not found"),
    "delete a version that does not exist": (["delete", "--project", BAD_PROJECT, "--versions", "ghost", "-y",
                                              "--region", REGION], "not found"),
    "max units below min units": (["start", "--project", BAD_PROJECT, "--versions", "v1", "--min-inference-units", "3",
                                   "--max-inference-units", "2", "--region", REGION], "below"),
    "unparsable ttl": (["start", "--project", BAD_PROJECT, "--versions", "v1", "--ttl", "banana",
                        "--region", REGION], "invalid duration"),
    "mistyped canary": (["build", "--project", BAD_PROJECT, "--version", "v1", "--manifest", harness.MANIFEST_KEY,
                         "--canary", "us-esat-1"], "did you mean us-east-1?"),
    "min-f1 of a build without a canary": (["build", "--project", BAD_PROJECT, "--version", "v1", "--manifest",
                                            harness.MANIFEST_KEY, "--min-f1", "0.8"], "add --canary REGION"),
    "sync of a missing folder": (["sync", "/nonexistent/dataset"], "does not exist"),
    "predict with a missing file": (["predict", "/nonexistent/image.png"], "is not a file"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_rejects_bad_arguments(stack, case):
    args, expected = CLI_CASES[case]
    message = assert_clear_cli_error(stack.cli(*args))
    assert expected in message, message
    assert len(message.splitlines()) == 1, message


def test_cli_rejects_bad_datasets(stack):
    empty = stack.work / "empty-dataset"
    empty.mkdir(exist_ok=True)
    assert "holds no files" in assert_clear_cli_error(stack.cli("sync", str(empty)))
    malformed = stack.work / "malformed-dataset"
    malformed.mkdir(exist_ok=True)
    (malformed / "output.manifest").write_text('{"source-ref": "s3://x/a.png"}\nthis is not json\n')
    assert "not JSON" in assert_clear_cli_error(stack.cli("sync", str(malformed), "--prefix", "datasets/malformed/"))
    text = stack.work / "not-an-image.png"
    text.write_text("hello, I am text\n")
    message = assert_clear_cli_error(stack.cli("predict", str(text), "--project", BAD_PROJECT, "--version", "v1"))
    assert "415" in message or "image" in message, message


def test_cli_rejects_a_name_with_a_trailing_newline(stack):
    result = stack.cli("build", "--project", BAD_PROJECT, "--version", "v1\n", "--manifest", "datasets/none/x.manifest",
                       "--region", REGION, "--no-wait")
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += result.returncode == 0
    message = assert_clear_cli_error(result)
    assert "invalid version name" in message, message


def test_cli_bad_input_left_nothing(stack):
    assert record_leftovers(stack, "CLI bad input", BAD_PROJECT) == []


# ------------------------------------------------------------------------------------------------ workflow JSON

K = harness.MANIFEST_KEY
JSON_CASES = {
    "build: invalid project name": ("BuildModelWorkflow", {"ProjectName": "bad name!", "ManifestKey": K,
                                                           "VersionName": "v1"}, "invalid project name"),
    "build: project name with a slash": ("BuildModelWorkflow", {"ProjectName": "a/b", "ManifestKey": K,
                                                                "VersionName": "v1"}, "invalid project name"),
    "build: no manifest": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": "", "VersionName": "v1"},
                           "ManifestKey is required"),
    "build: no version": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K, "VersionName": ""},
                          "VersionName is required"),
    "build: unknown region": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K, "VersionName": "v1",
                                                     "Regions": ["mars-north-1"]}, "not an AWS region name"),
    "build: empty region list": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K,
                                                        "VersionName": "v1", "Regions": []}, "Regions is empty"),
    "build: unknown poll policy": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K,
                                                          "VersionName": "v1", "PollPolicy": "sometimes"}, "sometimes"),
    "build: negative training hours": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K,
                                                              "VersionName": "v1", "MaxTrainingHours": -1},
                                       "MaxTrainingHours"),
    "start: no versions": ("StartModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": []}, "VersionNames"),
    "start: zero inference units": ("StartModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": ["v1"],
                                                           "MinInferenceUnits": 0}, "MinInferenceUnits"),
    "build: canary outside the run's regions": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K,
                                                                       "VersionName": "v1", "CanaryRegion": "eu-wset-2"},
                                                "CanaryRegion eu-wset-2 is not one of the run's regions"),
    "build: MinF1 without a canary": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K,
                                                             "VersionName": "v1", "MinF1": 0.8}, "canary's quality gate"),
    "build: no region at once": ("BuildModelWorkflow", {"ProjectName": BAD_PROJECT, "ManifestKey": K, "VersionName": "v1",
                                                        "MaxConcurrentRegions": 0}, "MaxConcurrentRegions"),
    "start: MinF1 above 1": ("StartModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": ["v1"], "MinF1": 80},
                             "MinF1 must be at most 1"),
    "start: version that does not exist": ("StartModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": ["ghost"],
                                                                  "Regions": [REGION, OTHER]}, "not found"),
    "stop: version listed twice": ("StopModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": ["v1", "v1"]},
                                   "twice"),
    "delete: invalid version name": ("DeleteModelWorkflow", {"ProjectName": BAD_PROJECT, "VersionNames": ["../x"]},
                                     "invalid version name"),
}


@pytest.mark.parametrize("case", list(JSON_CASES))
def test_workflow_rejects_bad_json_input(stack, case):
    workflow_type, payload, expected = JSON_CASES[case]
    workflow_id = f"bad-json/{case.replace(' ', '-').replace(':', '')}"
    stack.start_workflow(workflow_type, payload, workflow_id)
    kind, outcome = stack.workflow_outcome(workflow_id, timeout=120)
    assert kind == "failed", f"{case}: accepted, result {outcome}"
    error_type, message, _ = outcome
    assert expected in message, (case, error_type, message)
    assert "Traceback" not in message
    harness.FIGURES.bad_inputs["workflow JSON"] += 1


def test_workflow_rejects_json_of_the_wrong_shape(stack):
    cases = {
        "bad-json/project-is-a-number": ({"ProjectName": 5, "VersionNames": ["v1"]}, "ProjectName"),
        "bad-json/regions-is-a-string": ({"ProjectName": BAD_PROJECT, "VersionNames": ["v1"], "Regions": REGION},
                                         "Regions"),
    }
    problems = []
    for workflow_id, (payload, expected) in cases.items():
        stack.start_workflow("StopModelWorkflow", payload, workflow_id)
        try:
            kind, outcome = stack.workflow_outcome(workflow_id, timeout=10)
        except AssertionError as exc:
            problems.append(str(exc))
            continue
        finally:
            stack.terminate(workflow_id)
        if kind != "failed" or expected not in outcome[1]:
            problems.append(f"{workflow_id}: {kind} {outcome}")
    assert not problems, problems


def test_json_bad_input_left_nothing(stack):
    assert record_leftovers(stack, "workflow JSON bad input", BAD_PROJECT) == []


# ------------------------------------------------------------------------------------------------ manifests

def build_one_region(stack, project: str, manifest: str, region: str = REGION) -> dict:
    result = stack.cli("build", "--project", project, "--version", "v1", "--manifest", manifest, "--region", region,
                       "--json")
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    assert result.returncode == 1, result.output
    if not result.stdout.strip():  # refused by the CLI's own check before anything started (issue 16.4): one line
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: manifest "), result.output
        answer = {"refused_before_start": lines[0]}
    else:
        answer = result.json()
    harness.FIGURES.bad_inputs["manifest"] += 1
    return answer


def test_manifest_that_does_not_exist(stack):
    answer = build_one_region(stack, "BadManifestMissing", "datasets/nowhere/output.manifest")
    reason = json.dumps(answer)
    assert "not found" in reason and "datasets/nowhere/output.manifest" in reason, answer
    assert record_leftovers(stack, "manifest that does not exist", "BadManifestMissing", [REGION]) == []


def test_malformed_manifest(stack):
    stack.put_object("datasets/garbled/output.manifest", b"this is not json\n")
    answer = build_one_region(stack, "BadManifestGarbled", "datasets/garbled/output.manifest")
    assert "line 1" in json.dumps(answer), answer
    assert record_leftovers(stack, "malformed manifest", "BadManifestGarbled", [REGION]) == []


def test_empty_manifest_leaves_nothing(stack):
    stack.put_object("datasets/empty/output.manifest", b"")
    project = "BadManifestEmpty"
    try:
        answer = build_one_region(stack, project, "datasets/empty/output.manifest")
        assert "empty" in json.dumps(answer).lower(), answer
        assert record_leftovers(stack, "empty manifest", project, [REGION]) == []
    finally:
        stack.cli("delete", "--project", project, "-y", "--region", REGION)


def test_manifest_naming_a_missing_image(stack):
    bucket = stack.management_bucket
    line = json.loads((stack.work / "dataset" / "output.manifest").read_text().splitlines()[0])
    line["source-ref"] = f"s3://{bucket}/datasets/ghost/images/missing.png"
    stack.put_object("datasets/ghost/output.manifest", (json.dumps(line) + "\n").encode())
    project = "BadManifestGhost"
    started = stack.cli("build", "--project", project, "--version", "v1", "--manifest", "datasets/ghost/output.manifest",
                        "--region", REGION, "--no-wait", "--json")
    assert started.returncode == 0, started.output
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    workflow_id = started.json()["workflow_id"]

    def ended_or_waiting():
        if stack.workflow_status(workflow_id) != "RUNNING":
            return "ended"
        rows = (stack.progress(workflow_id) or {}).get("rows", [])
        return "waiting" if any(r["status"] == "WAITING_FOR_REPLICATION" for r in rows) else None

    try:
        state = harness.wait_for(ended_or_waiting, what="the build to end or to wait for replication", timeout=60)
        assert state == "ended", ("the build waits for s3://.../missing.png to replicate, though it is in no bucket: "
                                  f"{stack.progress(workflow_id)}")
        _, outcome = stack.workflow_outcome(workflow_id, timeout=30)
        assert "missing.png" in json.dumps(outcome), outcome
        harness.FIGURES.bad_inputs["manifest"] += 1
    finally:
        stack.terminate(workflow_id)
        stack.terminate(f"{project}/{REGION}/v1")
        record_leftovers(stack, "manifest naming a missing image", project, [REGION])


# ------------------------------------------------------------------------------------------------ state conflicts

def wait_status(stack, project: str, region: str, status: str) -> None:
    harness.wait_for(lambda: [v["status"] for v in stack.versions(project).get(region, [])] == [status],
                     what=f"{project} {status} in {region}")


def test_delete_while_training_and_start_while_deleting_wait_their_turn(clean):
    """Issue 15.2: overlapping operations, from the CLI or plain `temporal workflow start` with any id, are queued
    by the project's owner: nothing touches the training, then each runs in arrival order."""
    stack = clean
    project, region = "Conflicts", REGION
    stack.manual([region])
    started = stack.cli("build", "--project", project, "--version", "v1", "--manifest", K, "--region", region,
                        "--no-wait", "--json")
    assert started.returncode == 0, started.output
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    build_id = started.json()["workflow_id"]
    wait_status(stack, project, region, "TRAINING_IN_PROGRESS")

    # delete while training: queued (the CLI says so), the training untouched
    queued = stack.cli("delete", "--project", project, "--versions", "v1", "-y", "--region", region, "--no-wait")
    assert queued.returncode == 0 and f"queued: {build_id} is running" in queued.output, queued.output
    harness.FIGURES.workflow_runs["DeleteModelWorkflow"] += 1
    stack.start_workflow("DeleteModelWorkflow", {"ProjectName": project, "VersionNames": ["v1"], "Regions": [region]},
                         "json/delete-while-training")
    time.sleep(2)  # give a wrongly unqueued delete the time to reach Rekognition
    wait_status(stack, project, region, "TRAINING_IN_PROGRESS")
    assert stack.workflow_status(f"delete/{project}/v1") == "RUNNING"

    stack.control.advance(region=region, project=project)
    assert stack.workflow_outcome(build_id)[0] == "completed"
    wait_status(stack, project, region, "DELETING")  # then the queued delete ran

    # start while deleting: queued behind the deletes, then refused by Rekognition's answer (nothing left to start)
    stack.start_workflow("StartModelWorkflow", {"ProjectName": project, "VersionNames": ["v1"], "Regions": [region]},
                         "json/start-while-deleting")
    stack.control.advance(region=region, project=project)
    kind, summary = stack.workflow_outcome(f"delete/{project}/v1")
    assert kind == "completed" and summary["succeeded"] == [region], summary
    kind, summary = stack.workflow_outcome("json/delete-while-training")
    assert kind == "completed" and summary["rows"][0]["status"] == "DELETED", summary
    kind, outcome = stack.workflow_outcome("json/start-while-deleting")
    assert kind == "failed" and "version v1 not found" in outcome[1], outcome
    assert stack.versions(project).get(region, []) == []
    harness.FIGURES.bad_inputs["workflow JSON"] += 1
    stack.clear_faults()
    cleanup = stack.cli("delete", "--project", project, "-y", "--region", region, "--json")
    assert cleanup.returncode == 0, cleanup.output
    harness.FIGURES.workflow_runs["DeleteModelWorkflow"] += 1
    assert record_leftovers(stack, "delete while training / start while deleting", project, [region]) == []


# ------------------------------------------------------------------------------------------------ endpoint

def post(url: str, body: bytes, content_type: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{url}/?ProjectName={BAD_PROJECT}&VersionName=v1", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 - loopback test endpoint
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_endpoint_rejects_huge_and_non_image_uploads(stack):
    regional = f"http://127.0.0.1:{int(stack.env['GCL_INFERENCE_PORT']) + 1}"
    huge = b"\x89PNG\r\n\x1a\n" + os.urandom(5 * 1024 * 1024)
    cases = [
        ("huge PNG", huge, "image/png", 413),
        ("text as an image", b"hello, I am text", "image/png", 415),
        ("text/plain body", b"hello", "text/plain", 415),
        ("empty body", b"", "image/jpeg", 400),
    ]
    for url in (stack.inference_url, regional):
        for label, body, content_type, expected in cases:
            status, answer = post(url, body, content_type)
            assert status == expected, (url, label, status, answer)
            assert answer.get("error") and answer.get("message"), (url, label, answer)
            harness.FIGURES.bad_inputs["endpoint"] += 1
    assert stack.pid("inference"), "the inference adapters died on bad uploads"
