"""The ``urbanfit`` command line: thin wiring of sources, models and renderers.

`app` (in `urbanfit.cli._app`) holds the options every command shares; the commands live in
`urbanfit.cli.run` (analyse cities) and `urbanfit.cli.reference` (presets, vehicles, the
assignment check) and are registered here, in the order ``urbanfit --help`` lists them.
`entry` is the console script, `main` the same run without the fast exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import traceback
from typing import NoReturn

from rich.markup import escape

from urbanfit.cli._app import _STATE, _consoles, app
from urbanfit.cli.reference import cities, validate_assignment, vehicles
from urbanfit.cli.run import analyze, batch, compare

__all__ = ["app", "entry", "handle_sigterm", "main"]

app.command()(analyze)
app.command()(cities)
app.command()(vehicles)
app.command()(compare)
app.command()(batch)
app.command("validate-assignment")(validate_assignment)


def _terminated(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def handle_sigterm() -> None:
    """Treat SIGTERM (``kill``, a job scheduler) like Ctrl-C: staged outputs are rolled back."""
    signal.signal(signal.SIGTERM, _terminated)


def main() -> None:
    """Run the command line: a bug ends in one line (the traceback only with -v); see `entry`."""
    handle_sigterm()
    try:
        app()
    except Exception as error:  # not bad input (that is UrbanfitError): a bug in urbanfit
        if _STATE["verbose"]:
            traceback.print_exc(file=sys.stderr)
        message = f"[red]internal error:[/] {escape(type(error).__name__)}: {escape(str(error))}"
        hint = " (run with -v for the traceback; please report it)"
        _consoles()[0].print(message + hint, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


def entry() -> NoReturn:
    """
    Console-script entry point: `main`, then end the process without tearing it down.

    Tearing down the interpreter frees the imported libraries object by object, about 0.5 s
    after every command on the quiet 2-core machine, for a small city or a large one alike.
    By then every output is complete and closed, so `entry` runs the exit handlers (logging's
    flush, multiprocessing's clean-up), flushes the terminal and leaves with `main`'s exit code.
    """
    try:
        main()
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:  # what Python itself does with a message given to SystemExit
            print(stop.code, file=sys.stderr)
            code = 1
    atexit._run_exitfuncs()  # the handlers the interpreter would run before its teardown
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code)
