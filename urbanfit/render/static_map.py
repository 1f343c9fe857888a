"""The report's static map: the web map's curb layer at the headline share, on one page.

Drawn as the web map draws it (`urbanfit.render.curb_layer`): the same stretches, bins and
colours, estimated curb dashed, over the neutral street base; with a title, a scale bar, a
north arrow, the study area's outline, the main streets' names and the data's attribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from urbanfit.parameters.units import UnitParams
from urbanfit.render.curb_layer import curb_stretches
from urbanfit.render.palette import LOT_COLOUR, STREET_COLOUR, bin_legend
from urbanfit.results import AnalysisResult
from urbanfit.units import Units, display_units, metres

__all__ = ["street_map"]

_SCALE_STEPS_M = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
_UNIT = UnitParams()
# round steps in feet and miles for a map in US units: 100 ft ... 2,000 ft, then 1 ... 20 mi
_SCALE_STEPS_US_M = (
    *(ft * _UNIT.foot_m for ft in (100, 200, 500, 1000, 2000)),
    *(mi * _UNIT.mile_m for mi in (1, 2, 5, 10, 20)),
)
_LABELS = 8  # street names written on the map: the longest named streets
_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


def _path(geometry: Any) -> tuple[np.ndarray, np.ndarray]:
    """Join line geometries into one x, y path, parts separated by NaN (one matplotlib line)."""
    parts = shapely.get_parts(np.asarray(geometry))
    coords, index = shapely.get_coordinates(parts, return_index=True)
    cuts = np.flatnonzero(np.diff(index)) + 1
    path = np.insert(coords, cuts, np.nan, axis=0)
    return path[:, 0], path[:, 1]


def _scale_bar(ax: Any, bounds: np.ndarray, units: Units) -> None:
    """Draw a bar of about a fifth of the map's width, a round length, at its lower left."""
    width = bounds[2] - bounds[0]
    steps = _SCALE_STEPS_US_M if units == "us" else _SCALE_STEPS_M
    length = max([s for s in steps if s <= width / 5] or [steps[0]])
    x0 = bounds[0] + width * 0.04
    y0 = bounds[1] + (bounds[3] - bounds[1]) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    if units == "us":  # a round length in feet or miles, metres beside
        label = metres(float(length), units)
    else:
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0, y0, f" {label}", va="bottom", fontsize=7, path_effects=_HALO)


def _north_arrow(ax: Any) -> None:
    """North is up: the city's projected (UTM) grid is drawn unrotated."""
    ax.annotate(
        "N", xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction",
        ha="center", va="center", fontsize=9, fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )  # fmt: skip


def _street_labels(ax: Any, result: AnalysisResult) -> None:
    """Write the names of the longest named streets at their middle."""
    streets = result.city.streets
    named = streets[streets["name"].notna()]
    if named.empty:
        return
    longest = named.groupby("name")["length_m"].sum().nlargest(_LABELS).index
    for name in longest:
        line = shapely.line_merge(shapely.union_all(named.geometry[named["name"] == name]))
        point = shapely.line_interpolate_point(line, 0.5, normalized=True)
        if shapely.is_empty(point):
            continue
        ax.text(point.x, point.y, str(name), fontsize=6, ha="center", va="center",
                path_effects=_HALO, zorder=5)  # fmt: skip


def street_map(result: AnalysisResult) -> Figure | None:
    """
    Draw the curb spaces gained per 100 m at the headline share, as the web map does.

    Parameters
    ----------
    result
        The analysis result.

    Returns
    -------
    figure
        The map, or None when the city has no streets.
    """
    streets = result.city.streets
    if streets.empty:
        return None
    top = result.scenarios.headline
    figure = Figure(figsize=(6.4, 7.2), dpi=150, layout="constrained")
    ax = figure.add_subplot()
    ax.plot(*_path(streets.geometry.to_numpy()), color=STREET_COLOUR, linewidth=0.6)
    handles = [Line2D([], [], color=STREET_COLOUR, linewidth=1, label="street")]
    stretches = curb_stretches(
        result.parking, result.scenarios, units=display_units(result.summary)
    )
    if len(stretches.sides):
        gained = np.round(stretches.figures[-1][2], 1)
        lowers = np.array([b for b, _ in stretches.gain_bins])
        pick = np.searchsorted(lowers, np.nan_to_num(gained, nan=-np.inf), side="right") - 1
        estimated = stretches.sides["source"].eq("inferred").to_numpy()
        geometry = stretches.sides.geometry.to_numpy()
        labels = bin_legend(stretches.gain_bins, f"more {stretches.rate}")
        for i, (label, colour) in enumerate(labels.items()):
            for dashed in (False, True):
                chosen = (pick == i) & (estimated == dashed)
                if chosen.any():
                    ax.plot(*_path(geometry[chosen]), color=colour, linewidth=1.6,
                            linestyle=(0, (3, 2)) if dashed else "-")  # fmt: skip
            if (pick == i).any():
                words = "no space gained" if i == 0 else label
                handles.append(Line2D([], [], color=colour, linewidth=2, label=words))
        if estimated.any():
            handles.append(
                Line2D(
                    [],
                    [],
                    color="black",
                    linewidth=1.2,
                    linestyle=(0, (3, 2)),
                    label="dashed: estimated curb (no tags)",
                )
            )
    lots = result.city.lots
    if not lots.empty:
        points = (lots.geom_type == "Point").to_numpy()
        if (~points).any():
            ax.plot(*_path(lots.geometry[~points].boundary), color=LOT_COLOUR, linewidth=0.8)
        xy = shapely.get_coordinates(lots.geometry[points])
        ax.scatter(xy[:, 0], xy[:, 1], s=10, facecolors="none", edgecolors=LOT_COLOUR)
        handles.append(
            Line2D(
                [], [], color=LOT_COLOUR, marker="o", markerfacecolor="none", label="parking lot"
            )
        )
    bounds = streets.total_bounds
    ax.add_patch(
        Rectangle(
            (bounds[0], bounds[1]),
            bounds[2] - bounds[0],
            bounds[3] - bounds[1],
            fill=False,
            linestyle="--",
            linewidth=0.8,
            edgecolor="#222222",
        )
    )
    handles.append(Line2D([], [], color="#222222", linestyle="--", label="study area"))
    _street_labels(ax, result)
    _scale_bar(ax, bounds, display_units(result.summary))
    _north_arrow(ax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        f"Curb spaces gained {stretches.rate} of curb at {top.label}\n"
        "against today's full-size fleet",
        fontsize=10,
    )
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=2,
              fontsize=7, frameon=False)  # fmt: skip
    provenance = result.summary.get("provenance", {})
    dated = provenance.get("data_date")
    attribution = "© OpenStreetMap contributors (ODbL)" + (f"; data of {dated}" if dated else "")
    ax.text(0.99, 0.01, attribution, transform=ax.transAxes, ha="right", va="bottom",
            fontsize=6, color="#444444", path_effects=_HALO)  # fmt: skip
    return figure
