"""Child process of the actions section: a worker of the previous design, from another checkout, until SIGTERM.

`python bench/old_design_worker.py TREE ADDRESS QUEUE` with BENCH_WORLD (regions, poll interval) and
BENCH_CLOCK (transition durations) in the environment; prints "ready" once polling. The workflows,
activities and settings are TREE's (an export of the commit before issue 16); the emulator clock
(bench/emulator_clock.py) is loaded from this checkout by path, so both designs see the same AWS timing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def use_tree(tree: str) -> None:
    """Import the other checkout's modules, not this one's (the script's own directory is sys.path[0])."""
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    sys.path.insert(0, tree)
    os.chdir(tree)


def emulator_clock():
    spec = importlib.util.spec_from_file_location("bench_emulator_clock", HERE / "emulator_clock.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def serve(address: str, queue: str) -> None:
    from temporalio.client import Client

    from bench.orchestration import settings_and_resources  # the tree's own
    from localaws.control import EmulatorControl
    from worker import ACTIVITY_THREADS, build_worker

    world = json.loads(os.environ["BENCH_WORLD"])
    settings, resources = settings_and_resources(tuple(world["regions"]), world["poll"])
    settings = dataclasses.replace(settings, poll_policy=world["policy"])
    clock = emulator_clock().EmulatorClock(EmulatorControl(os.environ["AWS_ENDPOINT_URL"]),
                                           json.loads(os.environ["BENCH_CLOCK"]))
    client = await Client.connect(address)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        async with build_worker(client, settings, resources, executor, task_queue=queue,
                                search_attributes_enabled=True, interceptors=[clock]):
            print("ready", flush=True)
            await stop.wait()


if __name__ == "__main__":
    use_tree(sys.argv[1])
    asyncio.run(serve(sys.argv[2], sys.argv[3]))
    sys.exit(0)
