"""Side-by-side headline figures of several cities, from their ``summary.json`` outputs.

Every figure is read from a summary; nothing is computed here but the unit: lengths, land and
speeds read in one set of display units (the first city's, or the one asked for), named in the
column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from urbanfit.cities import output_slug, slugify
from urbanfit.errors import OutputError
from urbanfit.evidence_text import delay_withheld
from urbanfit.render.council import council_columns
from urbanfit.render.document import (
    Block,
    Heading,
    Image,
    Para,
    Table,
    Untrusted,
    html_page,
    markdown_text,
)
from urbanfit.render.export import staged_folder
from urbanfit.render.figures import FIT_HEADLINE_KEYS, INDEX_HEADLINE_KEYS, comparison_chart
from urbanfit.render.labels import fmt
from urbanfit.render.schema import scenario_figures, validate_summary
from urbanfit.units import MetricUnit, Units, display_units, in_units

__all__ = [
    "HEADLINE_FIGURES",
    "compare_cities",
    "compare_summaries",
    "load_summary",
    "write_comparison",
]

HEADLINE_FIGURES: tuple[tuple[str, str, str | None, str], ...] = (
    ("parking", "total_spaces", "base", "parking spaces, {label} (count)"),
    ("parking", "total_spaces", "top", "parking spaces, {label} (count)"),
    ("parking", "spaces_gained", "top", "spaces gained, {label} (count)"),
    ("parking", "spaces_gained_pct", "top", "spaces gained, {label} (%)"),
    ("parking", "land_freed_ha", "top", "lot land freed, {label} (ha)"),
    ("parking", "land_freed_pct_of_lot_area", "top", "lot land freed, {label} (% of lot area)"),
    ("parking", "curb_parking_km", None, "curb with parking (km)"),
    ("parking", "curb_unknown_km", None, "curb untagged, unknown (km)"),
    ("congestion", "delay_veh_h", "base", "peak-hour delay, {label} (veh-h)"),
    ("congestion", "delay_veh_h", "top", "peak-hour delay, {label} (veh-h)"),
    ("congestion", "delay_veh_h_change_pct", "top", "delay change, {label} (%)"),
    ("congestion", "mean_speed_kmh", "top", "mean speed, {label} (km/h)"),
    ("network", "street_km", None, "street length (km)"),
)
"""(section, key, scenario role, column): role ``base`` is the 0 % kei scenario, ``top`` the
last; None for a city-wide figure. Also added, as ``<section>: <key>`` (the key names its
unit): the `FIT_HEADLINE_KEYS` of ``fit`` and the `INDEX_HEADLINE_KEYS` of ``index`` (every
numeric city-wide figure of the section if none of those is there)."""

_COMPARISON = "comparison"
_CONVERTED: dict[str, MetricUnit] = {"(km)": "km", "(ha)": "ha", "(km/h)": "km/h", "_km": "km"}
"""Column endings (the unit in a heading, or a summary key's ``_km``) that are converted."""


def _in_display(column: str, value: float, units: Units) -> tuple[str, float]:
    """Write one figure in the display units, its column naming the unit (metric: as read)."""
    for ending, unit in _CONVERTED.items():
        if units == "us" and column.endswith(ending):
            number, symbol = in_units([value], unit, units)
            head = column.removesuffix(ending).rstrip()
            return f"{head} ({symbol})", float(number[0])
    return column, value


def load_summary(folder: Path) -> dict[str, Any]:
    """
    Read and validate ``<folder>/summary.json``.

    Parameters
    ----------
    folder
        A city's output folder (``outputs/<slug>``).

    Returns
    -------
    summary
        The parsed summary.

    Raises
    ------
    OutputError
        When the file is missing, unreadable, not JSON, or does not match the schema.
    """
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise OutputError(f"no summary.json in {folder}: analyse the city first")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise OutputError(f"{path} is not UTF-8 text; analyse the city again") from None
    except json.JSONDecodeError as error:
        raise OutputError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "analyse the city again"
        ) from None
    try:
        validate_summary(summary)
    except OutputError as error:
        raise OutputError(f"{path}: {error}") from None
    return dict(summary)


def _row(summary: dict[str, Any], units: Units) -> dict[str, Any]:
    runs = summary["scenarios"]
    by_id = {str(s["id"]): s for s in runs}
    named = summary["scenario_roles"]
    roles = {"base": by_id[named["baseline"]], "top": by_id[named["headline"]]}
    row: dict[str, Any] = {
        "city": summary["city"]["name"],
        "slug": summary["city"]["slug"],
        "OSM data date": summary["provenance"].get("data_date"),
    }
    ids = [str(s["id"]) for s in runs]
    withheld = delay_withheld(summary.get("congestion") or {})
    for section, key, role, column in HEADLINE_FIGURES:
        if withheld and key == "delay_veh_h_change_pct":
            continue  # not headlined: the demand rests on too little (see its summary)
        city_wide, series = scenario_figures(summary.get(section) or {}, ids)
        run = roles.get(role or "")
        if run is None:
            value = city_wide.get(key)
        else:
            value = series.get(key, [None] * len(ids))[ids.index(str(run["id"]))]
        if isinstance(value, int | float) and not isinstance(value, bool):
            name, value = _in_display(
                column.format(label=run["label"] if run else ""), value, units
            )
            row[name] = value
    for section, preferred in (("fit", FIT_HEADLINE_KEYS), ("index", INDEX_HEADLINE_KEYS)):
        city_wide, _ = scenario_figures(summary.get(section) or {}, ids)
        chosen = [k for k in preferred if k in city_wide]
        for key in chosen or list(city_wide):
            value = city_wide[key]
            if isinstance(value, int | float) and not isinstance(value, bool):
                name, value = _in_display(f"{section}: {key}", value, units)
                row[name] = value
    return row | council_columns(summary)


def compare_summaries(
    summaries: Sequence[dict[str, Any]], *, units: Units | None = None
) -> pd.DataFrame:
    """
    Tabulate the headline figures of several runs, one row per city.

    Parameters
    ----------
    summaries
        Parsed summaries (see `load_summary`), in the order the rows should have.
    units
        The display units of lengths, land and speeds; the first summary's (``units.display``)
        when None. A figure whose key ends ``_km`` is headed ``<key> (mi)`` in US units.

    Returns
    -------
    table
        Columns ``city``, ``slug``, ``OSM data date``, then the figures of `HEADLINE_FIGURES`
        present in at least one summary (unit in the column name; NaN where a city lacks it).
    """
    if not summaries:
        raise OutputError("nothing to compare: give at least one city")
    chosen = units or display_units(summaries[0])
    return pd.DataFrame([_row(s, chosen) for s in summaries])


def _document(table: pd.DataFrame, chart: bytes | None) -> list[Block]:
    text_columns = ("city", "slug", "OSM data date")
    rows = tuple(
        tuple(
            Untrusted(value or "unknown") if column in text_columns else fmt(value)
            for column, value in record.items()
        )
        for record in table.astype(object).where(table.notna(), None).to_dict("records")
    )
    blocks: list[Block] = [
        Heading(1, ("urbanfit: cities compared",)),
        Para(("Headline figures read from each city's summary.json; units in the headings.",)),
        Table(tuple(str(c) for c in table.columns), rows),
    ]
    if chart is not None:
        blocks.append(Image(f"{_COMPARISON}.png", "Headline figures by city", chart))
    return blocks


def write_comparison(table: pd.DataFrame, folder: Path) -> None:
    """
    Write ``comparison.csv``, ``comparison.md``, ``comparison.html`` and ``comparison.png``.

    Parameters
    ----------
    table
        From `compare_summaries`.
    folder
        Where to write (created if missing); the HTML embeds the chart, the Markdown links it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"{_COMPARISON}.csv", index=False)
    chart = comparison_chart(table)
    if chart is not None:
        (folder / f"{_COMPARISON}.png").write_bytes(chart)
    blocks = _document(table, chart)
    (folder / f"{_COMPARISON}.md").write_text(markdown_text(blocks), encoding="utf-8")
    page = html_page(blocks, ("urbanfit: cities compared",))
    (folder / f"{_COMPARISON}.html").write_text(page, encoding="utf-8")


def compare_cities(
    names: Sequence[str],
    *,
    out_root: Path,
    analyze: Callable[[str], Path],
    folder: Path | None = None,
    units: Units | None = None,
) -> Path:
    """
    Compare cities from their outputs, analysing those that have none yet.

    Parameters
    ----------
    names
        Cities as given to ``urbanfit analyze`` (preset slug, preset file or place name).
    out_root
        The outputs folder holding ``<slug>/summary.json``.
    analyze
        Called with a city name when its summary is missing: runs the analysis, writes its
        outputs under ``out_root`` and returns the city's output folder.
    folder
        Where to write the comparison; default ``out_root/compare-<slug>-<slug>...``.
    units
        The display units (see `compare_summaries`); the first city's when None.

    Returns
    -------
    folder
        The comparison folder (written atomically).
    """
    if not names:
        raise OutputError("nothing to compare: give at least one city")
    out_root = Path(out_root)
    summaries = []
    for name in names:
        city_folder = out_root / output_slug(name)
        if not (city_folder / "summary.json").is_file():
            city_folder = Path(analyze(name))
        summaries.append(load_summary(city_folder))
    table = compare_summaries(summaries, units=units)
    slugs = " ".join(str(s) for s in table["slug"])
    target = Path(folder) if folder is not None else out_root / slugify(f"compare {slugs}")
    with staged_folder(target) as staging:
        write_comparison(table, staging)
    return target
