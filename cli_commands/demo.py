"""`demo`: the whole job on the local stack: sample dataset -> sync -> build -> start -> predict -> stop -> delete."""

import asyncio
from typing import Annotated

import typer

from cli_commands import output
from cli_commands.errors import UserError, one_line_errors
from cli_commands.invocation import cli_command


async def _operations(steps, settings, predict_step) -> None:
    from cli_commands.launch import run_operation
    from cli_commands.temporal_client import connect

    client = await connect()
    for request in steps:
        if request == "predict":
            await asyncio.to_thread(predict_step)
            continue
        output.console.rule(f"{request.operation} {', '.join(request.versions) or 'project'}")
        code = await run_operation(request, settings.task_queue, wait=True, as_json=False, client=client)
        if code:
            raise UserError(f"demo stopped: {request.operation} failed in some region (see above and the Web UI)")


@one_line_errors
def demo(
    keep: Annotated[bool, typer.Option("--keep", help="Leave the model running (skip stop and delete).")] = False,
) -> None:
    """Run build -> start -> predict -> stop -> delete in every configured region on the local stack."""
    from cli_commands.environment import apply_local_stack_environment
    from cli_commands.launch import OperationRequest
    from cli_commands.local import ensure_up
    from cli_commands.model_versions import describe_everywhere
    from cli_commands.predict import post_image
    from cli_commands.sync import sync_dataset
    from local_stack.sample_dataset import create_sample_dataset

    config, settings, started = ensure_up()
    output.console.print("local stack " + ("started" if started else "already running")
                         + f"; Web UI {config.ui_url}")
    apply_local_stack_environment(config.environment(settings.management_region), override=True)
    project, version = settings.project_name, settings.default_version_name
    regions = list(settings.regions)

    dataset = config.state_dir / "demo-dataset"
    manifest = create_sample_dataset(dataset)
    summary = sync_dataset(dataset, "datasets/demo/", True, 120.0, report=lambda _m: None)
    manifest_key = f"datasets/demo/{manifest.name}"
    output.console.print(f"dataset: {len(summary['uploaded'])} uploaded, {summary['unchanged']} unchanged -> "
                         f"s3://{summary['bucket']}/datasets/demo/ (replicated to {len(regions)} regions)")
    if summary["replication_pending"] or summary["replication_failed"]:
        raise UserError("demo stopped: the dataset did not replicate to every region")

    steps = []
    if any(rv.project_exists for rv in describe_everywhere(project, regions)):
        output.console.print(f"[dim]removing project {project} left by an earlier run[/dim]")
        steps.append(OperationRequest("delete", project, [], regions, {"ProjectName": project, "VersionNames": []}))
    steps.append(OperationRequest("build", project, [version], regions,
                                  {"ProjectName": project, "ManifestKey": manifest_key, "VersionName": version}))
    steps.append(OperationRequest("start", project, [version], regions,
                                  {"ProjectName": project, "VersionNames": [version],
                                   "MinInferenceUnits": settings.min_inference_units}))
    steps.append("predict")
    if not keep:
        steps.append(OperationRequest("stop", project, [version], regions,
                                      {"ProjectName": project, "VersionNames": [version]}))
        steps.append(OperationRequest("delete", project, [], regions, {"ProjectName": project, "VersionNames": []}))

    def predict_step() -> None:
        image = min((dataset / "images").glob("*.png"))
        output.console.rule("predict")
        answer = post_image(config.inference_url, image, project, version)
        labels = ", ".join(f"{label.get('Name')} {float(label.get('Confidence', 0)):.0f}%"
                           for label in answer.get("CustomLabels", []))
        output.console.print(f"{image.name} -> answered by [bold]{answer.get('ServedRegion')}[/bold]: "
                             f"{labels or 'no labels'}")
        if answer.get("PredictionSource"):
            output.console.print(f"[yellow]{answer['PredictionSource']}[/yellow]")

    asyncio.run(_operations(steps, settings, predict_step))
    output.console.rule("done")
    output.console.print(
        f"Every workflow is in the Web UI: {config.ui_url}/namespaces/default/workflows "
        f"(filter with ProjectName = \"{project}\"). Logs: {config.logs_dir}\n"
        f"The stack keeps running. See it: {cli_command('local status')}\n"
        f"Stop it: make local-down  (or {cli_command('local down')})")
