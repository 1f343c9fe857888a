"""Traffic counts against modelled link flows: matching, the fit, and demand scaled to them.

A count says how many vehicles an hour pass one point of one street in one direction. Each
count is matched to the assigned links that carry that traffic (`locate_counts`); the
modelled flow there is compared with it the way model-validation practice does (`count_fit`:
GEH per count and the share under the threshold, correlation and percent root mean square
error); and the demand is scaled until the least-squares factor between counts and modelled
flows is 1 (`scale_to_counts`), in place of the synthetic demand's congestion target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from urbanfit.errors import ModelError
from urbanfit.parameters.counts import CountParams

__all__ = ["COMPASS", "CountScaling", "count_fit", "geh", "locate_counts", "scale_to_counts"]

COMPASS = {"NB": 0.0, "EB": 90.0, "SB": 180.0, "WB": 270.0}
"""Compass directions of travel a count may name, as bearings in degrees."""

_WAY_DIRECTIONS = ("forward", "backward", "both")
FloatArray = npt.NDArray[np.float64]


def geh(modelled: npt.ArrayLike, counted: npt.ArrayLike) -> FloatArray:
    """
    GEH statistic of hourly flows: ``sqrt(2 (M - C)^2 / (M + C))``, 0 where both are 0.

    Parameters
    ----------
    modelled, counted
        Vehicles per hour, modelled (M) and counted (C).

    Returns
    -------
    geh
        One value per pair.
    """
    m = np.asarray(modelled, dtype=float)
    c = np.asarray(counted, dtype=float)
    total = m + c
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.sqrt(2.0 * (m - c) ** 2 / total)
    return np.where(total > 0, value, 0.0)


def locate_counts(
    counts: pd.DataFrame,
    links: pd.DataFrame,
    *,
    way_ids: npt.ArrayLike,
    node_xy: npt.ArrayLike,
    params: CountParams | None = None,
) -> pd.DataFrame:
    """
    Match each count to the assigned links that carry its traffic.

    A count names an OSM way (``way_id``), a point (``x``, ``y`` in the links' CRS) or both;
    with a point, the nearest street edge (of that way, if named) within
    ``params.match_max_m`` is taken, without one the way's longest edge. The direction is the
    way's drawing direction (``forward``), its opposite (``backward``), the two summed
    (``both``), or a compass direction of travel (``NB``, ``EB``, ``SB``, ``WB``: the link of
    the edge whose bearing is nearest, if within 90 degrees).

    Parameters
    ----------
    counts
        ``count_id``, ``vehicles_per_hour``, ``way_id`` (may be missing), ``x``, ``y`` (may be
        NaN) and ``direction``.
    links
        Assigned directed links: ``edge_id``, ``reversed``, ``a``, ``b``, ``geometry``.
    way_ids
        The OSM way of each link, aligned with ``links``.
    node_xy
        Node coordinates (``a`` and ``b`` index them).
    params
        Matching distance.

    Returns
    -------
    located
        One row per count: ``count_id``, ``vehicles_per_hour``, ``direction``, ``links``
        (tuple of link positions, empty when unmatched), ``distance_m`` (NaN without a point)
        and ``unmatched`` (the reason, or "" when matched).
    """
    params = params or CountParams()
    ways = np.asarray(way_ids, dtype=np.int64)
    xy = np.asarray(node_xy, dtype=float)
    a = links["a"].to_numpy()
    b = links["b"].to_numpy()
    bearing = np.degrees(np.arctan2(xy[b, 0] - xy[a, 0], xy[b, 1] - xy[a, 1])) % 360.0
    edge = links["edge_id"].to_numpy(dtype=np.int64)
    backward = links["reversed"].to_numpy(dtype=bool)
    geometry = np.asarray(links.geometry.to_numpy() if "geometry" in links else [], dtype=object)
    length = shapely.length(geometry) if len(geometry) else np.zeros(len(links))
    tree = shapely.STRtree(geometry)
    way_given = (
        pd.to_numeric(counts["way_id"], errors="coerce").to_numpy(dtype=float)
        if "way_id" in counts
        else np.full(len(counts), np.nan)
    )
    xs = counts["x"].to_numpy(dtype=float)
    ys = counts["y"].to_numpy(dtype=float)
    rows = []
    for i in range(len(counts)):  # a loop over counts (tens), not over links
        way = int(way_given[i]) if math.isfinite(way_given[i]) else None
        candidates = None if way is None else np.flatnonzero(ways == way)  # vectorised
        if candidates is not None and candidates.size == 0:
            candidates = None
        chosen, reason, distance = None, "neither a way id nor a point", math.nan
        if way is not None and candidates is None:
            reason = f"way {way} is not on the assigned network"
        elif math.isfinite(xs[i]) and math.isfinite(ys[i]):
            point = shapely.Point(xs[i], ys[i])
            pool = (
                tree.query(point.buffer(params.match_max_m)) if candidates is None else candidates
            )
            chosen, reason, distance = _nearest(pool, geometry, point, params.match_max_m)
        elif candidates is not None:
            chosen, reason = int(candidates[int(np.argmax(length[candidates]))]), ""
        picked: tuple[int, ...] = ()
        direction = str(counts["direction"].iloc[i])
        if chosen is not None:
            twins = np.flatnonzero(edge == edge[chosen])
            picked, reason = _direction(direction, twins, backward, bearing)
        rows.append(
            {
                "count_id": str(counts["count_id"].iloc[i]),
                "vehicles_per_hour": float(counts["vehicles_per_hour"].iloc[i]),
                "direction": direction,
                "links": picked,
                "distance_m": distance,
                "unmatched": reason,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "count_id", "vehicles_per_hour", "direction", "links", "distance_m", "unmatched"
        ],
    )  # fmt: skip


def _nearest(
    pool: npt.NDArray[np.intp],
    geometry: npt.NDArray[np.object_],
    point: shapely.Point,
    limit: float,
) -> tuple[int | None, str, float]:
    """Return the link of ``pool`` nearest to ``point`` if within ``limit`` metres, and why not."""
    if len(pool) == 0:
        return None, f"no street within {limit:g} m of the point", math.nan
    gaps = shapely.distance(geometry[pool], point)
    best = int(np.argmin(gaps))
    distance = float(gaps[best])
    if distance > limit:
        return None, f"the nearest street is {distance:.0f} m from the point", distance
    return int(pool[best]), "", distance


def _direction(
    direction: str, twins: npt.NDArray[np.int64], backward: npt.NDArray[np.bool_], bearing: Any
) -> tuple[tuple[int, ...], str]:
    """Pick the links of one street edge (``twins``) that a count's direction names."""
    if direction == "both":
        return tuple(int(t) for t in twins), ""
    if direction in ("forward", "backward"):
        want = direction == "backward"
        found = [int(t) for t in twins if bool(backward[t]) == want]
        if not found:
            return (), f"the street is one-way and carries no {direction} traffic"
        return tuple(found), ""
    target = COMPASS[direction]
    turn = np.abs((bearing[twins] - target + 180.0) % 360.0 - 180.0)
    best = int(np.argmin(turn))
    if turn[best] > 90.0:
        return (), f"no link of the street runs {direction}"
    return (int(twins[best]),), ""


def _modelled(located: pd.DataFrame, veh_flow: npt.ArrayLike) -> FloatArray:
    flow = np.asarray(veh_flow, dtype=float)
    return np.array([float(flow[list(ids)].sum()) for ids in located["links"]], dtype=float)


def count_fit(
    located: pd.DataFrame, veh_flow: npt.ArrayLike, *, params: CountParams | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """
    Compare modelled link flows with the matched counts.

    Parameters
    ----------
    located
        From `locate_counts`.
    veh_flow
        Modelled vehicles per hour on each assigned link.
    params
        The GEH threshold and the targets.

    Returns
    -------
    table, summary
        ``table``: the matched counts with ``modelled_veh_h``, ``counted_veh_h``, ``geh``;
        ``summary``: counts given and matched, the share with GEH under the threshold and
        its target, the correlation coefficient and R², percent RMSE, and total modelled over
        total counted.
    """
    params = params or CountParams()
    matched = located[located["unmatched"] == ""].copy()
    modelled = _modelled(matched, veh_flow)
    counted = matched["vehicles_per_hour"].to_numpy(dtype=float)
    values = geh(modelled, counted)
    table = matched[["count_id", "direction"]].assign(
        modelled_veh_h=modelled, counted_veh_h=counted, geh=values
    )
    n = len(counted)
    share = float(np.mean(values < params.geh_threshold)) if n else math.nan
    r = math.nan
    if n >= 3 and np.std(modelled) > 0 and np.std(counted) > 0:
        r = float(np.corrcoef(modelled, counted)[0, 1])
    mean = float(counted.mean()) if n else math.nan
    rmse = float(np.sqrt(np.mean((modelled - counted) ** 2))) if n else math.nan
    summary = {
        "counts_given": len(located),
        "counts_matched": n,
        "unmatched": [
            {"count_id": str(row.count_id), "reason": str(row.unmatched)}
            for row in located[located["unmatched"] != ""].itertuples(index=False)
        ],
        "geh_threshold": params.geh_threshold,
        "geh_below_threshold_share": share,
        "geh_share_target": params.geh_share_target,
        "geh_target_met": bool(share >= params.geh_share_target) if n else False,
        "correlation": r,
        "r_squared": r * r if math.isfinite(r) else math.nan,
        "correlation_target": params.correlation_target,
        "rmse_pct": 100.0 * rmse / mean if n and mean > 0 else math.nan,
        "modelled_over_counted": float(modelled.sum() / counted.sum())
        if n and counted.sum() > 0
        else math.nan,
    }
    return table, {k: _finite_or_none(v) for k, v in summary.items()}


def _finite_or_none(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@dataclass(frozen=True)
class CountScaling:
    """
    Result of `scale_to_counts`.

    Attributes
    ----------
    scale
        The demand multiplier reached.
    runs
        Every ``(multiplier, least-squares factor)`` tried, in order.
    converged
        Whether the last factor was within the tolerance of 1.
    """

    scale: float
    runs: tuple[tuple[float, float], ...]
    converged: bool


def scale_to_counts(
    flows_of: Callable[[float], npt.ArrayLike],
    located: pd.DataFrame,
    *,
    start: float = 1.0,
    params: CountParams | None = None,
) -> CountScaling:
    """
    Scale demand until the modelled flows match the counts in the least-squares sense.

    At multiplier ``s`` the factor ``f = sum(M C) / sum(M^2)`` over the matched counts
    (modelled ``M``, counted ``C``) is the one scaling of the modelled flows that fits the
    counts best; the next multiplier is ``s f``, until ``f`` is within the tolerance of 1. On
    an uncongested network flows are proportional to demand and one step is exact.

    Parameters
    ----------
    flows_of
        Modelled vehicles per hour on every assigned link at a multiplier (one assignment).
    located
        From `locate_counts`; at least one count matched.
    start
        First multiplier.
    params
        Tolerance, cap on runs, plausibility bound.

    Returns
    -------
    scaling
        The multiplier and every run.
    """
    params = params or CountParams()
    matched = located[located["unmatched"] == ""]
    if matched.empty:
        raise ModelError(
            f"none of the {len(located)} traffic counts matched a street of the network: "
            "check their way ids, points and directions"
        )
    counted = matched["vehicles_per_hour"].to_numpy(dtype=float)
    scale, runs = float(start), []
    for _ in range(max(1, int(params.scale_max_runs))):
        modelled = _modelled(matched, flows_of(scale))
        weight = float(np.dot(modelled, modelled))
        if weight <= 0:
            raise ModelError(
                "no counted street carries modelled traffic: the demand never uses the counted "
                "links, so it cannot be scaled to them"
            )
        factor = float(np.dot(modelled, counted)) / weight
        runs.append((scale, factor))
        if abs(factor - 1.0) <= params.scale_tolerance:
            return CountScaling(scale, tuple(runs), True)
        scale *= factor
        if not (1.0 / params.max_scale <= scale <= params.max_scale):
            raise ModelError(
                f"the counts need the demand multiplied by {scale:.3g}, beyond the plausible "
                f"1/{params.max_scale:g} to {params.max_scale:g}: the counts and the demand "
                "do not describe the same area or hour"
            )
    return CountScaling(scale, tuple(runs), False)
