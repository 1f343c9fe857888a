"""The typer `app` and what every command shares: consoles, the error line, option parsers.

The commands themselves live in `urbanfit.cli.run` and `urbanfit.cli.reference`; the package
registers them on `app` in the order ``urbanfit --help`` lists them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from urbanfit import __version__
from urbanfit.errors import ConfigError, OutputError, UrbanfitError

app = typer.Typer(
    name="urbanfit",
    help=(
        "Score how much kei-sized vehicles (Japanese micro-cars and micro-trucks) would shrink "
        "a city's parking footprint and congestion compared with US full-size cars, SUVs and "
        "pickups, from OpenStreetMap data."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE = {"verbose": False}
"""Whether ``-v`` was given: `main` then prints an internal error's traceback."""


def _consoles() -> tuple[Console, Console]:
    # Built per call so that the terminal width (or $COLUMNS) is read when a command runs.
    return Console(stderr=True), Console()


def _version(value: bool) -> None:
    if value:
        _consoles()[1].print(f"urbanfit {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    *,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log diagnostics to the terminal.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Urbanfit: kei vehicles vs full-size fleets, city by city."""
    _STATE["verbose"] = verbose
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")


def _fail(error: UrbanfitError) -> typer.Exit:
    message = f"[red]error:[/] {escape(str(error))}"
    _consoles()[0].print(message, markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code=error.exit_code)


def _numbers(text: str, *, wanted: str) -> list[float]:
    """Comma-separated numbers; otherwise a ConfigError: ``wanted``, then what was typed."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise ConfigError(f"{wanted}, got {text!r}") from None


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    from urbanfit.bbox import check_bbox  # noqa: PLC0415

    if text is None:
        return None
    wanted = "--bbox must be four numbers west,south,east,north in degrees"
    return check_bbox(_numbers(text, wanted=wanted))


_KeiShares = Annotated[str, typer.Option(help="Kei shares of the fleet to compare, in percent.")]
"""The ``--kei-shares`` option of the commands that run cities (parsed by `_parse_shares`)."""
_DEFAULT_SHARES = "0,25,50,100"
_Units = Annotated[
    str | None,
    typer.Option(
        help="Units of the text a person reads (headlines, report, map): 'us' (feet, miles, "
        "acres first, metric beside) or 'metric'. Default: us for a place in the United "
        "States, else metric. summary.json's figures stay metric."
    ),
]
"""The ``--units`` option of the commands that run cities (checked by `urbanfit.units`)."""


def _parse_shares(text: str) -> tuple[float, ...]:
    """Percentages as typed -> fractions; every message speaks in percent, as the option does."""
    percents = _numbers(text, wanted="--kei-shares must be percentages like 0,25,50,100")
    outside = [f"{p:g} %" for p in percents if not 0 <= p <= 100]
    if outside:
        raise ConfigError(f"--kei-shares must lie between 0 and 100 %, got {', '.join(outside)}")
    return tuple(p / 100.0 for p in percents)  # repeats are refused by `scenarios`


def _check_out(out_dir: str) -> Path:
    """Return the ``--out`` folder, checked writable; an empty name is refused, not read as "."."""
    from urbanfit.render.export import check_out_root  # noqa: PLC0415

    if not out_dir.strip():
        raise OutputError(
            "--out is empty: name the outputs folder (e.g. --out outputs, or --out . for the "
            "current folder)"
        )
    folder = Path(out_dir)
    check_out_root(folder)
    return folder
