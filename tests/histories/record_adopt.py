"""Record the histories of `adopt` (issue 18) that tests/workflows/test_replay_adopt.py replays.

    .venv/bin/python tests/histories/record_adopt.py SET      # writes tests/histories/SET/*.json + adopt_ids.json

Like record.py (whose execution walk and file names it uses): real activities against an in-process local AWS
endpoint, the time-skipping test server. Every execution of the scenarios is saved: AdoptProjectWorkflow and the
build it starts, with its region and version children trained with a test manifest (BuildModelInput.TestManifestKey).
The index is `adopt_ids.json`, not record.py's `workflow_ids.json`: these sets hold only the adopt scenarios, while
test_replay.py requires every set it finds to cover every workflow type.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import (  # also puts the project and tests/workflows on sys.path
    HERE,
    REGIONS,
    executions,
    file_name,
)

from configuration.tools import require_tool

INDEX = "adopt_ids.json"


async def scenarios(env, queue: str) -> list[tuple[str, str]]:
    from console_project import ConsoleProject
    from temporalio.client import WorkflowFailureError

    from workflows.adopt import adopt_workflow_id

    ids = []

    async def adopt(project: str, region: str, expect_failure: bool = False) -> None:
        workflow_id = adopt_workflow_id(project, region)
        print(f"running {workflow_id}", flush=True)
        handle = await env.client.start_workflow("AdoptProjectWorkflow", {"ProjectName": project, "SourceRegion": region},
                                                 id=workflow_id, task_queue=queue)
        ids.append((handle.id, handle.result_run_id))
        try:
            await handle.result()
        except WorkflowFailureError:
            if not expect_failure:
                raise

    ConsoleProject("us-west-2", "Console", "users-console-bucket").create()
    await adopt("Console", "us-west-2")  # trained in both regions on the source's split
    await adopt("Console", "us-west-2")  # already global
    ConsoleProject("eu-west-1", "Local", "users-local-bucket").create()
    await adopt("Local", "eu-west-1")  # the source is a configured region: reported as SOURCE, not trained again
    broken = ConsoleProject("us-west-2", "Broken", "users-broken-bucket", prefix="broken").create()
    broken.client("s3").delete_object(Bucket=broken.bucket, Key=broken.test_keys[0])
    await adopt("Broken", "us-west-2", expect_failure=True)  # an image that cannot be read
    return ids


async def main(out: Path) -> None:
    from aws_world import World
    from temporalio.testing import WorkflowEnvironment

    from local_stack.bootstrap import bootstrap
    from localaws.control import EmulatorControl
    from localaws.server import LocalAws
    from worker import build_worker

    server = LocalAws(host="127.0.0.1", port=0)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    control = EmulatorControl(server.url)
    control.reset()
    control.configure({"timing": {"mode": "calls", "TRAINING": 3, "STARTING": 2, "STOPPING": 2, "DELETING": 1,
                                  "DATASET": 1}, "replication_delay_seconds": 0})
    world = World(REGIONS).create()
    bootstrap(world.settings, world.resources)
    try:
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=require_tool("temporal-test-server")
        ) as env:
            with ThreadPoolExecutor(max_workers=8) as executor:
                async with build_worker(env.client, world.settings, world.resources, executor, task_queue="record"):
                    parent_ids = await scenarios(env, "record")
            out.mkdir(parents=True, exist_ok=True)
            for old in out.glob("*.json"):
                old.unlink()
            index_of = {}
            for index, (workflow_id, run_id) in enumerate(await executions(env.client, parent_ids)):
                history = await env.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
                started = history.events[0].workflow_execution_started_event_attributes
                path = out / file_name(started.workflow_type.name, workflow_id, index)
                path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                index_of[path.name] = workflow_id
                print(f"{path.name}: {len(history.events)} events")
            (out / INDEX).write_text(json.dumps(index_of, indent=1, sort_keys=True) + "\n")
    finally:
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2 or "/" in sys.argv[1]:
        sys.exit("usage: record_adopt.py SET   (a new folder name under tests/histories/)")
    asyncio.run(main(HERE / sys.argv[1]))
