"""Detection lag vs API calls of the polling schedules, on a simulated clock.

Every schedule is the workflows' own `workflows.polling.next_delay` (so the simulation measures exactly what
the per-version workflow would do: sleep `next_delay`, then DescribeProjectVersions). Durations are drawn
per region with a fixed seed; a region's `siblings_finished` turns true once the workflow of another region
of the same build noticed its own completion (the parent's nudge), and is read at the next delay, as in
ModelVersionWorkflow.pause(). Pure and deterministic: the tests run it too.
"""

from __future__ import annotations

import heapq
import random
import statistics
from dataclasses import dataclass

from workflows.polling import STARTING, STOPPING, TRAINING, PollContext, next_delay

REGIONS = 11
MINUTE = 60.0
# phase -> (shortest, longest) simulated duration in seconds (issue #8: training 30-180 min, start/stop 5-20 min)
PHASE_RANGES: dict[str, tuple[float, float]] = {
    TRAINING: (30 * MINUTE, 180 * MINUTE),
    STARTING: (5 * MINUTE, 20 * MINUTE),
    STOPPING: (5 * MINUTE, 20 * MINUTE),
}
INDEPENDENT = "independent"  # every region draws its own duration from the whole range
CORRELATED = "correlated"  # one draw per build, each region within +-15% of it (same dataset everywhere)
SCENARIOS = (INDEPENDENT, CORRELATED)


@dataclass(frozen=True)
class Schedule:
    """A policy name of workflows.polling and the max interval (poll_interval_seconds) it runs with, per phase."""

    name: str
    policy: str
    max_interval: dict[str, float]

    def interval(self, phase: str) -> float:
        return self.max_interval[phase]


def _every(seconds: float) -> dict[str, float]:
    return {phase: seconds for phase in PHASE_RANGES}


FIXED = Schedule("fixed 5 min (seed)", "fixed", _every(300))
WAITERS = Schedule("boto3 waiters (120 s / 30 s)", "fixed", {TRAINING: 120, STARTING: 30, STOPPING: 30})
OURS = Schedule("ours: adaptive, 5 min (default)", "adaptive", _every(300))
FIXED_10 = Schedule("fixed 10 min", "fixed", _every(600))  # fewer calls the naive way: twice the lag
BACKOFF_5 = Schedule("backoff, max 5 min", "backoff", _every(300))
SCHEDULES = (FIXED, WAITERS, OURS, FIXED_10, BACKOFF_5)


@dataclass(frozen=True)
class Detection:
    region: int
    duration: float  # when the real state changed (seconds after the wait began)
    noticed: float  # when the workflow's poll saw it
    calls: int  # DescribeProjectVersions calls in this wait

    @property
    def lag(self) -> float:
        return self.noticed - self.duration


@dataclass(frozen=True)
class Stats:
    mean_lag: float
    p95_lag: float
    mean_calls: float
    max_calls: int
    versions: int


def draw_durations(rng: random.Random, phase: str, scenario: str, regions: int = REGIONS) -> list[float]:
    low, high = PHASE_RANGES[phase]
    if scenario == INDEPENDENT:
        return [rng.uniform(low, high) for _ in range(regions)]
    base = rng.uniform(low, high)
    return [base * rng.uniform(0.85, 1.15) for _ in range(regions)]


def simulate_build(durations: list[float], phase: str, schedule: Schedule) -> list[Detection]:
    """All regions of one build waiting for the same phase, polled by `next_delay` on a shared simulated clock."""
    interval = schedule.interval(phase)
    polls = [0] * len(durations)
    queue = [(next_delay(PollContext(phase, 0.0, 0, interval), schedule.policy), region) for region in range(len(durations))]
    heapq.heapify(queue)
    first_noticed: float | None = None  # when the first region noticed (then every other region is nudged)
    found: list[Detection] = []
    while queue:
        now, region = heapq.heappop(queue)
        polls[region] += 1
        if now >= durations[region]:
            found.append(Detection(region, durations[region], now, polls[region]))
            first_noticed = now if first_noticed is None else first_noticed
            continue
        siblings = first_noticed is not None and now >= first_noticed
        ctx = PollContext(phase, now, polls[region], interval, siblings_finished=siblings)
        heapq.heappush(queue, (now + next_delay(ctx, schedule.policy), region))
    return sorted(found, key=lambda d: d.region)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def evaluate(schedule: Schedule, phase: str, scenario: str, builds: int, seed: int = 8) -> Stats:
    """The same durations for every schedule (same seed), so the comparison is paired."""
    rng = random.Random(f"{seed}/{phase}/{scenario}")  # nosec B311 - simulation, not security
    detections = [d for _ in range(builds) for d in simulate_build(draw_durations(rng, phase, scenario), phase, schedule)]
    lags = [d.lag for d in detections]
    calls = [d.calls for d in detections]
    return Stats(statistics.fmean(lags), percentile(lags, 0.95), statistics.fmean(calls), max(calls), len(detections))


def evaluate_all(builds: int, seed: int = 8, schedules=SCHEDULES) -> dict[tuple[str, str, str], Stats]:
    """(scenario, phase, schedule name) -> Stats."""
    return {
        (scenario, phase, schedule.name): evaluate(schedule, phase, scenario, builds, seed)
        for scenario in SCENARIOS for phase in PHASE_RANGES for schedule in schedules
    }
