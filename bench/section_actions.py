"""Section `actions`: what a followed lifecycle bills on Temporal Cloud, against the seed's Step Functions bill.

Seed (bench/seed_transitions.py): the state transitions its four Standard state machines take for the
lifecycle, computed from the machines as the seed describes them. Ours (bench/lifecycle_run.py): the same
lifecycle run for real, the actions counted from every run's history (bench/actions.py), plus the CLI's
queries and updates (none are in a history), the activity heartbeats the server received, and the front
doors' hourly re-submits over the real waits (modelled: see lifecycle_run). The previous design
(bench/old_design.py) runs the same lifecycle for comparison, its CLI's 2-second queries modelled. Same
durations everywhere.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from bench import lifecycle_run as lr
from bench import old_design as old
from bench import orchestration as orch
from bench import seed_transitions as seed
from bench import world
from bench.client_calls import BILLED_OUTSIDE_HISTORY
from bench.results import Row, SectionResult

MINUTE = 60.0
PROJECT = "BenchActions"
TARGET = 0.7
# size -> (regions, durations); the ratio hardly depends on the region count, the durations are the issue's
SIZES = {
    "tiny": (2, seed.Durations(training=35 * MINUTE, starting=6 * MINUTE, stopping=6 * MINUTE)),
    "quick": (3, seed.Durations()),
    "full": (11, seed.Durations()),
}


def kinds_text(found: Counter) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(found.items(), key=lambda item: -item[1]))


def check_clock(cost: lr.LifecycleCost, regions: int, durations: seed.Durations) -> None:
    """Every training the lifecycle made ran its full duration on its workflow's clock (else the count is off)."""
    trainings = [seconds for _, phase, seconds in cost.transitions if phase == lr.TRAINING]
    if len(trainings) != regions * len(orch.VERSIONS) or min(trainings) < durations.training:
        raise RuntimeError(f"trainings timed by workflow time: {sorted(trainings)}")


def recorded(cost: lr.LifecycleCost, side: str) -> list[dict]:
    """Details rows of what the histories and the server's counters show: actions per workflow type, heartbeats."""
    rows = []
    for workflow_type, found in sorted(lr.by_type(cost.executions).items()):
        runs = sum(1 for run in cost.executions if run.workflow_type == workflow_type)
        rows.append({"side": side, "what": f"{workflow_type} ({runs} runs)", "count": sum(found.values()),
                     "how": kinds_text(found)})
    heartbeats = cost.server_requests["RecordActivityTaskHeartbeat"] + \
        cost.server_requests["RecordActivityTaskHeartbeatById"]
    rows.append({"side": side, "what": "activity heartbeats received", "count": heartbeats,
                 "how": "the dev server's RecordActivityTaskHeartbeat counter"})
    return rows


def ours(cost: lr.LifecycleCost) -> tuple[int, list[dict]]:
    """Total billable actions and the details rows that make it up."""
    cli_billed = sum(cost.cli_calls[kind] for kind in BILLED_OUTSIDE_HISTORY)
    waits = [lr.operation_seconds(cost.executions, door)[0] for door in cost.operations]
    details = recorded(cost, "ours") + [
        {"side": "ours", "what": "CLI queries + updates while following", "count": cli_billed,
         "how": f"counted on the CLI's client: {kinds_text(cost.cli_calls) or 'none'}"},
        {"side": "ours", "what": "front-door re-submits over real waits (modelled)",
         "count": sum(lr.resubmits(seconds) for seconds in waits) * lr.RESUBMIT_ACTIONS,
         "how": f"{lr.RESUBMIT_ACTIONS} per hour waited; waits " + ", ".join(lr.timedelta_text(s) for s in waits)},
    ]
    return sum(d["count"] for d in details), details


def following(cost: lr.LifecycleCost) -> list[dict]:
    """What following costs besides actions: the CLI's visibility reads over real-time waits."""
    measured = sum(cost.cli_calls[kind] for kind in ("list", "describe", "count"))
    modelled = 0
    for door in cost.operations:
        seconds, changes = lr.operation_seconds(cost.executions, door)
        modelled += lr.visibility_refreshes(seconds, changes)
    return [{"side": "ours", "what": "CLI visibility reads (not billed)", "count": modelled,
             "how": f"real-time follow, modelled with cli_commands.follow's 1->10 s refresh; {measured} in this "
                    "time-skipped run"}]


def previous(cost: lr.LifecycleCost) -> tuple[int, list[dict]]:
    """The previous design's total (histories, heartbeats, its CLI's modelled queries) and details."""
    side = f"previous ({old.OLD_DESIGN_COMMIT[:8]})"
    waits = [old.operation_seconds(cost.executions, door) for door in cost.operations]
    details = recorded(cost, side) + [
        {"side": side, "what": "CLI progress queries while following (modelled)",
         "count": sum(lr.old_cli_queries(seconds) for seconds in waits),
         "how": "one every 2 s until the result; waits " + ", ".join(lr.timedelta_text(s) for s in waits)},
    ]
    return sum(d["count"] for d in details), details


def seed_details(executions: dict[str, Counter], durations: seed.Durations) -> list[dict]:
    rows = []
    for name, states in executions.items():
        loops = {k: v for k, v in states.items() if k.endswith("Complete?")}
        rows.append({"side": "seed", "what": f"{name} state machine", "count": sum(states.values()),
                     "how": f"{len(states)} distinct states; polling passes: {kinds_text(Counter(loops))}"})
    return rows


def run(size: str) -> SectionResult:
    count, durations = SIZES.get(size, SIZES["full"])
    regions = world.regions()[:count]
    result = SectionResult("actions")
    with world.local_aws() as (_, control):
        orch.prepare_account(control, regions, lr.POLL_SECONDS, timing={"mode": "manual"})
        cost = asyncio.run(lr.measure(control, regions, durations, PROJECT))
        previous_cost = asyncio.run(old.measure(regions, durations, f"{PROJECT}Old")) if old.available() else None
    check_clock(cost, len(regions), durations)
    total, details = ours(cost)
    executions = seed.lifecycle(len(regions), len(orch.VERSIONS), durations)
    seed_total = seed.total(executions)
    label = (f"billable actions, followed lifecycle {len(regions)} regions x {len(orch.VERSIONS)} versions "
             f"(build, start, stop, delete; {lr.timedelta_text(durations.training)} trainings)")
    baseline = "seed: Step Functions state transitions"
    result.rows.append(Row(
        "actions", label, total, seed_total, "actions", baseline,
        note=f"target <= {TARGET:.2f}x; Temporal Cloud actions ({lr.actions.ACTIONS_PAGE}) vs Standard "
             f"transitions ({seed.PRICING_PAGE})"))
    result.details = details + following(cost)
    if previous_cost is None:
        result.details.append({"side": "previous", "what": "not measured", "count": 0,
                               "how": f"commit {old.OLD_DESIGN_COMMIT[:8]} is not in this repository"})
    else:
        previous_total, previous_details = previous(previous_cost)
        result.rows.append(Row(
            "actions", f"{label}, previous design ({old.OLD_DESIGN_COMMIT[:8]})", previous_total, seed_total,
            "actions", baseline, note="per-status signals to the parent; the CLI's 2-s progress queries (modelled)"))
        result.details += previous_details
    result.details += seed_details(executions, durations)
    return result
