"""gcl: train, start, stop and delete one Rekognition Custom Labels model in every region.

`python cli.py --help` (or `gcl --help`). Commands live in cli_commands/, one module per group; temporalio
and boto3 are imported inside the commands so that help and argument errors stay fast.
"""

import os
import sys

import typer

from cli_commands import demo, local, operations, predict, run_worker, status, sync
from cli_commands.multi_value import MultiValueCommand

app = typer.Typer(
    name="gcl",
    help="Global Rekognition Custom Labels: one dataset, the same model in every region, one global endpoint.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)
app.add_typer(local.app, name="local")
app.command(rich_help_panel="Run")(run_worker.worker)
app.command(rich_help_panel="Run")(demo.demo)
app.command(rich_help_panel="Dataset")(sync.sync)
app.command(rich_help_panel="Model", cls=MultiValueCommand)(operations.build)
app.command(rich_help_panel="Model", cls=MultiValueCommand)(operations.start)
app.command(rich_help_panel="Model", cls=MultiValueCommand)(operations.stop)
app.command(rich_help_panel="Model", cls=MultiValueCommand)(operations.delete)
app.command(rich_help_panel="Model", cls=MultiValueCommand)(status.status)
app.command(rich_help_panel="Model")(predict.predict)



def main() -> None:
    """Entry point of `python cli.py` and the `gcl` script.

    The Temporal client's Rust threads can abort the interpreter during finalization (temporalio/sdk-python#300,
    "PyGILState_Release ... finalizing"), turning a clean exit into SIGABRT. Once temporalio was used, flush
    and leave with os._exit so the exit code is the command's.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    if "temporalio.client" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
