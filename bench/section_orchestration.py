"""Section `orchestration`: our workflows against a bare Temporal baseline of the same shape, on the same server.

1. Time-skipping test server, worker in process: one full cycle (build v1+v2 -> start -> stop -> delete) over
   every region, 5-minute polls skipped; wall seconds, and the same less the CPU time the local AWS endpoint
   (run in its own process, /proc/<pid>/stat) spent meanwhile: it stands for AWS.
2. Local dev server, one worker in a child process: N projects' cycles at once with 1-second polls;
   version-workflows per second and the worker's peak RSS.
The emulator completes each transition after a fixed number of status calls ("calls" timing), so both runs
see the same number of polls whatever the machine's speed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench import orchestration as orch
from bench import world
from bench.proc import Child, cpu_seconds, python
from bench.results import Row, SectionResult
from configuration.tools import require_tool

PROJECTS = {"tiny": 1, "quick": 2, "full": 3}
DEV_POLL_SECONDS = 1
RUN_TIMEOUT = 300  # seconds; a stuck server fails the section instead of the whole bench


async def time_skipping(regions: tuple[str, ...], emulator_pid: int) -> tuple[float, float, float, list]:
    """(our wall seconds, the emulator's CPU seconds meanwhile, the bare baseline's wall seconds, our shapes)."""
    from temporalio.testing import WorkflowEnvironment

    from bench import bare_workflows as bare
    from worker import build_worker

    path = require_tool("temporal-test-server")
    settings, resources = orch.settings_and_resources(regions, 300)
    async with await WorkflowEnvironment.start_time_skipping(test_server_existing_path=path) as env:
        with ThreadPoolExecutor(max_workers=32) as executor:
            queue = f"bench-{uuid.uuid4().hex[:6]}"
            async with build_worker(env.client, settings, resources, executor, task_queue=queue):
                started, emulator_cpu = time.perf_counter(), cpu_seconds(emulator_pid)
                shapes = await asyncio.wait_for(
                    orch.our_cycle(env.client, queue, "BenchTS", regions, 300, measure_shape=True,
                                   concurrent_builds=False), RUN_TIMEOUT)
                ours = time.perf_counter() - started
                emulator_cpu = cpu_seconds(emulator_pid) - emulator_cpu
            from temporalio.worker import Worker

            bare_queue = f"bare-{uuid.uuid4().hex[:6]}"
            async with Worker(env.client, task_queue=bare_queue, workflows=bare.BARE_WORKFLOWS,
                              activities=bare.activities(env.client), activity_executor=executor,
                              max_concurrent_activities=32):
                started = time.perf_counter()
                await asyncio.wait_for(orch.bare_cycle(env.client, bare_queue, "BenchTS", regions, 300, shapes,
                                                       concurrent_builds=False), RUN_TIMEOUT)
                bare = time.perf_counter() - started
    return ours, emulator_cpu, bare, shapes


async def dev_server(regions: tuple[str, ...], projects: int, shapes) -> dict:
    from temporalio.testing import WorkflowEnvironment

    path = require_tool("temporal")
    out = {}
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=path, ip="127.0.0.1",
                                                     dev_server_log_level="error") as env:
        address = env.client.service_client.config.target_host
        for mode in ("real", "bare"):
            queue = f"{mode}-{uuid.uuid4().hex[:6]}"
            child = Child(python("-m", "bench.orchestration_worker", mode, address, queue),
                          env=orch.world_env(regions, DEV_POLL_SECONDS))
            try:
                started = time.perf_counter()
                if mode == "real":
                    cycles = (orch.our_cycle(env.client, queue, f"BenchDev{n}", regions, DEV_POLL_SECONDS)
                              for n in range(projects))
                else:
                    cycles = (orch.bare_cycle(env.client, queue, f"BenchDev{n}", regions, DEV_POLL_SECONDS, shapes)
                              for n in range(projects))
                await asyncio.wait_for(asyncio.gather(*cycles), RUN_TIMEOUT)
                seconds = time.perf_counter() - started
            finally:
                rss = child.stop()
            out[mode] = (seconds, rss)
    return out


def run(size: str) -> SectionResult:
    regions = world.regions()
    projects = PROJECTS.get(size, PROJECTS["full"])
    result = SectionResult("orchestration")
    with world.local_aws_process() as (emulator_pid, control):
        orch.prepare_account(control, regions, 300)
        ours, emulator_cpu, bare, shapes = asyncio.run(time_skipping(regions, emulator_pid))
        label = f"time-skipping: build->start->stop->delete, {len(regions)} regions x 2 versions"
        result.rows += [
            Row("orchestration", f"{label}, without the emulator's CPU", ours - emulator_cpu, bare, "s",
                "bare workflows, same shape",
                note=f"our wall {ours:.1f} s minus {emulator_cpu:.1f} CPU s of the emulator (own process: it "
                     "stands for AWS); 5-min polls skipped"),
            Row("orchestration", f"{label}: wall", ours, bare, "s", "bare workflows, same shape",
                note="the emulator in its own process; 5-min polls skipped"),
        ]
        for shape in shapes[:1] + shapes[2:]:
            result.details.append({"operation": shape.operation, **{
                f"{name} activities/timers": f"{level.activities}/{level.timers}"
                for name, level in (("front door", shape.front_door), ("owner", shape.owner),
                                    ("operation", shape.parent), ("region", shape.region),
                                    ("version", shape.version))}})
        dev = asyncio.run(dev_server(regions, projects, shapes))
    count = projects * len(regions) * orch.VERSION_WORKFLOWS_PER_CYCLE
    (real_s, real_rss), (bare_s, bare_rss) = dev["real"], dev["bare"]
    label = f"dev server, 1 worker, {projects} projects x {len(regions)} regions x 2 versions x 4 operations"
    result.rows += [
        Row("orchestration", f"{label}: version-workflows/s", count / real_s, count / bare_s, "wf/s",
            "bare workflows, same shape", note=f"{count} version workflows; higher is better; 1-s polls",
            lower_is_better=False),
        Row("orchestration", f"{label}: worker peak RSS", real_rss, bare_rss, "MiB", "bare worker"),
    ]
    return result
