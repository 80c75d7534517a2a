"""Issue 16.1 with every real part: the CLI follows an operation live without a single query or signal.

A Temporal dev server, the real worker (`python worker.py`), the local AWS endpoint, and the CLI's own
`run_operation` with a client whose interceptor counts every call that Temporal Cloud bills (start, signal,
query, update). The live table is read from visibility (cli_commands/follow.py), so following costs nothing but
the start; and it shows real transitions as they happen (no "waiting for the worker" once the worker works).
"""

import asyncio
import uuid

import boto3
import pytest
from cli_helpers import bootstrapped, worker_process, write_tfvars
from temporalio.client import Client, Interceptor, OutboundInterceptor

MANIFEST = "datasets/follow/output.manifest"
REGIONS = ["us-east-1", "eu-west-1"]


class CountingInterceptor(Interceptor):
    """Counts the client calls Temporal Cloud bills as actions."""

    def __init__(self):
        self.calls: dict[str, int] = {}

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        counts = self.calls

        class Counting(OutboundInterceptor):
            async def start_workflow(self, input):
                counts["start"] = counts.get("start", 0) + 1
                return await super().start_workflow(input)

            async def query_workflow(self, input):
                counts["query"] = counts.get("query", 0) + 1
                return await super().query_workflow(input)

            async def signal_workflow(self, input):
                counts["signal"] = counts.get("signal", 0) + 1
                return await super().signal_workflow(input)

            async def start_workflow_update(self, input):
                counts["update"] = counts.get("update", 0) + 1
                return await super().start_workflow_update(input)

        return Counting(next)


@pytest.fixture
def two_regions(local_aws, emulator, temporal_address, tmp_path, monkeypatch):
    from local_stack.sample_dataset import encode_png, manifest_line

    queue = f"follow-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "two.tfvars", REGIONS, temporal_task_queue=queue, poll_policy="fixed")
    settings, resources = bootstrapped(tfvars)
    s3 = boto3.client("s3", region_name="us-east-1")
    lines = []
    for label in ("car", "cone"):
        for index in range(3):
            key = f"datasets/follow/images/{label}-{index}.png"
            s3.put_object(Bucket=resources.management_bucket, Key=key,
                          Body=encode_png([bytes([40 * index + (label == "car") * 90] * 3) * 64] * 64, 64))
            lines.append(manifest_line(f"s3://{resources.management_bucket}/{key}", label))
    s3.put_object(Bucket=resources.management_bucket, Key=MANIFEST, Body=("\n".join(lines) + "\n").encode())
    monkeypatch.setenv("GCL_TFVARS", str(tfvars))
    env = {"TEMPORAL_ADDRESS": temporal_address, "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    emulator.configure({"timing": {"mode": "time", "TRAINING": 3, "STARTING": 2, "STOPPING": 1, "DELETING": 1}})
    with worker_process(env):
        yield settings, temporal_address


def test_following_a_build_makes_no_billed_call_but_the_start_and_shows_real_transitions(two_regions, monkeypatch):
    from cli_commands import follow, launch

    settings, address = two_regions
    seen: list[dict] = []
    reading = follow.read_progress

    async def recorded(watch):
        progress = await reading(watch)
        seen.append(progress)
        return progress

    monkeypatch.setattr(follow, "read_progress", recorded)

    async def scenario():
        counter = CountingInterceptor()
        client = await Client.connect(address, interceptors=[counter])
        for _ in range(120):  # the worker process polls its queue once it is up
            try:
                await launch.require_worker(client, settings.task_queue)
                break
            except Exception:  # noqa: BLE001 - not polling yet
                await asyncio.sleep(0.5)
        request = launch.OperationRequest("build", "Followed", ["v1"], REGIONS,
                                          {"ProjectName": "Followed", "ManifestKey": MANIFEST, "VersionName": "v1"})
        code = await launch.run_operation(request, settings.task_queue, wait=True, as_json=True, client=client)
        return code, counter.calls

    code, calls = asyncio.run(scenario())
    assert code == 0
    assert calls == {"start": 1}, calls  # no query, no signal: the live table came from visibility
    statuses = [{row["status"] for row in progress["rows"]} for progress in seen]
    assert any("TRAINING_IN_PROGRESS" in found for found in statuses), statuses  # a real transition, live
    first_real = next(i for i, found in enumerate(statuses) if found - {"QUEUED", "STARTING", "PENDING"})
    assert all(progress["rows"] for progress in seen[first_real:])  # never back to an empty table
