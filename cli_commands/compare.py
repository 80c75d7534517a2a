"""`compare --images DIR`: the same images sent to every region's running model, and how often the regions agree.

DetectCustomLabels goes straight to each region (boto3, not the global endpoint, which answers from one region),
in parallel on a bounded pool. A region where the version is not RUNNING is listed as skipped with its status.
"""

from pathlib import Path
from typing import Annotated

import typer

from cli_commands import environment, output
from cli_commands.errors import UserError, one_line_errors
from cli_commands.operations import VERSION_FLAGS, JsonOption, ProjectOption, RegionOption

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_IMAGE_BYTES = 4 * 1024 * 1024  # DetectCustomLabels' Image.Bytes limit
WORKERS = 16


def _images(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder of images")
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not found:
        raise UserError(f"no .png or .jpg image in {folder}")
    too_big = [p.name for p in found if p.stat().st_size > MAX_IMAGE_BYTES]
    if too_big:
        raise UserError(f"{len(too_big)} image(s) over 4 MB, which DetectCustomLabels refuses: {', '.join(too_big[:3])}")
    return {p.name: p.read_bytes() for p in found}


def _targets(project: str, regions: list[str], versions: list[str]) -> tuple[dict, dict]:
    """({version: {region: arn}} where RUNNING, {version: {region: why skipped}})."""
    from cli_commands.model_versions import describe_everywhere

    described = describe_everywhere(project, regions)
    wanted = versions or sorted({v["version"] for rv in described for v in rv.versions if v["status"] == "RUNNING"})
    if not wanted:
        raise UserError(f"no version of project {project} is RUNNING in any of {len(regions)} region(s): "
                        "start one first, or name versions with --versions")
    running = {version: {} for version in wanted}
    skipped = {version: {} for version in wanted}
    for rv in described:
        found = {v["version"]: v for v in rv.versions}
        for version in wanted:
            item = found.get(version)
            if item and item["status"] == "RUNNING":
                running[version][rv.region] = item["arn"]
            else:
                skipped[version][rv.region] = rv.error or (item["status"] if item else "no such version")
    return running, skipped


def _top_label(rekognition, arn: str, image: bytes) -> str:
    from cli_commands.agreement import NONE

    labels = rekognition.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": image}).get("CustomLabels", [])
    return max(labels, key=lambda label: label.get("Confidence", 0))["Name"] if labels else NONE


def _detect_all(running: dict, images: dict[str, bytes], progress) -> tuple[dict, dict]:
    """({version: {image: {region: top label}}}, {version: {region: first error}}), one call per region and image."""
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    clients = {region: boto3.client("rekognition", region_name=region)
               for regions in running.values() for region in regions}
    jobs = [(version, region, arn, name) for version, regions in running.items()
            for region, arn in regions.items() for name in images]
    top = {version: {name: {} for name in images} for version in running}
    errors: dict[str, dict[str, str]] = {version: {} for version in running}

    def one(job):
        _version, region, arn, name = job
        try:
            return job, _top_label(clients[region], arn, images[name]), None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return job, None, f"{error.get('Code')}: {error.get('Message')}"
        except BotoCoreError as exc:
            return job, None, str(exc)

    with ThreadPoolExecutor(max_workers=min(WORKERS, max(len(jobs), 1))) as pool:
        for (version, region, _arn, name), label, error in pool.map(one, jobs):
            if error is None:
                top[version][name][region] = label
            else:
                errors[version].setdefault(region, f"{name}: {error}")
            progress()
    return top, errors


def _figures(version: str, running: dict, skipped: dict, top: dict, errors: dict) -> dict:
    from cli_commands import agreement

    regions = sorted(running)
    matrix = agreement.pairwise(top, regions)
    return {
        "version": version,
        "regions": regions,
        "skipped": skipped,
        "errors": errors,
        "top_labels": top,
        "agreement": matrix,
        "overall": agreement.overall(matrix),
        "unanimous": agreement.unanimous(top, regions),
        "disagree_most": [{"region": r, "agreement": a} for r, a in agreement.disagree_most(matrix)],
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _print(result: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cli_commands.agreement import majority

    regions = result["regions"]
    labels = Table(title=f"version {result['version']}: top label per image", title_justify="left")
    for column in ("Image", "Most regions", "Regions that differ"):
        labels.add_column(column)
    for name, answers in result["top_labels"].items():
        common = majority(answers) if answers else "-"
        differ = ", ".join(f"{r}: {label}" for r, label in sorted(answers.items()) if label != common)
        labels.add_row(escape(name), escape(common), escape(differ) or "[green]none[/green]")
    output.console.print(labels)
    matrix = Table(title="agreement (images with the same top label)", title_justify="left")
    matrix.add_column("Region")
    for index in range(len(regions)):
        matrix.add_column(str(index + 1), justify="right")
    for index, a in enumerate(regions):
        matrix.add_row(f"{index + 1} {a}", *(_percent(result["agreement"][a][b]) for b in regions))
    output.console.print(matrix)
    output.console.print(f"overall agreement {_percent(result['overall'])}, all regions agree on "
                         f"{_percent(result['unanimous'])} of the images")
    worst = ", ".join(f"{item['region']} ({_percent(item['agreement'])})" for item in result["disagree_most"])
    output.console.print(f"regions that disagree most: {worst or '-'}")
    for region, why in sorted(result["skipped"].items()):
        output.console.print(f"[yellow]skipped {region}: {escape(why)}[/yellow]")
    for region, why in sorted(result["errors"].items()):
        output.console.print(f"[red]{region} failed: {escape(why)}[/red]")


@one_line_errors
def compare(
    images: Annotated[Path, typer.Option("--images", help="Folder of PNG/JPEG images (at most 4 MB each).", show_default=False)],
    versions: Annotated[list[str] | None, typer.Option(*VERSION_FLAGS, help="Versions to compare (default: every RUNNING one).")] = None,
    project: ProjectOption = None,
    region: RegionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send the same images to every region's running model and report how often the regions agree."""
    environment.use_local_stack_if_running()
    settings = environment.load_settings()
    project_name = environment.project_name(project, settings)
    regions = environment.selected_regions(region, settings)
    names = environment.version_names(versions) if versions else []
    pictures = _images(images)
    running, skipped = _targets(project_name, regions, names)
    total = sum(len(r) for r in running.values()) * len(pictures)
    if as_json or not output.console.is_terminal:
        top, errors = _detect_all(running, pictures, lambda: None)
    else:
        from rich.progress import Progress

        with Progress(transient=True, console=output.console) as bar:
            task = bar.add_task(f"{total} prediction(s)", total=total)
            top, errors = _detect_all(running, pictures, lambda: bar.advance(task))
    results = [_figures(v, running[v], skipped[v], top[v], errors[v]) for v in running]
    if as_json:
        output.print_json({"project": project_name, "images": list(pictures), "versions": results})
    else:
        for result in results:
            _print(result)
    unusable = [r["version"] for r in results if len(r["regions"]) - len(r["errors"]) < 2 or r["errors"]]
    if unusable:
        if not as_json:
            output.err_console.print(f"could not compare version(s) {', '.join(unusable)}: fewer than two regions "
                                     "running, or predictions failed (see above)")
        raise typer.Exit(1)
