"""Record the histories of the rollout paths (issue 17.2/17.3) that tests/workflows/test_replay_rollout.py replays.

    .venv/bin/python tests/histories/record_rollout.py SET      # writes tests/histories/SET/*.json + rollout_ids.json

Like record.py (whose recording it uses): real activities against an in-process local AWS endpoint, the
time-skipping test server, two regions. Builds with a canary that passes its F1 gate, a canary whose training
fails, a canary below the gate, waves with a failure tolerance reached, waves that all succeed (every build
region reads its evaluation), and a start gated by MinF1 that refuses one region. The index is
`rollout_ids.json`: test_replay.py requires every `workflow_ids.json` set to cover every workflow type.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import HERE, PROJECT, record, run_recorded  # also puts the project and tests/workflows on sys.path

INDEX = "rollout_ids.json"


async def scenarios(env, queue: str, world, control) -> list[tuple[str, str]]:
    from aws_world import MANIFEST_KEY

    ids = []

    async def run(name: str, workflow_id: str, payload: dict, expect_failure: bool = False) -> None:
        await run_recorded(env, queue, ids, name, workflow_id, payload, expect_failure)

    def build(version: str, **rollout) -> dict:
        return {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": version, **rollout}

    control.configure({"evaluation": {"default": {"f1": 0.9}, "per_region": {"eu-west-1": {"f1": 0.62}}},
                       "faults": {"fail_training": [{"region": "us-east-1", "version": "sick"},
                                                    {"region": "us-east-1", "version": "waves"}]}})
    await run("BuildModelWorkflow", f"build/{PROJECT}/canary", build("canary", CanaryRegion="us-east-1", MinF1=0.8))
    await run("BuildModelWorkflow", f"build/{PROJECT}/sick", build("sick", CanaryRegion="us-east-1"), True)
    await run("BuildModelWorkflow", f"build/{PROJECT}/gated", build("gated", CanaryRegion="eu-west-1", MinF1=0.8), True)
    await run("BuildModelWorkflow", f"build/{PROJECT}/waves",
              build("waves", MaxConcurrentRegions=1, MaxFailedRegions=1), True)
    await run("BuildModelWorkflow", f"build/{PROJECT}/waves2", build("waves2", MaxConcurrentRegions=1))
    await run("StartModelWorkflow", f"start/{PROJECT}/canary",
              {"ProjectName": PROJECT, "VersionNames": ["canary"], "MinF1": 0.8, "TtlHours": 0})
    return ids


async def main(out: Path) -> None:
    await record(out, scenarios, lambda world, control: world.upload(), INDEX)


if __name__ == "__main__":
    if len(sys.argv) != 2 or "/" in sys.argv[1]:
        sys.exit("usage: record_rollout.py SET   (a new folder name under tests/histories/)")
    asyncio.run(main(HERE / sys.argv[1]))
