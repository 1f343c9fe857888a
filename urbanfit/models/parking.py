"""Parking footprint model: curb spaces per street side and stalls per lot, by fleet scenario.

Pure functions of city tables and parameters: no I/O, no printing.

Fleet mixes
-----------
- Curb: a mixed fleet parks at the share-weighted mean pitch (sum of share x pitch of each
  profile), and a continuous curb run (`curb_runs`: sides joined through nodes that are not
  junctions) holds ``floor(usable length / mean pitch)`` vehicles, shared among its edges by
  usable length. On an unmarked curb this is the expected number of vehicles of a random
  sequence that fit; on a marked curb it assumes the stalls are re-striped in proportion to
  the fleet.
- Lots: stalls are sized per vehicle class (full-size: US stall; kei: Japanese kei stall). A
  fleet with kei share ``k`` of vehicles shares each lot's area in proportion, so it parks
  ``1 / ((1 - k) / F + k / K)`` vehicles where ``F`` and ``K`` are the lot's full-size and kei
  stall counts (the harmonic mix of the area each class needs per vehicle), floored. A lot that
  fits no full-size stall parks nobody unless the fleet is all kei.

Baseline and capacity tags
--------------------------
The baseline is the scenario with a kei share of 0. A mapped ``capacity`` tag is ground truth
for the baseline; other scenarios scale it by the model's ratio. For a curb side the ratio is the
pitch ratio ``baseline pitch / scenario pitch`` (the continuous form of the ratio of modelled
spaces: the floor of short sides would otherwise make it noisy or undefined), so the scenario
holds ``floor(tag x baseline pitch / scenario pitch)``; a way split into several edges shares
that among them by length. For a lot it is the ratio of packed kei
to full-size stalls of its polygon, or, where the lot has no polygon to pack (underground,
point, other kinds), the ratio of the area per stall of the two standard modules
(``module`` ratio source).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from urbanfit.citydata.curb import curb_sides, malformed_tag_count
from urbanfit.errors import ModelError
from urbanfit.parameters.parking import CurbParams, LotParams, ParkingParams
from urbanfit.vehicles import Scenario, VehicleCatalog, VehicleProfile

__all__ = [
    "ParkingResult",
    "class_shares",
    "curb_pitch_m",
    "curb_runs",
    "curb_spaces",
    "infer_curb",
    "lot_stalls",
    "module_ratio",
    "pack_stalls",
    "parking_model",
    "parking_summary",
    "usable_curb_length_m",
]

_EPS = 1e-9  # floor() guard against 19.999999... from binary fractions

Shares = Mapping[str, float]


@dataclass(frozen=True, eq=False)
class ParkingResult:
    """Everything the parking model returns (see `parking_model` for the columns).

    Attributes
    ----------
    sides
        One row per street side, per-profile and per-scenario spaces.
    lots
        One row per lot, stalls full-size vs kei and per-scenario spaces.
    calibration
        Model vs mapped capacity, curb sides and lots.
    summary
        City figures: plain JSON-serialisable numbers (None where undefined), each key naming
        its unit.
    baseline_id
        Id of the 0 % kei scenario.
    scenario_ids
        Scenario ids in the given order (they suffix the per-scenario columns and keys).

    """

    sides: gpd.GeoDataFrame
    lots: gpd.GeoDataFrame
    calibration: pd.DataFrame
    summary: dict[str, Any]
    baseline_id: str
    scenario_ids: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# curb


def usable_curb_length_m(sides: pd.DataFrame, *, params: CurbParams | None = None) -> pd.Series:
    """Curb length left for parking on each side after intersection clearances.

    Parameters
    ----------
    sides
        One row per street side with ``length_m``, ``u_junction`` and ``v_junction``.
    params
        ``intersection_clearance_m`` is removed at each end that is a junction or dead end.

    Returns
    -------
    usable_length_m
        Metres (float), never negative, indexed like `sides`.

    """
    params = params or CurbParams()
    ends = sides["u_junction"].to_numpy(dtype=bool).astype("int64") + sides["v_junction"].to_numpy(
        dtype=bool
    ).astype("int64")
    usable = sides["length_m"].to_numpy(dtype="float64") - params.intersection_clearance_m * ends
    return pd.Series(np.clip(usable, 0.0, None), index=sides.index, name="usable_length_m")


def curb_pitch_m(
    orientation: pd.Series | np.ndarray,
    profile: VehicleProfile,
    *,
    params: CurbParams | None = None,
) -> np.ndarray:
    """Curb length one vehicle of a profile takes, by side orientation.

    Parameters
    ----------
    orientation
        ``parallel`` | ``diagonal`` | ``perpendicular`` per side (anything else gives NaN).
    profile
        The vehicle; its class picks the stall width (kei or full-size).
    params
        Gap and stall sizes.

    Returns
    -------
    pitch_m
        Parallel: vehicle length + ``parallel_gap_m``; perpendicular: stall width; diagonal:
        stall width / sin(``diagonal_angle_deg``), the angle between the stall axis and the curb.

    """
    params = params or CurbParams()
    width = (
        params.kei_stall_width_m
        if profile.vehicle_class == "kei"
        else params.full_size_stall_width_m
    )
    values = np.asarray(orientation, dtype="object")
    return np.select(
        [values == "parallel", values == "perpendicular", values == "diagonal"],
        [
            profile.length_m + params.parallel_gap_m,
            width,
            width / math.sin(math.radians(params.diagonal_angle_deg)),
        ],
        default=np.nan,
    ).astype("float64")


def _fleet_pitch_m(
    orientation: pd.Series | np.ndarray,
    shares: Shares,
    catalog: VehicleCatalog,
    params: CurbParams,
) -> np.ndarray:
    total = np.zeros(len(orientation), dtype="float64")
    for profile_id, share in shares.items():  # a handful of profiles, vectorised over sides
        total += share * curb_pitch_m(orientation, catalog.profile(profile_id), params=params)
    return total


def _counted(sides: pd.DataFrame) -> np.ndarray:
    source = sides["source"].to_numpy(dtype="object")
    return np.isin(source, ["tag_capacity", "model", "inferred"])


def curb_runs(sides: pd.DataFrame) -> pd.Series:
    """
    Group street sides into continuous curb runs.

    OSM street graphs are often split at nodes that are not junctions (where a way ends and
    the next begins, or at every node). Flooring spaces per edge would then drop a fraction of
    a vehicle at every split. Two sides join where their edges meet at an end that is not a
    junction (``u_junction`` / ``v_junction`` false), on the same side of the street (left
    stays left when the edges run the same way through the node, and becomes right when they
    run head to head or tail to tail), with the same ``source`` and ``orientation``.

    Parameters
    ----------
    sides
        Two rows per edge, left then right, in edge order (as `curb_sides` returns), with
        ``u``, ``v``, ``u_junction``, ``v_junction``, ``source`` and ``orientation``.

    Returns
    -------
    run_id
        Int64 run label per side (0..runs-1), indexed like `sides`.
    """
    n_rows = len(sides)
    if n_rows == 0 or n_rows % 2:
        return pd.Series(np.arange(n_rows, dtype="int64"), index=sides.index, name="run_id")
    edges = n_rows // 2
    first = sides.iloc[::2]
    node = np.concatenate([first["u"].to_numpy(dtype="int64"), first["v"].to_numpy("int64")])
    continues = ~np.concatenate(
        [first["u_junction"].to_numpy(dtype=bool), first["v_junction"].to_numpy(dtype=bool)]
    )
    end = np.repeat([0, 1], edges)
    edge = np.tile(np.arange(edges), 2)
    keep = continues & (node >= 0)
    node, end, edge = node[keep], end[keep], edge[keep]
    order = np.argsort(node, kind="stable")
    node, end, edge = node[order], end[order], edge[order]
    _, start, size = np.unique(node, return_index=True, return_counts=True)
    pairs = start[size == 2]  # a node joining exactly two edge ends
    a_edge, b_edge = edge[pairs], edge[pairs + 1]
    same_way = end[pairs] != end[pairs + 1]  # v -> u: the two edges run the same way
    source = sides["source"].to_numpy(dtype="object")
    orientation = sides["orientation"].to_numpy(dtype="object")
    links_a, links_b = [], []
    for side in (0, 1):
        row_a = 2 * a_edge + side
        row_b = 2 * b_edge + np.where(same_way, side, 1 - side)
        links_a.append(row_a)
        links_b.append(row_b)
    row_a, row_b = np.concatenate(links_a), np.concatenate(links_b)
    counted = np.isin(source, ["tag_capacity", "model", "inferred"])
    join = (
        counted[row_a]
        & (source[row_a] == source[row_b])
        & (orientation[row_a] == orientation[row_b])
    )
    graph = coo_matrix(
        (np.ones(int(join.sum())), (row_a[join], row_b[join])), shape=(n_rows, n_rows)
    )
    _, labels = connected_components(graph, directed=False)
    return pd.Series(labels.astype("int64"), index=sides.index, name="run_id")


def curb_spaces(
    sides: pd.DataFrame,
    shares: Shares,
    catalog: VehicleCatalog,
    *,
    baseline: Shares | None = None,
    params: CurbParams | None = None,
) -> pd.Series:
    """Whole parking spaces on each street side for one profile or fleet mix.

    Parameters
    ----------
    sides
        One row per side with ``usable_length_m``, ``orientation``, ``capacity`` and
        ``source`` (as built by `parking_model`: ``tag_capacity`` / ``model`` / ``inferred``
        are counted, ``tag_zero`` is zero, ``unknown`` is NaN); optional ``capacity_share``
        and ``run_usable_m`` (usable length of the side's curb run, see `curb_runs`: the run
        holds ``floor(run usable / pitch)`` vehicles, shared among its sides by usable length).
    shares
        Profile id -> share (one profile: ``{id: 1.0}``); the mix parks at the share-weighted
        mean pitch.
    catalog
        The vehicle profiles.
    baseline
        The baseline mix a ``capacity`` tag describes; tagged sides hold
        ``floor(capacity x baseline pitch / pitch) x capacity_share`` (the way's scaled
        capacity, shared among its edges by length: whole per way, possibly fractional per
        edge). Defaults to `shares` (the tag as is).
    params
        Curb geometry.

    Returns
    -------
    spaces
        Float per side: whole per curb run or tagged way, shared among its edges by length
        (so possibly fractional per edge); 0 where tagged no parking or separate; NaN where
        unknown.

    """
    params = params or CurbParams()
    orientation = sides["orientation"].to_numpy(dtype="object")
    pitch = _fleet_pitch_m(orientation, shares, catalog, params)
    base_pitch = _fleet_pitch_m(orientation, baseline or shares, catalog, params)
    usable = sides["usable_length_m"].to_numpy(dtype="float64")
    capacity = sides["capacity"].to_numpy(dtype="float64")
    share = (
        sides["capacity_share"].to_numpy(dtype="float64")
        if "capacity_share" in sides.columns
        else np.ones(len(sides))
    )
    if "run_usable_m" in sides.columns:
        run_usable = sides["run_usable_m"].to_numpy(dtype="float64")
    else:
        run_usable = usable
    with np.errstate(invalid="ignore", divide="ignore"):
        run_share = np.where(run_usable > 0, usable / run_usable, 0.0)
        modelled = np.floor(run_usable / pitch + _EPS) * run_share
        tagged = np.floor(capacity * base_pitch / pitch + _EPS) * share
    source = sides["source"].to_numpy(dtype="object")
    spaces = np.where(source == "tag_capacity", tagged, modelled)
    spaces = np.where(_counted(sides), spaces, np.where(source == "tag_zero", 0.0, np.nan))
    return pd.Series(spaces, index=sides.index, dtype="float64")


def infer_curb(sides: gpd.GeoDataFrame, *, params: CurbParams | None = None) -> pd.Series:
    """Which unknown sides the opt-in inference estimates, by the documented class rule.

    Parameters
    ----------
    sides
        The output of `urbanfit.citydata.curb.curb_sides` (``status``, ``highway``).
    params
        ``infer_highways``: untagged sides of these classes are estimated as parallel parking.

    Returns
    -------
    inferred
        Bool per side.

    """
    params = params or CurbParams()
    unknown = sides["status"].to_numpy(dtype="object") == "unknown"
    local = sides["highway"].isin(list(params.infer_highways)).to_numpy(dtype=bool)
    return pd.Series(unknown & local, index=sides.index, name="inferred")


def _curb_area_m2(sides: pd.DataFrame, params: CurbParams) -> np.ndarray:
    orientation = sides["orientation"].to_numpy(dtype="object")
    depth = np.select(
        [orientation == "parallel", orientation == "perpendicular", orientation == "diagonal"],
        [params.parallel_depth_m, params.perpendicular_depth_m, params.diagonal_depth_m],
        default=0.0,
    )
    return np.where(_counted(sides), sides["usable_length_m"].to_numpy() * depth, 0.0)


# --------------------------------------------------------------------------------------------
# lots


def _dominant_angle(geoms: np.ndarray) -> np.ndarray:
    """Direction (radians) of the long side of each geometry's minimum rotated rectangle."""
    envelope = shapely.oriented_envelope(geoms)
    angle = np.zeros(len(geoms), dtype="float64")
    is_polygon = shapely.get_type_id(envelope) == 3
    if not is_polygon.any():
        return angle
    coords, index = shapely.get_coordinates(envelope[is_polygon], return_index=True)
    start = np.searchsorted(index, np.arange(int(is_polygon.sum())))
    first = coords[start + 1] - coords[start]
    second = coords[start + 2] - coords[start + 1]
    longer = np.where(
        (np.hypot(first[:, 0], first[:, 1]) >= np.hypot(second[:, 0], second[:, 1]))[:, None],
        first,
        second,
    )
    angle[is_polygon] = np.arctan2(longer[:, 1], longer[:, 0])
    return angle


def _segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boundary segments of polygons: start points, end points and the polygon of each."""
    parts, part_poly = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[1:] == ring_of[:-1]
    return coords[:-1][same], coords[1:][same], part_poly[ring_part[ring_of[:-1][same]]]


def _row_intervals(
    start: np.ndarray, end: np.ndarray, row: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge blocked intervals per row; return the gaps between them (row, lo, hi) + flags."""
    order = np.lexsort((start, row))
    start, end, row = start[order], end[order], row[order]
    reach = pd.Series(end).groupby(row).cummax().to_numpy()
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    last = np.ones(len(row), dtype=bool)
    last[:-1] = row[1:] != row[:-1]
    previous = np.roll(reach, 1)
    # gaps before each interval (open at the row start for the first) and after the last one
    gap_row = np.concatenate([row, row[last]])
    gap_lo = np.concatenate([np.where(first, -np.inf, previous), reach[last]])
    gap_hi = np.concatenate([start, np.full(int(last.sum()), np.inf)])
    blocked = np.zeros(n_rows, dtype=bool)
    blocked[row] = True
    return gap_row, gap_lo, gap_hi, blocked


def pack_stalls(
    polygons: gpd.GeoSeries | np.ndarray | Sequence[Any],
    *,
    stall_width_m: float,
    stall_depth_m: float,
    aisle_m: float,
    step_deg: float = 15.0,
    tolerance_m: float = 0.001,
    chunk_size: int = 2_000_000,
) -> np.ndarray:
    """
    Count whole stalls that a row layout fits inside each polygon (best of several angles).

    The layout: rows of stalls run along a direction ``a``; across it, parking modules of
    ``stall depth + aisle + stall depth`` repeat from the polygon's extreme on the cross axis
    (direction ``a + 90 degrees``). A stall counts only if the stall *and* the aisle in front of
    it lie inside the polygon (within `tolerance_m`), so a single-loaded row fits in a leftover
    strip of ``stall depth + aisle``. Along a row, stalls are laid from the start of each
    stretch where the row's full depth (stall + aisle) is inside the polygon. Angles tried: the
    long side of the minimum rotated rectangle plus every `step_deg` around the full circle
    (each angle also fixes which side the modules start from); the best count wins.

    Vectorised and exact for any polygon (holes and multipolygons included): every boundary
    segment is clipped to every row band in numpy, giving the blocked stretches of each row;
    each free stretch between them is inside or outside as a whole, decided by one
    `shapely.contains_xy` test at its middle.

    Parameters
    ----------
    polygons
        Polygons or MultiPolygons in a metric CRS; other geometries and empty or zero-area
        ones give 0.
    stall_width_m, stall_depth_m, aisle_m
        Stall width along the row, stall depth across it, and the aisle width.
    step_deg
        Angle step around the circle (90 tries the four directions of the dominant axes only).
    tolerance_m
        How far a stall may overhang the outline (rounding).
    chunk_size
        Most (row, boundary segment) pairs processed at once (memory bound).

    Returns
    -------
    stalls
        Int64 stall count per polygon.
    """
    geoms = np.asarray(polygons, dtype=object)
    count = np.zeros(len(geoms), dtype="int64")
    if len(geoms) == 0:
        return count
    ok = np.isin(shapely.get_type_id(geoms), [3, 6]) & (shapely.area(geoms) > 0)
    if not ok.any():
        return count
    g = geoms[ok]
    n = len(g)
    offsets = np.deg2rad(np.arange(0.0, 360.0 - 1e-9, step_deg))
    k = len(offsets)
    angles = (_dominant_angle(g)[:, None] + offsets[None, :]).reshape(-1)  # pair = i * k + j
    cos_a, sin_a = np.cos(angles), np.sin(angles)
    origin = shapely.bounds(g)[:, :2]

    seg_a, seg_b, seg_poly = _segments(g)
    seg_a = seg_a - origin[seg_poly]
    seg_b = seg_b - origin[seg_poly]
    seg_count = np.bincount(seg_poly, minlength=n)
    seg_start = np.cumsum(seg_count) - seg_count

    # extents of each polygon in each rotated frame (u along the rows, v across)
    cos_p, sin_p = cos_a.reshape(n, k)[seg_poly], sin_a.reshape(n, k)[seg_poly]
    u = seg_a[:, [0]] * cos_p + seg_a[:, [1]] * sin_p
    v = -seg_a[:, [0]] * sin_p + seg_a[:, [1]] * cos_p
    u_min = np.minimum.reduceat(u, seg_start, axis=0).reshape(-1)
    u_max = np.maximum.reduceat(u, seg_start, axis=0).reshape(-1)
    v_min = np.minimum.reduceat(v, seg_start, axis=0).reshape(-1)
    v_max = np.maximum.reduceat(v, seg_start, axis=0).reshape(-1)

    width, depth = stall_width_m, stall_depth_m
    module = 2 * depth + aisle_m
    height = depth + aisle_m  # a stall plus the aisle in front of it
    span = v_max - v_min + tolerance_m
    rows_a = np.where(span >= height, np.floor((span - height) / module) + 1, 0).astype("int64")
    rows_b = np.where(span >= height + depth, np.floor((span - height - depth) / module) + 1, 0)
    rows = rows_a + rows_b.astype("int64")
    pair_poly = np.repeat(np.arange(n), k)
    work = rows * seg_count[pair_poly]

    shapely.prepare(g)
    stalls = np.zeros(n * k, dtype="float64")
    chunk = (np.cumsum(work) - work) // max(chunk_size, 1)
    for chunk_id in np.unique(chunk[work > 0]):  # a few chunks, each fully vectorised
        pairs = np.flatnonzero((chunk == chunk_id) & (work > 0))
        # rows of these pairs
        row_pair = np.repeat(pairs, rows[pairs])
        row_index = np.arange(len(row_pair)) - np.repeat(
            np.cumsum(rows[pairs]) - rows[pairs], rows[pairs]
        )
        in_a = row_index < rows_a[row_pair]
        row_v0 = v_min[row_pair] + np.where(
            in_a, row_index * module, (row_index - rows_a[row_pair]) * module + depth
        )
        # (row, segment) pairs
        per_row = seg_count[pair_poly[row_pair]]
        item_row = np.repeat(np.arange(len(row_pair)), per_row)
        seg = seg_start[pair_poly[row_pair]][item_row] + (
            np.arange(len(item_row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        )
        c, s = cos_a[row_pair][item_row], sin_a[row_pair][item_row]
        ua = seg_a[seg, 0] * c + seg_a[seg, 1] * s
        va = -seg_a[seg, 0] * s + seg_a[seg, 1] * c
        ub = seg_b[seg, 0] * c + seg_b[seg, 1] * s
        vb = -seg_b[seg, 0] * s + seg_b[seg, 1] * c
        band_lo = row_v0[item_row] + tolerance_m
        band_hi = row_v0[item_row] + height - tolerance_m
        hit = (np.maximum(va, vb) > band_lo) & (np.minimum(va, vb) < band_hi)
        ua, va, ub, vb = ua[hit], va[hit], ub[hit], vb[hit]
        band_lo, band_hi, hit_row = band_lo[hit], band_hi[hit], item_row[hit]
        dv = vb - va
        flat = np.abs(dv) < 1e-12
        safe = np.where(flat, 1.0, dv)
        t0 = np.clip((band_lo - va) / safe, 0.0, 1.0)
        t1 = np.clip((band_hi - va) / safe, 0.0, 1.0)
        t0, t1 = np.where(flat, 0.0, t0), np.where(flat, 1.0, t1)
        u0, u1 = ua + t0 * (ub - ua), ua + t1 * (ub - ua)
        gap_row, gap_lo, gap_hi, blocked = _row_intervals(
            np.minimum(u0, u1), np.maximum(u0, u1), hit_row, len(row_pair)
        )
        # rows no segment crosses: one stretch over the whole extent
        free_rows = np.flatnonzero(~blocked)
        gap_row = np.concatenate([gap_row, free_rows])
        gap_lo = np.concatenate([gap_lo, np.full(len(free_rows), -np.inf)])
        gap_hi = np.concatenate([gap_hi, np.full(len(free_rows), np.inf)])
        pair = row_pair[gap_row]
        gap_lo = np.maximum(gap_lo, u_min[pair])
        gap_hi = np.minimum(gap_hi, u_max[pair])
        fits = np.floor((gap_hi - gap_lo + tolerance_m) / width)
        keep = fits >= 1
        gap_row, pair, fits = gap_row[keep], pair[keep], fits[keep]
        u_mid = (gap_lo[keep] + gap_hi[keep]) / 2
        v_mid = row_v0[gap_row] + height / 2
        poly = pair_poly[pair]
        x = u_mid * cos_a[pair] - v_mid * sin_a[pair] + origin[poly, 0]
        y = u_mid * sin_a[pair] + v_mid * cos_a[pair] + origin[poly, 1]
        inside = shapely.contains_xy(g[poly], x, y)
        stalls += np.bincount(pair[inside], weights=fits[inside], minlength=n * k)
    count[ok] = stalls.reshape(n, k).max(axis=1).astype("int64")
    return count


def module_ratio(params: LotParams | None = None) -> float:
    """Kei stalls per full-size stall on the same area, from the standard double-loaded modules.

    Parameters
    ----------
    params
        Stall and aisle sizes.

    Returns
    -------
    ratio
        ``(W_f (D_f + A_f / 2)) / (W_k (D_k + A_k / 2))``: area per full-size stall over area
        per kei stall (each stall with half its aisle).

    """
    params = params or LotParams()
    full = params.full_size_stall_width_m * (
        params.full_size_stall_depth_m + params.full_size_aisle_m / 2
    )
    kei = params.kei_stall_width_m * (params.kei_stall_depth_m + params.kei_aisle_m / 2)
    return full / kei


def lot_stalls(lots: gpd.GeoDataFrame, *, params: LotParams | None = None) -> pd.DataFrame:
    """Model stall counts of each lot for full-size and kei stalls, ignoring capacity tags.

    Parameters
    ----------
    lots
        The ``lots`` table (docs/tables.md): ``kind``, ``levels``, ``is_point``, geometry.
    params
        Stall sizes, packed kinds and multi-storey factors.

    Returns
    -------
    stalls
        Indexed like `lots`: ``method`` (``surface`` = packed polygon, ``multistorey`` =
        packed footprint x levels x efficiency, None = not modelled: points, polygons of zero
        area, kinds not packed), ``levels_used``,
        ``levels_defaulted`` (bool), ``model_full_size`` and ``model_kei`` (float, NaN where
        not modelled).

    """
    params = params or LotParams()
    kind = lots["kind"].to_numpy(dtype="object")
    geoms = lots.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]) & (shapely.area(geoms) > 0)
    if "is_point" in lots.columns:
        polygonal &= ~lots["is_point"].to_numpy(dtype=bool)
    surface = polygonal & np.isin(kind, list(params.packed_kinds))
    multi = polygonal & (kind == "multi-storey")
    modelled = surface | multi
    levels_tag = (
        lots["levels"].to_numpy(dtype="float64")
        if "levels" in lots.columns
        else np.full(len(lots), np.nan)
    )
    levels_ok = np.isfinite(levels_tag) & (levels_tag > 0)
    levels_defaulted = multi & ~levels_ok
    levels = np.where(
        multi, np.where(levels_ok, levels_tag, params.multistorey_default_levels), 1.0
    )
    factor = np.where(multi, levels * params.multistorey_efficiency, 1.0)

    def packed(width: float, depth: float, aisle: float) -> np.ndarray:
        stalls = np.zeros(len(lots), dtype="float64")
        stalls[modelled] = pack_stalls(
            geoms[modelled],
            stall_width_m=width,
            stall_depth_m=depth,
            aisle_m=aisle,
            step_deg=params.orientation_step_deg,
            tolerance_m=params.containment_tolerance_m,
        )
        return np.where(modelled, np.floor(stalls * factor + _EPS), np.nan)

    full = packed(
        params.full_size_stall_width_m, params.full_size_stall_depth_m, params.full_size_aisle_m
    )
    kei = packed(params.kei_stall_width_m, params.kei_stall_depth_m, params.kei_aisle_m)
    method = np.full(len(lots), None, dtype="object")
    method[surface] = "surface"
    method[multi] = "multistorey"
    return pd.DataFrame(
        {
            "method": method,
            "levels_used": np.where(multi, levels, np.nan),
            "levels_defaulted": levels_defaulted,
            "model_full_size": full,
            "model_kei": kei,
        },
        index=lots.index,
    )


def class_shares(shares: Shares, catalog: VehicleCatalog) -> float:
    """Kei share of a fleet mix: the summed shares of its kei-class profiles.

    Parameters
    ----------
    shares
        Profile id -> share.
    catalog
        The vehicle profiles.

    Returns
    -------
    kei_share
        A fraction in [0, 1].

    """
    return float(sum(w for p, w in shares.items() if catalog.profile(p).vehicle_class == "kei"))


def _mixed_lot_spaces(full: np.ndarray, kei: np.ndarray, kei_share: float) -> np.ndarray:
    if kei_share <= 0.0:
        return full.copy()
    if kei_share >= 1.0:
        return kei.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        need = (1.0 - kei_share) / full + kei_share / kei
        mixed = np.floor(1.0 / need + _EPS)
    return np.where(np.isnan(full) | np.isnan(kei), np.nan, np.where(full > 0, mixed, 0.0))


# --------------------------------------------------------------------------------------------
# city


def _baseline(scenarios: Sequence[Scenario]) -> Scenario:
    for scenario in scenarios:
        if scenario.kei_share == 0.0:
            return scenario
    raise ModelError(
        "the parking model needs a baseline scenario with a kei share of 0 "
        "(capacity tags describe today's fleet); add 0 to the kei shares"
    )


def _build_sides(
    streets: gpd.GeoDataFrame,
    *,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    baseline: Scenario,
    params: CurbParams,
    infer: bool,
) -> gpd.GeoDataFrame:
    sides = curb_sides(streets, offset_m=params.side_offset_m)
    sides["usable_length_m"] = usable_curb_length_m(sides, params=params)
    status = sides["status"].to_numpy(dtype="object")
    inferred = infer_curb(sides, params=params).to_numpy() if infer else np.zeros(len(sides), bool)
    sides["orientation"] = sides["orientation"].where(~inferred, "parallel")
    sides["orientation_defaulted"] = sides["orientation_defaulted"].to_numpy(dtype=bool) | inferred
    has_tag = np.isfinite(sides["capacity"].to_numpy(dtype="float64"))
    sides["source"] = np.select(
        [
            (status == "parking") & has_tag,
            status == "parking",
            inferred,
            np.isin(status, ["no_parking", "separate"]),
        ],
        ["tag_capacity", "model", "inferred", "tag_zero"],
        default="unknown",
    ).astype("object")
    sides["run_id"] = curb_runs(sides)
    sides["run_usable_m"] = (
        sides.groupby("run_id")["usable_length_m"].transform("sum").to_numpy(dtype="float64")
    )
    for profile_id in catalog.profiles:
        sides[f"spaces_profile_{profile_id}"] = curb_spaces(
            sides, {profile_id: 1.0}, catalog, baseline=baseline.shares, params=params
        )
    base = curb_spaces(sides, baseline.shares, catalog, params=params)
    length = sides["length_m"].to_numpy(dtype="float64")
    for scenario in scenarios:
        spaces = curb_spaces(
            sides, scenario.shares, catalog, baseline=baseline.shares, params=params
        )
        gained = spaces - base
        sides[f"spaces_{scenario.id}"] = spaces
        sides[f"gained_{scenario.id}"] = gained
        with np.errstate(divide="ignore", invalid="ignore"):
            per_100 = np.where(length > 0, gained.to_numpy() / length * 100.0, np.nan)
        sides[f"gained_per_100m_{scenario.id}"] = per_100
    sides["curb_area_m2"] = _curb_area_m2(sides, params)
    return sides


def _build_lots(
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    params: LotParams,
) -> gpd.GeoDataFrame:
    model = lot_stalls(lots, params=params)
    tag = (
        lots["capacity"].to_numpy(dtype="float64")
        if "capacity" in lots.columns
        else np.full(len(lots), np.nan)
    )
    has_tag = np.isfinite(tag) & (tag >= 0)
    full = model["model_full_size"].to_numpy()
    kei = model["model_kei"].to_numpy()
    packed_ratio = np.isfinite(full) & (full > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(packed_ratio, kei / full, module_ratio(params))
    ratio_source = np.where(packed_ratio, "packing", "module").astype("object")
    method = model["method"].to_numpy(dtype="object")
    source = np.select(
        [has_tag, method == "surface", method == "multistorey"],
        ["tag_capacity", "model_surface", "model_multistorey"],
        default="unknown",
    ).astype("object")
    stalls_full = np.where(has_tag, tag, full)
    stalls_kei = np.where(has_tag, np.floor(tag * ratio + _EPS), kei)
    known = source != "unknown"
    table = lots[[c for c in ("lot_id", "osm_id", "name", "kind", "area_m2") if c in lots]].copy()
    table["is_point"] = ~np.isin(shapely.get_type_id(lots.geometry.to_numpy()), [3, 6])
    table = table.join(model)
    table["capacity_tag"] = np.where(has_tag, tag, np.nan)
    table["source"] = source
    table["stalls_full_size"] = np.where(known, stalls_full, np.nan)
    table["stalls_kei"] = np.where(known, stalls_kei, np.nan)
    table["kei_ratio"] = np.where(known & (has_tag | packed_ratio), ratio, np.nan)
    kei_ratio_source = np.full(len(lots), None, dtype="object")
    kei_ratio_source[known & packed_ratio] = "packing"
    kei_ratio_source[known & has_tag] = ratio_source[known & has_tag]
    table["kei_ratio_source"] = kei_ratio_source
    base = table["stalls_full_size"].to_numpy(dtype="float64")
    all_kei = table["stalls_kei"].to_numpy(dtype="float64")
    for scenario in scenarios:
        share = class_shares(scenario.shares, catalog)
        spaces = _mixed_lot_spaces(base, all_kei, share)
        table[f"spaces_{scenario.id}"] = spaces
        table[f"gained_{scenario.id}"] = spaces - base
    return gpd.GeoDataFrame(table, geometry=lots.geometry, crs=lots.crs)


def _calibration(sides: pd.DataFrame, lots: pd.DataFrame, baseline: Scenario) -> pd.DataFrame:
    columns = [
        "layer",
        "feature_id",
        "side",
        "kind",
        "capacity_tag",
        "model_baseline",
        "model_to_tag_ratio",
    ]
    tagged = sides["source"].to_numpy(dtype="object") == "tag_capacity"
    usable = sides["usable_length_m"].to_numpy(dtype="float64")
    run_usable = sides["run_usable_m"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        model = np.floor(run_usable / sides["_base_pitch_m"].to_numpy() + _EPS) * np.where(
            run_usable > 0, usable / run_usable, 0.0
        )
    curb = sides.loc[tagged, ["osm_id", "side", "orientation", "capacity"]].assign(
        model=model[tagged]
    )
    # a capacity tags a way side: compare it with the model summed over the way's edges
    ways = curb.groupby(["osm_id", "side"], sort=True).agg(
        kind=("orientation", "first"), capacity_tag=("capacity", "first"), model=("model", "sum")
    )
    curb_rows = pd.DataFrame(
        {
            "layer": "curb",
            "feature_id": ways.index.get_level_values("osm_id").to_numpy(dtype="int64"),
            "side": ways.index.get_level_values("side").to_numpy(dtype="object"),
            "kind": ways["kind"].to_numpy(dtype="object"),
            "capacity_tag": ways["capacity_tag"].to_numpy(dtype="float64"),
            "model_baseline": ways["model"].to_numpy(dtype="float64"),
        }
    )
    lot_mask = np.isfinite(lots["capacity_tag"].to_numpy(dtype="float64")) & np.isfinite(
        lots["model_full_size"].to_numpy(dtype="float64")
    )
    lot = lots.loc[lot_mask]
    lot_ids = lot["lot_id"] if "lot_id" in lot.columns else pd.Series(lot.index, index=lot.index)
    lot_rows = pd.DataFrame(
        {
            "layer": "lot",
            "feature_id": lot_ids.to_numpy(dtype="int64"),
            "side": None,
            "kind": lot["kind"].to_numpy(dtype="object"),
            "capacity_tag": lot["capacity_tag"].to_numpy(dtype="float64"),
            "model_baseline": lot["model_full_size"].to_numpy(dtype="float64"),
        }
    )
    frames = [frame for frame in (curb_rows, lot_rows) if len(frame)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table = pd.concat(frames, ignore_index=True)
    tag = table["capacity_tag"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["model_to_tag_ratio"] = np.where(tag > 0, table["model_baseline"] / tag, np.nan)
    table.attrs["baseline_id"] = baseline.id
    return table[columns]


def _number(value: float) -> float | None:
    """Return a JSON-safe float: None for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return _number(numerator / denominator) if denominator else None


def parking_summary(
    sides: pd.DataFrame,
    lots: pd.DataFrame,
    calibration: pd.DataFrame,
    scenario_ids: Sequence[str],
    *,
    baseline_id: str,
    params: ParkingParams | None = None,
) -> dict[str, Any]:
    """City figures of the parking model.

    Parameters
    ----------
    sides, lots, calibration
        The tables of `parking_model`.
    scenario_ids
        Scenario ids (suffixes of the per-scenario columns).
    baseline_id
        Id of the 0 % kei scenario.
    params
        Packed kinds (which lots occupy land).

    Returns
    -------
    summary
        Plain dict of JSON-serialisable numbers (None where undefined). City-wide keys:
        ``curb_sides_count``; km of sides ``curb_parsed_km`` (any tagged status),
        ``curb_parking_km``, ``curb_no_parking_km``, ``curb_separate_km``,
        ``curb_unknown_km`` (untagged or unreadable, including inferred ones),
        ``curb_inferred_km``, ``curb_usable_km`` (counted parking sides after clearances);
        ``curb_tag_capacity_sides_count``, ``curb_malformed_tags_count`` (distinct edge and
        key), ``curb_malformed_sides_count``, ``curb_schema_conflict_sides_count``;
        ``lots_count``, ``lots_modelled_count``, ``lots_tag_capacity_count``,
        ``lots_unknown_count``, ``lot_land_area_ha`` (footprint of counted non-underground lots);
        ``curb_calibration_way_sides_count``, ``curb_calibration_median_ratio``,
        ``lot_calibration_lots_count``, ``lot_calibration_median_ratio`` (model / tag).
        Per scenario ``<id>``: ``curb_spaces_<id>``, ``lot_spaces_<id>``,
        ``total_spaces_<id>``, ``spaces_gained_<id>`` and ``spaces_gained_pct_<id>`` (vs the
        baseline total), ``curb_m2_per_vehicle_<id>``, ``curb_m_per_vehicle_<id>``,
        ``lot_m2_per_vehicle_<id>`` (land per parked vehicle), ``land_freed_ha_<id>`` and
        ``land_freed_pct_of_lot_area_<id>`` (lot land not needed to park the baseline number of
        vehicles), ``curb_freed_km_<id>`` (curb not needed for the baseline number).

    """
    params = params or ParkingParams()
    status = sides["status"].to_numpy(dtype="object")
    source = sides["source"].to_numpy(dtype="object")
    km = sides["length_m"].to_numpy(dtype="float64") / 1000.0
    counted = np.isin(source, ["tag_capacity", "model", "inferred"])
    usable_km = float(sides["usable_length_m"].to_numpy()[counted].sum() / 1000.0)
    curb_area = float(sides["curb_area_m2"].sum())

    out: dict[str, Any] = {
        "curb_sides_count": len(sides),
        "curb_parsed_km": float(km[status != "unknown"].sum()),
        "curb_parking_km": float(km[status == "parking"].sum()),
        "curb_no_parking_km": float(km[status == "no_parking"].sum()),
        "curb_separate_km": float(km[status == "separate"].sum()),
        "curb_unknown_km": float(km[status == "unknown"].sum()),
        "curb_inferred_km": float(km[source == "inferred"].sum()),
        "curb_usable_km": usable_km,
        "curb_tag_capacity_sides_count": int((source == "tag_capacity").sum()),
        "curb_malformed_tags_count": malformed_tag_count(sides),
        "curb_malformed_sides_count": int(sides["malformed"].sum()),
        "curb_schema_conflict_sides_count": int(sides["schema_conflict"].sum()),
    }

    lot_source = lots["source"].to_numpy(dtype="object")
    kind = lots["kind"].to_numpy(dtype="object")
    area = lots["area_m2"].to_numpy(dtype="float64") if "area_m2" in lots else np.zeros(len(lots))
    land = (
        (lot_source != "unknown")
        & np.isin(kind, [*params.lots.packed_kinds, "multi-storey"])
        & (area > 0)
    )
    land_m2 = float(area[land].sum())
    out |= {
        "lots_count": len(lots),
        "lots_modelled_count": int(
            np.isin(lot_source, ["model_surface", "model_multistorey"]).sum()
        ),
        "lots_tag_capacity_count": int((lot_source == "tag_capacity").sum()),
        "lots_unknown_count": int((lot_source == "unknown").sum()),
        "lot_land_area_ha": land_m2 / 10_000.0,
    }
    for layer, unit in (("curb", "way_sides"), ("lot", "lots")):
        ratios = calibration.loc[calibration["layer"] == layer, "model_to_tag_ratio"]
        ratios = pd.to_numeric(ratios, errors="coerce").dropna()
        out[f"{layer}_calibration_{unit}_count"] = len(ratios)
        out[f"{layer}_calibration_median_ratio"] = (
            _number(float(ratios.median())) if len(ratios) else None
        )

    def total(frame: pd.DataFrame, column: str, mask: np.ndarray | None = None) -> float:
        values = frame[column].to_numpy(dtype="float64")
        if mask is not None:
            values = values[mask]
        return float(np.nansum(values))

    curb_base = total(sides, f"spaces_{baseline_id}")
    lot_base = total(lots, f"spaces_{baseline_id}")
    base_land_lots = lots[f"spaces_{baseline_id}"].to_numpy(dtype="float64")[land]
    for sid in scenario_ids:
        curb = total(sides, f"spaces_{sid}")
        lot = total(lots, f"spaces_{sid}")
        gained = curb + lot - curb_base - lot_base
        scen_land_lots = lots[f"spaces_{sid}"].to_numpy(dtype="float64")[land]
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(scen_land_lots > 0, base_land_lots / scen_land_lots, 1.0)
        freed_m2 = float((area[land] * (1.0 - np.minimum(needed, 1.0))).sum())
        out |= {
            f"curb_spaces_{sid}": curb,
            f"lot_spaces_{sid}": lot,
            f"total_spaces_{sid}": curb + lot,
            f"spaces_gained_{sid}": gained,
            f"spaces_gained_pct_{sid}": _ratio(100.0 * gained, curb_base + lot_base),
            f"curb_m2_per_vehicle_{sid}": _ratio(curb_area, curb),
            f"curb_m_per_vehicle_{sid}": _ratio(1000.0 * usable_km, curb),
            f"lot_m2_per_vehicle_{sid}": _ratio(land_m2, float(np.nansum(scen_land_lots))),
            f"land_freed_ha_{sid}": freed_m2 / 10_000.0,
            f"land_freed_pct_of_lot_area_{sid}": _ratio(100.0 * freed_m2, land_m2),
            f"curb_freed_km_{sid}": (
                usable_km * (1.0 - min(curb_base / curb, 1.0)) if curb > 0 else 0.0
            ),
        }
    return out


def parking_model(
    streets: gpd.GeoDataFrame,
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    *,
    params: ParkingParams | None = None,
    infer: bool = False,
) -> ParkingResult:
    """Curb and lot parking capacity of a city for each fleet scenario.

    Parameters
    ----------
    streets
        The ``streets`` table (docs/tables.md), raw curb-parking tag columns included.
    lots
        The ``lots`` table (docs/tables.md).
    catalog
        Vehicle profiles (every profile gets a curb column).
    scenarios
        Fleet scenarios; one must have a kei share of 0 (the baseline).
    params
        Curb and lot parameters; see `ParkingParams` for units and sources.
    infer
        Estimate untagged sides of local streets by the class rule of
        `CurbParams.infer_highways` (labelled ``source == "inferred"``); off by default, when
        untagged sides are reported as unknown km and never counted.

    Returns
    -------
    result
        `ParkingResult` with:

        ``sides`` (GeoDataFrame, two rows per edge): the columns of
        `urbanfit.citydata.curb.curb_sides` plus ``usable_length_m``; ``run_id`` and
        ``run_usable_m`` (the continuous curb run of `curb_runs` and its usable length);
        ``source``
        (``tag_capacity`` = mapped capacity scaled by the pitch ratio, ``model`` = usable
        length / pitch, ``inferred`` = class-rule estimate, ``tag_zero`` = tagged no parking or
        separate, ``unknown`` = not counted); ``spaces_profile_<profile>`` per profile;
        ``spaces_<scenario>``, ``gained_<scenario>`` (vs baseline) and
        ``gained_per_100m_<scenario>`` (per 100 m of side length) per scenario; ``curb_area_m2``.
        Spaces are NaN on unknown sides.

        ``lots`` (GeoDataFrame, one row per lot): ``lot_id``, ``osm_id``, ``name``, ``kind``,
        ``area_m2``, ``is_point``; the model columns of `lot_stalls`; ``capacity_tag``;
        ``source`` (``tag_capacity`` | ``model_surface`` | ``model_multistorey`` |
        ``unknown``); ``stalls_full_size`` (baseline figure: the tag where mapped, else the
        model), ``stalls_kei`` (all-kei figure); ``kei_ratio`` and ``kei_ratio_source``
        (``packing`` | ``module``); ``spaces_<scenario>`` and ``gained_<scenario>``.

        ``calibration`` (DataFrame), one row per tagged curb way side and per tagged lot with
        a model: ``layer`` (``curb`` | ``lot``), ``feature_id`` (OSM way id for curb, lot id
        for lots), ``side``, ``kind`` (orientation or lot kind), ``capacity_tag``,
        ``model_baseline`` (modelled spaces for the baseline fleet, summed over the way's
        edges), ``model_to_tag_ratio``.

        ``summary``: see `parking_summary`.

    """
    params = params or ParkingParams()
    if not scenarios:
        raise ModelError("the parking model needs at least one scenario")
    baseline = _baseline(scenarios)
    ids = tuple(s.id for s in scenarios)
    sides = _build_sides(
        streets,
        catalog=catalog,
        scenarios=scenarios,
        baseline=baseline,
        params=params.curb,
        infer=infer,
    )
    lot_table = _build_lots(lots, catalog, scenarios, params.lots)
    sides["_base_pitch_m"] = _fleet_pitch_m(
        sides["orientation"].to_numpy(dtype="object"), baseline.shares, catalog, params.curb
    )
    calibration = _calibration(sides, lot_table, baseline)
    sides = sides.drop(columns="_base_pitch_m")
    summary = parking_summary(
        sides, lot_table, calibration, ids, baseline_id=baseline.id, params=params
    )
    return ParkingResult(
        sides=sides,
        lots=lot_table,
        calibration=calibration,
        summary=summary,
        baseline_id=baseline.id,
        scenario_ids=ids,
    )
