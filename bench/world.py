"""The bench's local AWS: an in-process LocalAws, buckets and a small dataset per region, a running model.

Everything goes through plain boto3 over HTTP to the local endpoint (AWS_ENDPOINT_URL), like the tests.
"""

from __future__ import annotations

import contextlib
import os
import random

from local_stack.sample_dataset import encode_png
from local_stack.sample_dataset import manifest_line as ground_truth_line

ACCOUNT = "123456789012"
PREFIX = "gcl-bench"
MANAGEMENT_REGION = "us-east-1"
DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1",
                   "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2")
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105 - fake credentials for the local endpoint
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": MANAGEMENT_REGION,
    "GCL_ACCOUNT_ID": ACCOUNT,
    "GCL_IGNORE_TERRAFORM_STATE": "1",
}
LABELS = ("car", "cone")


def regions() -> tuple[str, ...]:
    """The configured regions (terraform/variables.tf), or the seed's 11 if the settings cannot be read."""
    try:
        from configuration.settings import load_settings

        found = tuple(load_settings().regions)
        return found if len(found) >= 2 else DEFAULT_REGIONS
    except Exception:  # noqa: BLE001 - the bench must still run on a half-built tree
        return DEFAULT_REGIONS


@contextlib.contextmanager
def _endpoint_environment():
    """Fake credentials for the local endpoint while the block runs; AWS_ENDPOINT_URL is the caller's to set."""
    saved = {key: os.environ.get(key) for key in (*FAKE_CREDENTIALS, "AWS_ENDPOINT_URL", "AWS_PROFILE")}
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def local_aws():
    """A LocalAws on a free loopback port with AWS_ENDPOINT_URL and fake credentials set; yields (server, control)."""
    from localaws.control import EmulatorControl
    from localaws.server import LocalAws

    with _endpoint_environment():
        server = LocalAws(host="127.0.0.1", port=0)
        server.start()
        os.environ["AWS_ENDPOINT_URL"] = server.url
        control = EmulatorControl(server.url)
        control.reset()  # moto's state lives in the process: an earlier section's buckets would still be there
        try:
            yield server, control
        finally:
            control.reset()
            server.stop()


@contextlib.contextmanager
def local_aws_process():
    """`python -m localaws` in a child process (its CPU time is then its own: bench/proc.cpu_seconds(pid));
    yields (child pid, control) with AWS_ENDPOINT_URL and fake credentials set."""
    import subprocess  # nosec B404 - the bench's own emulator

    from bench.proc import ROOT, python
    from localaws.control import EmulatorControl

    with _endpoint_environment():
        child = subprocess.Popen(python("-m", "localaws", "--port", "0"), cwd=ROOT,  # nosec B603 - fixed argv
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = child.stdout.readline()
            if not line.startswith("localaws listening on "):
                raise RuntimeError(f"python -m localaws did not start: {line.strip()!r}")
            url = line.split()[3]
            os.environ["AWS_ENDPOINT_URL"] = url
            yield child.pid, EmulatorControl(url)
        finally:
            child.terminate()
            child.wait(timeout=30)
            child.stdout.close()


def png(width: int, height: int, seed: int = 0, noise: bool = False) -> bytes:
    """A valid RGB PNG; with noise=True it barely compresses (a photo-sized upload)."""
    rng = random.Random(seed)  # nosec B311 - pixels, not security
    if noise:
        rows = [rng.randbytes(width * 3) for _ in range(height)]
    else:
        shade = 40 + seed * 20 % 200
        rows = [bytes([shade, shade, shade]) * width] * height
    return encode_png(rows, width, level=1)


def manifest_line(bucket: str, key: str, label: str) -> str:
    return ground_truth_line(f"s3://{bucket}/{key}", label)


def bucket(s3, name: str, region: str) -> None:
    kwargs = {"Bucket": name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)


def regional_dataset(region: str, images: int = 2 * len(LABELS)) -> tuple[str, str, str]:
    """Training and output buckets in `region` with a dataset; returns (training bucket, manifest key, output bucket).

    Two images of each label by default: an AutoCreate split needs one on each side (docs/TRAINING_RULES.md)."""
    import boto3

    s3 = boto3.client("s3", region_name=region)
    training, output = f"{PREFIX}-train-{ACCOUNT}-{region}", f"{PREFIX}-output-{ACCOUNT}-{region}"
    bucket(s3, training, region)
    bucket(s3, output, region)
    lines = []
    for index in range(images):
        label = LABELS[index % len(LABELS)]
        key = f"assets/images/{label}-{index:02d}.png"
        s3.put_object(Bucket=training, Key=key, Body=png(64, 64, index))
        lines.append(manifest_line(training, key, label))
    s3.put_object(Bucket=training, Key="assets/output.manifest", Body=("\n".join(lines) + "\n").encode())
    return training, "assets/output.manifest", output


def dataset_of(region: str) -> tuple[str, str, str]:
    """The (training bucket, manifest key, output bucket) regional_dataset created earlier in `region`."""
    return f"{PREFIX}-train-{ACCOUNT}-{region}", "assets/output.manifest", f"{PREFIX}-output-{ACCOUNT}-{region}"


def create_version(region: str, project: str, version: str, dataset: tuple[str, str, str]) -> tuple[str, str]:
    """Create the project (if needed) and a version training on the dataset; returns (project ARN, version ARN)."""
    import boto3

    rek = boto3.client("rekognition", region_name=region)
    found = rek.describe_projects(ProjectNames=[project])["ProjectDescriptions"]
    project_arn = found[0]["ProjectArn"] if found else rek.create_project(ProjectName=project)["ProjectArn"]
    training, manifest, output = dataset
    version_arn = rek.create_project_version(
        ProjectArn=project_arn, VersionName=version,
        OutputConfig={"S3Bucket": output, "S3KeyPrefix": f"{project}/{version}/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": training, "Name": manifest}}}]},
        TestingData={"AutoCreate": True},
    )["ProjectVersionArn"]
    return project_arn, version_arn


def running_model(control, region: str, project: str, version: str) -> str:
    """A RUNNING model version (manual timing, advanced by the control API); returns its ARN."""
    import boto3

    control.configure({"timing": {"mode": "manual"}})
    _, arn = create_version(region, project, version, regional_dataset(region))
    control.advance(region=region, project=project, version=version)
    boto3.client("rekognition", region_name=region).start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    control.advance(region=region, project=project, version=version)
    return arn
