"""Section `polling`: the schedules on the simulated clock (bench/polling_sim.py), ours and boto3's against the seed."""

from __future__ import annotations

from bench import polling_sim as sim
from bench.results import Row, SectionResult


def run(size: str) -> SectionResult:
    builds = {"tiny": 5, "quick": 100}.get(size, 400)
    stats = sim.evaluate_all(builds)
    result = SectionResult("polling")
    for scenario in sim.SCENARIOS:
        for phase in sim.PHASE_RANGES:
            base = stats[(scenario, phase, sim.FIXED.name)]
            ours = stats[(scenario, phase, sim.OURS.name)]
            if scenario == sim.INDEPENDENT or phase == sim.TRAINING:
                label = f"{phase} ({scenario}, {builds}x{sim.REGIONS} regions)"
                result.rows += [
                    Row("polling sim", f"{label}: mean lag", ours.mean_lag, base.mean_lag, "s", sim.FIXED.name),
                    Row("polling sim", f"{label}: p95 lag", ours.p95_lag, base.p95_lag, "s", sim.FIXED.name),
                    Row("polling sim", f"{label}: calls", ours.mean_calls, base.mean_calls, "calls", sim.FIXED.name),
                ]
            for schedule in sim.SCHEDULES:
                found = stats[(scenario, phase, schedule.name)]
                result.details.append({
                    "scenario": scenario, "phase": phase, "schedule": schedule.name,
                    "mean_lag_s": round(found.mean_lag, 1), "p95_lag_s": round(found.p95_lag, 1),
                    "calls_mean": round(found.mean_calls, 2), "calls_max": found.max_calls,
                    "lag_vs_fixed": round(found.mean_lag / base.mean_lag, 2),
                    "calls_vs_fixed": round(found.mean_calls / base.mean_calls, 2),
                })
    return result
