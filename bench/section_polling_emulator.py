"""Section `polling-emulator`: the schedules against the real emulator, time scaled down, calls counted by it.

Same durations as the simulation (drawn per region, fixed seed) divided by SCALE; the emulator runs in "time"
mode with those per-region durations. Eleven threads (one per region) do what ModelVersionWorkflow does for
training, start and stop: sleep `workflows.polling.next_delay` (computed on the unscaled clock, then scaled),
then poll through the real `RekognitionActivities.describe_version`. A region's siblings_finished turns true once
another region's thread noticed the end of the same phase. The real change time is when the emulator entered the
transitional state (its history) plus the configured duration; API calls are the emulator's own
`{region}/DescribeProjectVersions` counters. Lags are reported back in unscaled seconds.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import polling_sim as sim
from bench import world
from bench.results import Row, SectionResult
from workflows.polling import STARTING, STOPPING, TRAINING, PollContext, next_delay

SCALES = {"tiny": 1 / 6000, "quick": 1 / 1800, "full": 1 / 600}
BUILDS = {"tiny": 1, "quick": 2, "full": 2}
SCHEDULES = (sim.FIXED, sim.WAITERS, sim.OURS)
PHASES = (TRAINING, STARTING, STOPPING)
TRANSITIONAL = {TRAINING: "TRAINING_IN_PROGRESS", STARTING: "STARTING", STOPPING: "STOPPING"}
DONE = {TRAINING: "TRAINING_COMPLETED", STARTING: "RUNNING", STOPPING: "STOPPED"}
TIMING_KEY = {TRAINING: "TRAINING", STARTING: "STARTING", STOPPING: "STOPPING"}


class Siblings:
    """Per phase: has any region noticed its own end yet?"""

    def __init__(self):
        self._done: dict[str, set[str]] = {phase: set() for phase in PHASES}
        self._lock = threading.Lock()

    def finished(self, phase: str, region: str) -> None:
        with self._lock:
            self._done[phase].add(region)

    def others(self, phase: str, region: str) -> bool:
        with self._lock:
            return bool(self._done[phase] - {region})


def watch(region: str, project: str, schedule: sim.Schedule, scale: float, siblings: Siblings) -> dict:
    """Train, start and stop one version, polling like the workflow; returns {phase: (noticed wall time, polls)}."""
    import boto3

    from activities.clients import Boto3Clients
    from activities.rekognition import RekognitionActivities
    from workflows.models import DescribeVersionInput

    clients = Boto3Clients()
    clients("rekognition", region)  # create the client now: its first-use cost is not polling lag
    describe = RekognitionActivities(clients).describe_version
    rek = boto3.client("rekognition", region_name=region)
    project_arn, arn = world.create_version(region, project, "v1", world.dataset_of(region))
    noticed = {}
    for phase in PHASES:
        if phase == STARTING:
            rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
        elif phase == STOPPING:
            rek.stop_project_version(ProjectVersionArn=arn)
        began, polls = time.time(), 0
        interval = schedule.interval(phase)
        while True:
            elapsed = (time.time() - began) / scale
            ctx = PollContext(phase, elapsed, polls, interval, siblings_finished=siblings.others(phase, region))
            time.sleep(next_delay(ctx, schedule.policy) * scale)
            polls += 1
            sent = time.time()
            status = describe(DescribeVersionInput(region, project_arn, "v1")).status
            if status == DONE[phase]:
                # the middle of the call: a slow loopback call, scaled up, would otherwise count as polling lag
                noticed[phase] = ((sent + time.time()) / 2, polls)
                siblings.finished(phase, region)
                break
            if status != TRANSITIONAL[phase]:
                raise RuntimeError(f"{region}: unexpected status {status} while {phase}")
    return noticed


def run_build(control, regions, durations, schedule, scale, project) -> dict:
    """One build of every region under one schedule: lags (unscaled s) and polls per phase, emulator-checked."""
    control.reset_calls()
    siblings = Siblings()
    with ThreadPoolExecutor(max_workers=len(regions)) as pool:
        futures = {r: pool.submit(watch, r, project, schedule, scale, siblings) for r in regions}
        noticed = {r: f.result() for r, f in futures.items()}
    calls = control.calls()
    entered = {item["region"]: {h["status"]: h["at"] for h in item["history"]}
               for item in control.versions() if item["project"] == project}
    out = {phase: {"lag": [], "polls": []} for phase in PHASES}
    for region in regions:
        for phase in PHASES:
            changed = entered[region][TRANSITIONAL[phase]] + durations[region][phase] * scale
            when, polls = noticed[region][phase]
            out[phase]["lag"].append((when - changed) / scale)
            out[phase]["polls"].append(polls)
    counted = sum(calls.get(f"{r}/DescribeProjectVersions", 0) for r in regions)
    made = sum(sum(out[p]["polls"]) for p in PHASES)
    if counted != made:
        raise RuntimeError(f"emulator counted {counted} DescribeProjectVersions calls, the pollers made {made}")
    out["calls_total"] = counted
    return out


def draw(regions, build: int) -> dict[str, dict[str, float]]:
    """Per region and phase, the same durations for every schedule (seeded by the build number)."""
    rng = random.Random(f"bench-emulator/{build}")  # nosec B311
    durations = {r: {} for r in regions}
    for phase in PHASES:
        for region, seconds in zip(regions, sim.draw_durations(rng, phase, sim.INDEPENDENT, len(regions)), strict=True):
            durations[region][phase] = seconds
    return durations


def run(size: str) -> SectionResult:
    scale = SCALES.get(size, SCALES["full"])
    builds = BUILDS.get(size, BUILDS["full"])
    regions = world.regions()
    measured = {s.name: {p: {"lag": [], "polls": []} for p in PHASES} | {"calls_total": 0} for s in SCHEDULES}
    with world.local_aws() as (_, control):
        for region in regions:
            world.regional_dataset(region)
        for build in range(builds):
            durations = draw(regions, build)
            control.configure({"timing": {"mode": "time", "per_region": {
                r: {TIMING_KEY[p]: durations[r][p] * scale for p in PHASES} for r in regions}}})
            for index, schedule in enumerate(SCHEDULES):
                found = run_build(control, regions, durations, schedule, scale, f"bench-poll-{build}-{index}")
                for phase in PHASES:
                    for key in ("lag", "polls"):
                        measured[schedule.name][phase][key] += found[phase][key]
                measured[schedule.name]["calls_total"] += found["calls_total"]
    result = SectionResult("polling-emulator")
    for schedule in SCHEDULES:
        found = measured[schedule.name]
        for phase in PHASES:
            lags, polls = found[phase]["lag"], found[phase]["polls"]
            result.details.append({
                "schedule": schedule.name, "phase": phase, "mean_lag_s": round(statistics.fmean(lags), 1),
                "max_lag_s": round(max(lags), 1), "calls_per_version": round(statistics.fmean(polls), 2),
                "calls_total": sum(polls),
            })
    base, ours = measured[sim.FIXED.name], measured[sim.OURS.name]
    label = f"{builds} builds x {len(regions)} regions, time x1/{round(1 / scale)}"
    for phase in PHASES:
        result.rows += [
            Row("polling emulator", f"{phase} ({label}): mean lag", statistics.fmean(ours[phase]["lag"]),
                statistics.fmean(base[phase]["lag"]), "s", sim.FIXED.name, note="unscaled seconds"),
            Row("polling emulator", f"{phase}: DescribeProjectVersions calls", sum(ours[phase]["polls"]),
                sum(base[phase]["polls"]), "calls", sim.FIXED.name),
        ]
    result.rows.append(Row("polling emulator", "all phases: calls counted by the emulator", ours["calls_total"],
                           base["calls_total"], "calls", sim.FIXED.name, note="GET /_emulator/calls"))
    return result
