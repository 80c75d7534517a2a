"""`python -m bench [--quick] [--only polling,manifest,...] [--json] [--markdown docs/benchmarks.md]`."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, report
from bench.results import SectionResult

# section name -> module with `run(size: "tiny" | "quick" | "full") -> SectionResult`
SECTIONS = {
    "polling": "bench.section_polling",
    "polling-emulator": "bench.section_polling_emulator",
    "orchestration": "bench.section_orchestration",
    "actions": "bench.section_actions",
    "manifest": "bench.section_manifest",
    "inference": "bench.section_inference",
    "cli": "bench.section_cli",
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (10/100 MB manifests, fewer runs), ~2 min")
    parser.add_argument("--only", default="", help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the tests' smallest sizes
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--markdown", type=Path, help="also write the results as markdown to this file")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    args.sections = chosen
    return args


def run_section(name: str, size: str) -> SectionResult:
    started = time.perf_counter()
    try:
        result = importlib.import_module(SECTIONS[name]).run(size)
    except Exception as exc:  # noqa: BLE001 - one section failing must not lose the others' results
        traceback.print_exc(file=sys.stderr)
        result = SectionResult(name, skipped=f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def stdout_to_stderr():
    """Send whatever the sections' child processes print (the dev server's banner, the SDK core's warnings) to
    stderr at the file-descriptor level, so `--json` leaves nothing but the JSON on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def bytecode_cache():
    """Let this process and its children cache compiled modules, in a temporary directory (not the tree).

    Temporal's workflow sandbox imports the workflow modules again for every new workflow run; with
    PYTHONDONTWRITEBYTECODE set (as on the machines these benchmarks ran on) every such import compiles the
    source again, a cost no deployed worker pays and one that grows with the size of the workflow modules.
    """
    if not sys.flags.dont_write_bytecode and "PYTHONDONTWRITEBYTECODE" not in os.environ:
        yield
        return
    saved = {key: os.environ.get(key) for key in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    before = (sys.dont_write_bytecode, sys.pycache_prefix)
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = cache
        sys.dont_write_bytecode, sys.pycache_prefix = False, cache
        try:
            yield
        finally:
            sys.dont_write_bytecode, sys.pycache_prefix = before
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    command = "python -m bench" + (" --quick" if args.quick else "") + (f" --only {','.join(args.sections)}"
                                                                        if args.only else "")
    size = "tiny" if args.tiny else "quick" if args.quick else "full"
    sections = []
    with stdout_to_stderr(), bytecode_cache():
        for name in args.sections:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            sections.append(run_section(name, size))
            print(f"bench: {name} done in {sections[-1].seconds:.1f} s", file=sys.stderr, flush=True)
    info = machine.describe()
    if args.json:
        print(report.as_json(sections, info, command))
    else:
        report.print_tables(sections)
    if args.markdown:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        notes_file = Path(__file__).with_name("NOTES.md")
        notes = notes_file.read_text() if notes_file.exists() else ""
        args.markdown.write_text(report.markdown(sections, info, command, when, notes))
    return 1 if any(s.skipped and s.skipped.startswith("failed") for s in sections) else 0
