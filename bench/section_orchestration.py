"""Section `orchestration`: our workflows against a bare Temporal baseline of the same shape, on the same server.

1. Time-skipping test server, worker in process: full cycles (build v1+v2 -> start -> stop -> delete) over
   every region, 5-minute polls skipped; wall seconds, and the same less the CPU time the local AWS endpoint
   (run in its own process, /proc/<pid>/stat) spent meanwhile: it stands for AWS.
2. Local dev server, one worker in a child process: N projects' cycles at once with 1-second polls;
   version-workflows per second and the worker's peak RSS.
Ours and bare alternate, ROUNDS times each, and the medians are compared: the machine is shared, and a
burst of someone else's load then hits one round of each rather than one side.
The emulator completes each transition after a fixed number of status calls ("calls" timing), so both runs
see the same number of polls whatever the machine's speed.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import orchestration as orch
from bench import world
from bench.proc import Child, cpu_seconds, python
from bench.results import Row, SectionResult
from configuration.tools import require_tool

PROJECTS = {"tiny": 1, "quick": 2, "full": 3}
ROUNDS = {"tiny": 1, "quick": 2, "full": 3}
DEV_POLL_SECONDS = 1
RUN_TIMEOUT = 300  # seconds; a stuck server fails the section instead of the whole bench


@dataclass
class Rounds:
    """What each round measured, per side."""

    ours: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    emulator_cpu: list[float] = field(default_factory=list)  # during our rounds
    ours_rss: list[float] = field(default_factory=list)
    bare_rss: list[float] = field(default_factory=list)


async def time_skipping(regions: tuple[str, ...], emulator_pid: int, rounds: int) -> tuple[Rounds, list]:
    """Wall seconds of our cycles and of the bare ones, alternating; the emulator's CPU during ours; our shapes."""
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    from bench import bare_workflows as bare
    from worker import build_worker

    path = require_tool("temporal-test-server")
    settings, resources = orch.settings_and_resources(regions, 300)
    found, shapes = Rounds(), []
    async with await WorkflowEnvironment.start_time_skipping(test_server_existing_path=path) as env:
        with ThreadPoolExecutor(max_workers=32) as executor:
            queue, bare_queue = f"bench-{uuid.uuid4().hex[:6]}", f"bare-{uuid.uuid4().hex[:6]}"
            async with build_worker(env.client, settings, resources, executor, task_queue=queue), \
                    Worker(env.client, task_queue=bare_queue, workflows=bare.BARE_WORKFLOWS,
                           activities=bare.activities(env.client), activity_executor=executor,
                           max_concurrent_activities=32):
                for number in range(rounds):
                    started, emulator = time.perf_counter(), cpu_seconds(emulator_pid)
                    measured = await asyncio.wait_for(
                        orch.our_cycle(env.client, queue, f"BenchTS{number}", regions, 300, measure_shape=not shapes,
                                       concurrent_builds=False), RUN_TIMEOUT)
                    found.ours.append(time.perf_counter() - started)
                    found.emulator_cpu.append(cpu_seconds(emulator_pid) - emulator)
                    shapes = shapes or measured
                    started = time.perf_counter()
                    await asyncio.wait_for(orch.bare_cycle(env.client, bare_queue, f"BenchTS{number}", regions, 300,
                                                           shapes, concurrent_builds=False), RUN_TIMEOUT)
                    found.bare.append(time.perf_counter() - started)
    return found, shapes


async def dev_server(regions: tuple[str, ...], projects: int, shapes, rounds: int, emulator_pid: int) -> Rounds:
    """Seconds and worker peak RSS of N projects' cycles at once, ours and bare alternating; the emulator's CPU
    during ours."""
    from temporalio.testing import WorkflowEnvironment

    path = require_tool("temporal")
    found = Rounds()
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=path, ip="127.0.0.1",
                                                     dev_server_log_level="error") as env:
        address = env.client.service_client.config.target_host
        for number in range(rounds):
            for mode in ("real", "bare"):
                queue = f"{mode}-{uuid.uuid4().hex[:6]}"
                child = Child(python("-m", "bench.orchestration_worker", mode, address, queue),
                              env=orch.world_env(regions, DEV_POLL_SECONDS))
                names = [f"BenchDev{number}-{n}" for n in range(projects)]
                try:
                    started, emulator = time.perf_counter(), cpu_seconds(emulator_pid)
                    if mode == "real":
                        cycles = (orch.our_cycle(env.client, queue, name, regions, DEV_POLL_SECONDS) for name in names)
                    else:
                        cycles = (orch.bare_cycle(env.client, queue, name, regions, DEV_POLL_SECONDS, shapes)
                                  for name in names)
                    await asyncio.wait_for(asyncio.gather(*cycles), RUN_TIMEOUT)
                    seconds = time.perf_counter() - started
                finally:
                    rss = child.stop()
                if mode == "real":
                    found.emulator_cpu.append(cpu_seconds(emulator_pid) - emulator)
                (found.ours if mode == "real" else found.bare).append(seconds)
                (found.ours_rss if mode == "real" else found.bare_rss).append(rss)
    return found


def spread(values: list[float]) -> str:
    return "/".join(f"{value:.1f}" for value in values)


def run(size: str) -> SectionResult:
    regions = world.regions()
    projects = PROJECTS.get(size, PROJECTS["full"])
    rounds = ROUNDS.get(size, ROUNDS["full"])
    result = SectionResult("orchestration")
    median = statistics.median
    with world.local_aws_process() as (emulator_pid, control):
        orch.prepare_account(control, regions, 300)
        skipped, shapes = asyncio.run(time_skipping(regions, emulator_pid, rounds))
        own = [wall - cpu for wall, cpu in zip(skipped.ours, skipped.emulator_cpu, strict=True)]
        label = f"time-skipping: build->start->stop->delete, {len(regions)} regions x 2 versions"
        result.rows += [
            Row("orchestration", f"{label}, without the emulator's CPU", median(own), median(skipped.bare), "s",
                "bare workflows, same shape",
                note=f"median of {rounds}: our wall less the CPU s of the emulator (own process; it stands for "
                     f"AWS): {spread(skipped.ours)} s less {spread(skipped.emulator_cpu)}; 5-min polls skipped"),
            Row("orchestration", f"{label}: wall", median(skipped.ours), median(skipped.bare), "s",
                "bare workflows, same shape",
                note=f"median of {rounds} (ours {spread(skipped.ours)}, bare {spread(skipped.bare)}); the emulator "
                     "in its own process"),
        ]
        for shape in shapes[:1] + shapes[2:]:
            result.details.append({"operation": shape.operation, **{
                f"{name} activities/timers/retries": f"{level.activities}/{level.timers}/{level.retries}"
                for name, level in (("front door", shape.front_door), ("owner", shape.owner),
                                    ("operation", shape.parent), ("region", shape.region),
                                    ("version", shape.version))}})
        dev = asyncio.run(dev_server(regions, projects, shapes, rounds, emulator_pid))
    count = projects * len(regions) * orch.VERSION_WORKFLOWS_PER_CYCLE
    label = f"dev server, 1 worker, {projects} projects x {len(regions)} regions x 2 versions x 4 operations"
    result.rows += [
        Row("orchestration", f"{label}: version-workflows/s", count / median(dev.ours), count / median(dev.bare),
            "wf/s", "bare workflows, same shape",
            note=f"{count} version workflows; median of {rounds} (ours {spread(dev.ours)} s, of which the "
                 f"emulator's CPU {spread(dev.emulator_cpu)} s; bare {spread(dev.bare)} s); higher is better; "
                 "1-s polls", lower_is_better=False),
        Row("orchestration", f"{label}: worker peak RSS", median(dev.ours_rss), median(dev.bare_rss), "MiB",
            "bare worker", note=f"median of {rounds}"),
    ]
    return result
