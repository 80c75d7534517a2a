"""Run one dataset activity in this process (plain boto3 over HTTP) and print its peak traced memory last.

    python tests/activities/manifest_memory_probe.py check|rewrite JSON_INPUT

A separate process from the test's, which holds the local AWS endpoint and the objects it stores.
"""

import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from temporalio.testing import ActivityEnvironment

from activities.clients import Boto3Clients
from activities.dataset import MIN_PART_SIZE, DatasetActivities
from workflows.models import ManifestRewriteInput, ReplicationCheckInput

kind, raw = sys.argv[1], json.loads(sys.argv[2])
activities = DatasetActivities(Boto3Clients(), part_size=MIN_PART_SIZE)
tracemalloc.start()
if kind == "check":
    result = ActivityEnvironment().run(activities.check_replication, ReplicationCheckInput(**raw))
    print(json.dumps({"complete": result.complete, "lines": result.lines_verified}))
else:
    result = ActivityEnvironment().run(activities.write_regional_manifest, ManifestRewriteInput(**raw))
    print(json.dumps({"lines": result.lines, "rewritten": result.rewritten}))
print(tracemalloc.get_traced_memory()[1])
