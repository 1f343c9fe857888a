"""The planner's report: one document model, written as self-contained HTML and as Markdown.

Every number shown is read from ``result.summary`` or a model's result table and only
formatted here. Text from OSM or from the user (city name, street and lot names, source
descriptions, vehicle files) is `Untrusted`: HTML-escaped in the HTML, Markdown-escaped in the
Markdown. All text is HTML-escaped in HTML anyway.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from urbanfit.render.figures import FIGURE_CAPTIONS, render_figures
from urbanfit.render.schema import scenario_figures
from urbanfit.results import AnalysisResult

__all__ = [
    "build_document",
    "fmt",
    "html_page",
    "markdown_text",
    "report_html",
    "report_markdown",
    "write_report",
]

MODEL_SECTIONS: dict[str, tuple[str, str | None]] = {
    "parking": ("Parking", "spaces_by_scenario"),
    "congestion": ("Congestion", "delay_vs_kei_share"),
    "fit": ("Narrow-street fit", "fit_km"),
    "index": ("Urban Fit index", None),
}
"""Optional model sections of the summary in report order: (heading, chart name)."""
_TOP_ROWS = 10
_INTRO = (
    "How much parking space and street capacity a fleet of kei-sized vehicles (Japanese "
    "micro-cars and micro-trucks) would free compared with a US full-size fleet, from "
    "OpenStreetMap data. Every figure names its unit; untagged curbs are reported as unknown, "
    "never counted."
)
_TAGS_NOTE = (
    "OSM tag coverage (missing: no tag; ok: parsed; recovered: repaired from a malformed "
    "value; invalid: unusable, treated as missing):"
)
_DEFAULTS_NOTE = "Values defaulted where a tag was missing or invalid (see Assumptions):"


class Untrusted(str):
    """Text from OSM or user input: escaped wherever it is written."""

    __slots__ = ()


Text = tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1-3)."""

    level: int
    text: Text


@dataclass(frozen=True)
class Para:
    """A paragraph made of trusted and untrusted pieces."""

    text: Text


@dataclass(frozen=True)
class Bullets:
    """A bullet list; each item one line."""

    items: tuple[Text, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells (numbers already formatted)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Image:
    """A chart: embedded in HTML, linked in Markdown (``link``: relative path of the PNG)."""

    link: str
    caption: str
    png: bytes


Block = Heading | Para | Bullets | Table | Image


def fmt(value: Any) -> str:
    """Format one summary value for a table cell (no arithmetic on it)."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer():
            return f"{value:,.0f}"
        size = abs(value)
        return f"{value:,.1f}" if size >= 100 else f"{value:.2f}" if size >= 1 else f"{value:.3g}"
    if isinstance(value, dict):
        return Untrusted(", ".join(f"{k}: {fmt(v)}" for k, v in value.items()))
    return Untrusted(str(value))


def _u(record: dict[str, Any], key: str) -> Untrusted:
    return Untrusted(record.get(key) or "")


def _label(key: str) -> str:
    return key.replace("_", " ")


def _scenario_ids(summary: dict[str, Any]) -> tuple[list[str], list[str], str, str]:
    runs, roles = summary["scenarios"], summary["scenario_roles"]
    ids = [str(s["id"]) for s in runs]
    return ids, [str(s["label"]) for s in runs], roles["baseline"], roles["headline"]


def _figure_table(section: dict[str, Any]) -> Table:
    return Table(("figure", "value"), tuple((_label(k), fmt(v)) for k, v in section.items()))


def _model_blocks(
    summary: dict[str, Any], figures: dict[str, bytes], extra: dict[str, list[Block]]
) -> list[Block]:
    ids, labels, _, _ = _scenario_ids(summary)
    blocks: list[Block] = []
    for name, (title, chart) in MODEL_SECTIONS.items():
        section = summary.get(name)
        if not isinstance(section, dict):
            continue
        city_wide, series = scenario_figures(section, ids)
        blocks.append(Heading(2, (title,)))
        if series:
            blocks.append(Para((f"{title} figures per scenario (unit in the figure name):",)))
            rows = tuple((_label(base), *map(fmt, values)) for base, values in series.items())
            blocks.append(Table(("figure", *labels), rows))
        if city_wide:
            blocks.append(Para((f"{title}: figures for the whole city:",)))
            blocks.append(_figure_table(city_wide))
        if chart is not None and chart in figures:
            blocks.append(Image(f"figures/{chart}.png", FIGURE_CAPTIONS[chart], figures[chart]))
        blocks += extra.get(name, [])
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
        values = [row[c].item() if hasattr(row[c], "item") else row[c] for c in present]
        rows.append((label, *(fmt(None if pd.isna(v) else v) for v in values)))
    return tuple(rows)


def _with_baseline(table: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    return table.assign(spaces_baseline=base["spaces"].to_numpy())


def _parking_table_blocks(result: AnalysisResult) -> list[Block]:
    parking = result.parking
    base, top = result.scenarios.baseline, result.scenarios.headline
    top_label = top.label
    sides = _with_baseline(parking.side_figures(top.id), parking.side_figures(base.id))
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
    lot_columns = {"kind": "kind", "source": "source", "capacity_tag": "capacity tag"}
    lot_rows = _top_rows(lots, {**lot_columns, **spaces}, "gained")
    blocks: list[Block] = []
    if side_rows:
        blocks.append(Heading(3, (f"Street sides gaining the most spaces at {top_label}",)))
        header = ("street", "class", "side", "orientation", *spaces.values())
        blocks.append(Table(header, side_rows))
    if lot_rows:
        blocks.append(Heading(3, (f"Lots gaining the most spaces at {top_label}",)))
        blocks.append(Table(("lot", "kind", "source", "capacity tag", *spaces.values()), lot_rows))
    return blocks


def _ranges_blocks(summary: dict[str, Any]) -> list[Block]:
    rows = tuple(
        (_label(r["figure"]), *(fmt(r[k]) for k in ("low", "central", "high", "unit", "basis")))
        for r in summary.get("ranges", [])
    )
    if not rows:
        return []
    return [
        Heading(3, ("Ranges",)),
        Para(
            (
                "Each headline figure from the documented parameter ranges (see Assumptions): "
                "low and high are its smallest and largest value over the runs at the ends:",
            )
        ),
        Table(("figure", "low", "central", "high", "unit", "varied"), rows),
    ]


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
    notes = [(_label(k), ": ", fmt(v)) for k, v in quality.items() if k != "tags"]
    if notes:
        blocks.append(Para((_DEFAULTS_NOTE,)))
        blocks.append(Bullets(tuple(notes)))
    return blocks


def _vehicle_blocks(summary: dict[str, Any]) -> list[Block]:
    vehicles = summary["vehicles"]
    dims = ("length_m", "width_m", "height_m", "turning_radius_m")
    dim_header = tuple(_label(d) for d in dims)
    profiles = tuple(
        (*(_u(p, k) for k in ("id", "label", "vehicle_class")), *(fmt(p.get(d)) for d in dims),
         _u(p, "source"))
        for p in vehicles["profiles"].values()
    )  # fmt: skip
    fleets = tuple(
        (Untrusted(fid), _u(f, "label"), fmt(f.get("shares", {})), _u(f, "source"))
        for fid, f in vehicles["fleets"].items()
    )
    scenarios = tuple(
        (s["id"], s["label"], fmt(s["kei_share"]), fmt(s["shares"])) for s in summary["scenarios"]
    )
    return [
        Heading(2, ("Vehicles, fleets and scenarios",)),
        Table(("profile", "label", "class", *dim_header, "source"), profiles),
        Table(("fleet", "label", "shares", "source"), fleets),
        Table(("scenario", "label", "kei share", "profile shares"), scenarios),
    ]


def _provenance_blocks(summary: dict[str, Any]) -> list[Block]:
    prov, run, city = summary["provenance"], summary["run"], summary["city"]
    rows = (
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
    return [Heading(2, ("Data provenance",)), Table(("item", "value"), rows)]


def build_document(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> list[Block]:
    """Lay out the report as blocks (shared by HTML and Markdown); charts drawn if not given."""
    summary = result.summary
    figures = render_figures(summary) if figures is None else figures
    title = ("urbanfit report: ", Untrusted(summary["city"]["name"]))
    assumptions = tuple(
        tuple(Untrusted(row.get(k, "")) for k in ("parameter", "value", "unit", "source"))
        for row in summary["assumptions"]
    )
    sections = ("network", "lots", "buildings")
    return [
        Heading(1, title),
        Para((_INTRO,)),
        Heading(2, ("Headline figures",)),
        Bullets(tuple((line,) for line in summary.get("headlines", []))),
        *_ranges_blocks(summary),
        *_notes_blocks(summary),
        *_model_blocks(summary, figures, {"parking": _parking_table_blocks(result)}),
        Heading(2, ("City data",)),
        *(b for s in sections for b in (Heading(3, (s.title(),)), _figure_table(summary[s]))),
        *_quality_blocks(summary),
        *_vehicle_blocks(summary),
        Heading(2, ("Assumptions",)),
        Para(("Every model parameter of this run, with its unit and source:",)),
        Table(("parameter", "value", "unit", "source"), assumptions),
        *_provenance_blocks(summary),
    ]


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
@media print { body { margin: 0; max-width: none; }
               table, figure { break-inside: avoid; } h2, h3 { break-after: avoid; } }
"""


def _h(text: Text) -> str:
    return "".join(html.escape(piece) for piece in text)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_h(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f"<p>{_h(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_h(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.header)
        body = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in block.rows
        )
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    data = base64.b64encode(block.png).decode("ascii")
    caption = html.escape(block.caption)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def html_page(blocks: list[Block], title: Text) -> str:
    """One self-contained HTML page of blocks (inline CSS, images as data URIs, no scripts)."""
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def report_html(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> str:
    """Render the report as one self-contained HTML page (charts embedded as data URIs)."""
    blocks = build_document(result, figures)
    return html_page(blocks, ("urbanfit report: ", Untrusted(result.summary["city"]["name"])))


# --- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#|!])")


def _md_piece(piece: str, *, cell: bool) -> str:
    if isinstance(piece, Untrusted):
        return _MD_SPECIAL.sub(r"\\\1", piece)
    piece = piece.replace("<", r"\<").replace(">", r"\>")
    return piece.replace("|", r"\|") if cell else piece


def _m(text: Text, *, cell: bool = False) -> str:
    """Markdown of trusted and untrusted pieces; ``|`` escaped in table cells."""
    joined = "".join(_md_piece(piece, cell=cell) for piece in text)
    return " ".join(joined.split()) if cell else joined


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_m(block.text)}"
    if isinstance(block, Para):
        return _m(block.text)
    if isinstance(block, Bullets):
        return "\n".join(f"- {_m(item)}" for item in block.items)
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(_m((c,), cell=True) for c in block.header) + " |",
            "|" + "---|" * len(block.header),
            *("| " + " | ".join(_m((c,), cell=True) for c in row) + " |" for row in block.rows),
        ]
        return "\n".join(lines)
    return f"![{_m((block.caption,))}]({block.link})"


def markdown_text(blocks: list[Block]) -> str:
    """Markdown of blocks (GitHub-flavoured tables, ``|`` escaped in cells)."""
    return "\n\n".join(_md_block(b) for b in blocks) + "\n"


def report_markdown(result: AnalysisResult, figures: dict[str, bytes] | None = None) -> str:
    """Render the report as Markdown: the HTML's content, charts linked as figures/*.png."""
    return markdown_text(build_document(result, figures))


def write_report(
    result: AnalysisResult, folder: Path, figures: dict[str, bytes] | None = None
) -> None:
    """Write ``report.html`` and ``report.md`` (charts drawn here only if not given)."""
    figures = render_figures(result.summary) if figures is None else figures
    folder = Path(folder)
    (folder / "report.html").write_text(report_html(result, figures), encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(result, figures), encoding="utf-8")
