"""Cheapest routes between zones: the relative gap of link flows, and trips with no route.

Nodes are numbered from 1; nodes ``1..Z`` are the zones of a Z x Z demand matrix. With
``block``, no route passes through a zone: each zone is split into a node where routes start
and one where they end.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

__all__ = ["relative_gap", "unroutable_pairs"]

FloatArray = npt.NDArray[np.float64]


def relative_gap(
    a_node: npt.ArrayLike,
    b_node: npt.ArrayLike,
    cost: npt.ArrayLike,
    flow: npt.ArrayLike,
    demand: npt.ArrayLike,
    *,
    block: bool = True,
) -> float:
    """
    Relative gap of link flows: ``sum(flow x cost) / sum(trips x cheapest route cost) - 1``.

    Parameters
    ----------
    a_node, b_node
        1-based from/to node of each link; nodes ``1..Z`` are the zones of ``demand`` (Z x Z).
    cost
        Link cost at ``flow`` (positive).
    flow, demand
        Link flows and the trips they carry.
    block
        Routes may not pass through a zone (each zone is split into a node where routes start
        and one where they end).

    Returns
    -------
    gap
        0 at equilibrium; inf when a trip has no route.
    """
    c = np.asarray(cost, dtype=float)
    trips = np.asarray(demand, dtype=float).copy()
    np.fill_diagonal(trips, 0.0)
    origins = np.flatnonzero(trips.sum(axis=1) > 0)
    shortest = _zone_costs(a_node, b_node, c, trips.shape[0], origins, block=block)
    used = trips[origins] > 0
    if not np.isfinite(shortest[used]).all():
        return float("inf")
    best = float(np.sum(trips[origins][used] * shortest[used]))
    total = float(np.sum(np.asarray(flow, dtype=float) * c))
    return total / best - 1.0 if best > 0 else 0.0


def _zone_costs(
    a_node: npt.ArrayLike,
    b_node: npt.ArrayLike,
    cost: FloatArray,
    zones: int,
    origins: npt.NDArray[np.int64],
    *,
    block: bool,
) -> FloatArray:
    """Cheapest route cost from each origin zone (0-based) to every zone; inf where none."""
    a = np.asarray(a_node, dtype=np.int64) - 1
    b = np.asarray(b_node, dtype=np.int64) - 1
    n = int(max(a.max(initial=-1), b.max(initial=-1), zones - 1)) + 1
    if block:  # routes leave zone z from node z and reach it at node n + z, a dead end
        b = np.where(b < zones, b + n, b)
        n += zones
        targets = np.arange(zones) + n - zones
    else:
        targets = np.arange(zones)
    # parallel links: csgraph would add their costs, so keep the cheapest of each pair
    order = np.lexsort((cost, b, a))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (a[order][1:] != a[order][:-1]) | (b[order][1:] != b[order][:-1])
    pick = order[first]
    graph = sparse.csr_matrix((cost[pick], (a[pick], b[pick])), shape=(n, n))
    return np.asarray(csgraph.dijkstra(graph, directed=True, indices=origins)[:, targets])


def unroutable_pairs(
    a_node: npt.ArrayLike, b_node: npt.ArrayLike, demand: FloatArray, *, block: bool
) -> npt.NDArray[np.bool_]:
    """
    Zone pairs with trips and no route between them.

    Parameters
    ----------
    a_node, b_node
        1-based from/to node of each link; nodes ``1..Z`` are the zones of ``demand``.
    demand
        Z x Z trips; the diagonal is ignored.
    block
        Routes may not pass through a zone.

    Returns
    -------
    mask
        Z x Z, true where trips go from one zone to another that no route reaches.
    """
    zones = demand.shape[0]
    body = demand.copy()
    np.fill_diagonal(body, 0.0)
    origins = np.flatnonzero(body.sum(axis=1) > 0)
    mask = np.zeros(body.shape, dtype=bool)
    if len(origins):
        hops = _zone_costs(
            a_node, b_node, np.ones(len(np.atleast_1d(a_node))), zones, origins, block=block
        )
        mask[origins] = ~np.isfinite(hops) & (body[origins] > 0)
    return mask
