"""Record the histories of `adopt` (issue 18) that tests/workflows/test_replay_adopt.py replays.

    .venv/bin/python tests/histories/record_adopt.py SET      # writes tests/histories/SET/*.json + adopt_ids.json

Like record.py (whose recording it uses): real activities against an in-process local AWS
endpoint, the time-skipping test server. Every execution of the scenarios is saved: AdoptProjectWorkflow and the
build it starts, with its region and version children trained with a test manifest (BuildModelInput.TestManifestKey).
The index is `adopt_ids.json`, not record.py's `workflow_ids.json`: these sets hold only the adopt scenarios, while
test_replay.py requires every set it finds to cover every workflow type.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import HERE, record, run_recorded  # also puts the project and tests/workflows on sys.path

INDEX = "adopt_ids.json"


async def scenarios(env, queue: str, world, control) -> list[tuple[str, str]]:
    from console_project import ConsoleProject

    from workflows.adopt import adopt_workflow_id

    ids = []

    async def adopt(project: str, region: str, expect_failure: bool = False) -> None:
        await run_recorded(env, queue, ids, "AdoptProjectWorkflow", adopt_workflow_id(project, region),
                           {"ProjectName": project, "SourceRegion": region}, expect_failure)

    ConsoleProject("us-west-2", "Console", "users-console-bucket").create()
    await adopt("Console", "us-west-2")  # trained in both regions on the source's split
    await adopt("Console", "us-west-2")  # already global
    ConsoleProject("eu-west-1", "Local", "users-local-bucket").create()
    await adopt("Local", "eu-west-1")  # the source is a configured region: reported as SOURCE, not trained again
    broken = ConsoleProject("us-west-2", "Broken", "users-broken-bucket", prefix="broken").create()
    broken.client("s3").delete_object(Bucket=broken.bucket, Key=broken.test_keys[0])
    await adopt("Broken", "us-west-2", expect_failure=True)  # an image that cannot be read
    return ids


def prepare(world, control) -> None:
    """Datasets settle after one DescribeDataset; the management bucket replicates like Terraform's."""
    from local_stack.bootstrap import bootstrap

    control.configure({"timing": {"DATASET": 1}})
    bootstrap(world.settings, world.resources)


async def main(out: Path) -> None:
    await record(out, scenarios, prepare, INDEX)


if __name__ == "__main__":
    if len(sys.argv) != 2 or "/" in sys.argv[1]:
        sys.exit("usage: record_adopt.py SET   (a new folder name under tests/histories/)")
    asyncio.run(main(HERE / sys.argv[1]))
