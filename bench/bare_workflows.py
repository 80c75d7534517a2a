"""The bare Temporal baseline: the same tree as ours (parent -> one child per region -> one per version), the same
number of activities and timers per level, but the activities do nothing and nothing else happens.

Our workflows over this baseline on the same server is the cost of our own logic (signals to the parent,
payload sizes, boto3 calls to the local endpoint, progress tracking).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class Level:
    activities: int = 0
    timers: int = 0


@dataclass
class BareInput:
    workflow_id: str
    regions: list[str]
    versions: list[str]
    timer_seconds: float
    parent: Level = field(default_factory=Level)
    region: Level = field(default_factory=Level)
    version: Level = field(default_factory=Level)


@dataclass
class BareChildInput:
    level: Level
    timer_seconds: float
    children: list[str] = field(default_factory=list)  # ids of version children (region level only)
    version_level: Level | None = None


@activity.defn(name="BareTrivial")
def trivial(step: int) -> int:
    return step


async def _steps(level: Level, timer_seconds: float) -> None:
    """The level's activities, with its timers spread between them (like polls between describes)."""
    for step in range(max(level.activities, level.timers)):
        if step < level.timers:
            await workflow.sleep(timedelta(seconds=timer_seconds))
        if step < level.activities:
            await workflow.execute_activity(trivial, step, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn(name="BareVersionWorkflow")
class BareVersionWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> int:
        await _steps(inp.level, inp.timer_seconds)
        return 1


@workflow.defn(name="BareRegionWorkflow")
class BareRegionWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> int:
        await _steps(inp.level, inp.timer_seconds)
        done = await asyncio.gather(*(
            workflow.execute_child_workflow(
                BareVersionWorkflow.run, BareChildInput(inp.version_level or Level(), inp.timer_seconds), id=child_id)
            for child_id in inp.children
        ))
        return sum(done)


@workflow.defn(name="BareParentWorkflow")
class BareParentWorkflow:
    @workflow.run
    async def run(self, inp: BareInput) -> int:
        await _steps(inp.parent, inp.timer_seconds)
        done = await asyncio.gather(*(
            workflow.execute_child_workflow(
                BareRegionWorkflow.run,
                BareChildInput(inp.region, inp.timer_seconds, [f"{inp.workflow_id}/{region}/{v}" for v in inp.versions],
                               inp.version),
                id=f"{inp.workflow_id}/{region}",
            )
            for region in inp.regions
        ))
        return sum(done)


BARE_WORKFLOWS = [BareParentWorkflow, BareRegionWorkflow, BareVersionWorkflow]
