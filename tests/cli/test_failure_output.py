"""Issue 16.4/16.5: a failed operation reads in one glance, and the live table fits a 100-column terminal."""

import pytest
from rich.console import Console

from cli_commands import output
from cli_commands.launch import OperationRequest, final_progress, print_summary
from configuration.regions import CUSTOM_LABELS_REGIONS

ELEVEN = list(CUSTOM_LABELS_REGIONS)


def _reason(region: str) -> str:
    return (f"manifest s3://gcl-train-123456789012-{region}/datasets/AWSDeepRacer/output.manifest not found: "
            "upload the dataset first (ManifestNotFound)")


@pytest.fixture
def screen(monkeypatch):
    """The CLI's console as a terminal of a given width, recording what is printed."""
    def make(width: int) -> Console:
        console = Console(width=width, soft_wrap=True, record=True, force_terminal=True, color_system=None)
        monkeypatch.setattr(output, "console", console)
        return console
    return make


def _failed_build() -> tuple[dict, str]:
    """What the parent reports for the issue's example: six rows still CHECKING, every region failed."""
    rows = [{"region": region, "version": "first", "status": "CHECKING" if i < 6 else "ERROR",
             "detail": f"s3://gcl-train-123456789012-{region}/datasets/AWSDeepRacer/output.manifest",
             "error": None if i < 6 else _reason(region), "ok": None if i < 6 else False}
            for i, region in enumerate(ELEVEN)]
    summary = {"operation": "build", "project": "AWSDeepRacer", "succeeded": [],
               "failed": {region: _reason(region) for region in ELEVEN}, "rows": rows}
    failure = "build AWSDeepRacer failed in 11 region(s): " + "; ".join(f"{r}: {_reason(r)}" for r in ELEVEN)
    return summary, failure


@pytest.mark.parametrize("width", [100, 200])
def test_failed_build_is_one_table_and_one_line_per_cause(screen, width):
    console = screen(width)
    summary, failure = _failed_build()
    request = OperationRequest("build", "AWSDeepRacer", ["first"], ELEVEN)
    console.print("build/AWSDeepRacer/first  http://127.0.0.1:8233/namespaces/default/workflows/build%2FAWSDeepRacer%2Ffirst")
    console.print(output.progress_table(final_progress(summary, failure, None), header=False))
    print_summary(request, summary, failure, 12.0)
    lines = console.export_text().splitlines()
    assert len(lines) <= 15, "\n".join(lines)
    assert max(len(line) for line in lines) <= 120, "\n".join(lines)
    assert not any("CHECKING" in line for line in lines)
    assert sum("FAILED" in line or "ERROR" in line for line in lines) == 11
    assert [line for line in lines if "failed in" in line] == [
        next(line for line in lines if line.startswith("build AWSDeepRacer first: failed in 11 of 11 region(s) (12 s)"))]
    assert "upload the dataset first (ManifestNotFound)" in lines[-1]  # the one cause: folded in, or on its own line


def test_a_cause_naming_the_management_region_groups_with_the_others():
    from cli_commands.outcome import group_causes

    failed = {region: f"image s3://mgmt-us-east-1/x.png is not in s3://train-{region}" for region in ELEVEN}
    causes = group_causes(failed)
    assert len(causes) == 1 and causes[0].regions == sorted(ELEVEN)
    assert causes[0].reason == "image s3://mgmt-us-east-1/x.png is not in s3://train-<region>"


def test_distinct_causes_get_a_line_each(screen):
    console = screen(100)
    failed = {"us-east-1": _reason("us-east-1"), "eu-west-1": _reason("eu-west-1"),
              "ap-south-1": "TRAINING_FAILED: The manifest file has no labels."}
    print_summary(OperationRequest("build", "P", ["v"], []), {"succeeded": ["eu-central-1"], "failed": failed},
                  None, 3.0)
    lines = console.export_text().splitlines()
    assert lines[0] == "build P v: succeeded in 1 region(s), failed in 3 of 4 (3 s)"
    assert len(lines) == 3 and lines[1].endswith(": 2 regions (eu-west-1, us-east-1)")
    assert lines[2] == "  TRAINING_FAILED: The manifest file has no labels.: 1 region (ap-south-1)"
    assert all(len(line) <= 100 for line in lines)


def test_live_table_fits_a_100_column_terminal(screen):
    console = screen(100)
    rows = [{"region": region, "version": "a-rather-long-version-name", "status": "TRAINING_IN_PROGRESS",
             "detail": f"s3://gcl-output-123456789012-{region}/AWSDeepRacer/a-rather-long-version-name/ " * 3}
            for region in ELEVEN]
    console.print(output.progress_table({"rows": rows}, "build AWSDeepRacer"))
    lines = console.export_text().splitlines()
    assert len(lines) == 13  # title, header, one line per row
    assert max(len(line) for line in lines) <= 100
    assert all("…" in line for line in lines[2:])  # details cut, not wrapped


def test_a_gated_start_shows_its_refusals_with_their_scores_in_one_glance(screen):
    """Issue 17.3: eight regions started, three refused by --min-f1 (each its own score): the table, one count line
    saying so, one line with every refused region and its score."""
    console = screen(120)
    scores = {"eu-west-1": "F1 0.62 < 0.80", "ap-south-1": "F1 0.795 < 0.800", "us-west-2": "F1 0.71 < 0.80"}
    rows = [{"region": region, "version": "first", "status": "REFUSED" if region in scores else "RUNNING",
             "detail": "" if region in scores else "running with 1 inference unit(s)", "error": scores.get(region),
             "ok": region not in scores} for region in ELEVEN]
    summary = {"operation": "start", "project": "AWSDeepRacer", "succeeded": [r for r in ELEVEN if r not in scores],
               "failed": {}, "refused": scores, "rows": rows,
               "evaluation": {"first": {region: {"f1": 0.9} for region in ELEVEN if region not in scores}}}
    request = OperationRequest("start", "AWSDeepRacer", ["first"], ELEVEN)
    console.print("start/AWSDeepRacer/first  http://127.0.0.1:8233/namespaces/default/workflows/start%2FAWSDeepRacer")
    console.print(output.progress_table(final_progress(summary, None, None), header=False))
    print_summary(request, summary, None, 4.0)
    lines = console.export_text().splitlines()
    assert len(lines) <= 15 and max(len(line) for line in lines) <= 120, "\n".join(lines)
    assert sum("REFUSED" in line for line in lines) == 3 and sum("F1 0.900" in line for line in lines) == 8
    assert lines[-2] == "start AWSDeepRacer first: 8 succeeded, 3 refused of 11 region(s) (4 s)"
    assert lines[-1] == ("  refused (below MinF1): eu-west-1 F1 0.62 < 0.80; ap-south-1 F1 0.795 < 0.800; "
                         "us-west-2 F1 0.71 < 0.80")


def test_a_clean_build_ends_with_the_f1_spread(screen):
    console = screen(120)
    scores = {region: 0.8 + index / 100 for index, region in enumerate(ELEVEN)}
    summary = {"operation": "build", "project": "P", "succeeded": ELEVEN, "failed": {},
               "rows": [{"region": r, "version": "v1", "status": "TRAINING_COMPLETED", "detail": "trained", "ok": True}
                        for r in ELEVEN],
               "evaluation": {"v1": {region: {"f1": f1} for region, f1 in scores.items()}}}
    print_summary(OperationRequest("build", "P", ["v1"], ELEVEN), summary, None, 9.0)
    lines = console.export_text().splitlines()
    assert lines == ["build P v1: succeeded in 11 region(s) (9 s)",
                     "  v1: F1 min 0.800 (us-east-1), max 0.900 (ap-northeast-2), spread 0.100 over 11 regions"]
