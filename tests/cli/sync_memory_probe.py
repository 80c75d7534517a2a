"""Run the real `sync` code path in this process and print its peak traced memory (bytes) as the last line.

    python tests/cli/sync_memory_probe.py DATASET_DIR PREFIX

A separate process from the test's (which holds the local AWS endpoint and its stored objects), so the
figure is sync's alone.
"""

import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cli_commands.sync import sync_dataset

tracemalloc.start()
summary = sync_dataset(Path(sys.argv[1]), sys.argv[2], True, 120.0)
_, peak = tracemalloc.get_traced_memory()
assert summary["replication_pending"] == [] and summary["replication_failed"] == [], summary
print(len(summary["uploaded"]), summary["refs_rewritten"])
print(peak)
