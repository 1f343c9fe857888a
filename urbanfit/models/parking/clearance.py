"""Usable curb length after every clearance (Uniform Vehicle Code distances and more).

Usable length (`usable_curb_length_m`) takes off, on every counted side, mapped or estimated:

- at each junction end, the no-parking distance measured from the curb line of the crossing
  street: ``intersection_clearance_m`` plus half the width of the widest street meeting the
  end at an angle (a straight continuation does not count);
- around each local feature of an optional ``points`` table (`FEATURE_KINDS`): a feature on
  a node where street edges end clears each of those edges at that end (a crossing both
  edges it splits; a signal, stop or give-way sign its approach only); any other feature
  snaps to the nearest side within ``feature_snap_m`` and clears its distance on either side
  of it along the curb (on the street line: both sides);
- a transit platform (points along it, kind ``platform``) clears the curb from its first to
  its last point that snap to a side, and its distance beyond each;
- a clearance running past a short edge carries on along the same curb
  (`urbanfit.models.parking.curbline`).

Overlapping clearances are merged, so no metre of curb is taken off twice.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.models.parking._common import edge_values as _edge_lookup
from urbanfit.models.parking.curbline import spill_along_curb
from urbanfit.osmkeys import POINT_KINDS
from urbanfit.parameters.parking import CurbParams

__all__ = [
    "FEATURE_KINDS",
    "clearance_intervals",
    "feature_clearances",
    "junction_clearances_m",
    "usable_curb_length_m",
]

# The kinds the sources read, and ``hydrant``: the same as ``fire_hydrant``, for point tables
# drawn by hand.
FEATURE_KINDS = (*POINT_KINDS, "hydrant")


def _end_directions(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return unit vectors pointing away from the u end and from the v end of each line."""
    coords, index = shapely.get_coordinates(geometry, return_index=True)
    first = np.searchsorted(index, np.arange(len(geometry)), side="left")
    last = np.searchsorted(index, np.arange(len(geometry)), side="right") - 1
    from_u = coords[np.minimum(first + 1, last)] - coords[first]
    from_v = coords[np.maximum(last - 1, first)] - coords[last]

    def unit(vector: np.ndarray) -> np.ndarray:
        norm = np.hypot(vector[:, 0], vector[:, 1])
        return vector / np.where(norm > 0, norm, 1.0)[:, None]

    return unit(from_u), unit(from_v)


def junction_clearances_m(
    streets: pd.DataFrame, *, params: CurbParams | None = None
) -> pd.DataFrame:
    """No-parking length at each end of each street, measured from the crossing curb line.

    Parameters
    ----------
    streets
        ``edge_id``, ``u``, ``v``, ``u_junction``, ``v_junction``, ``width_m`` and line
        geometry (from u to v).
    params
        ``intersection_clearance_m`` and ``junction_continuation_deg``.

    Returns
    -------
    clearances
        Indexed by ``edge_id``: ``u_clearance_m`` and ``v_clearance_m``: 0 where the end is
        not a junction; else ``intersection_clearance_m`` plus half the width of the widest
        other street at that node whose direction is more than ``junction_continuation_deg``
        away from straight on (0 extra at a dead end).
    """
    params = params or CurbParams()
    n = len(streets)
    edge_id = streets["edge_id"].to_numpy(dtype="int64")
    from_u, from_v = _end_directions(streets.geometry.to_numpy())
    width = streets["width_m"].to_numpy(dtype="float64")
    ends = pd.DataFrame(
        {
            "row": np.tile(np.arange(n), 2),
            "end": np.repeat([0, 1], n),
            "node": np.concatenate(
                [streets["u"].to_numpy(dtype="int64"), streets["v"].to_numpy(dtype="int64")]
            ),
            "dx": np.concatenate([from_u[:, 0], from_v[:, 0]]),
            "dy": np.concatenate([from_u[:, 1], from_v[:, 1]]),
            "width": np.tile(width, 2),
        }
    )
    pairs = ends.merge(ends, on="node", suffixes=("", "_other"))
    pairs = pairs[pairs["row"] != pairs["row_other"]]
    cosine = pairs["dx"] * pairs["dx_other"] + pairs["dy"] * pairs["dy_other"]
    straight = cosine < -math.cos(math.radians(params.junction_continuation_deg))
    crossing = pairs[~straight.to_numpy()]
    half = crossing.groupby(["row", "end"])["width_other"].max() / 2.0
    extra = np.zeros((2, n))
    if len(half):
        rows = half.index.get_level_values("row").to_numpy()
        which = half.index.get_level_values("end").to_numpy()
        extra[which, rows] = np.nan_to_num(half.to_numpy(dtype="float64"))
    junction = np.vstack(
        [streets["u_junction"].to_numpy(dtype=bool), streets["v_junction"].to_numpy(dtype=bool)]
    )
    clearance = np.where(junction, params.intersection_clearance_m + extra, 0.0)
    return pd.DataFrame(
        {"u_clearance_m": clearance[0], "v_clearance_m": clearance[1]},
        index=pd.Index(edge_id, name="edge_id"),
    )


_APPROACH_KINDS = ("traffic_signals", "stop", "give_way")


def _clearance_by_kind(params: CurbParams) -> dict[str, float]:
    return {
        "crossing": params.crossing_clearance_m,
        "bus_stop": params.bus_stop_clearance_m,
        "hydrant": params.hydrant_clearance_m,
        "fire_hydrant": params.hydrant_clearance_m,
        "driveway": params.driveway_clearance_m,
        "traffic_signals": params.signal_approach_clearance_m,
        "stop": params.signal_approach_clearance_m,
        "give_way": params.signal_approach_clearance_m,
        "level_crossing": params.level_crossing_clearance_m,
        "fire_station": params.fire_station_clearance_m,
        "platform": params.platform_clearance_m,
    }


def _node_clearances(
    sides: pd.DataFrame,
    points: pd.DataFrame,
    radius: np.ndarray,
    streets: pd.DataFrame | None,
    params: CurbParams,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Clearances of features standing on a node where street edges end.

    Every edge ending at the node gets the clearance at that end, on both sides: a crossing
    splits the street into two edges, and each is kept free for its distance from the
    crosswalk. A signal or a stop or give-way sign clears only the approach: on a one-way
    street both sides of the edge that arrives at the node; on a two-way street the side
    where traffic arrives (the right side at the v end, the left side at the u end, for
    right-hand traffic). At a junction the approach distance is measured, like the junction
    clearance, from the crossing street's curb line. Returns the intervals and a mask of the
    points placed here.
    """
    node = points["node"].to_numpy(dtype="float64") if "node" in points.columns else None
    columns = ["row", "kind", "start_m", "end_m"]
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    if node is None or not len(sides):
        return empty, np.zeros(len(points), dtype=bool)
    length = sides["length_m"].to_numpy(dtype="float64")
    ends = pd.DataFrame(
        {
            "row": np.tile(np.arange(len(sides)), 2),
            "at_v": np.repeat([False, True], len(sides)),
            "node": np.concatenate([sides["u"].to_numpy("int64"), sides["v"].to_numpy("int64")]),
        }
    )
    ends = ends[ends["node"] >= 0]
    feats = pd.DataFrame(
        {"point": np.arange(len(points)), "node": node, "radius": radius,
         "kind": points["kind"].to_numpy(dtype="object")}
    ).dropna(subset=["node"]).astype({"node": "int64"})  # fmt: skip
    pairs = feats.merge(ends, on="node")
    placed = np.zeros(len(points), dtype=bool)
    placed[pairs["point"].to_numpy()] = True
    row = pairs["row"].to_numpy(dtype="int64")
    at_v = pairs["at_v"].to_numpy(dtype=bool)
    reach = pairs["radius"].to_numpy(dtype="float64")
    approach = np.isin(pairs["kind"].to_numpy(dtype="object"), _APPROACH_KINDS)
    keep = np.ones(len(pairs), dtype=bool)
    if approach.any():
        right = sides["side"].to_numpy(dtype="object")[row] == "right"
        oneway = np.zeros(len(pairs), dtype=bool)
        if streets is not None and "oneway" in streets.columns:
            oneway = np.nan_to_num(
                _edge_lookup(sides.iloc[row], streets, "oneway").astype("float64")
            ).astype(bool)
            ends_m = junction_clearances_m(streets, params=params).reindex(
                sides["edge_id"].to_numpy()[row]
            )
            at_end = np.where(at_v, ends_m["v_clearance_m"], ends_m["u_clearance_m"])
            extra = np.clip(np.nan_to_num(at_end) - params.intersection_clearance_m, 0.0, None)
            reach = np.where(approach, reach + extra, reach)
        arriving = np.where(oneway, at_v, np.where(at_v, right, ~right))
        keep = ~approach | arriving
    row, at_v, reach = row[keep], at_v[keep], reach[keep]
    side_length = length[row]
    return (
        pd.DataFrame(
            {
                "row": row,
                "kind": pairs["kind"].to_numpy(dtype="object")[keep],
                "start_m": np.where(at_v, side_length - reach, 0.0),
                "end_m": np.where(at_v, side_length, reach),
            }
        ),
        placed,
    )


def feature_clearances(
    sides: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    params: CurbParams | None = None,
    streets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Curb intervals kept free around local features.

    A feature standing on a node where street edges end clears every one of those edges at
    that end (`_node_clearances`: a crossing both edges it splits, a signal or sign its
    approach). Any other feature snaps to its nearest side within ``feature_snap_m`` and
    clears its distance on either side of it along the curb.

    Parameters
    ----------
    sides
        The ``curb`` table (line geometry per side, ``edge_id``, ``side``, ``u``, ``v``,
        ``length_m``), in the same CRS as `points`.
    points
        ``kind`` in `FEATURE_KINDS` (``hydrant`` and ``fire_hydrant`` are the same; other
        kinds are ignored), point geometry and an optional ``node`` (the OSM node the
        feature stands on). A driveway node on the street line clears both sides (its side
        is not known from a point).
    params
        Clearances per kind, ``feature_snap_m`` and ``feature_centreline_m``.
    streets
        The ``streets`` table (``oneway``, widths): which sides approach a signal, and the
        crossing street's half width at a junction; without it both sides, from the node.

    Returns
    -------
    intervals
        One row per (feature, side): ``row`` (position of the side in `sides`), ``kind``,
        ``start_m`` and ``end_m`` along the side from its u end, clipped to the side.
    """
    params = params or CurbParams()
    columns = ["row", "kind", "start_m", "end_m"]
    clearance = _clearance_by_kind(params)
    kind = points["kind"].to_numpy(dtype="object") if len(points) else np.array([], "object")
    keep = np.isin(kind, list(clearance))
    if not keep.any() or not len(sides):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    if points.crs is not None and sides.crs is not None and points.crs != sides.crs:
        points = points.to_crs(sides.crs)
    points = points[keep]
    kind = kind[keep]
    radius_all = np.array([clearance[k] for k in kind], dtype="float64")
    on_nodes, placed = (
        _node_clearances(sides, points, radius_all, streets, params)
        if {"u", "v"} <= set(sides.columns)
        else (pd.DataFrame(columns=columns), np.zeros(len(points), dtype=bool))
    )
    geom = points.geometry.to_numpy()[~placed]
    kind = kind[~placed]
    lines = sides.geometry.to_numpy()
    tree = shapely.STRtree(lines)
    point_at, row = tree.query(geom, predicate="dwithin", distance=params.feature_snap_m)
    if not len(point_at):
        return on_nodes.reset_index(drop=True)
    distance = shapely.distance(geom[point_at], lines[row])
    pairs = pd.DataFrame(
        {
            "point": point_at,
            "row": row,
            "edge": sides["edge_id"].to_numpy(dtype="int64")[row],
            "distance": distance,
        }
    )
    nearest = pairs.loc[pairs.groupby("point")["distance"].idxmin(), ["point", "edge", "distance"]]
    pairs = pairs.merge(nearest, on="point", suffixes=("", "_nearest"))
    same_edge = pairs["edge"] == pairs["edge_nearest"]
    close = pairs["distance"] <= pairs["distance_nearest"] + params.feature_centreline_m
    pairs = pairs[same_edge & close]
    point_at = pairs["point"].to_numpy()
    row = pairs["row"].to_numpy()
    line = lines[row]
    along = shapely.line_locate_point(line, geom[point_at])
    drawn = shapely.length(line)
    length = sides["length_m"].to_numpy(dtype="float64")[row]
    with np.errstate(invalid="ignore", divide="ignore"):
        position = np.where(drawn > 0, along / drawn * length, 0.0)
    radius = np.array([clearance[k] for k in kind[point_at]], dtype="float64")
    snapped = pd.DataFrame(
        {
            "row": row.astype("int64"),
            "kind": kind[point_at],
            "start_m": np.clip(position - radius, 0.0, length),
            "end_m": np.clip(position + radius, 0.0, length),
        }
    )
    if "osm_id" in points.columns:
        snapped = _platform_spans(snapped, points["osm_id"].to_numpy()[~placed][point_at])
    parts = [frame for frame in (on_nodes, snapped) if len(frame)]
    return (
        pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    )


def _platform_spans(snapped: pd.DataFrame, osm_id: np.ndarray) -> pd.DataFrame:
    """Join the points of each platform on a side into one interval: the curb along it."""
    platform = snapped["kind"].to_numpy(dtype="object") == "platform"
    if not platform.any():
        return snapped
    ends = snapped[platform].assign(osm_id=osm_id[platform])
    spans = (
        ends.groupby(["osm_id", "row"], as_index=False)
        .agg(kind=("kind", "first"), start_m=("start_m", "min"), end_m=("end_m", "max"))
        .drop(columns="osm_id")
    )
    return pd.concat([snapped[~platform], spans], ignore_index=True)


def _covered_m(row: np.ndarray, start: np.ndarray, end: np.ndarray, n_rows: int) -> np.ndarray:
    """Length of the union of intervals per row (overlaps counted once)."""
    covered = np.zeros(n_rows)
    if not len(row):
        return covered
    frame = pd.DataFrame({"row": row, "start": start, "end": end}).sort_values(["row", "start"])
    reach = frame.groupby("row")["end"].cummax()
    before = reach.groupby(frame["row"]).shift(1).to_numpy(dtype="float64")
    begin = np.fmax(frame["start"].to_numpy(), np.nan_to_num(before, nan=-np.inf))
    new = np.clip(frame["end"].to_numpy() - begin, 0.0, None)
    np.add.at(covered, frame["row"].to_numpy(dtype="int64"), new)
    return covered


def clearance_intervals(
    sides: pd.DataFrame,
    *,
    params: CurbParams | None = None,
    streets: pd.DataFrame | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Every no-parking interval along each side: junction ends and local features.

    Parameters
    ----------
    sides, params, streets, points
        As for `usable_curb_length_m`.

    Returns
    -------
    intervals
        ``row`` (position of the side in `sides`), ``start_m``, ``end_m`` along the side from
        its u end, clipped to the side; intervals may overlap.
    """
    params = params or CurbParams()
    n = len(sides)
    length = sides["length_m"].to_numpy(dtype="float64")
    if streets is not None and len(streets):
        ends = junction_clearances_m(streets, params=params)
        at = ends.reindex(sides["edge_id"].to_numpy())
        u_clear = np.nan_to_num(at["u_clearance_m"].to_numpy(dtype="float64"))
        v_clear = np.nan_to_num(at["v_clearance_m"].to_numpy(dtype="float64"))
    else:
        u_clear = sides["u_junction"].to_numpy(dtype=bool) * params.intersection_clearance_m
        v_clear = sides["v_junction"].to_numpy(dtype=bool) * params.intersection_clearance_m
    rows = np.arange(n)
    row = [rows, rows]
    start = [np.zeros(n), length - v_clear]
    end = [u_clear, length]
    if points is not None and len(points) and isinstance(sides, gpd.GeoDataFrame):
        features = feature_clearances(sides, points, params=params, streets=streets)
        row.append(features["row"].to_numpy(dtype="int64"))
        start.append(features["start_m"].to_numpy(dtype="float64"))
        end.append(features["end_m"].to_numpy(dtype="float64"))
    intervals = pd.DataFrame(
        {
            "row": np.concatenate(row).astype("int64"),
            "start_m": np.concatenate(start),
            "end_m": np.concatenate(end),
        }
    )
    if {"u", "v", "side"} <= set(sides.columns):
        return spill_along_curb(intervals, sides)
    intervals["start_m"] = np.clip(intervals["start_m"].to_numpy(), 0.0, length[intervals["row"]])
    intervals["end_m"] = np.clip(intervals["end_m"].to_numpy(), 0.0, length[intervals["row"]])
    return intervals


def usable_curb_length_m(
    sides: pd.DataFrame,
    *,
    params: CurbParams | None = None,
    streets: pd.DataFrame | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> pd.Series:
    """Curb length left for parking on each side after junction and feature clearances.

    Parameters
    ----------
    sides
        One row per street side with ``edge_id``, ``length_m``, ``u_junction`` and
        ``v_junction`` (and line geometry when `points` is given); an optional
        ``parkable_length_m`` (a surveyed parking length, e.g. from a curb inventory) is
        taken as the usable length where given.
    params
        Clearances; see `CurbParams`.
    streets
        The ``streets`` table: with it each junction clearance is measured from the crossing
        street's curb line (`junction_clearances_m`); without it
        ``intersection_clearance_m`` is taken off at each junction end.
    points
        Optional local features (`feature_clearances`); without them no feature is known.

    Returns
    -------
    usable_length_m
        Metres (float), never negative, indexed like `sides`.
    """
    n = len(sides)
    length = sides["length_m"].to_numpy(dtype="float64")
    cleared = clearance_intervals(sides, params=params, streets=streets, points=points)
    covered = _covered_m(
        cleared["row"].to_numpy(),
        cleared["start_m"].to_numpy(),
        cleared["end_m"].to_numpy(),
        n,
    )
    usable = np.clip(length - covered, 0.0, None)
    if "parkable_length_m" in sides.columns:
        surveyed = sides["parkable_length_m"].to_numpy(dtype="float64")
        usable = np.where(np.isfinite(surveyed), surveyed, usable)
    return pd.Series(usable, index=sides.index, name="usable_length_m")
