"""Exact contraction of chains of directed links through pass-through nodes.

Unsimplified OSM graphs (pyrosm, OSMnx with ``simplify=False``) have one edge per pair of
consecutive OSM nodes, so most nodes only carry a street through. With BPR costs
``t = t0 (1 + alpha (x / c)^beta)``, links in series that carry the same flow ``x`` and share
``c``, ``alpha`` and ``beta`` cost exactly what one link of free-flow time ``sum t0`` costs.
No route can enter or leave such a chain between its ends, so replacing it by one link leaves
the equilibrium unchanged, and each original link gets its chain's flow back, with time
``t0_i x (congested / free-flow time of the chain)``.

A node is contracted (a *through* node) when, in the pruned directed network, either

- one link enters and one leaves, and they do not join the same neighbour (a U-turn); or
- two links enter and two leave, from and to the same two distinct neighbours (a two-way
  street): ``p -> n`` continues ``n -> q`` and ``q -> n`` continues ``n -> p``;

and each pair of joined links has the same capacity (and the same group label, when given).
Any other node survives: junctions, dead ends of two-way streets, and nodes where capacity
changes. A chain that would become a
self loop or repeat another link between the same two nodes keeps one inner node, so the
contracted network stays free of the loops and duplicate arcs that network preparation
removed. Centroid connectors attach only to surviving nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Contraction", "contract_links", "identity_contraction"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Contraction:
    """
    The network that is assigned, and how it maps back to the network's directed links.

    Attributes
    ----------
    a, b
        From and to node (compact node index of the full network) of each contracted link.
    free_flow_min
        Sum of the free-flow times of the links the contracted link stands for.
    capacity_pcu_h
        Their common capacity.
    link_map
        For each directed link of the full network, the index of its contracted link.
    kept_nodes
        For each node of the full network, whether it survives (connectors may attach).
    report
        ``links_before``, ``links_after``, ``nodes_contracted``, ``chains_split``.
    """

    a: IntArray
    b: IntArray
    free_flow_min: FloatArray
    capacity_pcu_h: FloatArray
    link_map: IntArray
    kept_nodes: BoolArray
    report: dict[str, int] = field(default_factory=dict)

    @property
    def n_links(self) -> int:
        """Number of contracted links."""
        return len(self.a)

    def expand(self, values: npt.ArrayLike) -> FloatArray:
        """Per-contracted-link values (first axis) repeated onto every original link."""
        return np.asarray(values, dtype=float)[self.link_map]

    def expand_time(self, congested: npt.ArrayLike, free_flow: npt.ArrayLike) -> FloatArray:
        """
        Congested time of each original link from its contracted link's.

        Every link of a chain has the same flow and capacity, so the BPR factor
        ``t / t0`` of the chain is the factor of each of its links.
        """
        factor = np.asarray(congested, dtype=float) / self.free_flow_min
        return np.asarray(free_flow, dtype=float) * factor[self.link_map]


def identity_contraction(
    a: npt.ArrayLike, b: npt.ArrayLike, free_flow: npt.ArrayLike, capacity: npt.ArrayLike
) -> Contraction:
    """No contraction: every link and node is kept as it is."""
    a_arr = np.asarray(a, dtype=np.int64)
    b_arr = np.asarray(b, dtype=np.int64)
    n_nodes = int(max(a_arr.max(initial=-1), b_arr.max(initial=-1))) + 1
    n = len(a_arr)
    return Contraction(
        a=a_arr,
        b=b_arr,
        free_flow_min=np.asarray(free_flow, dtype=float).copy(),
        capacity_pcu_h=np.asarray(capacity, dtype=float).copy(),
        link_map=np.arange(n, dtype=np.int64),
        kept_nodes=np.ones(n_nodes, dtype=bool),
        report={"links_before": n, "links_after": n, "nodes_contracted": 0, "chains_split": 0},
    )


def _successors(
    a: IntArray, b: IntArray, cap: FloatArray, n_nodes: int
) -> tuple[IntArray, BoolArray]:
    """Candidate through nodes and the link that continues each link entering one."""
    n = len(a)
    indeg = np.bincount(b, minlength=n_nodes)
    outdeg = np.bincount(a, minlength=n_nodes)
    in_order = np.argsort(b, kind="stable")
    out_order = np.argsort(a, kind="stable")
    in_start = np.concatenate([[0], np.cumsum(indeg)[:-1]])
    out_start = np.concatenate([[0], np.cumsum(outdeg)[:-1]])
    nxt = np.full(n, -1, dtype=np.int64)
    through = np.zeros(n_nodes, dtype=bool)

    one = np.flatnonzero((indeg == 1) & (outdeg == 1))
    i0, o0 = in_order[in_start[one]], out_order[out_start[one]]
    ok = (a[i0] != b[o0]) & (cap[i0] == cap[o0])
    through[one[ok]] = True
    nxt[i0[ok]] = o0[ok]

    two = np.flatnonzero((indeg == 2) & (outdeg == 2))
    i0, i1 = in_order[in_start[two]], in_order[in_start[two] + 1]
    o0, o1 = out_order[out_start[two]], out_order[out_start[two] + 1]
    p0, p1, q0, q1 = a[i0], a[i1], b[o0], b[o1]
    straight = (p0 == q1) & (p1 == q0)  # i0 continues o0, i1 continues o1
    crossed = (p0 == q0) & (p1 == q1)  # i0 continues o1, i1 continues o0
    first = np.where(straight, o0, o1)
    second = np.where(straight, o1, o0)
    ok = (p0 != p1) & (straight | crossed) & (cap[i0] == cap[first]) & (cap[i1] == cap[second])
    through[two[ok]] = True
    nxt[i0[ok]] = first[ok]
    nxt[i1[ok]] = second[ok]
    return nxt, through


def _chains(nxt: IntArray) -> tuple[IntArray, BoolArray]:
    """Head link of each link's chain (pointer jumping) and the links on through-cycles."""
    n = len(nxt)
    prev = np.arange(n, dtype=np.int64)
    has_next = np.flatnonzero(nxt >= 0)
    prev[nxt[has_next]] = has_next
    root = prev.copy()
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 1):
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    return root, prev[root] != root  # no head reached: a ring of through nodes


def contract_links(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    free_flow: npt.ArrayLike,
    capacity: npt.ArrayLike,
    n_nodes: int | None = None,
    *,
    group: npt.ArrayLike | None = None,
) -> Contraction:
    """
    Contract chains of links through pass-through nodes (see the module docstring).

    Parameters
    ----------
    a, b
        Compact from/to node index of each directed link (a pruned network: no self loops,
        no duplicate arcs, no dead-end sinks or sources).
    free_flow, capacity
        Free-flow time and capacity of each link.
    n_nodes
        Number of nodes (default: largest index + 1).
    group
        Optional label per link (e.g. its road class's PCE group); links join only when
        their labels match as well as their capacities.

    Returns
    -------
    contraction
        The contracted links and the maps back to the links and nodes given.
    """
    a_arr = np.asarray(a, dtype=np.int64)
    b_arr = np.asarray(b, dtype=np.int64)
    t0 = np.asarray(free_flow, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    n = len(a_arr)
    if n_nodes is None:
        n_nodes = int(max(a_arr.max(initial=-1), b_arr.max(initial=-1))) + 1
    key = cap
    if group is not None:  # one code per distinct (capacity, group) pair
        pairs = pd.DataFrame({"cap": cap, "group": np.asarray(group)})
        key = pd.MultiIndex.from_frame(pairs).factorize()[0].astype(np.float64)
    nxt, through = _successors(a_arr, b_arr, key, n_nodes)
    split = 0
    for _ in range(n + 1):
        nxt = np.where((nxt >= 0) & through[b_arr], nxt, -1)
        root, cyclic = _chains(nxt)
        if cyclic.any():
            through[a_arr[cyclic]] = False
            continue
        head = root == np.arange(n)
        cid = np.cumsum(head) - 1
        link_map = cid[root]
        m = int(head.sum())
        ca = a_arr[head]
        tail = ~through[b_arr]
        cb = np.empty(m, dtype=np.int64)
        cb[link_map[tail]] = b_arr[tail]
        length = np.bincount(link_map, minlength=m)
        bad = (ca == cb) & (length > 1)
        order = np.lexsort((cb, ca))
        same = (ca[order][1:] == ca[order][:-1]) & (cb[order][1:] == cb[order][:-1])
        dup = np.zeros(m, dtype=bool)
        dup[order[1:][same]] = True
        dup[order[:-1][same]] = True
        bad |= dup & (length > 1)
        if not bad.any():
            break
        # keep the smallest inner node of each bad chain: the same node for both
        # directions of a two-way street
        split += int(bad.sum())
        inner = np.full(m, n_nodes, dtype=np.int64)
        np.minimum.at(inner, link_map[~tail], b_arr[~tail])
        through[inner[bad]] = False
    return Contraction(
        a=ca,
        b=cb,
        free_flow_min=np.bincount(link_map, weights=t0, minlength=m).astype(np.float64),
        capacity_pcu_h=cap[head],
        link_map=link_map.astype(np.int64),
        kept_nodes=~through,
        report={
            "links_before": n,
            "links_after": m,
            "nodes_contracted": int(through.sum()),
            "chains_split": split,
        },
    )
