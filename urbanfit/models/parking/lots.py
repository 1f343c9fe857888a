"""Parking lots: stall packing in polygons, model stalls per lot and class, module ratio."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.models.parking._common import _EPS
from urbanfit.parameters.parking import LotParams
from urbanfit.vehicles import VehicleClass

__all__ = [
    "lot_kei_ratios",
    "lot_method",
    "lot_stalls",
    "module_m2_per_stall",
    "module_ratio",
    "pack_stalls",
    "same_standard_ratio",
    "structure_ratios",
]


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


def module_m2_per_stall(vehicle_class: VehicleClass, *, aisle_m: float | None = None) -> float:
    """Area of a double-loaded module per stall: stall width x (depth + half the aisle).

    Parameters
    ----------
    vehicle_class
        The class whose stall is used.
    aisle_m
        The aisle of the module; None: the class's own (``lot_aisle_m``).

    Returns
    -------
    area
        Square metres per stall.
    """
    aisle = vehicle_class.lot_aisle_m if aisle_m is None else aisle_m
    return vehicle_class.lot_stall_width_m * (vehicle_class.lot_stall_depth_m + aisle / 2)


def module_ratio(
    vehicle_class: VehicleClass, reference: VehicleClass, *, aisle_m: float | None = None
) -> float:
    """Stalls of a class per stall of a reference class on the same area, from the modules.

    Parameters
    ----------
    vehicle_class, reference
        The two classes (e.g. kei and full-size), each with its stall and aisle sizes.
    aisle_m
        One aisle for both modules (`LotParams.common_aisle_m`); None: each class's own
        aisle (for kei, the MLIT kei module).

    Returns
    -------
    ratio
        ``(W_r (D_r + A / 2)) / (W_c (D_c + A / 2))``: area per reference stall over area
        per stall of the class (each stall with half its aisle).

    """
    return module_m2_per_stall(reference, aisle_m=aisle_m) / module_m2_per_stall(
        vehicle_class, aisle_m=aisle_m
    )


def same_standard_ratio(kei: VehicleClass, *, params: LotParams | None = None) -> float:
    """Kei stalls per ordinary-car stall when both follow Japan's guideline (same aisle).

    Parameters
    ----------
    kei
        The kei class (its stall and aisle).
    params
        The MLIT ordinary-car stall.

    Returns
    -------
    ratio
        ``(2.5 (6.0 + A / 2)) / (2.0 (3.6 + A / 2))`` with the defaults: the low end of a
        surface lot's kei ratio, free of the US-vs-Japan difference in stall standards.
    """
    params = params or LotParams()
    half_aisle = kei.lot_aisle_m / 2
    ordinary = params.mlit_ordinary_stall_width_m * (
        params.mlit_ordinary_stall_depth_m + half_aisle
    )
    return ordinary / (kei.lot_stall_width_m * (kei.lot_stall_depth_m + half_aisle))


def structure_ratios(
    kei: VehicleClass, reference: VehicleClass, *, params: LotParams | None = None
) -> tuple[float, float]:
    """Kei ratio of a garage whose rows are fixed: re-striped narrower only (low, central).

    Parameters
    ----------
    kei, reference
        The kei class and the class kei is compared with (their stall widths).
    params
        The MLIT ordinary-car stall width.

    Returns
    -------
    low, central
        MLIT ordinary-car width / kei width, and reference width / kei width.
    """
    params = params or LotParams()
    return (
        params.mlit_ordinary_stall_width_m / kei.lot_stall_width_m,
        reference.lot_stall_width_m / kei.lot_stall_width_m,
    )


def lot_kei_ratios(
    lots: pd.DataFrame,
    method: pd.DataFrame,
    packed: tuple[np.ndarray, np.ndarray],
    baseline: np.ndarray,
    *,
    kei: VehicleClass,
    reference: VehicleClass,
    params: LotParams | None = None,
) -> pd.DataFrame:
    """Kei stalls per baseline stall of each lot, low / central / high, and the land check.

    Parameters
    ----------
    lots
        The ``lots`` table: ``kind``, ``area_m2``.
    method
        `lot_method` of the same lots (``levels_used``).
    packed
        Model stalls per lot of the reference class and of kei (`lot_stalls`).
    baseline
        Baseline stalls per lot: the capacity tag where mapped, else the model; NaN where
        unknown (then every ratio is NaN).
    kei, reference
        The kei class and the class it is compared with (the baseline fleet's main class).
    params
        Structure kinds, MLIT stall, land threshold; see `LotParams`.

    Returns
    -------
    ratios
        Indexed like `lots`:

        - ``kei_ratio`` (central): for kinds in ``structure_kinds`` the stall-width ratio
          (`structure_ratios`); for a packed lot its packed kei / reference ratio (both
          packed with the one aisle ``common_aisle_m``), never above the module ratio under
          that aisle (`module_ratio`); otherwise that module ratio.
        - ``kei_ratio_low``: structures the MLIT width ratio; other lots the smaller of the
          central ratio and `same_standard_ratio`.
        - ``kei_ratio_high``: the module ratio with each class's own aisle (for kei the MLIT
          kei module: 2.0 m x 3.6 m stalls on a 5.5 m aisle), never below the central ratio
          (for structures an upper bound that assumes re-striping their whole area).
        - ``kei_ratio_source``: ``structure``, ``packing``, ``packing_capped``, ``module`` or
          None (unknown lot).
        - ``structure`` (bool), ``land_per_stall_m2`` (polygon area x levels / baseline stalls,
          NaN for structures without levels and for points) and ``land_implausible`` (above
          ``max_land_per_stall_m2``, or land with no baseline stall: the packing undercounts).
    """
    params = params or LotParams()
    module = module_ratio(kei, reference, aisle_m=params.common_aisle_m)
    own_module = module_ratio(kei, reference)
    structure_low, structure_central = structure_ratios(kei, reference, params=params)
    kind = lots["kind"].to_numpy(dtype="object")
    structure = np.isin(kind, list(params.structure_kinds))
    full, small = (np.asarray(v, dtype="float64") for v in packed)
    was_packed = np.isfinite(full) & (full > 0) & ~structure
    with np.errstate(divide="ignore", invalid="ignore"):
        packing = np.where(was_packed, small / full, np.nan)
    capped = was_packed & (packing > module)
    known = np.isfinite(baseline)
    central = np.where(structure, structure_central, np.where(was_packed, packing, module))
    central = np.where(capped, module, central)
    low = np.where(
        structure, structure_low, np.minimum(central, same_standard_ratio(kei, params=params))
    )
    source = np.select(
        [structure, capped, was_packed], ["structure", "packing_capped", "packing"], "module"
    ).astype("object")
    source[~known] = None
    area = lots["area_m2"].to_numpy(dtype="float64") if "area_m2" in lots else np.zeros(len(kind))
    levels = method["levels_used"].to_numpy(dtype="float64")
    floors = np.where(structure, levels, 1.0)  # NaN for a structure without modelled levels
    with np.errstate(divide="ignore", invalid="ignore"):
        land = np.where(known & (area > 0), area * floors / baseline, np.nan)
    implausible = ~np.isnan(land) & (land > params.max_land_per_stall_m2)  # inf: no stall
    return pd.DataFrame(
        {
            "kei_ratio_low": np.where(known, low, np.nan),
            "kei_ratio": np.where(known, central, np.nan),
            "kei_ratio_high": np.where(known, np.maximum(own_module, central), np.nan),
            "kei_ratio_source": source,
            "structure": structure,
            "land_per_stall_m2": np.where(np.isinf(land), np.nan, land),
            "land_implausible": implausible,
        },
        index=lots.index,
    )


def lot_method(lots: gpd.GeoDataFrame, *, params: LotParams | None = None) -> pd.DataFrame:
    """How each lot is modelled: packed surface, packed multi-storey footprint, or not at all.

    Parameters
    ----------
    lots
        The ``lots`` table (docs/tables.md): ``kind``, ``levels``, ``is_point``, geometry.
    params
        Packed kinds and multi-storey factors.

    Returns
    -------
    method
        Indexed like `lots`: ``method`` (``surface`` = packed polygon, ``multistorey`` =
        packed footprint x levels x efficiency, None = not modelled: points, polygons of zero
        area, kinds not packed), ``levels_used``, ``levels_defaulted`` (bool), ``factor``
        (levels x efficiency for multi-storey lots, else 1).

    """
    params = params or LotParams()
    kind = lots["kind"].to_numpy(dtype="object")
    geoms = lots.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]) & (shapely.area(geoms) > 0)
    if "is_point" in lots.columns:
        polygonal &= ~lots["is_point"].to_numpy(dtype=bool)
    surface = polygonal & np.isin(kind, list(params.packed_kinds))
    multi = polygonal & (kind == "multi-storey")
    levels_tag = (
        lots["levels"].to_numpy(dtype="float64")
        if "levels" in lots.columns
        else np.full(len(lots), np.nan)
    )
    levels_ok = np.isfinite(levels_tag) & (levels_tag > 0)
    levels = np.where(
        multi, np.where(levels_ok, levels_tag, params.multistorey_default_levels), 1.0
    )
    method = np.full(len(lots), None, dtype="object")
    method[surface] = "surface"
    method[multi] = "multistorey"
    return pd.DataFrame(
        {
            "method": method,
            "levels_used": np.where(multi, levels, np.nan),
            "levels_defaulted": multi & ~levels_ok,
            "factor": np.where(multi, levels * params.multistorey_efficiency, 1.0),
        },
        index=lots.index,
    )


def lot_stalls(
    lots: gpd.GeoDataFrame,
    vehicle_class: VehicleClass,
    *,
    params: LotParams | None = None,
    method: pd.DataFrame | None = None,
) -> pd.Series:
    """Model stall count of each lot for one vehicle class's stalls, ignoring capacity tags.

    Parameters
    ----------
    lots
        The ``lots`` table (docs/tables.md): ``kind``, ``levels``, ``is_point``, geometry.
    vehicle_class
        The class whose stall width, depth and aisle are packed.
    params
        Packing angles, tolerance, packed kinds and multi-storey factors.
    method
        `lot_method` of the lots, when already computed.

    Returns
    -------
    stalls
        Float per lot (indexed like `lots`): packed stalls x the multi-storey factor, floored;
        NaN where not modelled.

    """
    params = params or LotParams()
    method = lot_method(lots, params=params) if method is None else method
    modelled = method["method"].notna().to_numpy()
    geoms = lots.geometry.to_numpy()
    stalls = np.zeros(len(lots), dtype="float64")
    stalls[modelled] = pack_stalls(
        geoms[modelled],
        stall_width_m=vehicle_class.lot_stall_width_m,
        stall_depth_m=vehicle_class.lot_stall_depth_m,
        aisle_m=params.common_aisle_m,
        step_deg=params.orientation_step_deg,
        tolerance_m=params.containment_tolerance_m,
    )
    factor = method["factor"].to_numpy(dtype="float64")
    values = np.where(modelled, np.floor(stalls * factor + _EPS), np.nan)
    return pd.Series(values, index=lots.index, name=vehicle_class.id)
