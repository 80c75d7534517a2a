"""gcl: train, start, stop and delete one Rekognition Custom Labels model in every region.

`python cli.py --help` (or `gcl --help`). Commands live in cli_commands/, one module per group; temporalio
and boto3 are imported inside the commands so that help and argument errors stay fast.
"""

import os
import signal
import sys


def _interrupted_early(_signum, _frame) -> None:
    """Ctrl-C before the command runs (while importing): one line, exit 130, no traceback."""
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _interrupted_early)

import typer

from cli_commands import adopt, compare, demo, local, operations, predict, run_worker, status, sync
from cli_commands.errors import interrupt_reported
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
app.command(rich_help_panel="Model", cls=MultiValueCommand)(compare.compare)
app.command(rich_help_panel="Model")(adopt.adopt)



def main() -> None:
    """Entry point of `python cli.py` and the `gcl` script.

    The Temporal client's Rust threads can abort the interpreter during finalization (temporalio/sdk-python#300,
    "PyGILState_Release ... finalizing"), turning a clean exit into SIGABRT. Once temporalio was used, flush
    and leave with os._exit so the exit code is the command's.
    Ctrl-C at any moment is one line and exit 130: during imports (the early handler), in a command (Typer
    turns KeyboardInterrupt into exit 130; a command may have said more, e.g. "keeps running"), and while
    leaving (a second Ctrl-C while the interpreter winds down is ignored).
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        try:
            app()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except KeyboardInterrupt:
            code = 130
    except KeyboardInterrupt:  # a second Ctrl-C while reporting the first
        code = 130
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code == 130 and not interrupt_reported():
        print("interrupted", file=sys.stderr)
    if "temporalio.client" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
