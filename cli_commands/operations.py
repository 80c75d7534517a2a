"""`build`, `start`, `stop`, `delete`: one parent workflow each, run in every configured region."""

import asyncio
import functools
from typing import Annotated

import typer

from cli_commands import environment
from cli_commands.errors import UserError, one_line_errors
from cli_commands.invocation import cli_command

ProjectOption = Annotated[str | None, typer.Option("--project", "-p", help="Project name (default: project_name setting).")]
RegionOption = Annotated[list[str] | None, typer.Option("--region", "-r", help="Only this region (repeatable; default: all configured).")]
WaitOption = Annotated[bool, typer.Option("--wait/--no-wait", help="Follow progress live, or print the workflow id and return.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
MinF1Option = Annotated[float | None, typer.Option("--min-f1", min=0.0, max=1.0, help="Quality gate: the F1 a model must reach (0-1).")]
# Every command that takes versions accepts --versions and --version (-v): the seed's users type both.
VERSION_FLAGS = ("--versions", "--version", "-v")


def _prepare(project: str | None, versions: list[str] | None, regions: list[str] | None):
    environment.use_local_stack_if_running()
    settings = environment.load_settings()
    return settings, environment.project_name(project, settings), environment.version_names(versions), \
        environment.selected_regions(regions, settings)


def _require_existing(project: str, versions: list[str], regions: list[str]) -> None:
    """Refuse versions that exist in no region, naming close existing names (difflib)."""
    from cli_commands.model_versions import missing_versions, project_names
    from cli_commands.suggest import did_you_mean

    missing, found, project_found = missing_versions(project, versions, regions)
    if not missing:
        return
    where = f"any of {len(regions)} region(s)"
    if not project_found:
        hint = did_you_mean(project, project_names(regions[0]))
        raise UserError(f"project {project} not found in {where}{hint}"
                        + ("" if hint else f": build it first ({cli_command(f'build --project {project}')})"))
    hints = [did_you_mean(name, found) for name in missing]
    if any(hints):
        named = ", ".join(f"{name}{hint}" for name, hint in zip(missing, hints, strict=True))
        raise UserError(f"version(s) of project {project} not found in {where}: {named}")
    raise UserError(f"version(s) {', '.join(missing)} of project {project} not found in {where}: "
                    f"build them first ({cli_command(f'build --version {missing[0]}')})")


def _launch(operation: str, project: str, versions: list[str], payload: dict, settings, selected: list[str],
            only_regions: bool, wait: bool, as_json: bool, checks=()) -> None:
    """Start the operation's parent workflow (limited to `selected` when regions were given) and follow it."""
    from cli_commands.launch import OperationRequest, run_operation

    if only_regions:
        payload["Regions"] = selected
    request = OperationRequest(operation, project, versions, selected, payload, list(checks))
    try:
        code = asyncio.run(run_operation(request, settings.task_queue, wait=wait, as_json=as_json))
    except KeyboardInterrupt:
        from cli_commands.errors import report_interrupt

        report_interrupt(f"interrupted: {request.workflow_id} keeps running if it started "
                         f"({cli_command('status')}, or the Web UI)")
        raise typer.Exit(130) from None
    if code:
        raise typer.Exit(code)


def _rollout(canary: str | None, min_f1: float | None, max_failed: int | None, at_once: int | None, settings,
             selected: list[str]) -> dict:
    """The build's rollout fields (issue 17), checked against the regions it runs in (the workflow checks again)."""
    from cli_commands.suggest import did_you_mean

    if canary is not None and canary not in selected:
        hint = did_you_mean(canary, selected, n=1)
        advice = f": add --region {canary}" if canary in settings.regions else "" if hint else \
            f": choose from {', '.join(selected)}"
        raise UserError(f"--canary {canary} is not one of the build's regions{hint}{advice}")
    effective = canary or (settings.canary_region if settings.canary_region in selected else None)
    if min_f1 is not None and effective is None:
        raise UserError("--min-f1 on a build is the canary's quality gate: add --canary REGION")
    if max_failed is not None and max_failed > len(selected):
        raise UserError(f"--max-failed-regions {max_failed} is more than the build's {len(selected)} region(s)")
    fields = {"CanaryRegion": canary, "MinF1": min_f1, "MaxFailedRegions": max_failed, "MaxConcurrentRegions": at_once}
    return {name: value for name, value in fields.items() if value is not None}


@one_line_errors
def build(
    version: Annotated[list[str] | None, typer.Option(*VERSION_FLAGS, help="Version name to create (default: default_version_name).")] = None,
    manifest: Annotated[str | None, typer.Option("--manifest", "-m", help="Manifest key in the management bucket (default: the one `sync` uploaded).")] = None,
    canary: Annotated[str | None, typer.Option("--canary", help="Train this region first; the others only once it trained (and reached --min-f1). Default: canary_region setting.")] = None,
    min_f1: MinF1Option = None,
    max_failed_regions: Annotated[int | None, typer.Option("--max-failed-regions", min=0, help="Launch no more regions once this many have failed (0 or 1: at the first failure).")] = None,
    regions_at_once: Annotated[int | None, typer.Option("--regions-at-once", min=1, help="Train at most this many regions at once (waves).")] = None,
    project: ProjectOption = None,
    region: RegionOption = None,
    wait: WaitOption = True,
    as_json: JsonOption = False,
) -> None:
    """Train the model from the management bucket's dataset in every region (a project is created where missing)."""
    settings, project_name, _, selected = _prepare(project, None, region)
    rollout = _rollout(canary, min_f1, max_failed_regions, regions_at_once, settings, selected)
    if version and len(version) > 1:
        raise UserError(f"build creates one version at a time, got {len(version)}: {' '.join(version)}")
    version_name = environment.version_names(version or [settings.default_version_name])[0]
    from cli_commands.checks import manifest_exists

    bucket = environment.resolve_resources(settings).management_bucket
    if not manifest:
        from cli_commands.datasets import default_manifest_key

        manifest = default_manifest_key(bucket, settings.management_region)
    payload = {"ProjectName": project_name, "ManifestKey": manifest, "VersionName": version_name, **rollout}
    check = functools.partial(manifest_exists, bucket, manifest, settings.management_region)
    _launch("build", project_name, [version_name], payload, settings, selected, bool(region), wait, as_json, [check])


@one_line_errors
def start(
    versions: Annotated[list[str], typer.Option(*VERSION_FLAGS, help="Version names to start (space separated).")],
    min_inference_units: Annotated[int | None, typer.Option("--min-inference-units", min=1, help="Default: min_inference_units setting.")] = None,
    max_inference_units: Annotated[int | None, typer.Option("--max-inference-units", min=1, help="Enables autoscaling.")] = None,
    ttl: Annotated[str | None, typer.Option("--ttl", help="Cost guard: stop again after e.g. 4h, 90m (0 = never; default: inference_ttl_hours).")] = None,
    min_f1: MinF1Option = None,
    project: ProjectOption = None,
    region: RegionOption = None,
    wait: WaitOption = True,
    as_json: JsonOption = False,
) -> None:
    """Start versions in every region (billing runs per inference unit and hour until they are stopped)."""
    from cli_commands.durations import parse_hours

    settings, project_name, names, selected = _prepare(project, versions, region)
    units = min_inference_units or settings.min_inference_units
    maximum = max_inference_units or settings.max_inference_units
    if maximum is not None and maximum < units:
        raise UserError(f"--max-inference-units {maximum} is below --min-inference-units {units}")
    ttl_hours = parse_hours(ttl) if ttl is not None else settings.inference_ttl_hours
    _require_existing(project_name, names, selected)
    payload = {"ProjectName": project_name, "VersionNames": names, "MinInferenceUnits": units}
    if maximum is not None:
        payload["MaxInferenceUnits"] = maximum
    payload["TtlHours"] = ttl_hours  # 0: no cost guard (the workflow would otherwise apply the settings' default)
    if min_f1 is not None:  # regions whose model scores lower are REFUSED (not started, not failed)
        payload["MinF1"] = min_f1
    _launch("start", project_name, names, payload, settings, selected, bool(region), wait, as_json)


@one_line_errors
def stop(
    versions: Annotated[list[str], typer.Option(*VERSION_FLAGS, help="Version names to stop (space separated).")],
    project: ProjectOption = None,
    region: RegionOption = None,
    wait: WaitOption = True,
    as_json: JsonOption = False,
) -> None:
    """Stop versions in every region (billing stops once they are STOPPED)."""
    settings, project_name, names, selected = _prepare(project, versions, region)
    _require_existing(project_name, names, selected)
    payload = {"ProjectName": project_name, "VersionNames": names}
    _launch("stop", project_name, names, payload, settings, selected, bool(region), wait, as_json)


@one_line_errors
def delete(
    versions: Annotated[list[str] | None, typer.Option(*VERSION_FLAGS, help="Version names to delete; none = the whole project.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    project: ProjectOption = None,
    region: RegionOption = None,
    wait: WaitOption = True,
    as_json: JsonOption = False,
) -> None:
    """Delete versions (running ones are stopped first by the workflow), or the whole project when no versions are given."""
    from cli_commands.model_versions import describe_everywhere

    settings, project_name, names, selected = _prepare(project, versions, region)
    if names:
        _require_existing(project_name, names, selected)
        what = f"version(s) {', '.join(names)} of project {project_name}"
    else:
        described = describe_everywhere(project_name, selected)
        if not any(rv.project_exists or rv.error for rv in described):
            if as_json:
                from cli_commands.output import print_json

                print_json({"workflow_id": None, "result": None, "message": "project not found in any region"})
            else:
                typer.echo(f"project {project_name} does not exist in any of {len(selected)} region(s): nothing to delete")
            return
        what = f"project {project_name} and all its versions"
    if not yes:
        typer.confirm(f"Delete {what} in {len(selected)} region(s)?", abort=True)
    payload = {"ProjectName": project_name, "VersionNames": names}
    _launch("delete", project_name, names, payload, settings, selected, bool(region), wait, as_json)
