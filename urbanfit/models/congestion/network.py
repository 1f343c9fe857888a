"""Directed road network for assignment, pruned of what breaks AequilibraE 1.7.2.

AequilibraE 1.7.2 gives wrong flows when the graph has sinks (nodes with incoming links and
no outgoing ones), and OSM networks are full of them. `build_network` therefore keeps only the
largest strongly connected component, removes any remaining dead-end sinks and sources,
drops duplicate arcs, and `check_flow_conservation` verifies every run afterwards. It then
contracts chains of links through pass-through nodes (see `contraction`), exactly: the
assignment runs on the contracted links and its results map back to every directed link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from urbanfit.errors import ModelError
from urbanfit.models.congestion.capacity import (
    lanes_per_direction,
    link_capacity_pcu_h,
    link_discharge_speed_kmh,
)
from urbanfit.models.congestion.contraction import (
    Contraction,
    contract_links,
    identity_contraction,
)
from urbanfit.parameters.traffic import CapacityParams

__all__ = [
    "MIN_FREE_FLOW_MIN",
    "Network",
    "build_network",
    "check_flow_conservation",
    "dead_end_links",
    "directed_links",
    "node_imbalance",
    "prune_links",
]

MIN_FREE_FLOW_MIN = 1e-4
"""Smallest free-flow time of a link, minutes (AequilibraE rejects zero times)."""

_STREET_COLUMNS = ("edge_id", "u", "v", "highway", "length_m", "lanes", "speed_kmh", "oneway")


@dataclass(frozen=True)
class Network:
    """
    The assignable directed network.

    Attributes
    ----------
    links
        Kept directed links, index ``0..n-1``: ``edge_id`` (street row), ``reversed`` (drives
        v -> u), ``from_node``/``to_node`` (OSM ids), ``a``/``b`` (compact node indices
        ``0..n_nodes-1``), ``highway``, ``length_m``, ``speed_kmh``, ``lanes_dir``,
        ``capacity_pcu_h``, ``free_flow_min``, ``geometry`` (drawn in travel direction).
    node_ids
        OSM id of each compact node index.
    node_xy
        Coordinates (CRS of ``links``) of each compact node.
    report
        Counts from the preparation: directed links built, self loops, duplicate arcs,
        links cut by dead-end pruning and outside the largest strongly connected component,
        and links left after contraction.
    contraction
        The contraction of ``links``; its surviving nodes are where connectors attach.
    contract
        Whether the assignment runs on the contracted links (see `assigned`); False runs it
        on every link, with the same connectors, to check that contraction is exact.
    """

    links: gpd.GeoDataFrame
    node_ids: npt.NDArray[np.int64]
    node_xy: npt.NDArray[np.float64]
    report: dict[str, int] = field(default_factory=dict)
    contraction: Contraction | None = None
    contract: bool = True

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def assigned(self) -> Contraction:
        """The links the assignment runs on: the contraction, or every link unchanged."""
        if self.contract and self.contraction is not None:
            return self.contraction
        links = self.links
        return identity_contraction(
            links["a"], links["b"], links["free_flow_min"], links["capacity_pcu_h"]
        )

    @property
    def junctions(self) -> npt.NDArray[np.int64]:
        """Compact indices of the nodes that survive contraction (connectors attach there)."""
        if self.contraction is None:
            return np.arange(self.n_nodes, dtype=np.int64)
        return np.flatnonzero(self.contraction.kept_nodes).astype(np.int64)


def directed_links(
    streets: gpd.GeoDataFrame, params: CapacityParams | None = None
) -> gpd.GeoDataFrame:
    """
    One row per direction of travel: two-way streets give u -> v and v -> u, one-way u -> v.

    Parameters
    ----------
    streets
        The ``streets`` table (see docs/tables.md).
    params
        Capacity parameters (saturation flow and green share per class).

    Returns
    -------
    links
        ``edge_id``, ``reversed``, ``from_node``, ``to_node``, ``highway``, ``length_m``,
        ``speed_kmh``, ``lanes_dir``, ``capacity_pcu_h``, ``free_flow_min``, ``geometry``.
    """
    params = params or CapacityParams()
    missing = [c for c in _STREET_COLUMNS if c not in streets.columns]
    if missing:
        raise ModelError(f"streets table lacks columns: {', '.join(missing)}")
    if streets.empty:
        raise ModelError("streets table is empty: no network to assign")
    oneway = streets["oneway"].fillna(False).to_numpy(dtype=bool)
    speed = streets["speed_kmh"].to_numpy(dtype=float)
    length = streets["length_m"].to_numpy(dtype=float)
    if not (np.isfinite(speed) & (speed > 0)).all():
        raise ModelError("streets table has missing or non-positive speed_kmh")
    if not (np.isfinite(length) & (length >= 0)).all():
        raise ModelError("streets table has missing or negative length_m")
    lanes_dir = lanes_per_direction(streets["lanes"].to_numpy(dtype=float), oneway)
    highway = streets["highway"].astype(str).to_numpy(dtype=object)
    base = pd.DataFrame(
        {
            "edge_id": streets["edge_id"].to_numpy(dtype=np.int64),
            "reversed": False,
            "from_node": streets["u"].to_numpy(dtype=np.int64),
            "to_node": streets["v"].to_numpy(dtype=np.int64),
            "highway": highway,
            "length_m": length,
            "speed_kmh": speed,
            "lanes_dir": lanes_dir,
            "capacity_pcu_h": link_capacity_pcu_h(highway, lanes_dir, params),
            "discharge_speed_kmh": link_discharge_speed_kmh(highway, params),
            "free_flow_min": np.maximum(length / 1000.0 / speed * 60.0, MIN_FREE_FLOW_MIN),
        }
    )
    geoms = streets.geometry.to_numpy()
    two = ~oneway
    back = base.loc[two].copy()
    back["reversed"] = True
    back["from_node"], back["to_node"] = base.loc[two, "to_node"], base.loc[two, "from_node"]
    frame = pd.concat([base, back], ignore_index=True)
    geometry = np.concatenate([geoms, shapely.reverse(geoms[two])])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=streets.crs)


def prune_links(
    from_node: npt.ArrayLike,
    to_node: npt.ArrayLike,
    free_flow: npt.ArrayLike,
    capacity: npt.ArrayLike,
) -> tuple[npt.NDArray[np.bool_], dict[str, int]]:
    """
    Choose the links to keep for assignment.

    Drops self loops; drops duplicate arcs between the same ordered node pair, keeping the
    fastest (then the highest capacity); iteratively removes links at dead-end sinks and
    sources; keeps the largest strongly connected component.

    Parameters
    ----------
    from_node, to_node
        Node ids of each directed link.
    free_flow, capacity
        Free-flow time and capacity, used to pick the best of duplicate arcs.

    Returns
    -------
    keep, report
        Boolean mask over the links, and counts of links dropped at each step.
    """
    a_ids = np.asarray(from_node, dtype=np.int64)
    b_ids = np.asarray(to_node, dtype=np.int64)
    nodes, inverse = np.unique(np.concatenate([a_ids, b_ids]), return_inverse=True)
    n_links = len(a_ids)
    a, b = inverse[:n_links], inverse[n_links:]
    keep = a != b
    report = {"directed_links": n_links, "self_loops": int((~keep).sum())}

    order = np.lexsort((-np.asarray(capacity, float), np.asarray(free_flow, float), b, a))
    ordered = order[keep[order]]
    pair = a[ordered] * len(nodes) + b[ordered]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    dup = np.zeros(n_links, dtype=bool)
    dup[ordered[~first]] = True
    report["duplicate_arcs"] = int(dup.sum())
    keep &= ~dup

    dead = dead_end_links(a, b, len(nodes), keep=keep)
    report["dead_end_links"] = int(dead.sum())
    keep &= ~dead

    if keep.any():
        graph = sparse.coo_matrix(
            (np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(len(nodes), len(nodes))
        ).tocsr()
        _, labels = csgraph.connected_components(graph, directed=True, connection="strong")
        used = np.zeros(len(nodes), dtype=bool)
        used[a[keep]] = True
        counts = np.bincount(labels[used], minlength=labels.max() + 1)
        biggest = int(np.argmax(counts))
        inside = keep & (labels[a] == biggest) & (labels[b] == biggest)
        report["outside_largest_component"] = int((keep & ~inside).sum())
        keep = inside
    else:
        report["outside_largest_component"] = 0
    report["kept_links"] = int(keep.sum())
    return keep, report


def dead_end_links(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    n_nodes: int,
    *,
    keep: npt.ArrayLike | None = None,
    exempt: npt.ArrayLike = (),
) -> npt.NDArray[np.bool_]:
    """
    Links that end at a dead-end sink or start at a dead-end source, found repeatedly.

    A node with links in and none out (a sink), or out and none in (a source), cannot pass
    flow on, so no route uses its links unless trips start or end there. Removing those links
    can make new dead ends; they are removed in turn until none is left. AequilibraE 1.7.2
    loses flow at sinks (flow not conserved), so they must go before assignment.

    Parameters
    ----------
    a, b
        Compact from/to node index of each link (``0..n_nodes-1``).
    n_nodes
        Number of nodes.
    keep
        Links considered (default: all); others count as absent.
    exempt
        Nodes where trips start or end (centroids): never dead ends.

    Returns
    -------
    dead
        Mask of the considered links that are cut.
    """
    a_arr = np.asarray(a, dtype=np.int64)
    b_arr = np.asarray(b, dtype=np.int64)
    alive = np.ones(len(a_arr), dtype=bool) if keep is None else np.asarray(keep, bool).copy()
    start = alive.copy()
    free = np.zeros(n_nodes, dtype=bool)
    free[np.asarray(exempt, dtype=np.int64)] = True
    while True:
        indeg = np.bincount(b_arr[alive], minlength=n_nodes)
        outdeg = np.bincount(a_arr[alive], minlength=n_nodes)
        bad = ((indeg == 0) | (outdeg == 0)) & ~free
        cut = alive & (bad[a_arr] | bad[b_arr])
        if not cut.any():
            return start & ~alive
        alive &= ~cut


def build_network(
    streets: gpd.GeoDataFrame, params: CapacityParams | None = None, *, contract: bool = True
) -> Network:
    """
    Build the pruned directed network of a city's streets.

    Parameters
    ----------
    streets
        The ``streets`` table.
    params
        Capacity parameters.
    contract
        Assign on the contraction of chains through pass-through nodes (exact); False
        assigns on every link, with connectors at the same surviving nodes, for checking.

    Returns
    -------
    network
        Directed links of the largest strongly connected component, with compact node
        indices, capacities and free-flow times, and their contraction.
    """
    links = directed_links(streets, params or CapacityParams())
    keep, report = prune_links(
        links["from_node"], links["to_node"], links["free_flow_min"], links["capacity_pcu_h"]
    )
    if not keep.any():
        raise ModelError("the street network has no strongly connected part to assign on")
    kept = links.loc[keep].reset_index(drop=True)
    node_ids, inverse = np.unique(
        np.concatenate([kept["from_node"].to_numpy(), kept["to_node"].to_numpy()]),
        return_inverse=True,
    )
    n = len(kept)
    kept["a"] = inverse[:n].astype(np.int64)
    kept["b"] = inverse[n:].astype(np.int64)
    geoms = kept.geometry.to_numpy()
    start = shapely.get_coordinates(shapely.get_point(geoms, 0))
    xy = np.empty((len(node_ids), 2))
    xy[kept["a"].to_numpy()] = start
    kept = kept[[c for c in kept.columns if c != "geometry"] + ["geometry"]]
    # links of classes with different discharge speeds carry different PCE flows: never join
    contraction = contract_links(
        kept["a"],
        kept["b"],
        kept["free_flow_min"],
        kept["capacity_pcu_h"],
        len(node_ids),
        group=kept["discharge_speed_kmh"],
    )
    report["assigned_links"] = contraction.n_links if contract else len(kept)
    report["contracted_nodes"] = contraction.report["nodes_contracted"] if contract else 0
    return Network(
        links=kept,
        node_ids=node_ids,
        node_xy=xy,
        report=report,
        contraction=contraction,
        contract=contract,
    )


def node_imbalance(
    a: npt.ArrayLike, b: npt.ArrayLike, flow: npt.ArrayLike, n_nodes: int
) -> npt.NDArray[np.float64]:
    """Inflow minus outflow at every node (``a``/``b`` are compact node indices)."""
    f = np.asarray(flow, dtype=float)
    inflow = np.bincount(np.asarray(b), f, n_nodes)
    outflow = np.bincount(np.asarray(a), f, n_nodes)
    return np.asarray(inflow - outflow, dtype=np.float64)


def check_flow_conservation(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    flow: npt.ArrayLike,
    n_nodes: int,
    exempt: npt.ArrayLike = (),
    *,
    rel_tol: float = 1e-6,
    what: str = "assignment",
) -> float:
    """
    Check that flow is conserved at every node except ``exempt`` ones (centroids).

    Parameters
    ----------
    a, b
        Compact from/to node index of each link.
    flow
        Flow on each link.
    n_nodes
        Number of nodes.
    exempt
        Node indices where trips start or end.
    rel_tol
        Allowed imbalance relative to the largest link flow (at least 1).
    what
        Named in the error message.

    Returns
    -------
    worst
        Largest absolute imbalance at a checked node.

    Raises
    ------
    ModelError
        When the imbalance exceeds the tolerance anywhere.
    """
    imbalance = np.abs(node_imbalance(a, b, flow, n_nodes))
    imbalance[np.asarray(exempt, dtype=np.int64)] = 0.0
    worst = float(imbalance.max()) if n_nodes else 0.0
    scale = max(float(np.max(np.abs(np.asarray(flow, dtype=float)), initial=0.0)), 1.0)
    if worst > rel_tol * scale:
        node = int(np.argmax(imbalance))
        raise ModelError(
            f"{what}: flow is not conserved at node index {node} (imbalance {worst:.6g}, "
            f"largest link flow {scale:.6g}); the network may contain dead ends"
        )
    return worst
