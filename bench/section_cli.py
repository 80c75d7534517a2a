"""Section `cli`: `python cli.py --help` against `python -c pass` (interpreter start-up) in fresh processes."""

from __future__ import annotations

import statistics

from bench.proc import python, run_measured
from bench.results import Row, SectionResult

RUNS = {"tiny": 2, "quick": 5, "full": 11}


def median_seconds(args: list[str], runs: int) -> float:
    run_measured(args)  # warm the page cache / .pyc files first
    return statistics.median(run_measured(args).seconds for _ in range(runs))


def run(size: str) -> SectionResult:
    runs = RUNS.get(size, RUNS["full"])
    bare = median_seconds(python("-c", "pass"), runs)
    help_ = median_seconds(python("cli.py", "--help"), runs)
    return SectionResult("cli", [
        Row("cli", f"`python cli.py --help` (median of {runs})", help_ * 1000, bare * 1000, "ms", "`python -c pass`",
            note=f"{(help_ - bare) * 1000:.0f} ms of our own start-up"),
    ])
