"""A region that is down, SNS down at the end, a training that fails in one region: each run ends with a correct
per-region summary naming the failed region and its reason, retries stop at the policy's bound, and the same
command rerun after the fault clears finishes the job without duplicates.

The worker here is fast_retry_worker.py: worker.py with the retry policies shrunk (4 attempts instead of 12 over
~14 minutes), so a region that never answers is given up within seconds and the bound can be counted.
"""

import sys
from pathlib import Path

import pytest
import reliability_harness as harness
from fast_retry_worker import MAX_ATTEMPTS, NOTIFY_MAX_ATTEMPTS
from test_faults_throttling import build

pytestmark = pytest.mark.reliability
UP, DOWN = "us-east-1", "eu-west-1"  # the management region (SNS, management bucket) stays up
TRAINS, FAILS = "us-east-2", "ap-southeast-1"
FAILURE_MESSAGE = "synthetic failure injected by the reliability suite"
OBSERVED: dict[str, int] = {}  # emulator call counters of the outage run


@pytest.fixture(scope="module")
def fast_worker(stack):
    """Also holds every fake secret (the security suite then greps all logs for them)."""
    stack.spawn_worker([sys.executable, str(Path(__file__).with_name("fast_retry_worker.py"))],
                       extra_env=harness.explicit_secret_env(stack))
    yield stack
    stack.restore_worker()


@pytest.fixture
def faults(fast_worker):
    fast_worker.clear_faults()
    yield fast_worker
    fast_worker.clear_faults()


def calls_to(calls: dict[str, int], region: str) -> int:
    return sum(n for key, n in calls.items() if key.startswith(f"{region}/"))


def one_version_each(stack, project: str, regions: list[str]) -> None:
    found = stack.versions(project)
    duplicates = harness.count_duplicates(found)
    harness.FIGURES.duplicate_versions += duplicates
    assert duplicates == 0, found
    assert {r: len(found.get(r, [])) for r in regions} == dict.fromkeys(regions, 1), found


def test_region_down_and_sns_down_then_rerun(faults):
    stack = faults
    project, version, regions = "Outage", "v1", [UP, DOWN]
    stack.configure({"faults": {"down_regions": [DOWN]}}, fault=f"region {DOWN} down (every service answers 503)")
    stack.configure({"faults": {"sns_down": True}}, fault="SNS down when the summary is published")
    stack.control.reset_calls()

    first = build(stack, project, version, regions, harness.explicit_secret_env(stack))
    assert first.returncode == 1, first.output  # some region failed: exit 1, with the summary
    answer = first.json()
    summary = answer["result"]
    assert answer["error"] is None and summary is not None, answer  # one region down does not fail the workflow
    assert summary["succeeded"] == [UP], summary
    assert list(summary["failed"]) == [DOWN], summary
    assert "ServiceUnavailable" in summary["failed"][DOWN] or "503" in summary["failed"][DOWN], summary["failed"]
    rows = {row["region"]: row for row in summary["rows"]}
    assert rows[UP]["status"] == "TRAINING_COMPLETED" and rows[DOWN]["ok"] is False, rows
    assert summary["notification_error"], summary  # SNS down: said in the result, the build itself stands
    assert DOWN in first.stdout and "notification_error" in first.stdout

    calls = stack.control.calls()
    OBSERVED.update(calls)
    # bounded: the policy's attempts (x2 while botocore still retries once inside each attempt, see below)
    assert MAX_ATTEMPTS <= calls.get(f"{DOWN}/DescribeProjects", 0) <= 2 * MAX_ATTEMPTS, calls
    assert calls_to(calls, DOWN) <= 2 * MAX_ATTEMPTS, {k: n for k, n in calls.items() if DOWN in k}
    assert NOTIFY_MAX_ATTEMPTS <= calls.get(f"{UP}/sns:Publish", 0) <= 2 * NOTIFY_MAX_ATTEMPTS, calls
    assert stack.versions(project).get(DOWN) is None  # nothing half-made where the region was down

    stack.clear_faults()
    stack.control.reset_calls()
    rerun = build(stack, project, version, regions, harness.explicit_secret_env(stack))
    assert rerun.returncode == 0, rerun.output
    summary = rerun.json()["result"]
    assert sorted(summary["succeeded"]) == sorted(regions) and summary["failed"] == {}, summary
    assert summary["notification_error"] is None, summary
    assert stack.control.calls().get(f"{UP}/sns:Publish", 0) == 1
    one_version_each(stack, project, regions)


def test_each_activity_attempt_is_one_call(faults):
    assert OBSERVED, "needs test_region_down_and_sns_down_then_rerun first"
    assert OBSERVED.get(f"{DOWN}/DescribeProjects") == MAX_ATTEMPTS, OBSERVED
    assert OBSERVED.get(f"{UP}/sns:Publish") == NOTIFY_MAX_ATTEMPTS, OBSERVED


def test_training_fails_in_one_region(faults):
    stack = faults
    project, version, regions = "TrainFail", "v1", [TRAINS, FAILS]
    stack.configure({"faults": {"fail_training": [{"region": FAILS, "project": project, "message": FAILURE_MESSAGE}]}},
                    fault=f"training fails in {FAILS}")
    first = build(stack, project, version, regions, harness.explicit_secret_env(stack))
    assert first.returncode == 1, first.output
    summary = first.json()["result"]
    assert summary["succeeded"] == [TRAINS], summary
    assert list(summary["failed"]) == [FAILS] and FAILURE_MESSAGE in summary["failed"][FAILS], summary
    rows = {row["region"]: row for row in summary["rows"]}
    assert rows[FAILS]["status"] == "TRAINING_FAILED", rows
    one_version_each(stack, project, regions)


def test_rerun_after_failed_training_finishes_the_job(faults):
    stack = faults
    project, version, regions = "TrainFail", "v1", [TRAINS, FAILS]
    assert stack.versions(project).get(FAILS), "needs test_training_fails_in_one_region first"
    rerun = build(stack, project, version, regions, harness.explicit_secret_env(stack))
    one_version_each(stack, project, regions)
    assert rerun.returncode == 0, rerun.output
    summary = rerun.json()["result"]
    assert sorted(summary["succeeded"]) == sorted(regions) and summary["failed"] == {}, summary
