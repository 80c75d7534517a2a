"""Durability: a SIGKILLed worker or a restarted Temporal dev server loses nothing and duplicates nothing.

The emulator runs in manual mode, so every training stays TRAINING_IN_PROGRESS until the test advances it:
the kill always lands while every region is polling, whatever the machine's speed.
"""

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.reliability


def _build(stack, project: str, version: str, regions: list[str] | None = None) -> str:
    args = ["build", "--project", project, "--version", version, "--manifest", harness.MANIFEST_KEY, "--no-wait", "--json"]
    for region in regions or []:
        args += ["--region", region]
    started = stack.cli(*args)
    assert started.returncode == 0, started.output
    harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    return started.json()["workflow_id"]


def _all_training(stack, project: str, regions: list[str]):
    def check():
        found = stack.versions(project)
        statuses = {region: [v["status"] for v in found.get(region, [])] for region in regions}
        return statuses if all(s == ["TRAINING_IN_PROGRESS"] for s in statuses.values()) else None

    return harness.wait_for(check, what=f"{project} TRAINING_IN_PROGRESS in {len(regions)} regions")


def _assert_completed_once(stack, project: str, version: str, regions: list[str], outcome, arns_before: dict):
    kind, summary = outcome
    assert kind == "completed", f"build ended {kind}: {summary}"
    assert sorted(summary["succeeded"]) == sorted(regions), summary
    assert summary["failed"] == {}, summary
    rows = {row["region"]: row for row in summary["rows"]}
    for region in regions:
        assert rows[region]["status"] == "TRAINING_COMPLETED", rows[region]
        assert rows[region]["ok"] is True, rows[region]
        # the same version object as before the fault: it was awaited, never re-created
        assert rows[region]["arn"] == arns_before[region], (region, rows[region]["arn"], arns_before[region])
    found = stack.versions(project)
    duplicates = harness.count_duplicates(found)
    harness.FIGURES.duplicate_versions += duplicates
    assert duplicates == 0, found
    assert {region: [v["version"] for v in found[region]] for region in regions} == {r: [version] for r in regions}
    calls = stack.control.calls()
    creates = {region: calls.get(f"{region}/CreateProjectVersion", 0) for region in regions}
    assert creates == {region: 1 for region in regions}, f"CreateProjectVersion per region: {creates}"
    shown = {row["region"]: [(v["version"], v["status"]) for v in row["versions"]]
             for row in stack.status(project, regions)["regions"]}
    assert shown == {region: [(version, "TRAINING_COMPLETED")] for region in regions}, shown  # what `status` says


def test_worker_sigkill_while_every_region_trains(clean):
    """Build in all 11 regions, SIGKILL the worker while all train, start a new one: same result, no duplicates."""
    stack = clean
    project, version = "DurableWorker", "v1"
    stack.manual()
    stack.control.reset_calls()
    workflow_id = _build(stack, project, version)
    _all_training(stack, project, stack.regions)
    arns_before = {v["region"]: v["arn"] for vs in stack.versions(project).values() for v in vs}

    killed = stack.kill("worker")
    harness.FIGURES.faults["worker SIGKILL (11 regions training)"] += 1
    assert stack.workflow_status(workflow_id) == "RUNNING"
    status = stack.up()  # `local up` restarts only what is not running: the worker
    assert {c["name"]: c["state"] for c in status["components"]}["worker"] == "running"
    assert stack.pid("worker") not in (None, killed)

    moved = stack.control.advance(project=project)
    assert sorted(m["region"] for m in moved) == sorted(stack.regions), (moved, stack.versions(project))
    outcome = stack.workflow_outcome(workflow_id)
    _assert_completed_once(stack, project, version, stack.regions, outcome, arns_before)


def test_temporal_dev_server_restart_while_polling(clean):
    """Kill the SQLite-backed dev server mid-training and start it again: the build resumes and completes once."""
    stack = clean
    project, version = "DurableServer", "v1"
    regions = stack.regions[:3]
    stack.manual(regions)
    stack.control.reset_calls()
    workflow_id = _build(stack, project, version, regions)
    _all_training(stack, project, regions)
    arns_before = {v["region"]: v["arn"] for vs in stack.versions(project).values() for v in vs}
    worker_pid = stack.pid("worker")

    stack.kill("temporal")
    harness.FIGURES.faults["Temporal dev server SIGKILL + restart (3 regions training)"] += 1
    # restarts the dev server on the same SQLite file (and the worker, had it died); the surviving worker's
    # pollers reconnect with backoff, so `up` may call it unhealthy for a moment (exit 1): wait for it instead
    restarted = stack.cli("local", "up", "--json", timeout=300)
    states = {c["name"]: c["state"] for c in restarted.json()["components"]}
    assert states["temporal"] == "running", restarted.output
    stack.wait_for_worker()
    if stack.pid("worker") != worker_pid:
        harness.FIGURES.notes.append("the worker did not survive the Temporal restart; `local up` restarted it")

    stack.control.advance(project=project)
    outcome = stack.workflow_outcome(workflow_id)
    _assert_completed_once(stack, project, version, regions, outcome, arns_before)


def test_restarting_the_worker_keeps_the_emulator_settings(clean):
    stack = clean
    stack.configure({"timing": {"mode": "manual"}})
    stack.kill("worker")
    stack.up()
    assert stack.control.config()["timing"]["mode"] == "manual"
