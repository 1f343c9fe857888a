"""Curb parking: pitch, continuous curb runs, spaces per side."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from urbanfit.models.parking._common import _EPS, Shares
from urbanfit.parameters.parking import CurbParams
from urbanfit.vehicles import VehicleCatalog, VehicleClass, VehicleProfile

__all__ = [
    "curb_pitch_m",
    "curb_runs",
    "curb_spaces",
    "fleet_pitch_m",
    "run_usable_m",
]


def curb_pitch_m(
    orientation: pd.Series | np.ndarray,
    profile: VehicleProfile,
    vehicle_class: VehicleClass,
    *,
    params: CurbParams | None = None,
) -> np.ndarray:
    """Curb length one vehicle of a profile takes, by side orientation.

    Parameters
    ----------
    orientation
        ``parallel`` | ``diagonal`` | ``perpendicular`` per side (anything else gives NaN).
    profile
        The vehicle (its length sets the parallel pitch).
    vehicle_class
        The profile's class: its ``curb_stall_width_m`` is the angled stall width.
    params
        Gap and diagonal angle.

    Returns
    -------
    pitch_m
        Parallel: vehicle length + ``parallel_gap_m``; perpendicular: stall width; diagonal:
        stall width / sin(``diagonal_angle_deg``), the angle between the stall axis and the curb.

    """
    return _pitch_m(_orientations(orientation), profile, vehicle_class, params or CurbParams())


_ORIENTATIONS = ("parallel", "perpendicular", "diagonal")


def _orientations(orientation: pd.Series | np.ndarray) -> list[np.ndarray]:
    """One boolean mask per orientation in `_ORIENTATIONS`, compared once (not per profile)."""
    values = orientation if isinstance(orientation, pd.Series) else pd.Series(orientation)
    return [(values == name).to_numpy(dtype=bool, na_value=False) for name in _ORIENTATIONS]


def _pitch_m(
    masks: list[np.ndarray],
    profile: VehicleProfile,
    vehicle_class: VehicleClass,
    params: CurbParams,
) -> np.ndarray:
    width = vehicle_class.curb_stall_width_m
    return np.select(
        masks,
        [
            profile.length_m + params.parallel_gap_m,
            width,
            width / math.sin(math.radians(params.diagonal_angle_deg)),
        ],
        default=np.nan,
    ).astype("float64")


def _fleet_pitch_m(
    masks: list[np.ndarray],
    shares: Shares,
    catalog: VehicleCatalog,
    params: CurbParams,
) -> np.ndarray:
    """Return a fleet's mean pitch per side; ``masks`` come from `_orientations`."""
    total = np.zeros(len(masks[0]), dtype="float64")
    for profile_id, share in shares.items():  # a handful of profiles, vectorised over sides
        profile = catalog.profile(profile_id)
        vehicle_class = catalog.vehicle_class(profile.vehicle_class)
        total += share * _pitch_m(masks, profile, vehicle_class, params)
    return total


def fleet_pitch_m(
    orientation: pd.Series | np.ndarray,
    shares: Shares,
    catalog: VehicleCatalog,
    *,
    params: CurbParams | None = None,
) -> np.ndarray:
    """Return a fleet's share-weighted mean curb pitch per side (`curb_pitch_m`), in metres."""
    return _fleet_pitch_m(_orientations(orientation), shares, catalog, params or CurbParams())


def _counted(sides: pd.DataFrame) -> np.ndarray:
    return sides["source"].isin(["tag_capacity", "model", "inferred"]).to_numpy(dtype=bool)


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


def run_usable_m(sides: pd.DataFrame) -> np.ndarray:
    """
    Usable length of each side's continuous curb run.

    Parameters
    ----------
    sides
        One row per side with ``run_id`` (`curb_runs`) and ``usable_length_m``.

    Returns
    -------
    run_usable_m
        Metres per side: the sum of ``usable_length_m`` over its run.
    """
    return sides.groupby("run_id")["usable_length_m"].transform("sum").to_numpy(dtype="float64")


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
    orientation = _orientations(sides["orientation"])
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
    source = sides["source"]
    spaces = np.where((source == "tag_capacity").to_numpy(dtype=bool), tagged, modelled)
    zero = source.isin(["tag_zero", "inferred_zero"]).to_numpy(dtype=bool)
    spaces = np.where(_counted(sides), spaces, np.where(zero, 0.0, np.nan))
    return pd.Series(spaces, index=sides.index, dtype="float64")


def _curb_area_m2(sides: pd.DataFrame, params: CurbParams) -> np.ndarray:
    orientation = sides["orientation"].to_numpy(dtype="object")
    depth = np.select(
        [orientation == "parallel", orientation == "perpendicular", orientation == "diagonal"],
        [params.parallel_depth_m, params.perpendicular_depth_m, params.diagonal_depth_m],
        default=0.0,
    )
    return np.where(_counted(sides), sides["usable_length_m"].to_numpy() * depth, 0.0)
