"""The planner's report: its content, laid out as blocks of `urbanfit.render.document`.

Every number shown is read from ``result.summary`` or a model's result table and only
formatted here. Text from OSM or from the user (city name, street and lot names, source
descriptions, vehicle files) is `Untrusted`: HTML-escaped in the HTML, Markdown-escaped in the
Markdown. All text is HTML-escaped in HTML anyway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from urbanfit.render.brief import brief_blocks, limitations_blocks
from urbanfit.render.compass import side_words
from urbanfit.render.council import council_blocks
from urbanfit.render.document import (
    Block,
    Bullets,
    Heading,
    Image,
    Para,
    Table,
    Untrusted,
    html_page,
    markdown_text,
)
from urbanfit.render.executive import executive_summary, method_notes, ranges_blocks
from urbanfit.render.figures import FIGURE_CAPTIONS, render_figures
from urbanfit.render.inventory import inventory_blocks
from urbanfit.render.labels import (
    code_words,
    fmt,
    fmt_assumption,
    fmt_figure,
    parameter_name,
    row_label,
)
from urbanfit.render.report_docx import write_docx
from urbanfit.render.schema import scenario_figures
from urbanfit.results import AnalysisResult
from urbanfit.units import Units, display_units

__all__ = ["build_document", "report_html", "report_markdown", "write_report"]

MODEL_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "parking": ("Parking", ("spaces_by_scenario", "street_map")),
    "congestion": ("Congestion", ("delay_vs_kei_share",)),
    "fit": ("Narrow-street fit", ("fit_km",)),
    "index": ("Urban Fit index", ()),
}
"""Optional model sections of the summary in report order: (heading, chart names)."""
_TOP_ROWS = 10
_INTRO = (
    "How much parking space and street capacity a fleet of kei-sized vehicles (Japanese "
    "micro-cars and micro-trucks) would free compared with a US full-size fleet, from "
    "OpenStreetMap data. Every figure names its unit and what it rests on; curbs without "
    "parking tags are either estimated by a stated rule and reported apart from mapped curb, "
    "or left unknown (--no-infer-curb)."
)
_TAGS_NOTE = (
    "OSM tag coverage (missing: no tag; ok: parsed; recovered: repaired from a malformed "
    "value; invalid: unusable, treated as missing):"
)
_DEFAULTS_NOTE = "Values defaulted where a tag was missing or invalid (see Assumptions):"


def _u(record: dict[str, Any], key: str) -> Untrusted:
    return Untrusted(record.get(key) or "")


def _scenario_ids(summary: dict[str, Any]) -> tuple[list[str], list[str], str, str]:
    runs, roles = summary["scenarios"], summary["scenario_roles"]
    ids = [str(s["id"]) for s in runs]
    return ids, [str(s["label"]) for s in runs], roles["baseline"], roles["headline"]


def _figure_table(section: dict[str, Any], units: Units) -> Table:
    rows = tuple((row_label(k, units), fmt_figure(k, v, units)) for k, v in section.items())
    return Table(("figure", "value"), rows)


def _class_table(classes: dict[str, dict[str, Any]], units: Units) -> Table:
    """Figures per vehicle class (fit): one row per figure, one column per class."""
    keys = list(dict.fromkeys(k for figures in classes.values() for k in figures))
    header = ("figure", *(Untrusted(c.replace("_", " ")) for c in classes))
    rows = tuple(
        (
            row_label(k, units),
            *(fmt_figure(k, figures.get(k), units) for figures in classes.values()),
        )
        for k in keys
    )
    return Table(header, rows)


def _model_blocks(
    summary: dict[str, Any], figures: dict[str, bytes], extra: dict[str, list[Block]]
) -> list[Block]:
    ids, labels, base, _ = _scenario_ids(summary)
    units = display_units(summary)
    blocks: list[Block] = []
    for name, (title, charts) in MODEL_SECTIONS.items():
        section = summary.get(name)
        if not isinstance(section, dict):
            continue
        city_wide, series = scenario_figures(section, ids)
        classes = city_wide.pop("classes", None)
        curve = city_wide.pop("kei_curve", None)
        counts = city_wide.pop("counts", None)
        blocks.append(Heading(2, (title,)))
        if isinstance(counts, dict):
            blocks += _counts_blocks(counts)
        if series:
            blocks.append(Para((f"{title} figures per scenario:",)))
            rows = tuple(
                (row_label(key, units), *(fmt_figure(key, v, units) for v in values))
                for key, values in series.items()
            )
            blocks.append(Table(("figure", *labels), rows))
        if city_wide:
            blocks.append(Para((f"{title}: figures for the whole city:",)))
            blocks.append(_figure_table(city_wide, units))
        if isinstance(classes, dict) and classes:
            blocks.append(Para((f"{title}: figures per vehicle class:",)))
            blocks.append(_class_table(classes, units))
        if isinstance(curve, dict):
            blocks += _kei_curve_blocks(curve, dict(zip(ids, labels, strict=True)), base)
        for chart in (c for c in charts if c in figures):
            blocks.append(Image(f"figures/{chart}.png", FIGURE_CAPTIONS[chart], figures[chart]))
        blocks += extra.get(name, [])
    return blocks


def _counts_blocks(counts: dict[str, Any]) -> list[Block]:
    """How well the baseline matches the user's traffic counts, before any scenario."""
    share, target = counts.get("geh_below_threshold_share"), counts["geh_share_target"]
    met = "meets" if counts.get("geh_target_met") else "does not meet"
    r, rmse = counts.get("correlation"), counts.get("rmse_pct")
    text = (
        f"Before any kei scenario: the baseline demand was scaled by "
        f"{fmt(counts['demand_scale'])} to match {counts['counts_matched']} of "
        f"{counts['counts_given']} traffic counts. "
        + (
            f"{100 * share:.0f} % of the counted links have a GEH below "
            f"{fmt(counts['geh_threshold'])}, which {met} the usual target of "
            f"{100 * target:.0f} %"
            if share is not None
            else "No count could be compared"
        )
        + (f"; correlation r = {r:.2f} (target {counts['correlation_target']:g})" if r else "")
        + (f"; percent RMSE {rmse:.0f} %" if rmse is not None else "")
        + ". Read the scenario figures below with this fit in mind."
    )
    blocks: list[Block] = [Para((text,))]
    rows = tuple(
        (
            Untrusted(row["count_id"]),
            Untrusted(row.get("direction", "")),
            fmt(row["counted_veh_h"]),
            fmt(row["modelled_veh_h"]),
            f"{row['geh']:.1f}",
        )
        for row in sorted(counts.get("table", []), key=lambda row: -row["geh"])[:_TOP_ROWS]
    )
    if rows:
        header = ("count", "direction", "counted veh/h", "modelled veh/h", "GEH")
        blocks.append(Para(("The counts the baseline fits worst:",)))
        blocks.append(Table(header, rows))
    unmatched = counts.get("unmatched", [])
    if unmatched:
        blocks.append(Para((f"{len(unmatched)} count(s) could not be placed on the network:",)))
        blocks.append(
            Bullets(
                tuple((Untrusted(f"{item['count_id']}: {item['reason']}"),) for item in unmatched)
            )
        )
    return blocks


_CURVE_COLUMNS = (
    ("delay_veh_h", "delay_veh_h"),
    ("delay_change_veh_h", "delay_veh_h_change"),
    ("delay_change_pct", "delay_veh_h_change_pct"),
    ("vht_change_pct", "vht_veh_h_change_pct"),
    ("speed_change_pct", "mean_speed_kmh_change_pct"),
    ("resolved", "resolved"),
)
"""Kei-curve figures shown: (key in a level's scenario row, key of its label)."""


def _kei_curve_blocks(curve: dict[str, Any], labels: dict[str, str], base: str) -> list[Block]:
    """Tabulate the kei effect at each baseline congestion level: a row per level and share."""
    levels = curve.get("levels") or {}
    if not levels:
        return []
    rows = []
    for name, level in levels.items():
        tti = fmt_figure("tti", level.get("baseline_tti"))
        state = ", uncongested at this demand" if level.get("uncongested") else ""
        for scenario, figures in (level.get("scenarios") or {}).items():
            cells = [fmt_figure(label, figures.get(key)) for key, label in _CURVE_COLUMNS]
            if scenario == base:
                cells[-1] = "(baseline)"
            rows.append(
                (f"{name} (TTI {tti}{state})", Untrusted(labels.get(scenario, scenario)), *cells)
            )
    header = ("baseline level", "scenario", *(row_label(label) for _, label in _CURVE_COLUMNS))
    lead = (
        "Kei effect at each baseline congestion level (each kei share against the full-size "
        "fleet at the same demand):"
    )
    blocks: list[Block] = [Para((lead,)), Table(header, tuple(rows))]
    if curve.get("note"):
        blocks.append(Para((Untrusted(curve["note"]),)))
    return blocks


def _top_rows(
    frame: pd.DataFrame, columns: dict[str, str], sort_by: str, names: pd.Series | None = None
) -> tuple[tuple[str, ...], ...]:
    """Format the rows of a result table with the largest positive ``sort_by`` (top 10)."""
    present = {c: h for c, h in columns.items() if c in frame.columns}
    if sort_by not in frame.columns or frame.empty:
        return ()
    gaining = frame[frame[sort_by] > 0]
    top = gaining.sort_values(sort_by, ascending=False, kind="stable").head(_TOP_ROWS)
    rows = []
    for index, row in top.iterrows():
        name = names.get(index) if names is not None else row.get("name")
        label = Untrusted(name) if isinstance(name, str) and name else "(unnamed)"
        values = {c: row[c].item() if hasattr(row[c], "item") else row[c] for c in present}
        cells = (
            fmt_figure("total_spaces" if c in _SPACE_COLUMNS else c, None if pd.isna(v) else v)
            for c, v in values.items()
        )
        rows.append((label, *cells))
    return tuple(rows)


_SPACE_COLUMNS = frozenset({"spaces_baseline", "spaces", "gained"})
"""Result-table columns of parking spaces: printed as whole numbers."""


def _with_baseline(table: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    return table.assign(spaces_baseline=base["spaces"].to_numpy())


def _lot_names(lots: pd.DataFrame, streets: gpd.GeoDataFrame) -> pd.Series:
    """Name each lot: its own name, or for an unnamed lot "unnamed lot by <nearest street>"."""
    names = lots["name"] if "name" in lots else pd.Series(None, index=lots.index, dtype=object)
    if "geometry" not in lots or streets.empty or "name" not in streets:
        return names
    named = streets[streets["name"].notna()]
    if named.empty:
        return names
    centres = gpd.GeoSeries(lots["geometry"], crs=streets.crs).centroid
    _, nearest = named.sindex.nearest(centres.to_numpy(), return_all=False)
    near = pd.Series(named["name"].to_numpy()[nearest], index=lots.index)
    return names.where(names.notna(), "unnamed lot by " + near.astype(str))


def _parking_table_blocks(result: AnalysisResult) -> list[Block]:
    parking = result.parking
    base, top = result.scenarios.baseline, result.scenarios.headline
    top_label = top.label
    sides = _with_baseline(parking.side_figures(top.id), parking.side_figures(base.id))
    if "geometry" in sides and len(sides):  # "north side", as the map names it
        sides = sides.assign(side=side_words(sides).to_numpy())
    lots = _with_baseline(parking.lot_figures(top.id), parking.lot_figures(base.id))
    spaces = {
        "spaces_baseline": f"spaces, {base.label}",
        "spaces": f"spaces, {top_label}",
        "gained": f"gained, {top_label}",
    }
    streets = result.city.streets
    names = (
        sides["edge_id"].map(streets.set_index("edge_id")["name"]) if "name" in streets else None
    )
    side_rows = _top_rows(
        sides,
        {"highway": "class", "side": "side", "orientation": "orientation", **spaces},
        "gained",
        names,
    )
    lots = lots.assign(source=code_words("lot_source", lots["source"]))
    lot_columns = {"kind": "kind", "source": "source", "capacity_tag": "capacity tag"}
    lot_rows = _top_rows(lots, {**lot_columns, **spaces}, "gained", _lot_names(lots, streets))
    blocks: list[Block] = []
    if side_rows:
        blocks.append(Heading(3, (f"Street sides gaining the most spaces at {top_label}",)))
        header = ("street", "class", "side", "orientation", *spaces.values())
        blocks.append(Table(header, side_rows))
    if lot_rows:
        blocks.append(Heading(3, (f"Lots gaining the most spaces at {top_label}",)))
        blocks.append(Table(("lot", "kind", "source", "capacity tag", *spaces.values()), lot_rows))
    return blocks


def _notes_blocks(summary: dict[str, Any]) -> list[Block]:
    notes = tuple((Untrusted(note),) for note in summary.get("notes") or [])
    return [Heading(2, ("Notes",)), Bullets(notes)] if notes else []


def _quality_blocks(summary: dict[str, Any]) -> list[Block]:
    quality = summary["data_quality"]
    blocks: list[Block] = [
        Heading(2, ("Data quality",)),
        Para((_TAGS_NOTE,)),
    ]
    kinds = ("missing", "ok", "recovered", "invalid")
    rows = tuple(
        (Untrusted(tag), *(fmt(counts.get(k)) for k in kinds))
        for tag, counts in quality.get("tags", {}).items()
    )
    blocks.append(Table(("tag", *kinds), rows))
    notes = [(row_label(k), ": ", fmt_figure(k, v)) for k, v in quality.items() if k != "tags"]
    if notes:
        blocks.append(Para((_DEFAULTS_NOTE,)))
        blocks.append(Bullets(tuple(notes)))
    return blocks


def _vehicle_blocks(summary: dict[str, Any]) -> list[Block]:
    vehicles = summary["vehicles"]
    dims = ("length_m", "width_m", "height_m", "turning_radius_m")
    units = display_units(summary)
    dim_header = tuple(row_label(d, units) for d in dims)
    profiles = tuple(
        (*(_u(p, k) for k in ("id", "label", "vehicle_class")),
         *(fmt_figure(d, p.get(d), units) for d in dims), _u(p, "source"))
        for p in vehicles["profiles"].values()
    )  # fmt: skip
    fleets = tuple(
        (
            Untrusted(fid),
            _u(f, "label"),
            fmt_figure("kei_share", f.get("shares", {})),
            _u(f, "source"),
        )
        for fid, f in vehicles["fleets"].items()
    )
    scenarios = tuple(
        (s["id"], s["label"], fmt(s["kei_share"]), fmt_figure("kei_share", s["shares"]))
        for s in summary["scenarios"]
    )
    return [
        Heading(2, ("Vehicles, fleets and scenarios",)),
        Heading(3, ("Vehicle profiles",)),
        Table(("profile", "label", "class", *dim_header, "source"), profiles),
        Heading(3, ("Fleets",)),
        Table(("fleet", "label", "shares (0-1)", "source"), fleets),
        Heading(3, ("Scenarios",)),
        Table(("scenario", "label", "kei share (0-1)", "profile shares (0-1)"), scenarios),
    ]


def _provenance_blocks(summary: dict[str, Any]) -> list[Block]:
    prov, run, city = summary["provenance"], summary["run"], summary["city"]
    rows: tuple[tuple[str, str], ...] = (
        ("city", Untrusted(city["name"])),
        ("OSM source", Untrusted(f"{prov['kind']}: {prov['description']}")),
        ("OSM data date", Untrusted(prov.get("data_date") or "unknown")),
        ("OSM data retrieved", Untrusted(prov.get("retrieved", ""))),
        ("data licence", Untrusted(prov.get("license", ""))),
        ("projected CRS", Untrusted(city.get("crs", ""))),
        ("urbanfit version", Untrusted(summary["urbanfit_version"])),
        ("summary schema version", Untrusted(summary["schema_version"])),
        ("parameters hash", Untrusted(run["parameters_hash"])),
        ("run created", Untrusted(run["created"])),
        ("run time (s)", fmt(run["seconds"])),
    )
    for given in prov.get("inputs", []):
        matched = given.get("features_matched")
        rows += (
            (
                f"your {given['kind']}",
                Untrusted(
                    f"{given['file']} (SHA-256 {given['sha256'][:16]}…): "
                    f"{given['features_read']:,} read"
                    + ("" if matched is None else f", {matched:,} matched")
                ),
            ),
        )
    return [Heading(2, ("Data provenance",)), Table(("item", "value"), rows)]


def _safety_edges(result: AnalysisResult) -> pd.DataFrame | None:
    safety = result.council.get("safety")
    return None if safety is None else safety.edges


def build_document(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> list[Block]:
    """Lay out the report as blocks (shared by HTML and Markdown); charts drawn if not given."""
    summary = result.summary
    figures = render_figures(summary, result=result) if figures is None else figures
    assumptions = tuple(
        (
            Untrusted(parameter_name(row.get("parameter", ""))),
            Untrusted(fmt_assumption(row.get("value", ""), row.get("unit", ""))),
            Untrusted(row.get("unit", "")),
            Untrusted(row.get("source", "")),
        )
        for row in summary["assumptions"]
    )
    sections = ("network", "lots", "buildings")
    return [
        *brief_blocks(summary, result.scenarios),
        Heading(2, ("About this report",)),
        Para((_INTRO,)),
        *executive_summary(summary),
        *_notes_blocks(summary),
        Heading(2, ("How this run was made",)),
        Bullets(tuple(method_notes(summary))),
        *inventory_blocks(summary),
        *ranges_blocks(summary),
        *_model_blocks(summary, figures, {"parking": _parking_table_blocks(result)}),
        *council_blocks(summary, figures, safety_edges=_safety_edges(result)),
        Heading(2, ("City data",)),
        *(
            b
            for s in sections
            for b in (Heading(3, (s.title(),)), _figure_table(summary[s], display_units(summary)))
        ),
        *_quality_blocks(summary),
        *_vehicle_blocks(summary),
        *limitations_blocks(summary),
        *_provenance_blocks(summary),
        Heading(2, ("Appendix: assumptions",)),
        Para(("Every model parameter of this run, with its unit and source:",)),
        Table(("parameter", "value", "unit", "source"), assumptions),
    ]


def report_html(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> str:
    """Render the report as one self-contained HTML page (charts embedded as data URIs)."""
    blocks = build_document(result, figures)
    return html_page(blocks, ("urbanfit report: ", Untrusted(result.summary["city"]["name"])))


def report_markdown(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> str:
    """Render the report as Markdown: the HTML's content, charts linked as figures/*.png."""
    return markdown_text(build_document(result, figures))


def write_report(
    result: AnalysisResult, folder: Path, figures: dict[str, bytes] | None = None
) -> None:
    """Write ``report.html``, ``report.md`` and ``report.docx`` (charts drawn if not given)."""
    figures = render_figures(result.summary, result=result) if figures is None else figures
    folder = Path(folder)
    (folder / "report.html").write_text(report_html(result, figures), encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(result, figures), encoding="utf-8")
    write_docx(build_document(result, figures), folder / "report.docx")
