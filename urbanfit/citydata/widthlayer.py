"""A city's street-width layer in the ``streets`` table, and the width estimate scored on it.

Where the city's layer measures a street, its width replaces whatever urbanfit had (tag or
estimate) with ``width_source = "inventory"``; the models read ``width_m`` as before and do not
learn where it came from. Where the replaced width was urbanfit's own estimate, the estimate is
scored against the layer (`width_check`), the self-check reported with the run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from urbanfit.citydata import CityData
from urbanfit.parameters.widthlayer import WidthInventoryParams

__all__ = ["apply_width_layer", "match_width_layer", "width_check"]

_HALF_CHORD_M = 1.0  # the direction of a line at a point: a chord of 2 m around it


def _bearing(lines: npt.NDArray[np.object_], at_m: npt.NDArray[np.float64]) -> Any:
    """Direction (radians, modulo pi) of each line around the distance ``at_m`` along it."""
    length = shapely.length(lines)
    a = shapely.line_interpolate_point(lines, np.clip(at_m - _HALF_CHORD_M, 0, length))
    b = shapely.line_interpolate_point(lines, np.clip(at_m + _HALF_CHORD_M, 0, length))
    return np.arctan2(shapely.get_y(b) - shapely.get_y(a), shapely.get_x(b) - shapely.get_x(a))


def match_width_layer(
    streets: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame,
    *,
    params: WidthInventoryParams | None = None,
) -> npt.NDArray[np.float64]:
    """
    Give each street edge the width of the layer line that runs along it (NaN where none).

    An edge takes the nearest line within ``params.match_max_m`` of its midpoint, if that
    line runs within ``params.max_angle_deg`` of the edge there (so a crossing street's
    width is never taken at a junction).

    Parameters
    ----------
    streets
        The ``streets`` table (projected CRS).
    layer
        From `urbanfit.sources.layers.read_width_layer` (any CRS): ``width_m`` and lines.
    params
        Distance and angle.

    Returns
    -------
    width_m
        One value per street edge, aligned with ``streets``.
    """
    params = params or WidthInventoryParams()
    lines = layer.to_crs(streets.crs)
    geometry = lines.geometry.to_numpy()
    edges = streets.geometry.to_numpy()
    middle = shapely.line_interpolate_point(edges, 0.5, normalized=True)
    edge_at, line_at = shapely.STRtree(geometry).query_nearest(
        middle, max_distance=params.match_max_m, all_matches=False
    )
    width = np.full(len(streets), np.nan)
    if not len(edge_at):
        return width
    along_line = shapely.line_locate_point(geometry[line_at], middle[edge_at])
    along_edge = 0.5 * shapely.length(edges[edge_at])
    turn = (
        np.abs(_bearing(geometry[line_at], along_line) - _bearing(edges[edge_at], along_edge))
        % np.pi
    )
    turn = np.minimum(turn, np.pi - turn)
    ok = turn <= np.radians(params.max_angle_deg)
    width[edge_at[ok]] = lines["width_m"].to_numpy(dtype=float)[line_at[ok]]
    return width


def width_check(streets: gpd.GeoDataFrame, measured: npt.ArrayLike) -> dict[str, Any]:
    """
    Score urbanfit's width estimates on the edges the city's layer measures.

    Parameters
    ----------
    streets
        The ``streets`` table before the layer was applied (``width_m``, ``width_low_m``,
        ``width_high_m``, ``width_source``, ``length_m``).
    measured
        The layer's width per edge (NaN where it has none).

    Returns
    -------
    check
        Per estimate source (``estimated_geometry``, ``estimated_class``) and for the tags:
        street km compared, median absolute error (m), median error (estimate minus layer,
        m: the bias) and the share of km whose layer width lies in the estimate's range.
    """
    truth = np.asarray(measured, dtype=float)
    covered = np.isfinite(truth)
    out: dict[str, Any] = {}
    for source in ("tag", "estimated_geometry", "estimated_class"):
        on = covered & (streets["width_source"].to_numpy() == source)
        if not on.any():
            continue
        error = streets["width_m"].to_numpy(dtype=float)[on] - truth[on]
        km = streets["length_m"].to_numpy(dtype=float)[on] / 1000.0
        inside = (streets["width_low_m"].to_numpy(dtype=float)[on] <= truth[on]) & (
            truth[on] <= streets["width_high_m"].to_numpy(dtype=float)[on]
        )
        out[source] = {
            "km": round(float(km.sum()), 3),
            "median_abs_error_m": round(float(np.median(np.abs(error))), 3),
            "median_error_m": round(float(np.median(error)), 3),
            "in_range_share": round(float(km[inside].sum() / km.sum()), 4),
        }
    return out


def apply_width_layer(
    city: CityData,
    layer: gpd.GeoDataFrame,
    *,
    params: WidthInventoryParams | None = None,
) -> tuple[CityData, dict[str, Any]]:
    """
    Put the city's measured widths into its ``streets`` table.

    Parameters
    ----------
    city
        Typed tables.
    layer
        The city's width layer (`urbanfit.sources.layers.read_width_layer`).
    params
        Matching distance and angle.

    Returns
    -------
    city, report
        The tables with the measured widths (``width_source`` ``inventory``, low = high =
        the measurement, not defaulted), and what was matched: features read, edges and km
        measured, the share of street km, and `width_check` of what they replaced.
    """
    streets = city.streets
    measured = match_width_layer(streets, layer, params=params)
    on = np.isfinite(measured)
    report = {
        "features_read": len(layer),
        "edges_matched": int(on.sum()),
        "km_matched": round(float(streets["length_m"].to_numpy()[on].sum() / 1000.0), 3),
        "street_km_share": round(
            float(streets["length_m"].to_numpy()[on].sum() / streets["length_m"].sum()), 4
        )
        if len(streets)
        else 0.0,
        "estimate_check": width_check(streets, measured),
    }
    updated = streets.copy()
    for column in ("width_m", "width_low_m", "width_high_m"):
        updated.loc[on, column] = measured[on]
    updated.loc[on, "width_source"] = "inventory"
    updated.loc[on, "width_defaulted"] = False
    quality = dict(city.quality)
    quality["width_sources"] = {
        **quality.get("width_sources", {}),
        "inventory": int(on.sum()),
    }
    quality["width_inventory"] = report
    for source in list(quality["width_sources"]):
        if source != "inventory":
            quality["width_sources"][source] = int((updated["width_source"] == source).sum())
    return dataclasses.replace(city, streets=updated, quality=quality), report
