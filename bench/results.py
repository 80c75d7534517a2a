"""One measured line of the bench: ours against a baseline, and their ratio."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Row:
    section: str
    measure: str
    ours: float
    baseline: float | None
    unit: str
    baseline_name: str = ""
    note: str = ""
    lower_is_better: bool = True

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class SectionResult:
    name: str
    rows: list[Row] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)  # extra per-section table (e.g. every polling schedule)
    skipped: str | None = None  # why the section could not run
    seconds: float = 0.0


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    magnitude = abs(value)
    text = f"{value:.0f}" if magnitude >= 100 else f"{value:.1f}" if magnitude >= 10 else f"{value:.2f}" if magnitude >= 0.1 \
        else f"{value:.3f}"
    return f"{text} {unit}".strip()
