"""What the seed's four Step Functions state machines bill for a lifecycle: their state transitions.

AWS bills Standard workflows per state transition (https://aws.amazon.com/step-functions/pricing/): "Step
Functions counts a state transition each time a step of your workflow is executed. You are charged for the
total number of state transitions across all your state machines, including retries." So every state entered
counts once, and again on every pass of a loop.

The machines are modelled as the seed describes them (shared/seed/global-rekognition-custom-labels.md),
state by state, with these readings:
- a Map or Parallel state counts once when entered, plus the states of each of its iterations or branches;
- the start, stop and delete machines run, per region, a Parallel state whose branches are the "Pass" that
  keeps the original input and the per-version Map, joined by "Complete Parallel ... Version" (the seed names
  the Pass and the synchronize point; its CDK source, lib/construct/*-stepfunction.ts, has the Parallel);
- the polling loop is "Wait 5 minutes" -> "Get Job Status" -> "... Complete?" (a Choice), entered after the
  action's Lambda task; the first status read comes one wait after the action, so a transition that takes
  `d` seconds is seen on pass ceil(d / 300) (at least one pass). The seed's CDK source waits 5 seconds (not
  minutes) in the delete machine, which would make deletions dearer: the seed's text (5 minutes) is used;
- a whole-project delete goes "Delete Project?" -> "Get Project Details" -> "Delete Project" and does not
  wait for the project to disappear; no Lambda retries (a retry would be one more transition each).
Pure and deterministic: the tests check it by hand-counted examples.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

PRICING_PAGE = "https://aws.amazon.com/step-functions/pricing/"
SEED_WAIT_SECONDS = 300.0  # "Wait 5 minutes"
MINUTE = 60.0


@dataclass(frozen=True)
class Durations:
    """How long each Rekognition transition takes (seconds), the same for the seed and for ours.

    Training: 2 hours (issue 16). Starting and stopping: 12.5 minutes, the middle of the 5-20 minute window
    the project's polling assumes (workflows/polling.py ADAPTIVE_WINDOWS, issue #8). DeleteProjectVersion and
    DeleteProject have no documented typical duration: 1 minute each is an assumption (with the seed's
    5-minute wait any deletion under 5 minutes costs the same one pass).
    """

    training: float = 120 * MINUTE
    starting: float = 12.5 * MINUTE
    stopping: float = 12.5 * MINUTE
    deleting: float = 1 * MINUTE
    project_deleting: float = 1 * MINUTE


def polls(duration: float, wait: float = SEED_WAIT_SECONDS) -> int:
    """Passes through the Wait -> Get Job Status -> Complete? loop until a status read sees the change."""
    return max(1, math.ceil(duration / wait))


def _poll_loop(states: Counter, complete: str, duration: float) -> None:
    passes = polls(duration)
    states["Wait 5 minutes"] += passes
    states["Get Job Status"] += passes
    states[complete] += passes


def _top(states: Counter) -> None:
    """What every machine enters once: the regional data, the per-region Map, the SNS notification."""
    states["Set Regional Data"] += 1
    states["Map State"] += 1
    states["Notify Global Custom Labels Model Task"] += 1


def build(regions: int, durations: Durations) -> Counter:
    """Create and Build Model: one version trained in every region."""
    states: Counter = Counter()
    _top(states)
    for _ in range(regions):
        states["Build Model Lambda Task"] += 1
        _poll_loop(states, "Training Complete?", durations.training)
        states["Final"] += 1
    return states


def _per_version(states: Counter, regions: int, versions: int, verb: str, done: str, duration: float,
                 details: str = "Get Model Details") -> None:
    """The shared shape of start, stop and delete: per region the details, a Parallel of a Pass and a per-version
    Map (action, polling loop, final Pass), joined by the synchronize point."""
    for _ in range(regions):
        states[details] += 1
        states[f"Parallel {verb} Model Version"] += 1
        states["Pass"] += 1
        states[f"{verb} Version Map State"] += 1
        for _ in range(versions):
            states[f"{verb} Model Version"] += 1
            _poll_loop(states, f"{verb} Version Complete?", duration)
            states[done] += 1
        states[f"Complete Parallel {verb} Version"] += 1


def start(regions: int, versions: int, durations: Durations) -> Counter:
    states: Counter = Counter()
    _top(states)
    _per_version(states, regions, versions, "Start", "Version Started", durations.starting)
    return states


def stop(regions: int, versions: int, durations: Durations) -> Counter:
    states: Counter = Counter()
    _top(states)
    _per_version(states, regions, versions, "Stop", "Version Stopped", durations.stopping)
    return states


def delete(regions: int, versions: int, durations: Durations, whole_project: bool) -> Counter:
    """Delete the versions; with an empty VersionNames (`whole_project`) every version, then the project."""
    states: Counter = Counter()
    _top(states)
    _per_version(states, regions, versions, "Delete", "Version Deleted", durations.deleting,
                 details="Get Version Details")
    for _ in range(regions):
        states["Delete Project?"] += 1
        if whole_project:
            states["Get Project Details"] += 1
            states["Delete Project"] += 1
        else:
            states["Keep Project"] += 1
    return states


def lifecycle(regions: int, versions: int, durations: Durations) -> dict[str, Counter]:
    """Build each version (one execution each), start all, stop all, delete the project: states per execution."""
    executions = {f"build v{n + 1}": build(regions, durations) for n in range(versions)}
    executions["start"] = start(regions, versions, durations)
    executions["stop"] = stop(regions, versions, durations)
    executions["delete"] = delete(regions, versions, durations, whole_project=True)
    return executions


def total(executions: dict[str, Counter]) -> int:
    return sum(sum(states.values()) for states in executions.values())
