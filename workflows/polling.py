"""When to poll next: a pure, pluggable schedule.

The seed waited a fixed 5 minutes between two status polls; `fixed` does the same with the configured
`poll_interval_seconds`. A schedule is any function `PollContext -> seconds`, registered by name in POLICIES
so a workflow input (`PollPolicy`) can pick one; the result is always clamped to [MIN_DELAY, max_interval].
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
DEFAULT_POLICY = "fixed"


class UnknownPollPolicyError(ValueError):
    """A PollPolicy name that is not in POLICIES."""


def validate_policy(name: str | None) -> str:
    name = name or DEFAULT_POLICY
    if name not in POLICIES:
        raise UnknownPollPolicyError(f"unknown PollPolicy {name!r}: use one of {', '.join(sorted(POLICIES))}")
    return name


def next_delay(ctx: PollContext, policy: str | None = None) -> float:
    """Seconds to wait before the next poll, within [MIN_DELAY_SECONDS, max_interval_seconds]."""
    ceiling = max(MIN_DELAY_SECONDS, float(ctx.max_interval_seconds))
    raw = POLICIES[validate_policy(policy)](ctx)
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
# (interval at the start of the window, interval at its end), seconds
ADAPTIVE_INTERVALS: dict[str, tuple[float, float]] = {
    TRAINING: (360.0, 90.0),
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
    """Poll rarely before the phase's typical minimum, then more and more densely, sooner once a sibling finished.

    Before the typical minimum the wait runs to the minimum plus the window's first interval (capped by the
    max interval, so with the default 5-minute interval early polls come every 5 minutes and it only adds
    polls; with a larger max interval such as 30 minutes it makes fewer calls than `fixed` at 5 minutes and
    still notices sooner). Phases without a typical window (replication, deletions) use `backoff`.
    """
    if ctx.phase not in ADAPTIVE_WINDOWS:
        return backoff(ctx)
    low = ADAPTIVE_WINDOWS[ctx.phase][0]
    delay = _window_interval(ctx.phase, ctx.elapsed_seconds)
    if ctx.elapsed_seconds < low:
        delay += low - ctx.elapsed_seconds
    if ctx.siblings_finished:
        delay *= ADAPTIVE_SIBLING_FACTOR
    return delay


POLICIES["adaptive"] = adaptive
