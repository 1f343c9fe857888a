"""Static user-equilibrium assignment with AequilibraE 1.7.2, fully in memory.

The graph is built from a DataFrame and demand from memory-only matrices; AequilibraE's
project database is never used (it needs SQLite extensions this Python cannot load).
Progress messages from AequilibraE are routed to an optional callback, never to a terminal.

One run of AequilibraE's solver, and how it is steered from outside (warm start, stall stop,
origin loading), is in `urbanfit.models.congestion.solver`; this module checks the input,
restarts stalled runs and checks what they return.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.congestion.network import check_flow_conservation
from urbanfit.models.congestion.routes import relative_gap
from urbanfit.models.congestion.solver import Progress, RunSpec, load_aequilibrae, run

__all__ = ["Equilibrium", "GraphCache", "Progress", "solve_equilibrium"]

FloatArray = npt.NDArray[np.float64]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Equilibrium:
    """
    Result of one equilibrium assignment, arrays aligned with the input links.

    Attributes
    ----------
    class_flows
        Vehicles per hour (demand units) of each class on each link, shape (links, classes).
    pce_flow
        PCE-weighted flow on each link (what the capacity sees).
    congested_time
        Link travel time at equilibrium, same unit as the free-flow time given.
    iterations, rel_gap, seconds
        Iterations run, relative gap reached and wall-clock time of the solver.
    classes
        Class names, in column order of ``class_flows``.
    solver_flow
        Vehicles per hour (all classes) on each link given to the solver, connectors
        included; a warm start for a later run on the same links.
    """

    class_flows: FloatArray
    pce_flow: FloatArray
    congested_time: FloatArray
    iterations: int
    rel_gap: float
    seconds: float
    classes: tuple[str, ...]
    solver_flow: FloatArray | None = None
    restarts: int = 0


class GraphCache:
    """
    Keep the last prepared AequilibraE graph for later runs on the same links.

    Preparing a graph (node numbering, compressed graph) costs more than a few assignment
    iterations on a city-sized network (Helsinki: about 0.3 s of a 0.5 s run). Runs that
    share the links, free-flow times, zones and centroid blocking reuse it; capacity and BPR
    parameters, the only link fields that differ between them, are written anew each run.
    Every run still starts from free-flow costs: the solver sets its link costs from the
    free-flow times at its start and rewrites the graph's path-search costs at each iteration.
    """

    def __init__(self) -> None:
        self.key: bytes | None = None
        self.graph: Any = None
        self.hits = 0

    def get(self, aeq: Any, network: pd.DataFrame, zones: int, block: bool) -> Any:
        """Return the prepared graph of ``network``, from the cache when the key matches."""
        digest = hashlib.blake2b(digest_size=16)
        for column in ("a_node", "b_node", "free_flow_time"):
            digest.update(np.ascontiguousarray(network[column].to_numpy()).tobytes())
        digest.update(f"{zones}:{block}".encode())
        key = digest.digest()
        if key == self.key and self.graph is not None:
            graph = self.graph
            self.hits += 1
            row = graph.graph["link_id"].to_numpy() - 1
            for column in ("capacity", "alpha", "beta"):
                graph.graph[column] = network[column].to_numpy()[row]
            return graph
        graph = _prepare_graph(aeq, network, zones, block)
        self.key, self.graph = key, graph
        return graph


def _prepare_graph(aeq: Any, network: pd.DataFrame, zones: int, block: bool) -> Any:
    graph = aeq.paths.Graph()
    graph.network = network
    graph.prepare_graph(np.arange(1, zones + 1, dtype=np.int64))
    graph.set_graph("free_flow_time")
    graph.set_blocked_centroid_flows(block)
    return graph


_RESTARTED = ("bfw",)
"""Algorithms restarted when their gap stalls (see `solve_equilibrium`)."""

_SETTLE = 3
"""Iterations in a row below the gap that end a run started afresh (its first steps' gap
estimates are unreliable)."""


def solve_equilibrium(
    a_node: npt.ArrayLike,
    b_node: npt.ArrayLike,
    free_flow_time: npt.ArrayLike,
    capacity: npt.ArrayLike,
    demand: Sequence[npt.ArrayLike],
    *,
    pces: Sequence[float],
    names: Sequence[str] | None = None,
    alpha: float | npt.ArrayLike = 0.15,
    beta: float | npt.ArrayLike = 4.0,
    vdf: str = "BPR",
    algorithm: str = "bfw",
    rel_gap: float = 1e-4,
    max_iter: int = 2000,
    block_centroid_flows: bool = True,
    cores: int = 0,
    conservation_tolerance: float = 1e-6,
    require_gap: bool = True,
    steps_below: int = 1,
    stall_patience: int = 5,
    warm_start: Sequence[npt.ArrayLike] | None = None,
    graphs: GraphCache | None = None,
    progress: Progress | None = None,
    label: str = "",
) -> Equilibrium:
    """
    Multi-class static user equilibrium with BPR (or conical) link costs.

    Nodes are numbered ``1..n``; nodes ``1..Z`` are the zone centroids, ``Z`` being the size
    of the demand matrices. Every class shares the link costs and loads the links with its
    PCE: ``t = t0 (1 + alpha (sum_k pce_k x_k / c)^beta)`` with BPR, or the conical function
    of `urbanfit.models.congestion.vdf` of the same PCE flow.

    Parameters
    ----------
    a_node, b_node
        From and to node (1-based) of each directed link.
    free_flow_time, capacity
        Per link; capacity in the units of ``pce x demand`` per hour.
    demand
        One Z x Z matrix per class (vehicles); the diagonal is ignored.
    pces
        PCE of each class.
    names
        Class names (default ``class0``, ``class1``...).
    alpha, beta
        The volume-delay function's parameters, scalars or one value per link (for the
        conical function, Spiess's alpha and beta, see `vdf.conical_beta`).
    vdf
        AequilibraE's volume-delay function: ``"BPR"`` or ``"CONICAL"``.
    algorithm
        AequilibraE algorithm (``"bfw"``, ``"cfw"``, ``"fw"``, ``"msa"``).
    rel_gap, max_iter
        Stopping relative gap and iteration cap.
    block_centroid_flows
        Forbid paths through centroids (true when centroids are artificial zone nodes).
    cores
        Threads (0: all).
    conservation_tolerance
        Allowed node imbalance relative to the largest link flow.
    require_gap
        Raise `ModelError` when ``rel_gap`` is not reached within ``max_iter``.
    steps_below
        Consecutive iterations the gap must stay below ``rel_gap`` before stopping.
    stall_patience
        With ``"bfw"``: after this many flat iterations in a row (each gap within 1 % of the
        one before), the solver is started afresh from its current flows (0: never). AequilibraE
        1.7.2's bi-conjugate step is capped at ``1 / sqrt(iteration)``; on some networks the
        line search then takes the cap at every iteration and the gap stays flat for dozens
        of iterations (Helsinki: 2.6e-4 from iteration 31 to 78). A fresh start's first
        steps are uncapped Frank-Wolfe and conjugate steps. ``iterations`` counts every run's.
    warm_start
        Optional starting flows, one array of vehicles per link per class, feasible for
        that class's demand (e.g. an earlier equilibrium of the same vehicle trips with other
        PCEs, or of proportionally scaled trips). The solver starts from them instead of the
        all-or-nothing load; the equilibrium is the same, usually reached in fewer iterations.
    graphs
        Optional `GraphCache` shared by runs on the same links, to prepare the graph once.
    progress, label
        Optional ``(done, total, label)`` callback, and a prefix for its labels.

    Returns
    -------
    equilibrium
        Flows per class and in PCE, congested times and convergence figures.

    Raises
    ------
    ModelError
        On bad input, when flow is not conserved at a non-centroid node, or (with
        ``require_gap``) when the gap is not reached.
    """
    aeq = load_aequilibrae()
    a = np.asarray(a_node, dtype=np.int64)
    b = np.asarray(b_node, dtype=np.int64)
    t0 = np.asarray(free_flow_time, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    mats = [np.asarray(d, dtype=np.float64) for d in demand]
    if not mats or len(mats) != len(pces):
        raise ModelError("give one demand matrix and one PCE per class")
    zones = mats[0].shape[0]
    if any(m.shape != (zones, zones) for m in mats):
        raise ModelError("demand matrices must all be square and of the same size")
    if len(a) == 0 or a.min() < 1 or b.min() < 1:
        raise ModelError("links need positive node numbers")
    if not (np.isfinite(t0).all() and (t0 > 0).all()):
        raise ModelError("free-flow times must be positive (AequilibraE rejects zeros)")
    if not (np.isfinite(cap).all() and (cap > 0).all()):
        raise ModelError("capacities must be positive")
    if any(not np.isfinite(m).all() or (m < 0).any() for m in mats):
        raise ModelError("demand must be finite and non-negative")
    labels = list(names) if names is not None else [f"class{k}" for k in range(len(mats))]
    n_links = len(a)
    alphas = np.broadcast_to(np.asarray(alpha, dtype=float), (n_links,)).copy()
    betas = np.broadcast_to(np.asarray(beta, dtype=float), (n_links,)).copy()
    _check_bpr(alphas, betas)
    warm = None
    if warm_start is not None:
        warm = [np.asarray(w, dtype=np.float64) for w in warm_start]
        if len(warm) != len(mats) or any(w.shape != (n_links,) for w in warm):
            raise ModelError("give one warm-start flow per link for each class")
        if any(not np.isfinite(w).all() or (w < 0).any() for w in warm):
            raise ModelError("warm-start flows must be finite and non-negative")
    network = pd.DataFrame(
        {
            "link_id": np.arange(1, n_links + 1, dtype=np.int64),
            "a_node": a,
            "b_node": b,
            "direction": np.ones(n_links, dtype=np.int8),
            "free_flow_time": t0,
            "capacity": cap,
            "alpha": alphas,
            "beta": betas,
        }
    )
    network["id"] = network["link_id"]
    options: dict[str, Any] = {
        "algorithm": algorithm,
        "vdf": vdf.upper(),
        "rel_gap": rel_gap,
        "max_iter": max_iter,
        "block_centroid_flows": block_centroid_flows,
        "cores": cores,
        "conservation_tolerance": conservation_tolerance,
        "require_gap": require_gap,
        "steps_below": steps_below,
        "patience": stall_patience,
        "warm": warm,
        "graphs": graphs,
        "progress": progress,
        "label": label,
    }
    with warnings.catch_warnings():
        # AequilibraE 1.7.2 calls pandas with inplace=True, deprecated in pandas 3.1
        # (Pandas4Warning, a DeprecationWarning); nothing a user can act on.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"aequilibrae\.")
        # Its conjugate step sizes divide by zero on tiny or uncongested networks and then
        # fall back to plain Frank-Wolfe by design; numpy warns from inside AequilibraE.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"aequilibrae\.")
        try:
            return _solve(aeq, network, mats, pces=pces, labels=labels, **options)
        except (ValueError, TypeError, AttributeError, IndexError, RuntimeError) as error:
            # AequilibraE reports bad input with these; the checks above catch the known
            # cases, so this is whatever it finds that they missed
            raise ModelError(f"AequilibraE cannot run the assignment {label}: {error}") from None


def _check_bpr(alpha: FloatArray, beta: FloatArray) -> None:
    """Refuse BPR parameters AequilibraE rejects, saying which link and how to fix it."""
    bad_alpha = ~(np.isfinite(alpha) & (alpha >= 0))
    if bad_alpha.any():
        k = int(np.argmax(bad_alpha))
        raise ModelError(f"BPR alpha must be finite and >= 0; link {k + 1} has {alpha[k]:g}")
    bad_beta = ~(np.isfinite(beta) & (beta >= 1.0))
    if bad_beta.any():
        k = int(np.argmax(bad_beta))
        hint = " (its alpha is 0, so any power >= 1 gives the same cost)" if alpha[k] == 0 else ""
        raise ModelError(
            f"BPR power must be >= 1 (AequilibraE rejects smaller); link {k + 1} has "
            f"{beta[k]:g}{hint}"
        )


# A run's AequilibraE objects (matrices, results, per-thread work arrays sized by the links)
# refer to one another in cycles, which reference counting never frees; left to the cyclic
# collector they piled up. 100k-edge grid, five 10-iteration runs: RSS 333 -> 417 MB, and flat
# at about 330 MB when each run's objects are collected as it ends. A collection walks every
# object of the process (75 ms there, about 80 ms on Helsinki, where it would double the
# assignment time for a few MB), so it is done only on networks this large.
_COLLECT_ABOVE_LINKS = 10_000


def _solve(
    aeq: Any,
    network: pd.DataFrame,
    mats: list[FloatArray],
    *,
    pces: Sequence[float],
    labels: list[str],
    algorithm: str,
    vdf: str,
    rel_gap: float,
    max_iter: int,
    block_centroid_flows: bool,
    cores: int,
    conservation_tolerance: float,
    require_gap: bool,
    steps_below: int,
    patience: int,
    warm: list[FloatArray] | None,
    graphs: GraphCache | None,
    progress: Progress | None,
    label: str,
) -> Equilibrium:
    a = network["a_node"].to_numpy()
    b = network["b_node"].to_numpy()
    n_links = len(a)
    zones = mats[0].shape[0]
    centroids = np.arange(1, zones + 1, dtype=np.int64)
    if graphs is None:
        graph = _prepare_graph(aeq, network, zones, block_centroid_flows)
    else:
        graph = graphs.get(aeq, network, zones, block_centroid_flows)

    pce_arr = np.asarray([float(p) for p in pces])
    demand_pce = sum((m * p for m, p in zip(mats, pce_arr, strict=True)), np.zeros_like(mats[0]))
    started = time.perf_counter()
    spec = RunSpec(
        mats=mats,
        centroids=centroids,
        n_links=n_links,
        pces=pces,
        labels=labels,
        algorithm=algorithm,
        rel_gap=float(rel_gap),
        cores=int(cores),
        patience=patience if algorithm in _RESTARTED else 0,
        progress=progress,
        label=label,
        vdf=vdf,
    )
    iterations, restarts, start, settle = 0, 0, warm, int(steps_below)
    best: tuple[float, FloatArray, FloatArray] = (np.inf, np.empty(0), np.empty(0))
    while True:
        ran, stalled, flows, congested = run(
            aeq, graph, spec, start=start, settle=settle, budget=max_iter, done=iterations
        )
        if n_links >= _COLLECT_ABOVE_LINKS:
            gc.collect()
        iterations += ran
        # the gap of the flows returned, measured here, not the solver's pre-step estimate
        reached = relative_gap(
            a, b, congested, flows @ pce_arr, demand_pce, block=block_centroid_flows
        )
        log.debug("run %d: %d iterations, gap %.3g measured", restarts, ran, reached)
        if reached < best[0]:  # a fresh run's first steps can lose ground: keep the best run
            best = (reached, flows, congested)
        if iterations >= max_iter or (not stalled and reached <= rel_gap):
            break
        # stalled, or stopped above the gap: a fresh run starts from these flows
        restarts += 1
        start = [flows[:, k] for k in range(flows.shape[1])]
        settle = max(settle, _SETTLE)
    reached, flows, congested = best
    seconds = time.perf_counter() - started

    pce_flow = flows @ pce_arr
    exempt = centroids - 1
    n_nodes = int(max(a.max(), b.max()))
    for k, name in enumerate(labels):
        check_flow_conservation(
            a - 1,
            b - 1,
            flows[:, k],
            n_nodes,
            exempt,
            rel_tol=conservation_tolerance,
            what=f"assignment {label}class {name!r}",
        )
    if require_gap and not reached <= rel_gap:
        raise ModelError(
            f"assignment {label}did not reach relative gap {rel_gap:g} in {iterations} "
            f"iterations (reached {reached:.3g}); raise max_iter or loosen the gap"
        )
    return Equilibrium(
        class_flows=flows,
        pce_flow=pce_flow,
        congested_time=congested,
        iterations=iterations,
        rel_gap=reached,
        seconds=seconds,
        classes=tuple(labels),
        solver_flow=flows.sum(axis=1),
        restarts=restarts,
    )
