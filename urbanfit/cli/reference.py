"""Commands that list what urbanfit knows and check its assignment against a reference.

``cities`` (the presets), ``vehicles`` (profiles, fleets, classes and their sources) and
``validate-assignment`` (the equilibrium assignment against a TNTP best-known solution).
Plain functions here; `urbanfit.cli` registers them on the typer app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from urbanfit.cli._app import _consoles, _fail
from urbanfit.errors import ConfigError, SourceError, UrbanfitError


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
