"""Issue 17 item 1: `sync` runs the build's dataset preflight on the local folder before uploading anything.

Real local AWS endpoint bootstrapped like terraform apply; the images are read from the folder (size and first
bytes), the findings are the same one-line texts the build shows.
"""

import json
import os
import subprocess
import sys

from cli_helpers import PROJECT_ROOT, objects_in
from typer.testing import CliRunner

from cli import app
from local_stack.sample_dataset import create_sample_dataset, manifest_line

runner = CliRunner()


def test_a_dataset_that_cannot_train_is_refused_with_its_findings_and_nothing_uploaded(deployed, tmp_path):
    dataset = tmp_path / "cars"
    manifest = create_sample_dataset(dataset, images_per_class=2)
    (dataset / "images" / "cone-02.png").write_bytes(b"GIF89a, not a PNG")
    with manifest.open("a") as out:
        out.write(manifest_line("s3://anywhere/images/lost.png", "car") + "\n")
    (dataset / "images" / "track-01.png").unlink()
    (dataset / "images" / "track-02.png").unlink()

    result = runner.invoke(app, ["sync", str(dataset)])

    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("error: manifest output.manifest would not train: 6 problem(s); nothing was uploaded")
    assert lines[1] == ("manifest: ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: 4 of 7 JSON lines invalid (at most 20%): "
                        "fix the lines below")
    assert any(line.startswith("line 3: ERROR_INVALID_IMAGE:") and "track-01.png does not exist" in line
               for line in lines), lines
    assert any(line.startswith("line 6: ERROR_INVALID_IMAGE:") and "cone-02.png is not a PNG or JPEG" in line
               for line in lines), lines
    assert any("lost.png does not exist" in line for line in lines), lines
    assert objects_in(deployed.management_bucket) == []


def test_no_check_uploads_what_the_check_refuses(deployed, tmp_path):
    dataset = tmp_path / "cars"
    create_sample_dataset(dataset, images_per_class=1)  # one image per label: no automatic test split possible
    refused = runner.invoke(app, ["sync", str(dataset)])
    assert refused.exit_code == 1 and "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT" in refused.output
    result = runner.invoke(app, ["sync", str(dataset), "--no-check", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["uploaded"]) == 4


def test_a_dataset_that_trains_badly_is_uploaded_with_warnings(deployed, tmp_path):
    dataset = tmp_path / "cars"
    create_sample_dataset(dataset, images_per_class=2)
    result = runner.invoke(app, ["sync", str(dataset)])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if line.startswith("dataset warning:")]
    assert len(warning) == 1 and warning[0].startswith("dataset warning: manifest: FEW_I"), result.output
    assert warning[0].endswith("the guide recommends at least 10")  # within the terminal's width, middle cut
    again = json.loads(runner.invoke(app, ["sync", str(dataset), "--json"]).stdout)
    assert again["dataset_warnings"] == {"datasets/cars/output.manifest": [
        ("manifest: FEW_IMAGES_PER_LABEL: 3 label(s) with fewer than 10 images: car, cone, track: add images: the "
        "guide recommends at least 10")]}


def test_the_check_of_a_large_manifest_stays_in_bounded_memory(deployed, tmp_path):
    """Every line is checked (GCL_BIG_MANIFEST_MB, default 100 MB of 200-byte lines: too many rows for AWS), with
    peak traced memory far below the manifest's size."""
    megabytes = int(os.environ.get("GCL_BIG_MANIFEST_MB", "100"))
    dataset = tmp_path / "big"
    create_sample_dataset(dataset, images_per_class=2)
    lines = [(manifest_line(f"images/{label}-0{i}.png", label)[:-1] + ', "pad": "' + "p" * 60 + '"}\n').encode()
             for label in ("car", "cone") for i in (1, 2)]
    block = b"".join(lines) * 250
    count = 0
    with (dataset / "output.manifest").open("wb") as out:
        while count * len(block) < megabytes * 1_000_000:
            out.write(block)
            count += 1
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "tests" / "cli" / "sync_memory_probe.py"), str(dataset),
                           "datasets/big/", "--check-only"], env=dict(os.environ), capture_output=True, text=True,
                          timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    verdict, peak = done.stdout.splitlines()[-2], int(done.stdout.splitlines()[-1])
    print(f"check of a {megabytes} MB manifest ({count * 1000} lines): peak traced memory {peak / 1e6:.1f} MB")
    assert verdict.startswith("manifest output.manifest would not train: 1 problem(s)"), verdict
    assert peak < 64 * 1024 * 1024
