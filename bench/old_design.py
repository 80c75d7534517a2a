"""The same followed lifecycle with the design before issue 16, for comparison (bench/section_actions.py).

The previous design: each front door ran the fan-out itself, every per-version workflow signalled its parent
on each status change, and the CLI queried the front door's `progress` every 2 seconds. Its workflows and
activities are those of OLD_DESIGN_COMMIT (exported with `git archive` from this repository), served by a
worker in a child process (bench/old_design_worker.py) with the same emulator clock and polling settings;
the front doors are started by this process on the time-skipping client (they run the fan-out, so they skip
like the operation runs of ours). The CLI's queries are modelled from each operation's duration (one per
2 s): running the old CLI would ask them in compressed wall time.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess  # nosec B404 - git archive of this repository
import tarfile
import tempfile
import uuid
from pathlib import Path

from bench import lifecycle_run as lr
from bench.proc import ROOT, Child, python
from bench.seed_transitions import Durations

# The last commit of the previous design: the one issue 16's owner branch started from.
OLD_DESIGN_COMMIT = "fa12604f8faa86e86c14fa0dcfd1bf7159e63686"


def available(commit: str = OLD_DESIGN_COMMIT) -> bool:
    """Whether this checkout has the commit (a shallow clone or an exported tree has not)."""
    try:
        found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],  # nosec B603 B607
                               check=False, capture_output=True, timeout=30)
    except OSError:
        return False
    return found.returncode == 0


def export(commit: str, into: Path) -> None:
    """Write the commit's tree into `into` (raises when the repository or the commit is not there)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],  # nosec B603 B607
                             capture_output=True, check=True, timeout=120).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # our own commit's tree, but checked like an untrusted archive (tarfile's "data" filter is newer than the
        # Python 3.11 of some machines): regular files and folders inside `into` only
        members = [m for m in tar.getmembers() if (m.isfile() or m.isdir()) and not m.name.startswith(("/", ".."))
                   and ".." not in Path(m.name).parts]
        tar.extractall(into, members=members)  # nosec B202 - members filtered above


def front_doors(project: str, regions: tuple[str, ...]) -> tuple[list, list]:
    """(workflow type, id, payload) of the previous CLI's commands: both builds, then start, stop, delete.

    The previous CLI sent no TtlHours for `--ttl 0` (its workflows refused 0)."""
    builds, rest = lr.requests(project, regions)
    kinds = {"build": "BuildModelWorkflow", "start": "StartModelWorkflow", "stop": "StopModelWorkflow",
             "delete": "DeleteModelWorkflow"}

    def door(request) -> tuple[str, str, dict]:
        payload = {k: v for k, v in request.payload.items() if not (k == "TtlHours" and not v)}
        return kinds[request.operation], request.workflow_id, payload

    return [door(r) for r in builds], [door(r) for r in rest]


async def run_front_door(client, queue: str, kind: str, workflow_id: str, payload: dict) -> None:
    result = await client.execute_workflow(kind, payload, id=workflow_id, task_queue=queue)
    if result.get("failed"):
        raise RuntimeError(f"{workflow_id} (previous design) failed: {result['failed']}")


async def measure(regions: tuple[str, ...], durations: Durations, project: str) -> lr.LifecycleCost:
    metrics_port = lr.free_port()
    builds, rest = front_doors(project, regions)
    with tempfile.TemporaryDirectory(prefix="old-design-") as tree:
        export(OLD_DESIGN_COMMIT, Path(tree))
        async with await lr.time_skipping_server(metrics_port) as env:
            address = env.client.service_client.config.target_host
            queue = f"old-{uuid.uuid4().hex[:6]}"
            child_env = {"BENCH_WORLD": json.dumps({"regions": list(regions), "poll": lr.POLL_SECONDS,
                                                    "policy": lr.POLICY}),
                         "BENCH_CLOCK": json.dumps(lr.clock_durations(durations))}
            worker = Child(python(str(Path(__file__).with_name("old_design_worker.py")), tree, address, queue),
                           env=child_env)
            try:
                await asyncio.gather(*(run_front_door(env.client, queue, *door) for door in builds))
                for door in rest:
                    await run_front_door(env.client, queue, *door)
                await lr.all_closed(env.client, lr.SETTLE_TIMEOUT)
            finally:
                worker.stop()
            found = await lr.executions(env.client, f"TaskQueue = '{queue}'")
            served = lr.server_requests(metrics_port)
    return lr.LifecycleCost(found, {}, served, [], [door[1] for door in (*builds, *rest)])


def version_runs(runs: list[lr.Execution], front_door_id: str) -> list[lr.Execution]:
    """The per-version runs under a front door (front door -> region runs -> version runs)."""
    regions = {r.workflow_id for r in runs if r.parent_id == front_door_id}
    return [r for r in runs if r.parent_id in regions]


def operation_seconds(runs: list[lr.Execution], front_door_id: str) -> float:
    """The front door's real duration: from its start to the end of its slowest version run."""
    door = next((r for r in runs if r.workflow_id == front_door_id), None)
    if door is None:
        return 0.0
    return max([door.closed - door.started] + [v.closed - door.started for v in version_runs(runs, front_door_id)])
