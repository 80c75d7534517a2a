"""A version's quality across regions (issue 17.3): its evaluation per region, the F1 gate, the spread.

Each region trains its own model, so the same version scores differently per region; behind one global endpoint
a caller gets whichever model is nearest. The figures come from the `read_evaluation` activity (F1 from
DescribeProjectVersions, precision/recall/test images from the summary file). Shared by the workflows (the gate,
the SNS message), the CLI's final lines and `status`. Pure: imported in the workflow sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.models import VersionEvaluation

FIGURES = ("f1", "precision", "recall", "test_images")


def figures(evaluation: VersionEvaluation) -> dict:
    """The figures a summary keeps of an evaluation (not the ARN or summary URI: the rows and status have those)."""
    return {name: getattr(evaluation, name) for name in FIGURES}


def compared(f1: float, minimum: float) -> tuple[str, str]:
    """F1 and the bar with as many decimals as it takes to tell them apart (0.795 vs 0.80, not 0.80 vs 0.80)."""
    for decimals in (2, 3, 4):
        shown = (f"{f1:.{decimals}f}", f"{minimum:.{decimals}f}")
        if shown[0] != shown[1]:
            return shown
    return f"{f1:.4f}", f"{minimum:.4f}"


def shortfall(f1: float | None, minimum: float) -> str | None:
    """Why a model misses the bar ("F1 0.62 < 0.80"), or None when it meets it (F1 >= MinF1)."""
    if f1 is None:
        return f"no F1 score (not evaluated) < {minimum:.2f}"
    if f1 >= minimum:
        return None
    score, bar = compared(f1, minimum)
    return f"F1 {score} < {bar}"


@dataclass(frozen=True)
class Spread:
    """The F1 of one version over the regions where it is known: lowest, highest and their difference."""

    low: float
    low_region: str
    high: float
    high_region: str
    regions: int

    @property
    def width(self) -> float:
        return round(self.high - self.low, 4)

    def text(self) -> str:
        if self.regions == 1:
            return f"F1 {self.low:.3f} ({self.low_region}; 1 region evaluated)"
        return (f"F1 min {self.low:.3f} ({self.low_region}), max {self.high:.3f} ({self.high_region}), "
                f"spread {self.width:.3f} over {self.regions} regions")


def spread(by_region: dict[str, dict | None]) -> Spread | None:
    """The spread of F1 over `{region: figures}` (regions without an F1 left out); None when no region has one."""
    known = sorted(((f["f1"], region) for region, f in by_region.items() if f and f.get("f1") is not None))
    if not known:
        return None
    (low, low_region), (high, high_region) = known[0], known[-1]
    return Spread(low, low_region, high, high_region, len(known))


def spreads(evaluation: dict[str, dict[str, dict]]) -> dict[str, Spread]:
    """`{version: Spread}` of a summary's `evaluation` (version -> region -> figures), versions with an F1 only."""
    found = {version: spread(by_region) for version, by_region in evaluation.items()}
    return {version: value for version, value in found.items() if value is not None}
