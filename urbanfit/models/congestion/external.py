"""External zones: where trips leave or enter the study area, and how many do.

A study area cut from a city is not closed: residents drive out to work, workers drive in.
Trip ends that have no partner inside the area (and a documented share of the rest) belong to
trips crossing its boundary; they enter and leave through the major roads that reach it.
`external_split` fixes the totals so that every trip end is kept, and `boundary_nodes` finds
the nodes that become external zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from urbanfit.models.congestion.network import Network
from urbanfit.parameters.traffic import DemandParams

__all__ = ["ExternalSplit", "boundary_nodes", "external_split"]


@dataclass(frozen=True)
class ExternalSplit:
    """
    Trip totals of a study area with external zones (vehicles per hour).

    Attributes
    ----------
    productions, attractions
        Trip ends of the internal zones (trips leaving / arriving at buildings).
    outbound, inbound
        Trips from internal zones to external zones, and from external to internal.
    internal
        Trips with both ends inside: ``productions - outbound = attractions - inbound``.
    """

    productions: float
    attractions: float
    outbound: float
    inbound: float
    internal: float

    @property
    def total(self) -> float:
        """All trips: ``productions + inbound = attractions + outbound``."""
        return self.productions + self.inbound


def external_split(productions: float, attractions: float, share: float) -> ExternalSplit:
    """
    Split a study area's trip ends into internal and external trips, dropping none.

    With ``P`` productions and ``A`` attractions, at least ``share`` of each kind of trip
    end has its other end outside, and internal trips cannot exceed the smaller total:
    internal ``T = (1 - share) min(P, A)``, outbound ``P - T``, inbound ``A - T``. So every
    trip end is kept and the unmatched surplus of one kind leaves or enters the area.

    Parameters
    ----------
    productions, attractions
        Totals over the internal zones (non-negative).
    share
        Share of trip ends whose other end is outside, in [0, 1).

    Returns
    -------
    split
        The totals.
    """
    p, a = float(productions), float(attractions)
    internal = (1.0 - float(share)) * min(p, a)
    return ExternalSplit(p, a, p - internal, a - internal, internal)


def _major(highway: pd.Series, classes: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    base = highway.astype(str).str.removesuffix("_link")
    return np.asarray(base.isin(classes).to_numpy(), dtype=bool)


def boundary_nodes(network: Network, params: DemandParams | None = None) -> pd.DataFrame:
    """
    Nodes where major roads reach the study area's boundary: the external zones.

    The boundary is the convex hull of the network's nodes. A junction (a node that survives
    contraction) within ``params.external_boundary_m`` of it (or 2 % of the hull's equivalent
    diameter, if larger) and touching a link of ``params.external_classes`` is a candidate;
    with no candidate every class counts. Candidates closer than ``params.external_merge_m``
    merge into the one of largest capacity; at most ``params.max_external_zones`` are kept,
    largest capacity first.

    Parameters
    ----------
    network
        The prepared network.
    params
        External-zone settings.

    Returns
    -------
    nodes
        ``node`` (compact node index), ``x``, ``y``, ``capacity_pcu_h`` (capacity of the
        boundary-road links at the node, both directions) and ``weight`` (its share of the
        external trips, summing to 1); empty when the network has no area.
    """
    params = params or DemandParams()
    links = network.links
    xy = network.node_xy
    columns = ["node", "x", "y", "capacity_pcu_h", "weight"]
    hull = shapely.convex_hull(shapely.multipoints(xy))
    if shapely.area(hull) <= 0:
        return pd.DataFrame({c: [] for c in columns})
    tolerance = max(params.external_boundary_m, 0.02 * 2.0 * np.sqrt(hull.area / np.pi))
    junctions = network.junctions
    near = shapely.distance(shapely.points(xy[junctions]), hull.exterior) <= tolerance
    cap = links["capacity_pcu_h"].to_numpy(dtype=float)
    a = links["a"].to_numpy()
    b = links["b"].to_numpy()
    for major in (_major(links["highway"], params.external_classes), np.ones(len(links), bool)):
        node_cap = np.bincount(a[major], cap[major], network.n_nodes)
        node_cap += np.bincount(b[major], cap[major], network.n_nodes)
        candidates = junctions[near & (node_cap[junctions] > 0)]
        if len(candidates):
            break
    if not len(candidates):
        return pd.DataFrame({c: [] for c in columns})
    order = candidates[np.argsort(-node_cap[candidates], kind="stable")]
    tree = cKDTree(xy[order])
    taken = np.zeros(len(order), dtype=bool)
    dropped = np.zeros(len(order), dtype=bool)
    for i in range(len(order)):  # greedy over boundary candidates (tens), not over edges
        if dropped[i]:
            continue
        taken[i] = True
        if taken.sum() >= params.max_external_zones:
            break
        dropped[tree.query_ball_point(xy[order[i]], params.external_merge_m)] = True
    chosen = order[taken]
    caps = node_cap[chosen]
    return pd.DataFrame(
        {
            "node": chosen.astype(np.int64),
            "x": xy[chosen, 0],
            "y": xy[chosen, 1],
            "capacity_pcu_h": caps,
            "weight": caps / caps.sum(),
        }
    )
