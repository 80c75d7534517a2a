"""When to poll next: a pure, pluggable schedule.

The seed waited a fixed 5 minutes between two status polls; `fixed` does the same with the configured
`poll_interval_seconds`. The default (settings' poll_policy) is `adaptive`: no polls while a phase cannot have
ended yet, then denser ones (bench/: sooner detection at fewer calls than fixed). A schedule is any function
`PollContext -> seconds`, registered by name in POLICIES so a workflow input (`PollPolicy`) or the settings can
pick one; the result is clamped to [MIN_DELAY, max_interval] (plus the quiet period for QUIET_POLICIES).
Pure module (used inside workflows): same inputs, same delay, on every replay.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Phases a per-version workflow waits in (the Rekognition transitions it watches).
REPLICATION = "replication"
TRAINING = "training"
STARTING = "starting"
STOPPING = "stopping"
DELETING = "deleting"
PROJECT_DELETING = "project_deleting"

MIN_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class PollContext:
    phase: str
    elapsed_seconds: float  # since this wait began
    polls: int  # polls already made in this wait
    max_interval_seconds: float  # the configured poll_interval_seconds
    siblings_finished: bool = False  # the same operation already finished in another region


Policy = Callable[[PollContext], float]


def fixed(ctx: PollContext) -> float:
    """The seed's behaviour: always the configured interval."""
    return ctx.max_interval_seconds


def backoff(ctx: PollContext) -> float:
    """Poll early waits often (start/stop/delete usually take minutes), then stretch to the interval.

    The first poll comes after a tenth of the interval, each later one doubles, capped at the interval;
    once another region has finished the same operation this one is probably close too, so halve the wait.
    """
    delay = ctx.max_interval_seconds / 10 * (2 ** min(ctx.polls, 10))
    if ctx.siblings_finished:
        delay /= 2
    return delay


POLICIES: dict[str, Policy] = {"fixed": fixed, "backoff": backoff}
# What a run uses when neither its input nor the worker's settings name a policy: the seed's schedule. Runs
# started before poll_policy was a setting took this path, so it must stay "fixed" for their replays; the
# setting's own default (terraform/variables.tf) is "adaptive".
HISTORY_DEFAULT_POLICY = "fixed"


class UnknownPollPolicyError(ValueError):
    """A PollPolicy name that is not in POLICIES."""


def validate_policy(name: str | None) -> str:
    name = name or HISTORY_DEFAULT_POLICY
    if name not in POLICIES:
        raise UnknownPollPolicyError(f"unknown PollPolicy {name!r}: use one of {', '.join(sorted(POLICIES))}")
    return name


def next_delay(ctx: PollContext, policy: str | None = None) -> float:
    """Seconds to wait before the next poll, within [MIN_DELAY_SECONDS, max_interval_seconds].

    Policies in QUIET_POLICIES may also wait out the phase's typical minimum first (TYPICAL_MINIMUM: no
    training has ended in its first 30 minutes): then the ceiling is that remaining quiet time plus the interval.
    """
    name = validate_policy(policy)
    ceiling = max(MIN_DELAY_SECONDS, float(ctx.max_interval_seconds))
    if name in QUIET_POLICIES:
        ceiling += max(0.0, TYPICAL_MINIMUM.get(ctx.phase, 0.0) - ctx.elapsed_seconds)
    raw = POLICIES[name](ctx)
    return min(ceiling, max(MIN_DELAY_SECONDS, float(raw)))


# ---------------------------------------------------------------- adaptive (bench/ measures it against `fixed`)

# Typical duration of each watched transition, seconds (FACTS.md, issue #8): trainings 30-180 min, starts
# and stops 5-20 min. Inside that window the first useful poll is late and later polls are denser, because
# a later poll is less likely to be needed at all (for a uniform prior the optimal spacing shrinks by a
# constant per poll; `_window_interval` is its continuous form). Tuned in bench/polling_sim.py.
ADAPTIVE_WINDOWS: dict[str, tuple[float, float]] = {
    TRAINING: (30 * 60.0, 180 * 60.0),
    STARTING: (5 * 60.0, 20 * 60.0),
    STOPPING: (5 * 60.0, 20 * 60.0),
}
TYPICAL_MINIMUM: dict[str, float] = {phase: window[0] for phase, window in ADAPTIVE_WINDOWS.items()}
QUIET_POLICIES: set[str] = {"adaptive"}  # may wait out TYPICAL_MINIMUM in one sleep (see next_delay)
# (interval at the start of the window, interval at its end), seconds; never above max_interval_seconds
ADAPTIVE_INTERVALS: dict[str, tuple[float, float]] = {
    TRAINING: (300.0, 180.0),
    STARTING: (270.0, 90.0),
    STOPPING: (270.0, 90.0),
}
ADAPTIVE_SIBLING_FACTOR = 0.8  # another region finished the same operation: this one is probably close
ADAPTIVE_OVERSHOOT_GROWTH = 0.25  # past the window, the interval grows by a quarter of the overshoot


def _window_interval(phase: str, elapsed: float) -> float:
    low, high = ADAPTIVE_WINDOWS[phase]
    sparse, dense = ADAPTIVE_INTERVALS[phase]
    if elapsed > high:  # unusually long: back off again towards the max interval (bounded call count)
        return dense + ADAPTIVE_OVERSHOOT_GROWTH * (elapsed - high)
    slope = (sparse**2 - dense**2) / (high - low)
    return (dense**2 + slope * (high - max(low, elapsed))) ** 0.5


def adaptive(ctx: PollContext) -> float:
    """Wait out the phase's typical minimum in one sleep, then poll more and more densely (sooner once a sibling
    region finished), never more than the max interval apart.

    With the default 5-minute interval this makes fewer calls than the seed's fixed 5 minutes (no polls in the
    first 30 minutes of a training, which never ends that soon) and notices the change sooner (bench/). Phases
    without a typical window (replication, deletions) use `backoff`.
    """
    if ctx.phase not in ADAPTIVE_WINDOWS:
        return backoff(ctx)
    low = ADAPTIVE_WINDOWS[ctx.phase][0]
    delay = min(_window_interval(ctx.phase, ctx.elapsed_seconds), ctx.max_interval_seconds)
    if ctx.elapsed_seconds < low:
        delay += low - ctx.elapsed_seconds
    if ctx.siblings_finished:
        delay *= ADAPTIVE_SIBLING_FACTOR
    return delay


POLICIES["adaptive"] = adaptive
