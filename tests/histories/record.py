"""Record the workflow histories that tests/workflows/test_replay.py replays.

    .venv/bin/python tests/histories/record.py SET      # writes tests/histories/SET/*.json

Runs real scenarios (real activities against an in-process local AWS endpoint, time-skipping Temporal test
server) and saves the history of every workflow execution they create: parents, region children, version
children (including continued-as-new runs) and the cost guard. Sets accumulate, one folder each, and are never
re-recorded: every set stands for workflows that may still be running in production when the code changes. A
change that fails an old set needs workflow.patched() (or a new workflow type); record a new set when the
workflows gain a new path (v1-fixed-default: before poll_policy was a setting; v2-adaptive-default:
the settings' poll_policy "adaptive", with its quiet periods and sibling nudges).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "workflows")]

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",  # nosec - fake, local only
                   "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
os.environ.pop("AWS_PROFILE", None)

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from configuration.tools import require_tool

PROJECT = "AWSDeepRacer"
INDEX = "workflow_ids.json"  # file name -> workflow id (replay needs the id the history was recorded under)
REGIONS = ("us-east-1", "eu-west-1")


async def scenarios(env, queue: str, world, control) -> list[str]:
    """Run every scenario; returns the ids of the parent workflows."""
    from aws_world import MANIFEST_KEY

    client = env.client
    ids = []

    async def run(name: str, workflow_id: str, payload: dict, expect_failure: bool = False):
        print(f"running {workflow_id}", flush=True)
        ids.append(workflow_id)
        try:
            await client.execute_workflow(name, payload, id=workflow_id, task_queue=queue)
        except WorkflowFailureError:
            if not expect_failure:
                raise

    control.configure({"faults": {"fail_training": [{"region": "eu-west-1", "version": "broken"}]}})
    await run("BuildModelWorkflow", f"build/{PROJECT}/first",
              {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": "first"})
    await run("BuildModelWorkflow", f"build/{PROJECT}/broken",
              {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": "broken", "PollPolicy": "backoff"})
    # the same build rerun once the training fault is gone: the failed version is deleted and trained again
    control.configure({"faults": {"fail_training": []}})
    await run("BuildModelWorkflow", f"build/{PROJECT}/broken/rerun",
              {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": "broken"})
    # a long training that continues as new, and a delete that conflicts with it
    control.configure({"timing": {"per_region": {"us-east-1": {"TRAINING": 210}, "eu-west-1": {"mode": "manual"}}}})
    building = await client.start_workflow(
        "BuildModelWorkflow", {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": "long"},
        id=f"build/{PROJECT}/long", task_queue=queue)
    ids.append(building.id)
    while True:  # the per-version workflows' own state (progress is no longer signalled to a parent)
        states = []
        for region in REGIONS:
            try:
                states.append((await client.get_workflow_handle(f"{PROJECT}/{region}/long").query("state"))["last_status"])
            except RPCError:
                states.append(None)
        if set(states) == {"TRAINING_IN_PROGRESS"}:
            break
        await asyncio.sleep(0.1)
    # the project's owner queues the delete behind the build (it touches nothing until the build ends)
    deleting = await client.start_workflow("DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["long"]},
                                           id=f"delete/{PROJECT}/long", task_queue=queue)
    ids.append(deleting.id)
    control.configure({"timing": {"per_region": {"eu-west-1": {"mode": "calls", "TRAINING": 3}}}})
    control.advance(region="eu-west-1")
    print("waiting for the long build, then the delete queued behind it", flush=True)
    await building.result()
    await deleting.result()
    control.configure({"timing": {"per_region": {"us-east-1": {"TRAINING": 3}}}})

    # hierarchical delete of a second project, with a running version that must be stopped first
    await run("BuildModelWorkflow", "build/Scratch/x", {"ProjectName": "Scratch", "ManifestKey": MANIFEST_KEY, "VersionName": "x"})
    await run("StartModelWorkflow", "start/Scratch/x", {"ProjectName": "Scratch", "VersionNames": ["x"]})
    await run("DeleteModelWorkflow", "delete/Scratch/*", {"ProjectName": "Scratch", "VersionNames": []})

    # the cost guard, kept by the project's owner: it stops the version at the TTL and then ends (nothing guarded)
    await run("StartModelWorkflow", f"start/{PROJECT}/first",
              {"ProjectName": PROJECT, "VersionNames": ["first"], "MinInferenceUnits": 1, "TtlHours": 1})
    owner = client.get_workflow_handle(f"project/{PROJECT}")
    print("waiting for the cost guard", flush=True)
    async with env.time_skipping_unlocked():
        await owner.result()
    await run("StopModelWorkflow", f"stop/{PROJECT}/first,nope", {"ProjectName": PROJECT, "VersionNames": ["first", "nope"]},
              expect_failure=True)

    return ids


async def run_recorded(env, queue: str, ids: list, name: str, workflow_id: str, payload: dict,
                       expect_failure: bool = False) -> None:
    """Start a workflow, note its (id, run id) in `ids` for recording, and wait for it (a failure only if expected)."""
    from temporalio.client import WorkflowFailureError

    print(f"running {workflow_id}", flush=True)
    handle = await env.client.start_workflow(name, payload, id=workflow_id, task_queue=queue)
    ids.append((handle.id, handle.result_run_id))
    try:
        await handle.result()
    except WorkflowFailureError:
        if not expect_failure:
            raise


async def executions(client, parent_ids: list[str]) -> list[tuple[str, str]]:
    """(workflow id, run id) of every execution the scenarios created, children and continued runs included.

    `parent_ids` holds workflow ids (their latest run) or (workflow id, run id) pairs."""
    found, queue, seen = [], [p if isinstance(p, tuple) else (p, None) for p in parent_ids], set()
    while queue:
        workflow_id, run_id = queue.pop(0)
        try:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        except RPCError:  # no such execution (a front door that never reached the owner)
            continue
        run_id = history.run_id
        if (workflow_id, run_id) in seen:
            continue
        seen.add((workflow_id, run_id))
        found.append((workflow_id, run_id))
        last = history.events[-1]
        parent = history.events[0].workflow_execution_started_event_attributes.parent_workflow_execution
        if parent.workflow_id:  # e.g. the project's owner of an operation's run (each of its runs)
            queue.append((parent.workflow_id, parent.run_id))
        if not workflow_id.endswith("/run"):
            queue.append((f"{workflow_id}/run", None))  # the run a front door's operation got from the owner
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            queue.append((workflow_id, last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id))
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
                child = event.child_workflow_execution_started_event_attributes.workflow_execution
                queue.append((child.workflow_id, child.run_id))
    return found


def file_name(workflow_type: str, workflow_id: str, index: int) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in workflow_id)
    return f"{index:02d}-{workflow_type}-{safe}.json"


async def record(out: Path, scenarios, prepare, index: str = INDEX) -> None:
    """Run `scenarios(env, queue, world, control)` once `prepare(world, control)` set the account up, then save the
    history of every execution they created in `out` (one JSON file each, `index`: file name -> workflow id)."""
    from aws_world import World

    from localaws.control import EmulatorControl
    from localaws.server import LocalAws
    from worker import build_worker

    server = LocalAws(host="127.0.0.1", port=0)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    control = EmulatorControl(server.url)
    control.reset()
    control.configure({"timing": {"mode": "calls", "TRAINING": 3, "STARTING": 2, "STOPPING": 2, "DELETING": 1},
                       "replication_delay_seconds": 0})
    world = World(REGIONS).create()
    prepare(world, control)
    try:
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=require_tool("temporal-test-server")
        ) as env:
            with ThreadPoolExecutor(max_workers=8) as executor:
                async with build_worker(env.client, world.settings, world.resources, executor, task_queue="record"):
                    parent_ids = await scenarios(env, "record", world, control)
            out.mkdir(parents=True, exist_ok=True)
            for old in out.glob("*.json"):
                old.unlink()
            index_of = {}
            for number, (workflow_id, run_id) in enumerate(await executions(env.client, parent_ids)):
                history = await env.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
                started = history.events[0].workflow_execution_started_event_attributes
                path = out / file_name(started.workflow_type.name, workflow_id, number)
                path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                index_of[path.name] = workflow_id
                print(f"{path.name}: {len(history.events)} events")
            (out / index).write_text(json.dumps(index_of, indent=1, sort_keys=True) + "\n")
    finally:
        server.stop()


async def main(out: Path) -> None:
    await record(out, scenarios, lambda world, control: world.upload())


if __name__ == "__main__":
    if len(sys.argv) != 2 or "/" in sys.argv[1]:
        sys.exit("usage: record.py SET   (a new folder name under tests/histories/)")
    asyncio.run(main(HERE / sys.argv[1]))
