"""The adaptive schedule against the seed's fixed one, on the bench's deterministic simulation (no wall time)."""

import pytest

from bench import polling_sim as sim
from workflows import polling
from workflows.polling import PollContext, next_delay


@pytest.mark.parametrize("phase", list(sim.PHASE_RANGES))
@pytest.mark.parametrize("scenario", sim.SCENARIOS)
def test_adaptive_notices_sooner_than_fixed_with_no_more_calls(phase, scenario):
    fixed = sim.evaluate(sim.FIXED, phase, scenario, builds=60)
    ours = sim.evaluate(sim.OURS, phase, scenario, builds=60)

    assert ours.versions == fixed.versions == 60 * sim.REGIONS
    assert ours.mean_lag < 0.85 * fixed.mean_lag
    assert ours.p95_lag < fixed.p95_lag
    assert ours.mean_calls <= fixed.mean_calls


def test_the_simulation_is_deterministic_and_paired():
    first = sim.evaluate(sim.OURS, polling.TRAINING, sim.INDEPENDENT, builds=5, seed=3)
    again = sim.evaluate(sim.OURS, polling.TRAINING, sim.INDEPENDENT, builds=5, seed=3)
    other = sim.evaluate(sim.OURS, polling.TRAINING, sim.INDEPENDENT, builds=5, seed=4)
    assert first == again
    assert first != other


def test_fixed_schedule_lag_is_below_its_interval_and_calls_match_the_duration():
    durations = [1000.0, 1300.0, 299.0]
    found = sim.simulate_build(durations, polling.STARTING, sim.FIXED)
    assert [(d.noticed, d.calls) for d in found] == [(1200.0, 4), (1500.0, 5), (300.0, 1)]
    assert all(0 <= d.lag < 300 for d in found)


def test_a_finished_sibling_makes_the_adaptive_schedule_poll_sooner():
    early = PollContext(polling.TRAINING, 3000, 3, 300)
    assert next_delay(early, "adaptive") > next_delay(PollContext(polling.TRAINING, 3000, 3, 300, True), "adaptive")


def test_adaptive_waits_out_the_typical_minimum_then_polls_denser_within_the_interval():
    training = [next_delay(PollContext(polling.TRAINING, t, 0, 300), "adaptive") for t in (0, 1800, 6000, 10700)]
    assert training[0] == 1800 + 300  # one sleep through the first 30 minutes, then at most the interval
    assert 300 >= training[1] > training[2] > training[3]  # denser and denser inside the typical window
    long_run = [next_delay(PollContext(polling.TRAINING, t, 0, 300), "adaptive") for t in (10900, 11000, 90000)]
    assert long_run[0] < long_run[1] <= long_run[2] == 300  # past the window it backs off to the interval
    assert next_delay(PollContext(polling.STARTING, 0, 0, 300), "adaptive") == 300 + 270
    assert next_delay(PollContext(polling.STARTING, 0, 0, 60), "adaptive") == 300 + 60  # never beyond the interval
    for phase in (polling.REPLICATION, polling.DELETING, polling.PROJECT_DELETING):
        ctx = PollContext(phase, 10, 2, 300)
        assert next_delay(ctx, "adaptive") == next_delay(ctx, "backoff")


def test_a_training_far_beyond_the_typical_window_polls_like_fixed():
    day = sim.simulate_build([24 * 3600.0], polling.TRAINING, sim.OURS)[0]
    fixed = sim.simulate_build([24 * 3600.0], polling.TRAINING, sim.FIXED)[0]
    assert fixed.calls <= day.calls <= fixed.calls * 1.05  # bounded: past the window it is the fixed interval
