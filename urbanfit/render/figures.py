"""Charts of a run's summary as PNG bytes (matplotlib, Agg canvas; no display, no pyplot).

Every plotted value is read from the summary or a result table; nothing is computed here.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from urbanfit.parameters.units import UnitParams
from urbanfit.render.council import council_charts
from urbanfit.render.schema import scenario_figures
from urbanfit.render.static_map import street_map as draw_street_map
from urbanfit.results import AnalysisResult
from urbanfit.units import display_units, sig

__all__ = [
    "FIGURE_CAPTIONS",
    "FIT_HEADLINE_KEYS",
    "INDEX_HEADLINE_KEYS",
    "comparison_chart",
    "kei_curve_chart",
    "render_figures",
    "write_figures",
]

FIGURE_CAPTIONS: dict[str, str] = {
    "spaces_by_scenario": "Parking spaces by scenario: curb and off-street lots",
    "street_map": "Curb spaces gained per street at the headline scenario; parking lots outlined",
    "delay_vs_kei_share": "Peak-hour delay against the kei share of the fleet",
    "fit_km": "Street length passable by vehicle class",
    "kei_curve": "Kei effect at low, target and high baseline congestion (hollow: within "
    "solver error)",
}
"""Caption of each chart that `render_figures` may return, by name."""

FIT_HEADLINE_KEYS = ("street_km", "kei_only_km", "kei_only_two_way_km", "width_defaulted_km")
"""City-wide fit figures compared across cities when present."""

INDEX_HEADLINE_KEYS = (
    "city_score",
    "parking_score_mean",
    "congestion_score_mean",
    "fit_score_mean",
)
"""Index figures compared across cities when present (points 0-100)."""

_CURB, _LOT, _LINE = "#4c72b0", "#dd8452", "#55a868"
_DPI = 150


def _number(value: Any) -> float:
    """Read a summary value as a float for plotting; missing or text as NaN (no bar/point)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _label(key: str) -> str:
    return key.replace("_", " ")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A city name in a script DejaVu Sans lacks (e.g. Japanese) draws as boxes; not an error.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        FigureCanvasAgg(figure)
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _new(width: float = 6.4, height: float = 3.6) -> tuple[Figure, Any]:
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


@dataclass(frozen=True)
class _Section:
    """One model section of the summary, split by scenario (see `scenario_figures`)."""

    labels: list[str]
    shares: list[float]
    city_wide: dict[str, Any]
    series: dict[str, list[Any]]


def _section(summary: dict[str, Any], name: str) -> _Section | None:
    section = summary.get(name)
    if not section:
        return None
    runs = summary.get("scenarios", [])
    city_wide, series = scenario_figures(section, [str(s["id"]) for s in runs])
    labels = [str(s["label"]) for s in runs]
    return _Section(labels, [_number(s["kei_share"]) for s in runs], city_wide, series)


def _spaces_chart(summary: dict[str, Any]) -> Figure | None:
    parking = _section(summary, "parking")
    if parking is None:
        return None
    curb = [_number(v) for v in parking.series.get("curb_spaces", [])]
    lot = [_number(v) for v in parking.series.get("lot_spaces", [])]
    total = parking.series.get("total_spaces", [])
    if not curb or not lot or all(math.isnan(v) for v in curb + lot):
        return None
    figure, ax = _new()
    x = range(len(curb))
    ax.bar(x, curb, color=_CURB, label="curb")
    ax.bar(x, lot, bottom=curb, color=_LOT, label="off-street lots")
    for i, value in enumerate(total):
        if isinstance(value, int | float):
            ax.annotate(f"{value:,.0f}", (i, value), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x), parking.labels)
    ax.set_ylabel("parking spaces (count)")
    ax.set_title(FIGURE_CAPTIONS["spaces_by_scenario"], fontsize=10)
    ax.margins(y=0.12)
    ax.legend(loc="upper left", fontsize=8)
    return figure


def _delay_chart(summary: dict[str, Any]) -> Figure | None:
    congestion = _section(summary, "congestion")
    if congestion is None:
        return None
    shares = congestion.shares
    delay = [_number(v) for v in congestion.series.get("delay_veh_h", [])]
    if not delay or all(math.isnan(v) for v in delay):
        return None
    figure, ax = _new()
    ax.plot(shares, delay, marker="o", color=_LINE)
    for share, value in zip(shares, delay, strict=True):
        if not math.isnan(value):
            ax.annotate(
                f"{value:,.3g}", (share, value), xytext=(0, 6), textcoords="offset points",
                ha="center", fontsize=8,
            )  # fmt: skip
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.set_xlabel("kei share of the fleet")
    ax.set_ylabel("delay (vehicle-hours per peak hour)")
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.12)  # room for the point labels
    ax.set_title(FIGURE_CAPTIONS["delay_vs_kei_share"], fontsize=10)
    return figure


def _fit_chart(summary: dict[str, Any]) -> Figure | None:
    fit = summary.get("fit")
    if not fit:
        return None
    bars = [
        (f"{_label(figure)}, {cid.replace('_', '-')}", _number(values.get(figure)))
        for figure in ("passable_km", "two_abreast_km")
        for cid, values in (fit.get("classes") or {}).items()
    ]
    bars.append((_label("kei_only_km"), _number(fit.get("kei_only_km"))))
    bars = [(name, value) for name, value in bars if not math.isnan(value)]
    if not bars:
        return None
    unit = "mi" if display_units(summary) == "us" else "km"
    if unit == "mi":  # the chart in the run's display units
        bars = [(name, value * 1000.0 / UnitParams().mile_m) for name, value in bars]
    figure, ax = _new(height=max(2.4, 0.35 * len(bars) + 1.2))
    y = range(len(bars))
    ax.barh(y, [v for _, v in bars], color=_CURB)
    ax.set_yticks(list(y), [n for n, _ in bars], fontsize=8)
    ax.invert_yaxis()
    for i, (_, value) in enumerate(bars):
        ax.annotate(f" {sig(value)}", (value, i), va="center", fontsize=8)
    ax.set_xlabel(f"street length ({unit})")
    ax.margins(x=0.15)
    ax.set_title(FIGURE_CAPTIONS["fit_km"], fontsize=10)
    return figure


_CHARTS: tuple[tuple[str, Callable[[dict[str, Any]], Figure | None]], ...] = (
    ("spaces_by_scenario", _spaces_chart),
    ("delay_vs_kei_share", _delay_chart),
    ("fit_km", _fit_chart),
)


def render_figures(
    summary: dict[str, Any], *, result: AnalysisResult | None = None
) -> dict[str, bytes]:
    """
    Draw every chart the summary has figures for, and the street map when a result is given.

    Parameters
    ----------
    summary
        A run's summary (``AnalysisResult.summary`` or a parsed ``summary.json``).
    result
        The run itself: its tables draw the static street map (``street_map``).

    Returns
    -------
    figures
        Chart name -> PNG bytes, in report order; a chart is left out when its model section
        (``parking``, ``congestion``, ``fit``) or its figures are absent. Names are keys of
        `FIGURE_CAPTIONS`.
    """
    figures: dict[str, bytes] = {}
    for name, draw in _CHARTS:
        figure = draw(summary)
        if figure is not None:
            figures[name] = _png(figure)
        if name == "spaces_by_scenario" and result is not None and "parking" in summary:
            street_map = draw_street_map(result)
            if street_map is not None:
                figures["street_map"] = _png(street_map)
    for name, chart in council_charts(summary).items():
        figures[name] = _png(chart)
    return figures


def write_figures(figures: dict[str, bytes], folder: Path) -> None:
    """Write ``figures/<name>.png`` for every chart drawn by `render_figures`."""
    target = Path(folder) / "figures"
    target.mkdir(exist_ok=True)
    for name, png in figures.items():
        (target / f"{name}.png").write_bytes(png)


def comparison_chart(table: pd.DataFrame, *, most: int = 4) -> bytes | None:
    """
    Bar charts of the first numeric headline columns of a comparison table, one bar per city.

    Parameters
    ----------
    table
        From `urbanfit.render.compare.compare_summaries` (a ``city`` column, then figures).
    most
        How many figure columns to chart (one panel each).

    Returns
    -------
    png
        PNG bytes, or None when the table has no numeric figure.
    """
    columns = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])][:most]
    if not columns or table.empty:
        return None
    figure = Figure(figsize=(4.0 * len(columns), 3.6), layout="constrained")
    names = [str(n) for n in table["city"]]
    for ax, column in zip(figure.subplots(1, len(columns), squeeze=False)[0], columns, strict=True):
        values = table[column].astype(float).tolist()
        ax.bar(range(len(names)), values, color=_CURB)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_title(str(column), fontsize=9, wrap=True)
        ax.margins(y=0.12)
        for i, value in enumerate(values):
            if not math.isnan(value):
                ax.annotate(f"{value:,.4g}", (i, value), ha="center", va="bottom", fontsize=7)
    return _png(figure)


def kei_curve_chart(curve: pd.DataFrame) -> bytes | None:
    """
    Draw the kei effect at each baseline congestion level (see `CongestionResult.curve`).

    Left: change of peak-hour delay against the baseline, vehicle-hours, one line per level
    (labelled with its baseline Travel Time Index). Right: change of mean network speed, %.
    Points whose change is within the solver's error are drawn hollow.

    Parameters
    ----------
    curve
        The tidy curve: ``level``, ``kei_share``, ``tti``, ``delay_change_veh_h``,
        ``speed_change_pct``, ``resolved``.

    Returns
    -------
    png
        PNG bytes, or None when the curve is empty.
    """
    if curve is None or curve.empty:
        return None
    figure = Figure(figsize=(9.0, 3.6), layout="constrained")
    delay_ax, speed_ax = figure.subplots(1, 2)
    colours = ("#55a868", "#4c72b0", "#c44e52", "#8172b2")
    for i, (level, group) in enumerate(curve.groupby("level", sort=False)):
        rows = group.sort_values("kei_share")
        base_tti = float(rows["tti"].iloc[0])
        colour = colours[i % len(colours)]
        label = f"{level}: baseline TTI {base_tti:.2f}"
        resolved = rows["resolved"].to_numpy(dtype=bool) | (rows["kei_share"] == 0).to_numpy()
        for ax, column in ((delay_ax, "delay_change_veh_h"), (speed_ax, "speed_change_pct")):
            ax.plot(rows["kei_share"], rows[column], color=colour, label=label)
            ax.scatter(
                rows["kei_share"], rows[column], color=colour, zorder=3,
                facecolors=[colour if r else "white" for r in resolved],
            )  # fmt: skip
    for ax in (delay_ax, speed_ax):
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        ax.set_xlabel("kei share of the fleet")
        ax.axhline(0.0, color="0.6", linewidth=0.8)
    delay_ax.set_ylabel("change of delay (vehicle-hours per peak hour)")
    speed_ax.set_ylabel("change of mean speed (%)")
    delay_ax.legend(fontsize=8)
    figure.suptitle(FIGURE_CAPTIONS["kei_curve"], fontsize=10)
    return _png(figure)
