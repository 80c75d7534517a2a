"""Drive our four operations and the bare baseline of the same shape on a Temporal client.

A "cycle" is what issue #8 measures: build two versions in every region, start both, stop both, delete the
project. After each of our operations the histories of its front door, of the project's owner, of the
operation's run, of one region child and of one version child are read back and their activities / timers
counted, so the bare baseline (bench/bare_workflows.py) repeats exactly that shape.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass

from bench import world
from bench.bare_workflows import BareInput, Level

OPERATIONS = ("build", "start", "stop", "delete")
VERSIONS = ("v1", "v2")
MANIFEST_KEY = "assets/bench/output.manifest"
CALLS_TIMING = {"mode": "calls", "TRAINING": 2, "STARTING": 1, "STOPPING": 1, "DELETING": 1}


def settings_and_resources(regions: tuple[str, ...], poll_seconds: int, policy: str = "fixed"):
    from configuration import names
    from configuration.resources import Resources
    from configuration.settings import Settings

    settings = Settings(
        regions=regions, management_region=world.MANAGEMENT_REGION, name_prefix=world.PREFIX, project_name="Bench",
        default_version_name="v1", max_training_hours=24, min_inference_units=1, max_inference_units=None,
        poll_interval_seconds=poll_seconds, poll_policy=policy, inference_ttl_hours=0, task_queue="bench",
    )
    account = world.ACCOUNT
    resources = Resources(
        account_id=account,
        management_bucket=names.management_bucket_name(world.PREFIX, account, world.MANAGEMENT_REGION),
        training_buckets={r: names.training_bucket_name(world.PREFIX, account, r) for r in regions},
        output_buckets={r: names.output_bucket_name(world.PREFIX, account, r) for r in regions},
        sns_topic_arn=names.topic_arn(world.PREFIX, account, world.MANAGEMENT_REGION),
    )
    return settings, resources


def world_env(regions: tuple[str, ...], poll_seconds: int) -> dict[str, str]:
    """What a worker child process needs to rebuild the same settings."""
    return {"BENCH_WORLD": json.dumps({"regions": list(regions), "poll": poll_seconds})}


def settings_from_env():
    spec = json.loads(os.environ["BENCH_WORLD"])
    return settings_and_resources(tuple(spec["regions"]), spec["poll"])


def prepare_account(control, regions: tuple[str, ...], poll_seconds: int, timing: dict | None = None) -> None:
    """Buckets, replication and topic like Terraform (local_stack.bootstrap), and a dataset replicated everywhere."""
    import boto3

    from local_stack.bootstrap import bootstrap

    control.configure({"timing": timing or CALLS_TIMING, "replication_delay_seconds": 0})
    settings, resources = settings_and_resources(regions, poll_seconds)
    bootstrap(settings, resources)
    s3 = boto3.client("s3", region_name=world.MANAGEMENT_REGION)
    lines = []
    for index in range(4):
        label = world.LABELS[index % 2]
        key = f"assets/bench/images/{label}-{index:02d}.png"
        s3.put_object(Bucket=resources.management_bucket, Key=key, Body=world.png(64, 64, index))
        lines.append(world.manifest_line(resources.management_bucket, key, label))
    s3.put_object(Bucket=resources.management_bucket, Key=MANIFEST_KEY, Body=("\n".join(lines) + "\n").encode())
    if not control.flush_replication(timeout=60):
        raise RuntimeError("the dataset did not replicate to every region in time")


def _count(history) -> Level:
    """Activities scheduled, their retries and timers started by one run (markers are neither: a patch marker rides
    on a task)."""
    level = Level()
    for event in history.events:
        name = event.WhichOneof("attributes") or ""
        if name == "activity_task_scheduled_event_attributes":
            level.activities += 1
        elif name == "timer_started_event_attributes":
            level.timers += 1
        elif name == "activity_task_started_event_attributes":  # a retried activity is written once, its last attempt
            level.retries += event.activity_task_started_event_attributes.attempt - 1
    return level


@dataclass
class Shape:
    """Activities and timers per level of one of our operations (one region, one version)."""

    operation: str
    front_door: Level
    owner: Level
    parent: Level  # the operation's run (ProjectOperationWorkflow)
    region: Level
    version: Level


async def shape_of(client, front_door_id: str, project: str, region: str, version: str, operation: str) -> Shape:
    """Read the tree back: front door, the owner's latest run, the operation's run, one region, one version."""
    from workflows.ids import child_id
    from workflows.owner_api import operation_workflow_id, project_workflow_id

    run_id = operation_workflow_id(front_door_id, project, 0)
    ids = (front_door_id, project_workflow_id(project), run_id, child_id(run_id, region), f"{project}/{region}/{version}")
    levels = [_count(await client.get_workflow_handle(workflow_id).fetch_history()) for workflow_id in ids]
    return Shape(operation, *levels)


async def our_cycle(client, queue: str, project: str, regions: tuple[str, ...], poll_seconds: int,
                    policy: str = "fixed", measure_shape: bool = False, concurrent_builds: bool = True) -> list[Shape]:
    """build v1 and v2 (two front doors), start, stop, delete the project; raises if any region failed.

    concurrent_builds=False waits for one build before the next (the time-skipping test server can stall when
    two clients wait on results at once).
    """
    common = {"ProjectName": project, "PollIntervalSeconds": poll_seconds, "PollPolicy": policy, "Strict": True}
    shapes: list[Shape] = []

    async def run(name: str, front_door_id: str, payload: dict, operation: str, version: str) -> None:
        result = await client.execute_workflow(name, {**common, **payload}, id=front_door_id, task_queue=queue)
        if result.get("failed"):
            raise RuntimeError(f"{front_door_id}: {result['failed']}")
        if measure_shape:
            shapes.append(await shape_of(client, front_door_id, project, regions[0], version, operation))

    builds = [run("BuildModelWorkflow", f"build/{project}/{v}", {"ManifestKey": MANIFEST_KEY, "VersionName": v},
                  "build", v) for v in VERSIONS]
    if concurrent_builds:
        await asyncio.gather(*builds)
    else:
        for build in builds:
            await build
    both = ",".join(VERSIONS)
    await run("StartModelWorkflow", f"start/{project}/{both}", {"VersionNames": list(VERSIONS)}, "start", VERSIONS[0])
    await run("StopModelWorkflow", f"stop/{project}/{both}", {"VersionNames": list(VERSIONS)}, "stop", VERSIONS[0])
    await run("DeleteModelWorkflow", f"delete/{project}/*", {"VersionNames": []}, "delete", VERSIONS[0])
    return shapes


FRONT_DOOR_OWN = Level(activities=1, timers=1)  # the submit activity and the wait for the outcome (bare has them)


def _beyond(level: Level, own: Level) -> Level:
    return Level(max(0, level.activities - own.activities), max(0, level.timers - own.timers), level.retries)


async def bare_cycle(client, queue: str, project: str, regions: tuple[str, ...], timer_seconds: float,
                     shapes: list[Shape], concurrent_builds: bool = True) -> None:
    """The same front doors, in the same order, with the counted activities and timers per level."""
    by_op = {}
    for shape in shapes:
        by_op.setdefault(shape.operation, shape)

    async def run(operation: str, versions: tuple[str, ...], tag: str) -> None:
        shape = by_op[operation]
        workflow_id = f"bare-{operation}/{project}/{tag}"
        await client.execute_workflow(
            "BareFrontDoorWorkflow",
            BareInput(workflow_id, project, list(regions), list(versions), timer_seconds,
                      _beyond(shape.front_door, FRONT_DOOR_OWN), shape.owner, shape.parent, shape.region,
                      shape.version),
            id=workflow_id, task_queue=queue,
        )

    builds = [run("build", (v,), v) for v in VERSIONS]
    if concurrent_builds:
        await asyncio.gather(*builds)
    else:
        for build in builds:
            await build
    for operation in ("start", "stop", "delete"):
        await run(operation, VERSIONS, ",".join(VERSIONS))


VERSION_WORKFLOWS_PER_CYCLE = len(OPERATIONS) * len(VERSIONS)  # per region
