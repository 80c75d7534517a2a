"""`python -m bench` in its smallest configuration: every section runs on the real code and yields ratios.

Nothing here looks at how fast anything was; only that the measurements exist, are sane and are paired.
"""

import json

import pytest

from bench import cli, report
from bench.results import Row, SectionResult


def run_bench(capsys, *sections: str, extra=()) -> dict:
    code = cli.main(["--tiny", "--json", "--only", ",".join(sections), *extra])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    return {section["name"]: section for section in out["sections"]}


def rows(section: dict) -> dict[str, dict]:
    return {row["measure"]: row for row in section["rows"]}


def test_polling_cli_and_manifest_sections_produce_paired_ratios(capsys, tmp_path):
    found = run_bench(capsys, "polling", "cli", "manifest", extra=("--markdown", str(tmp_path / "b.md")))

    assert found.keys() == {"polling", "cli", "manifest"}
    for section in found.values():
        assert section["skipped"] is None
        for row in section["rows"]:
            assert row["ours"] > 0 and row["baseline"] > 0
            assert row["ratio"] == pytest.approx(row["ours"] / row["baseline"])
    manifest = found["manifest"]["rows"]
    assert all("identical" in row["note"] for row in manifest if "throughput" in row["measure"])
    assert any(row["measure"].startswith("peak RSS growth") for row in manifest)
    assert len(found["polling"]["details"]) == 2 * 3 * 5  # scenarios x phases x schedules
    text = (tmp_path / "b.md").read_text()
    assert "| nproc | memory | python | CPU |" in text and "python -m bench --tiny" not in text.split("\n")[0]


def test_inference_section_runs_the_handler_against_the_emulator(capsys):
    found = rows(run_bench(capsys, "inference")["inference"])

    handler = [row for measure, row in found.items() if measure.startswith("handler")]
    assert len(handler) == 2 and all(row["baseline_name"] == "direct detect_custom_labels" for row in handler)
    assert any("cold start" in measure for measure in found)


def test_polling_emulator_section_counts_real_api_calls(capsys):
    section = run_bench(capsys, "polling-emulator")["polling-emulator"]

    assert section["skipped"] is None
    total = rows(section)["all phases: calls counted by the emulator"]
    per_phase = [row for measure, row in rows(section).items() if measure.endswith("DescribeProjectVersions calls")]
    assert total["ours"] == sum(row["ours"] for row in per_phase)
    assert total["baseline"] == sum(row["baseline"] for row in per_phase)


@pytest.mark.slow
def test_orchestration_section_runs_ours_and_the_bare_baseline(capfd):
    """Also the regression test for the stalls of session 1: the bench used to poke the time-skipping server with
    env.sleep() while a result() had it unlocked; the server's unlock then underflowed, its error (with every
    lock event since start-up) overflowed gRPC's 16 KiB trailer limit, and the sleep's re-lock leaked for good."""
    code = cli.main(["--tiny", "--json", "--only", "orchestration"])
    out, _ = capfd.readouterr()
    section = json.loads(out)["sections"][0]  # stdout holds the JSON only, not the dev server's banner

    assert code == 0 and section["skipped"] is None, section["skipped"]
    measures = rows(section)
    assert any("time-skipping" in m for m in measures) and any("version-workflows/s" in m for m in measures)
    assert all(row["ours"] > 0 and row["baseline"] > 0 for row in measures.values())
    assert {d["operation"] for d in section["details"]} == {"build", "start", "stop", "delete"}
    # our lean waits poll through activity retries: the bare baseline is given (and repeats) them too
    assert any(int(d["version activities/timers/retries"].split("/")[2]) > 0 for d in section["details"])


def test_unknown_section_is_a_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--only", "polling,nope"])
    assert exit_info.value.code == 2
    assert "unknown section(s) nope" in capsys.readouterr().err


def test_a_failing_section_is_reported_and_the_others_kept(monkeypatch, capsys):
    def boom(size):
        raise RuntimeError("no server")

    monkeypatch.setattr("bench.section_cli.run", boom)
    code = cli.main(["--tiny", "--json", "--only", "cli,polling"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["sections"][0]["skipped"] == "failed: RuntimeError: no server"
    assert out["sections"][1]["rows"]


def test_markdown_lists_machine_ratios_and_details():
    section = SectionResult("x", [Row("x", "m", 2.0, 4.0, "s", "base")], details=[{"a": 1}])
    text = report.markdown([section], {"nproc": 2, "memory": "1 GiB", "python": "3.11", "cpu": "cpu"}, "cmd", "now")
    assert "| x | m | 2.00 s | 4.00 s | 0.50x | base |  |" in text
    assert "## x: details" in text and "`cmd`" in text
