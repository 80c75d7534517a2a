"""A build's rollout over its regions (issue 17.2): a canary first, a failure tolerance, waves.

Training in eleven regions multiplies the cost of every mistake by eleven. With a canary, one region trains
first and the others start only once it reached TRAINING_COMPLETED (and, with MinF1, once its F1 reached the
bar); a canary that fails leaves every other region untouched. MaxFailedRegions stops launching regions once
that many have failed (regions already training finish); MaxConcurrentRegions keeps at most that many regions
training at once (a region starts as soon as another one ends). Regions never launched get a NOT_ATTEMPTED row
with the reason, so the summary says what was saved. As CloudFormation StackSets roll out region by region with
a failure tolerance and a maximum concurrency.

Only runs of the project's owner use it, and only when one of these is set: otherwise every region starts at
once, exactly as before (the recorded histories replay unchanged). Pure: no I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from temporalio import workflow

from workflows import quality
from workflows.inputs import check_rollout, invalid_input
from workflows.models import NOT_ATTEMPTED, BuildModelInput, ProgressRow, RegionalData, RegionResult


@dataclass(frozen=True)
class Rollout:
    canary: str | None = None
    min_f1: float | None = None
    max_failed: int | None = None
    at_once: int | None = None

    @property
    def staged(self) -> bool:
        """Anything but every region at once."""
        return self.canary is not None or self.max_failed is not None or self.at_once is not None

    @property
    def failures_that_stop(self) -> int | None:
        """How many failed regions stop the launching: MaxFailedRegions (0 = none tolerated, like 1: a region
        has to be tried to fail)."""
        return None if self.max_failed is None else max(self.max_failed, 1)


def plan(inp: BuildModelInput, data: RegionalData) -> Rollout:
    """The build's rollout over `data.regions` (the run's regions), or InvalidInput with one line.

    The canary is the input's CanaryRegion, else the settings' canary_region when the run includes that region
    (a build of other regions only has no canary). MinF1 gates the canary, so it needs one.
    """
    check_rollout(inp.CanaryRegion, inp.MaxFailedRegions, list(data.regions))
    canary = inp.CanaryRegion
    if canary is None and data.canary_region in data.regions:
        canary = data.canary_region
    if inp.MinF1 is not None and canary is None:
        raise invalid_input("MinF1 on a build is the canary's quality gate: name a CanaryRegion "
                            "(or set canary_region) among the run's regions")
    return Rollout(canary, inp.MinF1, inp.MaxFailedRegions, inp.MaxConcurrentRegions)


def not_attempted(region: str, versions: list[str], reason: str) -> RegionResult:
    rows = [ProgressRow(region, version, NOT_ATTEMPTED, error=reason, ok=False) for version in versions]
    return RegionResult(region, False, reason, rows)


def gated(result: RegionResult, version: str, min_f1: float | None) -> RegionResult:
    """The canary's result with the quality gate applied: below MinF1 it counts as failed (its model stays)."""
    if min_f1 is None or not result.ok:
        return result
    why = quality.shortfall((result.evaluation.get(version) or {}).get("f1"), min_f1)
    if why is None:
        return result
    rows = [replace(row, ok=False, error=f"{why} (MinF1)") if row.version == version else row for row in result.rows]
    return replace(result, ok=False, error=f"{why} (MinF1)", rows=rows)


def failure_reason(result: RegionResult) -> str:
    """What went wrong in a region, without the version prefix of a one-version build ("v1: ...")."""
    errors = [row.error or row.status for row in result.rows if row.ok is False]
    return errors[0] if len(errors) == 1 else result.error or "failed"


async def roll_out(
    rollout: Rollout, regions: list[str], version: str, launch: Callable[[str], Awaitable[RegionResult]]
) -> list[RegionResult]:
    """Run `launch(region)` over the regions as the rollout says; one result per region, in `regions` order."""
    results: dict[str, RegionResult] = {}
    queue = list(regions)
    if rollout.canary is not None:
        queue.remove(rollout.canary)
        first = gated(await launch(rollout.canary), version, rollout.min_f1)
        results[rollout.canary] = first
        if not first.ok:
            reason = f"canary {rollout.canary} failed: {failure_reason(first)}"
            results.update({region: not_attempted(region, [version], reason) for region in queue})
            return [results[region] for region in regions]
    limit = rollout.at_once or max(len(queue), 1)
    stop_after = rollout.failures_that_stop
    running = 0
    failed = 0

    async def one(region: str) -> None:
        nonlocal running, failed
        result = await launch(region)
        results[region] = result
        running -= 1
        failed += not result.ok

    def stopped() -> bool:
        return stop_after is not None and failed >= stop_after

    def may_launch() -> bool:
        return running < limit or stopped()

    launched = []
    while queue:
        await workflow.wait_condition(may_launch)
        if stopped():
            break
        running += 1
        launched.append(asyncio.create_task(one(queue.pop(0))))
    if queue:
        reason = f"{failed} region{'s' if failed != 1 else ''} failed (MaxFailedRegions {rollout.max_failed})"
        results.update({region: not_attempted(region, [version], reason) for region in queue})
    await asyncio.gather(*launched)
    return [results[region] for region in regions]
