"""The ``urbanfit`` command line: thin wiring of sources, models and renderers."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import sys
import traceback
import webbrowser
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from urbanfit import __version__
from urbanfit.errors import ConfigError, SourceError, UrbanfitError

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


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    from urbanfit.bbox import check_bbox  # noqa: PLC0415

    if text is None:
        return None
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"--bbox must be four numbers west,south,east,north in degrees, got {text!r}"
        ) from None
    return check_bbox(parts)


def _parse_shares(text: str) -> tuple[float, ...]:
    """Percentages as typed -> fractions; every message speaks in percent, as the option does."""
    try:
        percents = [float(p) for p in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"--kei-shares must be percentages like 0,25,50,100, got {text!r}"
        ) from None
    outside = [f"{p:g} %" for p in percents if not 0 <= p <= 100]
    if outside:
        raise ConfigError(f"--kei-shares must lie between 0 and 100 %, got {', '.join(outside)}")
    return tuple(p / 100.0 for p in percents)  # repeats are refused by `scenarios`


def _check_out(out_dir: Path) -> None:
    from urbanfit.render.export import check_out_root  # noqa: PLC0415

    check_out_root(out_dir)


@app.command()
def analyze(
    city: Annotated[
        str,
        typer.Argument(
            help="A preset (see `urbanfit cities`), a preset .toml file, or a place name "
            "such as 'Somerville, Massachusetts, USA'."
        ),
    ] = "",
    *,
    osm_file: Annotated[
        Path | None,
        typer.Option(help="Read a local .osm, .osm.bz2, .osm.gz or .osm.pbf extract instead."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Display name (and output folder) of the city.")
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option(help="west,south,east,north in degrees: fetch this box, or clip a PBF."),
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            help="'auto', or 'extract': download the regional extract holding CITY "
            "(Geofabrik/BBBike via pyrosm, cached) and clip it to CITY's boundary; for "
            "metro-sized areas where Overpass times out."
        ),
    ] = "auto",
    dataset: Annotated[
        str | None,
        typer.Option(
            help="pyrosm dataset of the regional extract, e.g. 'oregon' (with --source extract)."
        ),
    ] = None,
    clip: Annotated[
        str | None,
        typer.Option(help="Clip --osm-file to this place's boundary (geocoded)."),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Outputs folder; results go to OUT/<city>/.")
    ] = Path("outputs"),
    kei_shares: Annotated[
        str, typer.Option(help="Kei shares of the fleet to compare, in percent.")
    ] = "0,25,50,100",
    fleet: Annotated[
        str, typer.Option(help="Full-size baseline fleet (see `urbanfit vehicles`).")
    ] = "us_new_sales",
    vehicles_file: Annotated[
        Path | None, typer.Option(help="TOML file adding or overriding vehicle profiles/fleets.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Cache folder for Overpass responses.")
    ] = None,
    infer_curb: Annotated[
        bool,
        typer.Option(
            "--infer-curb/--no-infer-curb",
            help="Estimate parking on curbs without parking tags from street class, width "
            "and lanes (every estimate labelled 'inferred', reported apart from mapped "
            "curbs); --no-infer-curb leaves them unknown.",
        ),
    ] = True,
    congestion: Annotated[
        bool,
        typer.Option(help="Run the congestion model (demand and equilibrium assignment)."),
    ] = True,
    od: Annotated[
        Path | None,
        typer.Option(
            help="CSV origin-destination matrix (origin, destination, trips, zone points) "
            "replacing the synthetic demand."
        ),
    ] = None,
    baseline_tti: Annotated[
        str | None,
        typer.Option(
            help="Baseline peak-hour Travel Time Index the synthetic demand is scaled to: a "
            "number such as 1.25, or an urban-area size class (small, medium, large, "
            "very_large) whose Urban Mobility Report figure is used. Default: large."
        ),
    ] = None,
    open_map: Annotated[
        bool, typer.Option("--open", help="Open map.html in the browser when done.")
    ] = False,
) -> None:
    """Analyse CITY and write map.html, summary.json and tables to OUT/<city>/."""
    console, out = _consoles()
    try:
        from urbanfit.pipeline import analyze as run  # noqa: PLC0415  (heavy imports)
        from urbanfit.pipeline import gc_frozen  # noqa: PLC0415
        from urbanfit.render import write_outputs  # noqa: PLC0415
        from urbanfit.sources import OverpassConfig  # noqa: PLC0415
        from urbanfit.sources.od import read_od_csv  # noqa: PLC0415

        shares = _parse_shares(kei_shares)
        area = _parse_bbox(bbox)
        _check_out(out_dir)
        overpass = OverpassConfig(cache_dir=cache_dir) if cache_dir else OverpassConfig()
        with (
            gc_frozen(),
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task("starting", total=1.0)

            def progress(label: str, fraction: float) -> None:
                bar.update(task, description=label, completed=fraction)

            result = run(
                city,
                osm_file=osm_file,
                name=name,
                bbox=area,
                kei_shares=shares,
                base_fleet=fleet,
                vehicles_file=vehicles_file,
                overpass=overpass,
                source=source,
                clip=clip,
                dataset=dataset,
                infer_curb=infer_curb,
                run_congestion=congestion,
                od=read_od_csv(od) if od is not None else None,
                baseline_tti=baseline_tti,
                progress=progress,
            )
            folder = write_outputs(
                result, out_dir, progress=lambda w: progress(f"writing {w}", 0.97)
            )
    except UrbanfitError as error:
        raise _fail(error) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: earlier outputs were left as they were")
        raise typer.Exit(code=130) from None
    network = result.summary["network"]
    out.print(
        f"[bold]{escape(result.city.name)}[/]: {network['street_km']:.1f} km of street in "
        f"{network['edges_count']} edges, {result.summary['lots']['count']} parking lots",
        highlight=False,
    )
    for line in result.summary.get("headlines", []):
        out.print(f"  {escape(line)}", highlight=False)
    for note in result.summary.get("notes", []):
        out.print(f"  [yellow]note:[/] {escape(note)}", highlight=False)
    out.print(f"outputs: {folder}/  (open {folder / 'map.html'})", highlight=False, markup=False)
    if open_map:
        webbrowser.open((folder / "map.html").resolve().as_uri())


@app.command()
def cities() -> None:
    """List the city presets shipped in cities/ (use the slug as CITY)."""
    from urbanfit.cities import list_presets  # noqa: PLC0415

    out = _consoles()[1]
    try:
        presets = list_presets()
    except UrbanfitError as error:
        raise _fail(error) from None
    table = Table(title="City presets")
    for column in ("preset", "name", "country", "source", "notes"):
        table.add_column(column, overflow="fold")
    for p in presets:
        table.add_row(p.slug, p.name, p.country, p.source_label, p.notes)
    out.print(table)


@app.command()
def vehicles(
    vehicles_file: Annotated[
        Path | None, typer.Option(help="TOML file adding or overriding profiles/fleets.")
    ] = None,
) -> None:
    """List vehicle profiles, fleet mixes and classes, each figure with its source."""
    from urbanfit.models.congestion.capacity import capacity_gain_table  # noqa: PLC0415
    from urbanfit.vehicles import load_vehicles  # noqa: PLC0415

    out = _consoles()[1]
    try:
        catalog = load_vehicles(vehicles_file)
    except UrbanfitError as error:
        raise _fail(error) from None
    table = Table(title="Vehicle profiles (metres; sources below)")
    for column in ("id", "label", "class", "length", "width", "height", "turn radius", "src"):
        table.add_column(column, no_wrap=column in {"id", "label"})
    for n, p in enumerate(catalog.profiles.values(), start=1):
        table.add_row(
            p.id,
            p.label,
            p.vehicle_class,
            f"{p.length_m:.2f}",
            f"{p.width_m:.2f}",
            f"{p.height_m:.2f}",
            f"{p.turning_radius_m:.1f}",
            f"[{n}]",
        )
    out.print(table)
    for n, p in enumerate(catalog.profiles.values(), start=1):
        out.print(f"[{n}] {p.id}: {p.source}", soft_wrap=True, highlight=False, markup=False)
    out.print()
    fleets = Table(title="Fleet mixes (share of vehicles; sources below)")
    for column in ("id", "label", "shares"):
        fleets.add_column(column, overflow="fold")
    for f in catalog.fleets.values():
        shares = ", ".join(f"{k} {v:.0%}" for k, v in f.shares.items())
        fleets.add_row(f.id, f.label, shares)
    out.print(fleets)
    for f in catalog.fleets.values():
        out.print(f"{f.id}: {f.source}", soft_wrap=True, highlight=False, markup=False)
    out.print()
    classes = Table(title="Vehicle classes: the stalls they park in (metres; sources below)")
    for column in ("id", "label", "curb stall", "lot stall", "aisle", "m² per lot stall"):
        classes.add_column(column, overflow="fold")
    for c in catalog.classes.values():
        classes.add_row(
            c.id,
            c.label,
            f"{c.curb_stall_width_m:.2f}",
            f"{c.lot_stall_width_m:.2f} x {c.lot_stall_depth_m:.2f}",
            f"{c.lot_aisle_m:.2f}",
            f"{c.lot_m2_per_stall:.1f}",
        )
    out.print(classes)
    for c in catalog.classes.values():
        out.print(f"{c.id}: {c.source}", soft_wrap=True, highlight=False, markup=False)
    try:
        gains = capacity_gain_table(catalog)
    except UrbanfitError as error:  # a vehicles file without the default fleets
        out.print(f"(no capacity gain table: {escape(str(error))})", highlight=False)
        return
    out.print()
    table = Table(title="Lane capacity gain at 100 % kei, by road class (us_new_sales -> kei)")
    for column in ("road class", "base pc/h/ln", "discharge km/h", "fleet PCE", "kei PCE", "gain"):
        table.add_column(column, justify="left" if column == "road class" else "right")
    for road, row in gains.iterrows():
        table.add_row(
            str(road),
            f"{row['base_flow_pc_h_ln']:,.0f}",
            f"{row['discharge_speed_kmh']:.1f}",
            f"{row['base_fleet_pce']:.3f}",
            f"{row['kei_fleet_pce']:.3f}",
            f"{row['capacity_gain_pct']:+.1f} %",
        )
    out.print(table)
    out.print(
        "Saturation headway = reaction time + (length + gap) / discharge speed; each class's "
        "speed is calibrated so the reference car reproduces its HCM base capacity.",
        soft_wrap=True,
        highlight=False,
    )


@app.command()
def compare(
    cities: Annotated[
        list[str],
        typer.Argument(help="Cities to compare (presets, preset files or place names)."),
    ],
    *,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Outputs folder holding OUT/<city>/summary.json.")
    ] = Path("outputs"),
) -> None:
    """Compare headline figures across cities (analysing those without outputs yet)."""
    from urbanfit.pipeline import analyze as run  # noqa: PLC0415
    from urbanfit.render import write_outputs  # noqa: PLC0415
    from urbanfit.render.compare import compare_cities  # noqa: PLC0415

    console, out = _consoles()

    def analyse(name: str) -> Path:
        console.print(f"analysing {name} (no outputs yet)", highlight=False, markup=False)
        return write_outputs(run(name), out_dir)

    try:
        _check_out(out_dir)
        folder = compare_cities(cities, out_root=out_dir, analyze=analyse)
    except UrbanfitError as error:
        raise _fail(error) from None
    out.print(
        f"comparison: {folder}/  (comparison.csv, .md, .html, .png)", highlight=False, markup=False
    )


@app.command()
def batch(
    cities: Annotated[
        list[str],
        typer.Argument(
            help="Presets, preset .toml files (e.g. cities/*.toml) or CSV files of place names."
        ),
    ],
    *,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Outputs folder; each city goes to OUT/<city>/.")
    ] = Path("outputs"),
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of an existing Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes of the local Dask cluster.")
    ] = None,
    kei_shares: Annotated[
        str, typer.Option(help="Kei shares of the fleet to compare, in percent.")
    ] = "0,25,50,100",
    fleet: Annotated[str, typer.Option(help="Full-size baseline fleet.")] = "us_new_sales",
    congestion: Annotated[bool, typer.Option(help="Run the congestion model.")] = True,
) -> None:
    """Analyse many cities on Dask (finished ones are skipped), then compare them."""
    from urbanfit.batch import city_inputs, run_batch  # noqa: PLC0415

    console, out = _consoles()

    def progress(outcome: object, done: int, total: int) -> None:
        status = getattr(outcome, "status", "")
        colour = {"done": "green", "skipped": "cyan", "failed": "red"}.get(status, "white")
        error = getattr(outcome, "error", None)
        line = f"[{done}/{total}] {getattr(outcome, 'slug', '')}: [{colour}]{status}[/]"
        console.print(line + (f" ({escape(error)})" if error else ""), highlight=False)

    try:
        shares = _parse_shares(kei_shares)
        _check_out(out_dir)
        report = run_batch(
            city_inputs(cities),
            out_root=out_dir,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
            options={
                "kei_shares": shares,
                "base_fleet": fleet,
                "run_congestion": congestion,
            },
        )
    except UrbanfitError as error:
        raise _fail(error) from None
    counts = {s: len(report.by_status(s)) for s in ("done", "skipped", "failed")}
    out.print(
        f"{counts['done']} analysed, {counts['skipped']} already done, {counts['failed']} failed",
        highlight=False,
    )
    for failed in report.by_status("failed"):
        out.print(f"  failed: {escape(failed.city)}: {escape(str(failed.error))}", highlight=False)
    if report.comparison is not None:
        out.print(f"comparison: {report.comparison}/", highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("validate-assignment")
def validate_assignment(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A TNTP network folder (e.g. SiouxFalls) with *_net.tntp, *_trips.tntp and "
            "the best-known *_flow.tntp."
        ),
    ],
    *,
    rel_gap: Annotated[float, typer.Option(help="Relative gap to reach.")] = 1e-5,
    max_iter: Annotated[int, typer.Option(help="Iteration cap.")] = 5000,
) -> None:
    """Validate the equilibrium assignment on a TNTP network against its best-known flows."""
    from urbanfit.models.congestion import validate_assignment as validate  # noqa: PLC0415
    from urbanfit.sources.tntp import read_tntp  # noqa: PLC0415

    console, out = _consoles()
    try:
        if folder.exists() and not folder.is_dir():
            raise ConfigError(
                f"{folder} is a file; validate-assignment needs the folder that holds the "
                "network's *_net.tntp, *_trips.tntp and *_flow.tntp files"
            )
        net = read_tntp(folder)
        if net.best_flows is None:
            raise SourceError(f"{folder} has no *_flow.tntp best-known solution to compare with")
        with Progress(
            TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task("assigning", total=None)
            report = validate(
                net,
                rel_gap=rel_gap,
                max_iter=max_iter,
                progress=lambda _done, _total, label: bar.update(task, description=label),
            )
    except UrbanfitError as error:
        raise _fail(error) from None
    table = Table(title=f"Assignment of {report.name} (BPR, bi-conjugate Frank-Wolfe)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("links", f"{report.links:,}"),
        ("zones", f"{report.zones:,}"),
        ("trips", f"{report.trips:,.0f}"),
        ("toll / distance factor", f"{report.toll_factor:g} / {report.distance_factor:g}"),
        ("links with zero free-flow cost", f"{report.zero_cost_links:,}"),
        ("links with constant cost", f"{report.constant_cost_links:,}"),
        ("dead-end links (flow 0)", f"{report.dead_end_links:,}"),
        ("closed links (b > 0, capacity 0)", f"{report.closed_links:,}"),
        ("trips with no route (left out)", f"{report.unroutable_trips:,.0f}"),
        ("iterations", f"{report.iterations:,}"),
        ("relative gap reached (solver)", f"{report.rel_gap:.2e}"),
        ("relative gap recomputed from the flows", f"{report.checked_gap:.2e}"),
        ("time (s)", f"{report.seconds:.2f}"),
        ("TSTT", f"{report.tstt:,.2f}"),
        ("best-known TSTT", f"{report.best_tstt:,.2f}"),
        ("TSTT relative error", f"{report.tstt_rel_error * 100:+.4f} %"),
        ("Beckmann objective", f"{report.objective:,.4f}"),
        ("best-known objective", f"{report.best_objective:,.4f}"),
        ("objective relative error", f"{report.objective_rel_error * 100:+.6f} %"),
        (
            "worst node imbalance",
            f"{report.worst_imbalance:.3g} (node {report.worst_imbalance_node})"
            if report.worst_imbalance_node
            else "none (every node is a zone)",
        ),
        ("worst centroid mismatch", f"{report.centroid_error:.3g}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    out.print(report.verdict(), highlight=False, soft_wrap=True)
    if not report.meets_targets:
        raise typer.Exit(code=1)


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
