"""The poll schedule is pure: same context, same delay, always within [1 s, poll interval]."""

import pytest

from workflows import polling
from workflows.polling import PollContext


def ctx(**overrides) -> PollContext:
    values = {"phase": polling.TRAINING, "elapsed_seconds": 0.0, "polls": 0, "max_interval_seconds": 300}
    return PollContext(**{**values, **overrides})


@pytest.mark.parametrize("polls", [0, 1, 7, 500])
def test_default_is_the_seeds_fixed_interval(polls):
    assert polling.next_delay(ctx(polls=polls, elapsed_seconds=polls * 300.0)) == 300


def test_fixed_ignores_siblings():
    assert polling.next_delay(ctx(siblings_finished=True)) == 300


def test_backoff_starts_short_and_stretches_to_the_interval():
    delays = [polling.next_delay(ctx(polls=n), "backoff") for n in range(6)]
    assert delays == [30, 60, 120, 240, 300, 300]


def test_backoff_polls_sooner_once_another_region_finished():
    assert polling.next_delay(ctx(polls=2, siblings_finished=True), "backoff") == 60


def test_delay_is_clamped_to_at_least_one_second():
    assert polling.next_delay(ctx(max_interval_seconds=2, polls=0), "backoff") == 1
    assert polling.next_delay(ctx(max_interval_seconds=0)) == 1


def test_new_policies_plug_in_by_name(monkeypatch):
    monkeypatch.setitem(polling.POLICIES, "eager", lambda c: 5 if c.phase == polling.STARTING else 10_000)
    assert polling.next_delay(ctx(phase=polling.STARTING), "eager") == 5
    assert polling.next_delay(ctx(), "eager") == 300  # never beyond the configured interval


def test_unknown_policy_is_one_readable_error():
    with pytest.raises(polling.UnknownPollPolicyError, match="unknown PollPolicy 'smart': use one of .*fixed"):
        polling.next_delay(ctx(), "smart")
