"""Street width where OSM has no ``width`` tag: from geometry, else from lanes and class.

Every ``width_m`` of the ``streets`` table is a kerb-to-kerb carriageway width, whatever its
``width_source``:

- ``inventory``: the city's own width layer (`urbanfit.citydata.widthlayer`), where given.
- ``tag``: the ``width`` (or ``est_width``) tag.
- ``estimated_geometry``: from the corridor between the building footprints on both sides of the
  street. At a few points along the edge (`WidthParams.sample_fractions`), a ray is cast square to
  the centreline to each side, up to `WidthParams.max_reach_m`; the corridor at that point is the
  distance to the first building hit on the left plus the one on the right. The edge's corridor
  ``C`` is the median over the points where both sides hit (at least
  `WidthParams.min_samples` of them). The carriageway is
  ``min(f x (C - 2 s), class maximum)`` with ``s`` the sidewalk width of the class and ``f``
  the carriageway share of the space between the sidewalks (the rest is verges, front yards and
  setbacks); the low and high ends use ``f_low`` and ``f_high``.
- ``estimated_class``: travel lanes x lane width (`StreetParams.lanes`, the lanes tag where
  mapped), plus a parking lane for every side whose curb tags put parallel parking on the
  carriageway (times its carriageway share: 1 for ``lane``, 0.5 for ``half_on_kerb``). Low end:
  narrowest lanes and parking lanes; high end: widest lanes, and a parking lane on every side
  whose curb is not mapped (it might have one).

The class maximum, which caps every estimate, is lanes x widest lane + two widest parking lanes.
The geometry is preferred where it exists: it is a measurement of this street, the class rule is
a prior for any street of its class (see benchmarks/bench_width.py for both methods' errors).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.citydata.curb import curb_sides
from urbanfit.citydata.streets import class_value
from urbanfit.parameters.streets import StreetParams, WidthParams

__all__ = [
    "WIDTH_SOURCES",
    "building_corridor_m",
    "estimate_widths",
    "width_by_class",
    "width_by_geometry",
]

WIDTH_SOURCES = ("inventory", "tag", "estimated_geometry", "estimated_class")
"""Values of the ``width_source`` column, most trusted first."""


_TANGENT_M = 0.5  # half the chord used for the direction of the centreline at a sample point


def _rays(
    lines: np.ndarray, fractions: tuple[float, ...], reach_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rays square to each line at each fraction: (origins, rays), row = (line, fraction, side)."""
    n, k = len(lines), len(fractions)
    length = np.repeat(shapely.length(lines), k)
    at = length * np.tile(np.asarray(fractions, dtype="float64"), n)
    repeated = np.repeat(lines, k)
    before = shapely.line_interpolate_point(repeated, np.clip(at - _TANGENT_M, 0.0, length))
    after = shapely.line_interpolate_point(repeated, np.clip(at + _TANGENT_M, 0.0, length))
    origin = shapely.get_coordinates(shapely.line_interpolate_point(repeated, at))
    tangent = shapely.get_coordinates(after) - shapely.get_coordinates(before)
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    norm = np.where(norm > 0, norm, np.nan)  # a degenerate line casts no ray
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]]) / norm[:, None]
    ends = np.stack([origin + left * reach_m, origin - left * reach_m], axis=1)  # (m, 2, 2)
    starts = np.repeat(origin[:, None, :], 2, axis=1)
    coords = np.stack([starts, ends], axis=2).reshape(-1, 2, 2)  # (m * 2 sides, 2 points, xy)
    valid = np.isfinite(coords).all(axis=(1, 2))
    rays = np.full(len(coords), None, dtype=object)
    rays[valid] = shapely.linestrings(coords[valid])
    return shapely.points(np.repeat(origin, 2, axis=0)), rays


def building_corridor_m(
    lines: gpd.GeoSeries | np.ndarray,
    obstacles: gpd.GeoSeries | np.ndarray,
    *,
    params: WidthParams | None = None,
) -> pd.DataFrame:
    """
    Width of the open corridor around each line: obstacle to obstacle, square to the line.

    Parameters
    ----------
    lines
        Street centrelines in a metric CRS.
    obstacles
        Building footprints (any geometries) in the same CRS.
    params
        Sample points, reach and minimum valid samples; see `WidthParams`.

    Returns
    -------
    corridor
        Indexed 0..n-1 like `lines`: ``corridor_m`` (median over the valid samples of left +
        right distance; NaN with fewer than ``min_samples`` valid samples), ``samples``
        (valid sample count). A sample is valid when a ray on each side hits an obstacle within
        ``max_reach_m`` and neither starts inside or against one (closer than
        ``min_clear_m``, e.g. a passage under a building).
    """
    params = params or WidthParams()
    line_array = np.asarray(lines, dtype=object)
    obstacle_array = np.asarray(obstacles, dtype=object)
    n, k = len(line_array), len(params.sample_fractions)
    out = pd.DataFrame({"corridor_m": np.full(n, np.nan), "samples": np.zeros(n, dtype="int64")})
    if n == 0 or len(obstacle_array) == 0:
        return out
    origins, rays = _rays(line_array, params.sample_fractions, params.max_reach_m)
    nearest = np.full(len(rays), np.inf)
    tree = shapely.STRtree(obstacle_array)
    has_ray = np.flatnonzero(rays != None)  # noqa: E711 (element-wise test for missing rays)
    ray_index, obstacle_index = tree.query(rays[has_ray], predicate="intersects")
    ray_index = has_ray[ray_index]
    # ray x outline, not ray x polygon: robust where a mapped footprint is invalid
    polygonal = np.isin(shapely.get_type_id(obstacle_array), [3, 6])
    outline = np.where(polygonal, shapely.boundary(obstacle_array), obstacle_array)
    hits = shapely.intersection(rays[ray_index], outline[obstacle_index])
    distance = shapely.distance(origins[ray_index], hits)
    inside = polygonal[obstacle_index] & shapely.intersects(
        obstacle_array[obstacle_index], origins[ray_index]
    )
    np.minimum.at(nearest, ray_index, np.where(inside, 0.0, distance))
    pair = nearest.reshape(-1, 2)  # (line x sample, left/right)
    valid = np.isfinite(pair).all(axis=1) & (pair >= params.min_clear_m).all(axis=1)
    corridor = np.where(valid, pair.sum(axis=1), np.nan).reshape(n, k)
    samples = valid.reshape(n, k).sum(axis=1)
    enough = samples >= params.min_samples
    median = np.full(n, np.nan)
    if enough.any():
        median[enough] = np.nanmedian(corridor[enough], axis=1)
    out["corridor_m"] = median
    out["samples"] = samples
    return out


def _parking_lane_sides(streets: gpd.GeoDataFrame, shares: dict[str, float]) -> pd.DataFrame:
    """Per edge: parking lanes on the carriageway by curb tags, and sides with no curb tag."""
    sides = curb_sides(streets)
    status = sides["status"].to_numpy(dtype="object")
    orientation = sides["orientation"].to_numpy(dtype="object")
    position = pd.Series(sides["position"].to_numpy(dtype="object"))
    share = position.map(shares).fillna(shares.get("*", 1.0)).to_numpy("float64")
    parallel = (status == "parking") & ~np.isin(orientation, ["diagonal", "perpendicular"])
    frame = pd.DataFrame(
        {
            "edge_id": sides["edge_id"].to_numpy(dtype="int64"),
            "lanes": np.where(parallel, share, 0.0),
            "unknown": (status == "unknown").astype("float64"),
        }
    )
    grouped = frame.groupby("edge_id").sum()
    edge_id = streets["edge_id"].to_numpy(dtype="int64")
    return grouped.reindex(edge_id).fillna(0.0)


def _frame(central: np.ndarray, low: np.ndarray, high: np.ndarray, index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({"width_m": central, "width_low_m": low, "width_high_m": high}, index=index)


def _cap_m(streets: pd.DataFrame, params: WidthParams) -> np.ndarray:
    """Class maximum: every lane at its widest plus a widest parking lane on each side."""
    lanes = streets["lanes"].to_numpy(dtype="float64")
    return lanes * params.lane_high_m + 2 * params.parking_lane_high_m


def width_by_class(
    streets: gpd.GeoDataFrame, *, params: StreetParams | None = None
) -> pd.DataFrame:
    """
    Carriageway width from lanes, class and the curb tags (the ``estimated_class`` rule).

    Parameters
    ----------
    streets
        The ``streets`` table: ``edge_id``, ``highway``, ``lanes``, the curb tag columns.
    params
        Lane widths by class and the width ranges; see `StreetParams`, `WidthParams`.

    Returns
    -------
    widths
        Indexed like `streets`: ``width_m`` (lanes x class lane width + mapped parking lanes x
        parking lane), ``width_low_m`` (narrowest lanes and parking lanes), ``width_high_m``
        (widest lanes, and a widest parking lane on mapped parking sides and on every side
        without a curb tag, capped at the class maximum).
    """
    params = params or StreetParams()
    wp = params.width
    lanes = streets["lanes"].to_numpy(dtype="float64")
    curb = _parking_lane_sides(streets, dict(wp.parking_carriageway_share))
    parked = curb["lanes"].to_numpy(dtype="float64")
    unknown = curb["unknown"].to_numpy(dtype="float64")
    lane = class_value(streets["highway"].astype("object"), params.lane_width_m)
    central = lanes * lane + parked * wp.parking_lane_m
    low = lanes * wp.lane_low_m + parked * wp.parking_lane_low_m
    high = np.minimum(
        lanes * wp.lane_high_m + (parked + unknown) * wp.parking_lane_high_m, _cap_m(streets, wp)
    )
    return _frame(central, low, high, streets.index)


def width_by_geometry(
    streets: gpd.GeoDataFrame, corridor_m: np.ndarray, *, params: StreetParams | None = None
) -> pd.DataFrame:
    """
    Carriageway width from the building corridor (the ``estimated_geometry`` rule).

    Parameters
    ----------
    streets
        The ``streets`` table: ``highway``, ``lanes``.
    corridor_m
        Building-to-building corridor per street (`building_corridor_m`), NaN where unmeasured.
    params
        Sidewalk widths, corridor shares and the class maximum; see `WidthParams`.

    Returns
    -------
    widths
        Indexed like `streets`: ``width_m``, ``width_low_m``, ``width_high_m`` =
        ``min(share x max(corridor - 2 x sidewalk, 0), class maximum)`` with the central, low
        and high corridor share; NaN where the corridor is.
    """
    params = params or StreetParams()
    wp = params.width
    sidewalk = class_value(streets["highway"].astype("object"), wp.sidewalk_m)
    between = np.maximum(np.asarray(corridor_m, dtype="float64") - 2 * sidewalk, 0.0)
    cap = _cap_m(streets, wp)
    return _frame(
        np.minimum(wp.corridor_share * between, cap),
        np.minimum(wp.corridor_share_low * between, cap),
        np.minimum(wp.corridor_share_high * between, cap),
        streets.index,
    )


def estimate_widths(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    params: StreetParams | None = None,
) -> pd.DataFrame:
    """
    Carriageway width of every street: the tag where mapped, else estimated with a range.

    Parameters
    ----------
    streets
        The ``streets`` table with ``edge_id``, ``highway``, ``lanes``, ``width_m`` (the tag;
        NaN where untagged), the curb tag columns and geometry, in a metric CRS.
    buildings
        The ``buildings`` table (footprints in the same CRS); may be empty.
    params
        Lane, parking-lane, sidewalk and corridor parameters; see `StreetParams`, `WidthParams`.

    Returns
    -------
    widths
        Indexed like `streets`: ``width_m``, ``width_low_m``, ``width_high_m`` (all three the
        tag where tagged), ``width_source`` (one of `WIDTH_SOURCES`: the tag, else the
        geometry where the corridor was measured, else the class rule), ``corridor_m``
        (building corridor, NaN where not measured).
    """
    params = params or StreetParams()
    tag = streets["width_m"].to_numpy(dtype="float64")
    tagged = np.isfinite(tag) & (tag > 0)
    corridor = np.full(len(streets), np.nan)
    if len(buildings) and len(streets):
        corridor = building_corridor_m(
            streets.geometry.to_numpy(), buildings.geometry.to_numpy(), params=params.width
        )["corridor_m"].to_numpy()
    geometry = width_by_geometry(streets, corridor, params=params)
    by_class = width_by_class(streets, params=params)
    measured = np.isfinite(corridor) & ~tagged
    out = pd.DataFrame(
        {
            column: np.where(tagged, tag, np.where(measured, geometry[column], by_class[column]))
            for column in by_class.columns
        },
        index=streets.index,
    )
    out["width_source"] = np.where(
        tagged, "tag", np.where(measured, "estimated_geometry", "estimated_class")
    ).astype("object")
    out["corridor_m"] = corridor
    return out
