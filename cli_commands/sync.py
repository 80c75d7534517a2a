"""`sync SRC_DIR`: the dataset (images + manifest) to the management bucket, which replicates it to every region."""

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli_commands import environment, output
from cli_commands.errors import UserError, one_line_errors
from cli_commands.invocation import cli_command


def sync_dataset(source: Path, prefix: str | None, rewrite_refs: bool, wait_seconds: float,
                 report=lambda message: None, check: bool = True) -> dict:
    """Plan, check the dataset (the build's preflight), upload, then wait for replication; returns the summary
    printed by the command (and used by demo)."""
    import boto3

    settings = environment.load_settings()
    resources = environment.resolve_resources(settings)
    prefix = prefix if prefix is not None else f"datasets/{source.resolve().name}/"
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    from cli_commands import datasets

    s3 = boto3.client("s3", region_name=settings.management_region)
    plan = datasets.plan_sync(s3, source, resources.management_bucket, prefix, rewrite_refs)
    checked = {}
    if check:
        from cli_commands.dataset_check import check_plan

        try:
            checked = check_plan(plan, source, list(settings.regions))
        except BaseException:
            plan.close()
            raise
    datasets.execute(s3, plan, on_upload=lambda key: report(f"uploaded s3://{plan.bucket}/{key}"))
    uploaded = [item.key for item in plan.upload]
    pending, failed = [], []
    if uploaded and wait_seconds > 0 and datasets.has_replication(s3, plan.bucket):
        deadline = time.monotonic() + wait_seconds
        report(f"waiting for replication of {len(uploaded)} object(s) to {len(settings.regions)} region(s)")
        while True:
            pending, failed = datasets.replication_pending(s3, plan.bucket, uploaded)
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    return {
        "bucket": plan.bucket,
        "prefix": prefix,
        "uploaded": uploaded,
        "unchanged": len(plan.unchanged),
        "manifests": plan.manifests,
        "refs_rewritten": plan.refs_rewritten,
        "refs_unmapped": plan.refs_unmapped[:20],
        "replication_pending": pending,
        "replication_failed": failed,
        "dataset_warnings": {key: found.warnings for key, found in checked.items() if found.warnings},
    }


@one_line_errors
def sync(
    source: Annotated[Path, typer.Argument(help="Folder with the images and the Ground Truth manifest.", show_default=False)],
    prefix: Annotated[str | None, typer.Option("--prefix", help="Key prefix in the management bucket (default: datasets/<folder name>/).")] = None,
    rewrite_refs: Annotated[bool, typer.Option("--rewrite-refs/--keep-refs", help="Point manifest source-refs at the uploaded files.")] = True,
    wait_replication: Annotated[float, typer.Option("--wait-replication", help="Seconds to wait for replication to every region (0 = don't).")] = 300.0,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Check the dataset against the Custom Labels rules before uploading (the build checks again).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Upload a dataset to the management bucket; unchanged files (same size and ETag) are skipped."""
    environment.use_local_stack_if_running()
    if not source.exists():
        raise UserError(f"{source} does not exist")
    summary = sync_dataset(source, prefix, rewrite_refs, wait_replication,
                           report=(lambda _m: None) if as_json else output.console.print, check=check)
    if as_json:
        output.print_json(summary)
    else:
        output.console.print(
            f"s3://{summary['bucket']}/{summary['prefix']}: {len(summary['uploaded'])} uploaded, "
            f"{summary['unchanged']} unchanged, {summary['refs_rewritten']} manifest ref(s) rewritten")
        if summary["refs_unmapped"]:
            output.console.print(f"[yellow]{len(summary['refs_unmapped'])} source-ref(s) name no file of {source}, "
                                 f"left as they are, e.g. {summary['refs_unmapped'][0]}[/yellow]")
        from cli_commands.outcome import warning_lines

        for warnings in summary["dataset_warnings"].values():
            for line in warning_lines(warnings, output.console.width):
                output.console.print(f"[yellow]{escape(line)}[/yellow]")
        for key in summary["manifests"]:
            output.console.print(f"next: {cli_command(f'build --version first --manifest {key}')}")
    if summary["replication_failed"]:
        raise UserError(f"replication FAILED for {len(summary['replication_failed'])} object(s), "
                        f"e.g. {summary['replication_failed'][0]} (S3 does not retry: upload it again)")
    if summary["replication_pending"]:
        raise UserError(f"{len(summary['replication_pending'])} object(s) still replicating after "
                        f"{wait_replication:.0f} s: wait, then build (or sync again with a longer --wait-replication)")
