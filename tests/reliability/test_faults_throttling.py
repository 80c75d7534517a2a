"""30% of Rekognition calls throttled: the build still succeeds everywhere, retries stay within the policy's
bound, and rerunning the same command once the fault clears changes nothing (no duplicate versions)."""

import pytest
import reliability_harness as harness

from workflows.activity_api import AWS_RETRY

pytestmark = pytest.mark.reliability
THROTTLE_RATE = 0.3


def build(stack, project: str, version: str, regions: list[str], extra_env: dict[str, str] | None = None):
    args = ["build", "--project", project, "--version", version, "--manifest", harness.MANIFEST_KEY, "--json"]
    for region in regions:
        args += ["--region", region]
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    result = stack.cli(*args, extra_env=extra_env)
    if extra_env and "TEMPORAL_API_KEY" in extra_env:
        harness.SECRET_RUNS.append(f"build/{project}/{version}")
    return result


def rekognition_calls(calls: dict[str, int], regions: list[str], operation: str | None = None) -> dict[str, int]:
    """Attempts per region of Rekognition operations (counter keys without a `service:` part)."""
    found = dict.fromkeys(regions, 0)
    for key, count in calls.items():
        region, _, op = key.partition("/")
        if region in found and ":" not in op and (operation is None or op == operation):
            found[region] += count
    return found


def test_build_under_30_percent_throttling_then_rerun(clean):
    stack = clean
    project, version, regions = "Throttled", "v1", stack.regions[:3]
    stack.configure({"faults": {"throttle_rate": THROTTLE_RATE, "throttle_seed": 7}},
                    fault="30% throttling of every Rekognition call")
    stack.control.reset_calls()

    first = build(stack, project, version, regions)
    assert first.returncode == 0, first.output
    summary = first.json()["result"]
    assert sorted(summary["succeeded"]) == sorted(regions) and summary["failed"] == {}, summary
    assert {row["region"]: row["status"] for row in summary["rows"]} == dict.fromkeys(regions, "TRAINING_COMPLETED")

    calls = stack.control.calls()
    attempts = rekognition_calls(calls, regions)
    creates = rekognition_calls(calls, regions, "CreateProjectVersion")
    harness.FIGURES.rekognition_attempts["build of 3 regions under 30% throttling"] = sum(attempts.values())
    # one create_project_version activity per region, each allowed at most maximum_attempts attempts
    assert all(1 <= n <= AWS_RETRY.maximum_attempts for n in creates.values()), creates

    stack.clear_faults()
    stack.control.reset_calls()
    rerun = build(stack, project, version, regions)
    assert rerun.returncode == 0, rerun.output
    again = rerun.json()["result"]
    assert sorted(again["succeeded"]) == sorted(regions) and again["failed"] == {}, again
    assert all(row["detail"] == "version already exists" for row in again["rows"]), again["rows"]
    assert rekognition_calls(stack.control.calls(), regions, "CreateProjectVersion") == dict.fromkeys(regions, 0)

    found = stack.versions(project)
    duplicates = harness.count_duplicates(found)
    harness.FIGURES.duplicate_versions += duplicates
    assert duplicates == 0 and {r: len(found.get(r, [])) for r in regions} == dict.fromkeys(regions, 1), found
