"""Validate the assignment against a network's best-known equilibrium (TNTP networks).

Pure: the network arrives as tables (read by `urbanfit.sources.tntp`). The links' cost is the
generalised cost of the TNTP collection,
``t0 (1 + b (x/c)^p) + toll factor x toll + distance factor x length``. AequilibraE's BPR has
no constant term, so the constant ``k`` is folded in exactly:
``t0 (1 + b (x/c)^p) + k = (t0 + k) (1 + b' (x/c)^p)`` with ``b' = b t0 / (t0 + k)``.
Links the hard networks carry, handled without changing the equilibrium:

- a free-flow cost of 0 (connectors) becomes `ZERO_COST_SHARE` of the median positive one,
  since AequilibraE rejects zeros; a route crosses a handful of them, so its cost moves by
  a few 1e-9 of one link's, far below any relative gap that can be reached;
- a constant cost (``b = 0``, or power 0) gets power 1: ``(t0 + k)(1 + 0)`` is the same;
- a link with b > 0 and no capacity costs infinity at any flow: it is left out (flow 0);
- links into a non-centroid node with no way out (and out of one with no way in) carry no
  flow in any solution; AequilibraE 1.7.2 loses flow at such sinks, so they are left out of
  the assignment and given flow 0.

The solver's gap is measured from the flows it returns (AequilibraE's own estimate can read far
below it), and the gap is checked again here with this module's own link costs. Flow
conservation is then checked at every non-centroid node, and at each centroid the net outflow
must equal its trips out minus its trips in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.congestion.assignment import Equilibrium, Progress, solve_equilibrium
from urbanfit.models.congestion.network import dead_end_links, node_imbalance
from urbanfit.models.congestion.routes import relative_gap, unroutable_pairs

__all__ = [
    "OBJECTIVE_TOLERANCE",
    "SOLVER_GAP_SHARE",
    "STEPS_BELOW",
    "TSTT_TOLERANCE",
    "ZERO_COST_SHARE",
    "NetworkTables",
    "ValidationReport",
    "beckmann_objective",
    "validate_assignment",
]

ZERO_COST_SHARE = 1e-9
"""A zero free-flow cost becomes this share of the median positive one (AequilibraE needs > 0)."""

STEPS_BELOW = 3
"""Iterations in a row the solver's gap must stay below the target before it stops."""

SOLVER_GAP_SHARE = 0.9
"""The solver aims at this share of the target gap, a margin for the recomputed gap, whose link
costs come from this module's BPR rather than the solver's."""

TSTT_TOLERANCE = 5e-4
"""Largest accepted relative error of total system travel time against the best known."""

OBJECTIVE_TOLERANCE = 1e-4
"""Largest accepted relative error of the Beckmann objective against the best known."""

_LINK_COLUMNS = ("init_node", "term_node", "capacity", "free_flow_time", "b", "power")

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ValidationReport:
    """Convergence and accuracy of one assignment of a network with a best-known solution.

    TSTT is total system travel time, sum of flow x BPR time over links (time only); the
    Beckmann objective is the sum over links of the integral of the generalised cost from 0
    to the flow. Both are in the network's own units; relative errors are (ours - best) /
    best. ``checked_gap`` is the relative gap recomputed here from the final flows (total
    generalised cost over the cost of every trip on its cheapest route, minus 1), independent
    of the solver's own figure ``rel_gap``. ``worst_imbalance`` is the largest
    |inflow - outflow| at a non-centroid node (``worst_imbalance_node``, the network's node
    number; 0 when every node is a zone), ``centroid_error`` the largest
    difference at a centroid between net outflow and trips out minus trips in.
    ``unroutable_trips`` counts trips between zones that no route joins, left out;
    ``closed_links`` the links with b > 0 and no capacity (infinite cost), left out.
    """

    name: str
    links: int
    zones: int
    trips: float
    iterations: int
    rel_gap: float
    seconds: float
    tstt: float
    best_tstt: float
    tstt_rel_error: float
    objective: float
    best_objective: float
    objective_rel_error: float
    worst_imbalance: float
    worst_imbalance_node: int
    centroid_error: float
    checked_gap: float = float("nan")
    toll_factor: float = 0.0
    distance_factor: float = 0.0
    zero_cost_links: int = 0
    constant_cost_links: int = 0
    dead_end_links: int = 0
    closed_links: int = 0
    unroutable_trips: float = 0.0

    @property
    def meets_targets(self) -> bool:
        """Both errors within `TSTT_TOLERANCE` and `OBJECTIVE_TOLERANCE`."""
        return (
            abs(self.tstt_rel_error) <= TSTT_TOLERANCE
            and abs(self.objective_rel_error) <= OBJECTIVE_TOLERANCE
        )

    def verdict(self) -> str:
        """One line stating both errors and whether they meet the targets."""
        outcome = "meets" if self.meets_targets else "MISSES"
        return (
            f"{self.name}: TSTT relative error {self.tstt_rel_error * 100:+.4f} %, Beckmann "
            f"objective relative error {self.objective_rel_error * 100:+.6f} % against the "
            f"best-known solution (relative gap {self.checked_gap:.2e}, {self.iterations} "
            f"iterations); {outcome} the targets |TSTT error| <= {TSTT_TOLERANCE * 100:g} % "
            f"and |objective error| <= {OBJECTIVE_TOLERANCE * 100:g} %"
        )


def beckmann_objective(
    t0: npt.ArrayLike,
    b: npt.ArrayLike,
    power: npt.ArrayLike,
    cap: npt.ArrayLike,
    flow: npt.ArrayLike,
    *,
    fixed_cost: npt.ArrayLike = 0.0,
) -> float:
    """
    Sum over links of the integral of ``t0 (1 + b (x/c)^p) + fixed`` from 0 to the link flow.

    ``t0 (x + b c / (p + 1) (x/c)^(p+1)) + fixed x``; links with ``b = 0`` need no capacity.
    """
    t0_, b_, p_, c_, x, k = (
        np.asarray(v, dtype=float) for v in (t0, b, power, cap, flow, fixed_cost)
    )
    congestion = np.zeros(np.broadcast(t0_, b_, x).shape)
    on = np.broadcast_to(b_, congestion.shape) != 0
    if on.any():
        bb, pp, cc, xx, tt = (
            np.broadcast_to(v, congestion.shape)[on] for v in (b_, p_, c_, x, t0_)
        )
        congestion[on] = tt * bb * cc / (pp + 1.0) * (xx / cc) ** (pp + 1.0)
    return float(np.sum(t0_ * x + congestion + k * x))


def _bpr_time(
    t0: FloatArray, b: FloatArray, power: FloatArray, cap: FloatArray, flow: FloatArray
) -> FloatArray:
    ratio = np.divide(flow, cap, out=np.zeros_like(flow), where=b != 0)
    return t0 * (1.0 + b * ratio**power)


def _columns(
    links: pd.DataFrame,
) -> tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]
]:
    missing = [c for c in _LINK_COLUMNS if c not in links.columns]
    if missing:
        raise ModelError(f"network links lack columns: {', '.join(missing)}")
    t0, cap, b, power = (
        links[c].to_numpy(dtype=float) for c in ("free_flow_time", "capacity", "b", "power")
    )
    zeros = np.zeros(len(links))
    toll = links["toll"].to_numpy(dtype=float) if "toll" in links else zeros
    length = links["length"].to_numpy(dtype=float) if "length" in links else zeros
    for name, values in (("free-flow time", t0), ("toll", toll), ("length", length)):
        if not (np.isfinite(values).all() and (values >= 0).all()):
            raise ModelError(f"every link needs a finite, non-negative {name}")
    if not (np.isfinite(b).all() and (b >= 0).all() and np.isfinite(power).all()):
        raise ModelError("every link needs a finite, non-negative BPR b and a finite power")
    # power 0 is a constant cost t0 (1 + b): fold it into t0 and keep b for flow-dependent costs
    t0 = np.where(power == 0, t0 * (1.0 + b), t0)
    b = np.where(power == 0, 0.0, b)
    congested = b > 0
    if ((power < 1) & congested).any():
        k = int(np.argmax((power < 1) & congested))
        raise ModelError(
            f"link {k + 1} has BPR power {power[k]:g}: powers in (0, 1) are not "
            "supported (AequilibraE needs >= 1)"
        )
    # b > 0 and no capacity: infinite cost at any flow, a closed link; it carries nothing, so
    # its figures are those of a free link at flow 0
    closed = congested & ~(np.isfinite(cap) & (cap > 0))
    cap = np.where(closed, 1.0, cap)
    b = np.where(closed, 0.0, b)
    return t0, cap, b, power, toll, length, closed


class NetworkTables(Protocol):
    """A network with a best-known solution, as tables (e.g. `sources.tntp.TntpNetwork`)."""

    @property
    def links(self) -> pd.DataFrame:
        """
        Directed links, one row each.

        ``init_node``, ``term_node`` (1-based; nodes ``1..zones`` are the zones),
        ``capacity``, ``free_flow_time``, ``b``, ``power`` and, when the cost weighs them,
        ``toll`` and ``length``.
        """

    @property
    def trips(self) -> npt.NDArray[np.float64]:
        """Zones x zones demand; ``trips[i - 1, j - 1]`` from zone i to zone j."""

    @property
    def best_flows(self) -> pd.DataFrame | None:
        """Column ``volume``: the best-known flow of each link, in the order of ``links``."""

    @property
    def first_thru_node(self) -> int:
        """Nodes numbered below it may not be passed through."""

    @property
    def toll_factor(self) -> float:
        """Weight of ``toll`` in the generalised cost."""

    @property
    def distance_factor(self) -> float:
        """Weight of ``length`` in the generalised cost."""

    @property
    def name(self) -> str:
        """Named in the report."""


def validate_assignment(
    network: NetworkTables,
    *,
    rel_gap: float = 1e-5,
    max_iter: int = 5000,
    algorithm: str = "bfw",
    progress: Progress | None = None,
) -> ValidationReport:
    """
    Assign a network and compare it with its best-known equilibrium.

    Parameters
    ----------
    network
        Links, trips, best-known flows and header values (see `NetworkTables`).
    rel_gap, max_iter, algorithm
        Solver settings (AequilibraE, BPR per link).
    progress
        Optional ``(done, total, label)`` callback.

    Returns
    -------
    report
        Iterations, gap, time, the relative errors of TSTT and of the Beckmann objective, and
        the worst node imbalance.

    Raises
    ------
    ModelError
        On malformed tables, when flow is not conserved or when AequilibraE refuses the input.
    """
    if network.best_flows is None or "volume" not in network.best_flows:
        raise ModelError(f"{network.name} has no best-known flows to compare with")
    links, name = network.links, network.name
    first_thru_node = network.first_thru_node
    toll_factor, distance_factor = network.toll_factor, network.distance_factor
    t0, cap, b, power, toll, length, closed = _columns(links)
    a_node = links["init_node"].to_numpy(dtype=np.int64)
    b_node = links["term_node"].to_numpy(dtype=np.int64)
    demand = np.asarray(network.trips, dtype=float)
    best = network.best_flows["volume"].to_numpy(dtype=float)
    if len(best) != len(links):
        raise ModelError(f"{len(best)} best-known flows for {len(links)} links")
    zones = demand.shape[0]
    if len(links) == 0 or a_node.min() < 1 or b_node.min() < 1:
        raise ModelError("links need positive node numbers")
    demand = _closed_nodes_as_zones(demand, first_thru_node)
    n_nodes = int(max(a_node.max(), b_node.max(), demand.shape[0]))

    fixed = toll_factor * toll + distance_factor * length
    cost0 = t0 + fixed
    share = np.divide(t0, cost0, out=np.zeros_like(t0), where=cost0 > 0)
    alpha = b * share  # 0 where the cost is constant
    constant = alpha == 0
    beta = np.where(constant, 1.0, power)
    zero = cost0 <= 0
    positive = cost0[~zero]
    tiny = ZERO_COST_SHARE * (float(np.median(positive)) if len(positive) else 1.0)
    solver_cost = np.where(zero, tiny, cost0)
    solver_cap = np.where(constant & ~(cap > 0), 1.0, cap)

    centroids = np.arange(demand.shape[0], dtype=np.int64)
    if (best[closed] > 0).any():
        k = int(np.argmax(closed & (best > 0)))
        raise ModelError(
            f"the best-known flows load link {a_node[k]}->{b_node[k]} ({best[k]:g}), whose "
            "capacity is 0 with b > 0: its cost would be infinite"
        )
    dead = dead_end_links(a_node - 1, b_node - 1, n_nodes, keep=~closed, exempt=centroids)
    kept = ~dead & ~closed
    if not kept.any():
        raise ModelError(f"{name}: no link can carry flow (each is closed or a dead end)")
    block = first_thru_node > 1
    # trips with no route at all (a zone without links, a one-way way in) cannot be assigned;
    # the best-known solution cannot carry them either, so they are left out and counted
    unroutable = unroutable_pairs(a_node[kept], b_node[kept], demand, block=block)
    unroutable_trips = float(np.sum(demand, where=unroutable))
    demand = np.where(unroutable, 0.0, demand)
    # the solver aims a little below the target; the gap it reports is measured from the flows
    # it returns (see `solve_equilibrium`), not its own pre-step estimate
    with warnings.catch_warnings():  # zones without links: their trips are left out above
        warnings.filterwarnings("ignore", "Found centroids not present", UserWarning)
        eq = _solve_or_explain(
            name,
            a_node[kept],
            b_node[kept],
            solver_cost[kept],
            solver_cap[kept],
            [demand],
            pces=[1.0],
            names=["all"],
            alpha=alpha[kept],
            beta=beta[kept],
            algorithm=algorithm,
            rel_gap=rel_gap * SOLVER_GAP_SHARE,
            max_iter=max_iter,
            block_centroid_flows=block,
            require_gap=False,
            steps_below=STEPS_BELOW,
            progress=progress,
            label=f"{name}: ",
        )
    flow = np.zeros(len(links))
    flow[kept] = eq.pce_flow
    cost = solver_cost * (1.0 + alpha * np.divide(flow, solver_cap) ** beta)
    gap = relative_gap(a_node[kept], b_node[kept], cost[kept], flow[kept], demand, block=block)
    worst, node, centroid_error = _balance(a_node, b_node, flow, demand, n_nodes)

    tstt = float(np.sum(flow * _bpr_time(t0, b, power, cap, flow)))
    best_tstt = float(np.sum(best * _bpr_time(t0, b, power, cap, best)))
    objective = beckmann_objective(t0, b, power, cap, flow, fixed_cost=fixed)
    best_objective = beckmann_objective(t0, b, power, cap, best, fixed_cost=fixed)
    if best_tstt <= 0 or best_objective <= 0:
        raise ModelError("the best-known flows give no travel time: nothing to compare with")
    return ValidationReport(
        name=name,
        links=len(links),
        zones=zones,
        trips=float(np.sum(network.trips) - np.trace(network.trips)),
        iterations=eq.iterations,
        rel_gap=eq.rel_gap,
        seconds=eq.seconds,
        tstt=tstt,
        best_tstt=best_tstt,
        tstt_rel_error=(tstt - best_tstt) / best_tstt,
        objective=objective,
        best_objective=best_objective,
        objective_rel_error=(objective - best_objective) / best_objective,
        worst_imbalance=worst,
        worst_imbalance_node=node,
        centroid_error=centroid_error,
        checked_gap=gap,
        toll_factor=toll_factor,
        distance_factor=distance_factor,
        zero_cost_links=int(zero.sum()),
        constant_cost_links=int((constant & ~zero & ~closed).sum()),
        dead_end_links=int(dead.sum()),
        closed_links=int(closed.sum()),
        unroutable_trips=unroutable_trips,
    )


def _solve_or_explain(name: str, *args: Any, **kwargs: Any) -> Equilibrium:
    """`solve_equilibrium`, with AequilibraE's own errors turned into one `ModelError`."""
    try:
        return solve_equilibrium(*args, **kwargs)
    except (ValueError, RuntimeError, IndexError, KeyError) as error:
        raise ModelError(f"AequilibraE could not assign {name}: {error}") from error


def _closed_nodes_as_zones(demand: FloatArray, first_thru_node: int) -> FloatArray:
    """
    Demand padded so that every node below the first thru node is a zone (maybe tripless).

    AequilibraE can forbid routes through zones only: nodes between the last zone and the
    first thru node become zones without trips, which closes them to through traffic exactly.
    """
    zones, closed = demand.shape[0], max(first_thru_node - 1, 0)
    if 0 < closed < zones:
        raise ModelError(
            f"<FIRST THRU NODE> {first_thru_node} lets routes pass through zones "
            f"{first_thru_node}..{zones} but not through zones 1..{closed}: the solver can "
            "forbid routes through every zone or through none"
        )
    if closed <= zones:
        return demand
    padded = np.zeros((closed, closed))
    padded[:zones, :zones] = demand
    return padded


def _balance(
    a_node: npt.NDArray[np.int64],
    b_node: npt.NDArray[np.int64],
    flow: FloatArray,
    demand: FloatArray,
    n_nodes: int,
) -> tuple[float, int, float]:
    """Worst non-centroid imbalance (and its node number), worst centroid mismatch."""
    zones = demand.shape[0]
    imbalance = node_imbalance(a_node - 1, b_node - 1, flow, n_nodes)
    inner = np.abs(imbalance[zones:])
    worst = float(inner.max()) if len(inner) else 0.0
    node = int(np.argmax(inner)) + zones + 1 if len(inner) else 0
    body = demand.copy()
    np.fill_diagonal(body, 0.0)
    expected = body.sum(axis=0) - body.sum(axis=1)  # trips in minus trips out
    centroid_error = float(np.max(np.abs(imbalance[:zones] - expected), initial=0.0))
    scale = max(float(np.max(np.abs(flow), initial=0.0)), 1.0)
    if centroid_error > 1e-6 * max(scale, float(body.sum())):
        raise ModelError(
            f"assigned flows do not carry the trips of every zone (mismatch {centroid_error:.6g}"
            " at a centroid): some destinations cannot be reached from their origins"
        )
    return worst, node, centroid_error
