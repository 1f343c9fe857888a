"""Commands that analyse cities: ``analyze`` one, ``compare`` several, ``batch`` many on Dask.

Plain functions here; `urbanfit.cli` registers them on the typer app.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from urbanfit.cli._app import (
    _DEFAULT_SHARES,
    _check_out,
    _consoles,
    _fail,
    _KeiShares,
    _parse_bbox,
    _parse_shares,
    _Units,
)
from urbanfit.errors import UrbanfitError
from urbanfit.units import check_units, display_units, kilometres


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
        str, typer.Option("--out", metavar="OUT", help="Outputs folder; results go to OUT/<city>/.")
    ] = "outputs",
    kei_shares: _KeiShares = _DEFAULT_SHARES,
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
            help="Origin-destination trips replacing the synthetic demand: a CSV (origin, "
            "destination, trips, zone points) or a regional model's OpenMatrix file (.omx, "
            "with --zones)."
        ),
    ] = None,
    zones: Annotated[
        Path | None,
        typer.Option(
            help="Zone polygons of an .omx --od (any layer GDAL reads); zones outside the "
            "study area enter at its boundary roads."
        ),
    ] = None,
    zone_id: Annotated[
        str, typer.Option(help="The --zones field holding the matrix's zone ids.")
    ] = "zone_id",
    od_matrix: Annotated[
        str | None,
        typer.Option(help="Which matrix of the .omx file (needed when it holds several)."),
    ] = None,
    widths: Annotated[
        Path | None,
        typer.Option(
            help="The city's street centrelines with kerb-to-kerb widths (any line layer "
            "GDAL reads): they replace OSM's widths where they match a street."
        ),
    ] = None,
    width_field: Annotated[
        str, typer.Option(help="The --widths field holding the width.")
    ] = "width",
    width_unit: Annotated[str, typer.Option(help="Unit of the --widths field: m or ft.")] = "m",
    counts: Annotated[
        Path | None,
        typer.Option(
            help="Hourly traffic counts (CSV or point layer: way_id or lon/lat, direction, "
            "vehicles_per_hour): the demand is scaled to them and the fit (GEH) reported."
        ),
    ] = None,
    baseline_tti: Annotated[
        str | None,
        typer.Option(
            help="Baseline peak-hour Travel Time Index the synthetic demand is scaled to: a "
            "number such as 1.25, or an urban-area size class (medium, large, very_large) "
            "whose mean Urban Mobility Report figure is used. Default: the urban area's "
            "figure, else large."
        ),
    ] = None,
    urban_area: Annotated[
        str | None,
        typer.Option(
            help="US urban area whose Urban Mobility Report Travel Time Index is the baseline "
            'target, e.g. "Columbus, OH". Default: the preset\'s, else one named in the place '
            "or file name."
        ),
    ] = None,
    units: _Units = None,
    curb: Annotated[
        Path | None,
        typer.Option(
            help="The city's curb inventory (a CurbLR feed, Curb Data Specification zones, or "
            "any GDAL layer with --curb-mapping): used where it covers, and the curb estimate "
            "is scored against it (a self-check in the report and summary.json)."
        ),
    ] = None,
    curb_mapping: Annotated[
        Path | None,
        typer.Option(
            help="TOML file naming the fields of a --curb GIS layer (parking, side, spaces, "
            "days, start, end)."
        ),
    ] = None,
    curb_time: Annotated[
        str | None,
        typer.Option(
            help="Day and time the inventory's rules are read at, e.g. 'weekday 12:00' "
            "(the default) or 'sat 09:30'."
        ),
    ] = None,
    adoption: Annotated[
        str | None,
        typer.Option(
            help="Adoption path of kei sales by year: a preset (slow, central, fast) or a .toml "
            "file; adds a year-by-year timeline of fleet share, curb, lot land, delay and value."
        ),
    ] = None,
    max_iter: Annotated[
        int | None,
        typer.Option(
            help="Iteration cap of each traffic assignment (default 2,000; 500 on networks of "
            "more than 20,000 assigned links)."
        ),
    ] = None,
    gap: Annotated[
        float | None,
        typer.Option(
            help="Relative gap the scenario assignments run to, between 1e-8 and 1e-4 "
            "(default 1e-5; 1e-4 on networks of more than 20,000 assigned links)."
        ),
    ] = None,
    open_map: Annotated[
        bool, typer.Option("--open", help="Open map.html in the browser when done.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://host:8786: the congestion "
            "model's independent runs go to its workers."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Local processes for the congestion model's independent runs; 1 runs them in "
            "this process. Default: one per core on large networks (bounded by memory)."
        ),
    ] = None,
) -> None:
    """Analyse CITY and write map.html, summary.json and tables to OUT/<city>/."""
    console, out = _consoles()
    try:
        from urbanfit.parameters.widthlayer import WidthInventoryParams  # noqa: PLC0415
        from urbanfit.pipeline import analyze as run  # noqa: PLC0415  (heavy imports)
        from urbanfit.pipeline import gc_frozen  # noqa: PLC0415
        from urbanfit.render import write_outputs  # noqa: PLC0415
        from urbanfit.sources import OverpassConfig  # noqa: PLC0415
        from urbanfit.sources.counts import read_counts  # noqa: PLC0415
        from urbanfit.sources.layers import read_width_layer  # noqa: PLC0415
        from urbanfit.sources.omx import read_user_od  # noqa: PLC0415
        from urbanfit.workers import congestion_workers  # noqa: PLC0415

        shares = _parse_shares(kei_shares)
        check_units(units)
        area = _parse_bbox(bbox)
        out_root = _check_out(out_dir)
        overpass = OverpassConfig(cache_dir=cache_dir) if cache_dir else OverpassConfig()
        given = (
            read_user_od(od, zones=zones, zone_field=zone_id, matrix=od_matrix)
            if od is not None
            else None
        )
        bounds = WidthInventoryParams()
        width_layer = (
            read_width_layer(
                widths,
                field=width_field,
                unit=width_unit,
                bounds_m=(bounds.min_width_m, bounds.max_width_m),
            )
            if widths is not None
            else None
        )
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
                od=given.table if given is not None else None,
                od_external=given is not None and given.external,
                counts=read_counts(counts) if counts is not None else None,
                widths=width_layer,
                baseline_tti=baseline_tti,
                curb_file=curb,
                curb_time=curb_time,
                curb_mapping=curb_mapping,
                adoption=adoption,
                max_iter=max_iter,
                gap=gap,
                urban_area=urban_area,
                units=units,
                progress=progress,
                workers=congestion_workers(scheduler=scheduler, workers=workers),
            )
            folder = write_outputs(
                result, out_root, progress=lambda w: progress(f"writing {w}", 0.97)
            )
    except UrbanfitError as error:
        raise _fail(error) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: earlier outputs were left as they were")
        raise typer.Exit(code=130) from None
    from urbanfit.render.labels import counted  # noqa: PLC0415

    network = result.summary["network"]
    out.print(
        f"[bold]{escape(result.city.name)}[/]: "
        f"{kilometres(network['street_km'], display_units(result.summary))} of street in "
        f"{counted(network['edges_count'], 'edge')}, "
        f"{counted(result.summary['lots']['count'], 'parking lot')}",
        highlight=False,
    )
    for line in result.summary.get("headlines", []):
        out.print(f"  {escape(line)}", highlight=False)
    for note in result.summary.get("notes", []):
        out.print(f"  [yellow]note:[/] {escape(note)}", highlight=False)
    out.print(f"outputs: {folder}/  (open {folder / 'map.html'})", highlight=False, markup=False)
    if open_map:
        webbrowser.open((folder / "map.html").resolve().as_uri())


def compare(
    cities: Annotated[
        list[str],
        typer.Argument(help="Cities to compare (presets, preset files or place names)."),
    ],
    *,
    out_dir: Annotated[
        str,
        typer.Option(
            "--out", metavar="OUT", help="Outputs folder holding OUT/<city>/summary.json."
        ),
    ] = "outputs",
    units: _Units = None,
) -> None:
    """Compare headline figures across cities (analysing those without outputs yet)."""
    from urbanfit.pipeline import analyze as run  # noqa: PLC0415
    from urbanfit.render import write_outputs  # noqa: PLC0415
    from urbanfit.render.compare import compare_cities  # noqa: PLC0415

    console, out = _consoles()

    def analyse(name: str) -> Path:
        console.print(f"analysing {name} (no outputs yet)", highlight=False, markup=False)
        return write_outputs(run(name), out_root)

    try:
        out_root = _check_out(out_dir)
        folder = compare_cities(
            cities, out_root=out_root, analyze=analyse, units=check_units(units)
        )
    except UrbanfitError as error:
        raise _fail(error) from None
    out.print(
        f"comparison: {folder}/  (comparison.csv, .md, .html, .png)", highlight=False, markup=False
    )


def batch(
    cities: Annotated[
        list[str],
        typer.Argument(
            help="Presets, preset .toml files (e.g. cities/*.toml) or CSV files of place names."
        ),
    ],
    *,
    out_dir: Annotated[
        str,
        typer.Option("--out", metavar="OUT", help="Outputs folder; each city goes to OUT/<city>/."),
    ] = "outputs",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of an existing Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes of the local Dask cluster.")
    ] = None,
    kei_shares: _KeiShares = _DEFAULT_SHARES,
    fleet: Annotated[str, typer.Option(help="Full-size baseline fleet.")] = "us_new_sales",
    congestion: Annotated[bool, typer.Option(help="Run the congestion model.")] = True,
    units: _Units = None,
    adoption: Annotated[
        str | None,
        typer.Option(
            help="Adoption path for every city: a preset (slow, central, fast) or a .toml file; "
            "the comparison then shows each city's timeline headline."
        ),
    ] = None,
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
        check_units(units)
        out_root = _check_out(out_dir)
        report = run_batch(
            city_inputs(cities),
            out_root=out_root,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
            options={
                "kei_shares": shares,
                "base_fleet": fleet,
                "run_congestion": congestion,
                "units": units,
                **({"adoption": adoption} if adoption else {}),
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
