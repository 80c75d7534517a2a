"""Run the real `sync` code path in this process and print its peak traced memory (bytes) as the last line.

    python tests/cli/sync_memory_probe.py DATASET_DIR PREFIX [--check-only]

A separate process from the test's (which holds the local AWS endpoint and its stored objects), so the
figure is sync's alone. Without --check-only: the upload path (the dataset check left out, `--no-check`); with it:
the dataset check alone (prints the number of lines checked, or the refusal's first line).
"""

import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cli_commands.sync import sync_dataset

tracemalloc.start()
if sys.argv[3:] == ["--check-only"]:
    import boto3

    from cli_commands import datasets, environment
    from cli_commands.dataset_check import check_plan
    from cli_commands.errors import UserError

    settings = environment.load_settings()
    bucket = environment.resolve_resources(settings).management_bucket
    plan = datasets.plan_sync(boto3.client("s3", region_name="us-east-1"), Path(sys.argv[1]), bucket, sys.argv[2])
    try:
        print(sum(report.lines for report in check_plan(plan, Path(sys.argv[1]), list(settings.regions)).values()))
    except UserError as refused:
        print(str(refused).splitlines()[0])
    finally:
        plan.close()
else:
    summary = sync_dataset(Path(sys.argv[1]), sys.argv[2], True, 120.0, check=False)
    assert summary["replication_pending"] == [] and summary["replication_failed"] == [], summary
    print(len(summary["uploaded"]), summary["refs_rewritten"])
_, peak = tracemalloc.get_traced_memory()
print(peak)
