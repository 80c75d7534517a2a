"""Section `manifest`: rewriting every source-ref of a manifest, ours against `sed` on the same file.

Manifests of Ground Truth lines are generated in a temp dir (deleted afterwards). Ours is the real
`write_regional_manifest` activity in a child process (bench/manifest_child.py); throughput counts only the
activity, peak RSS is the whole child's (interpreter, temporalio and boto3 included). Flat memory shows as a
peak-RSS ratio near 1.0 between the largest and the smallest manifest.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import tempfile
from pathlib import Path

from bench.proc import python, run_measured
from bench.results import Row, SectionResult

MB = 1024 * 1024
SIZES_MB = {"tiny": (1, 4), "quick": (10, 100), "full": (100, 1024)}
OLD_BUCKET, NEW_BUCKET = "gcl-mgmt-123456789012-us-east-1", "gcl-train-123456789012-eu-west-1"


def write_manifest(path: Path, size_mb: int) -> int:
    """Ground Truth image-classification lines until the file reaches size_mb; returns the line count."""
    meta = {"confidence": 1, "class-name": "car", "human-annotated": "yes", "creation-date": "2026-01-01T00:00:00",
            "type": "groundtruth/image-classification", "job-name": "labeling-job/vehicle"}
    tail = json.dumps({"vehicle": 0, "vehicle-metadata": meta})[1:]
    target, written, lines = size_mb * MB, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            chunk = "".join(
                f'{{"source-ref": "s3://{OLD_BUCKET}/assets/deepracer/images/car-{lines + i:09d}.png", {tail}\n'
                for i in range(1_000)
            )
            out.write(chunk)
            written += len(chunk)
            lines += 1_000
    return lines


def ours(source: Path, target: Path) -> tuple[float, float]:
    """(MB/s of the activity, peak RSS MiB of the child)."""
    measured = run_measured(python("-m", "bench.manifest_child", str(source), str(target), NEW_BUCKET))
    fields = measured.stdout.split()
    seconds, peak = float(fields[0]), float(fields[4])
    return source.stat().st_size / MB / seconds, peak


def sed(source: Path, target: Path) -> tuple[float, float]:
    sed_path = shutil.which("sed")
    if sed_path is None:
        raise RuntimeError("sed is not installed")
    script = f's#"source-ref": "s3://{OLD_BUCKET}/#"source-ref": "s3://{NEW_BUCKET}/#'
    with target.open("wb") as out:
        measured = run_measured([sed_path, script, str(source)], stdout=out)
    return source.stat().st_size / MB / measured.seconds, measured.peak_rss_mb


def run(size: str) -> SectionResult:
    small, large = SIZES_MB.get(size, SIZES_MB["full"])
    result = SectionResult("manifest")
    rss: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-manifest-") as folder:
        base = Path(folder)
        for size_mb in (small, large):
            source, mine, theirs = base / "in.manifest", base / "ours.manifest", base / "sed.manifest"
            lines = write_manifest(source, size_mb)
            speed, rss[size_mb] = ours(source, mine)
            sed_speed, sed_rss = sed(source, theirs)
            same = filecmp.cmp(mine, theirs, shallow=False)
            label = f"{size_mb} MB" if size_mb < 1024 else f"{size_mb // 1024} GB"
            result.rows += [
                Row("manifest", f"rewrite {label} ({lines:,} lines): throughput", speed, sed_speed, "MB/s", "sed",
                    note=("output identical to sed's" if same else "OUTPUT DIFFERS from sed's") + "; higher is better",
                    lower_is_better=False),
                Row("manifest", f"rewrite {label}: peak RSS", rss[size_mb], sed_rss, "MiB", "sed",
                    note="whole child: python + temporalio + boto3"),
            ]
            for path in (source, mine, theirs):
                path.unlink()
    result.rows.append(
        Row("manifest", f"peak RSS growth {large} MB vs {small} MB manifest", rss[large], rss[small], "MiB",
            f"ours at {small} MB", note="1.00x = flat memory")
    )
    return result
