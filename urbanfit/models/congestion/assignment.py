"""Static user-equilibrium assignment with AequilibraE 1.7.2, fully in memory.

The graph is built from a DataFrame and demand from memory-only matrices; AequilibraE's
project database is never used (it needs SQLite extensions this Python cannot load).
Progress messages from AequilibraE are routed to an optional callback, never to a terminal.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.congestion.network import check_flow_conservation
from urbanfit.models.congestion.routes import relative_gap

__all__ = ["Equilibrium", "GraphCache", "Progress", "solve_equilibrium"]

Progress = Callable[[int, int, str], None]
"""Progress callback: ``(done, total, label)``."""

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

_FLAT = 0.01
"""An iteration is flat when its gap differs from the one before by at most this fraction."""


class _Stalled(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised from the progress signal to stop a run whose gap stopped improving."""

    def __init__(self, iterations: int) -> None:
        super().__init__(iterations)
        self.iterations = iterations


class _Signal:
    """
    Stand in for AequilibraE's progress signal, and warm-start its solver.

    Forwards iterations to a callback, and replaces the first iteration's all-or-nothing
    flows by a warm start.

    AequilibraE 1.7.2 has no warm-start option. Its solver emits this signal at the end of
    every iteration, after the new flows and link costs are set; at the end of iteration 1
    (where the solution is the all-or-nothing load) the given class flows, which must be
    feasible for the class demands, become the current solution and the link costs are
    recomputed from them. Iteration 2 then searches from there as from any iterate.
    """

    def __init__(
        self,
        solver: Any,
        progress: Progress | None,
        label: str,
        warm: list[FloatArray] | None = None,
        classes: Sequence[Any] = (),
        *,
        patience: int = 0,
        done: int = 0,
    ) -> None:
        self.solver = solver
        self.progress = progress
        self.label = label
        self.warm = warm
        self.classes = classes
        self.patience = patience
        self.done = done
        self.last = np.inf
        self.flat = 0

    def _warm_start(self) -> None:
        assert self.warm is not None
        total = None
        for tc, flows in zip(self.classes, self.warm, strict=True):
            loads = tc.results.link_loads
            loads[:, :] = 0.0
            loads[: len(flows), 0] = flows * tc.pce  # AequilibraE iterates in PCE units
            tc.results.total_flows()
            part = np.asarray(tc.results.total_link_loads, dtype=float)
            total = part.copy() if total is None else total + part
        self.solver._apply_assigned_flow(total)
        self.solver._refresh_congested_costs()
        self.warm = None

    def emit(self, value: list[Any]) -> None:
        if not value or value[0] != "set_text":
            return
        if str(value[1]).startswith("All-or-Nothing - Traffic Class"):
            for aon in self.solver.aons.values():  # each class's loader, built by execute()
                if "execute" not in vars(aon):
                    aon.execute = partial(_all_or_nothing, aon)
        if str(value[1]).startswith("Equilibrium Assignment - Iteration"):
            it, gap = int(self.solver.iter), float(self.solver.rgap)
            if self.warm is not None and it == 1:
                self._warm_start()
            if self.progress is not None:
                cap = self.done + int(self.solver.max_iter)
                text = f"{self.label}iteration {self.done + it}, relative gap {gap:.2e}"
                self.progress(self.done + it, cap, text)
            flat = np.isfinite(gap) and abs(gap - self.last) <= _FLAT * self.last
            self.flat, self.last = (self.flat + 1 if flat else 0), gap
            if self.patience and self.flat >= self.patience and it < self.solver.max_iter:
                raise _Stalled(it)


class _Column:
    """One column as a ready array, answering the one call AequilibraE's path search makes."""

    __slots__ = ("_values",)

    def __init__(self, values: np.ndarray) -> None:
        self._values = values

    def to_numpy(self, *, copy: bool = False) -> np.ndarray:
        return self._values


@contextmanager
def _columns_only(graph: Any) -> Iterator[None]:
    """
    Hand AequilibraE's path search the two columns it reads, not the whole table.

    AequilibraE 1.7.2's ``one_to_all`` reads the ``id`` and ``b_node`` columns of
    ``graph.compact_graph`` (a DataFrame) for every origin of every iteration: each lookup
    builds a new Series (about 0.1 ms) and converts it to an array, more than the path search
    itself on a small network. While the loads run, the table is replaced by an object holding
    the two columns as arrays, converted once.
    """
    frame = graph.compact_graph
    columns = {name: _Column(frame[name].to_numpy()) for name in ("id", "b_node")}
    graph.compact_graph = SimpleNamespace(**columns)
    try:
        yield
    finally:
        graph.compact_graph = frame


def _all_or_nothing(aon: Any) -> None:
    """
    Load one class all-or-nothing: AequilibraE 1.7.2's ``allOrNothing.execute``, faster.

    With one core the origins are loaded one by one in this thread: AequilibraE builds and
    joins a thread pool in every iteration and hands each origin to it, which costs more than
    the path search on a small network. The same compiled routines run in the same order, so
    the loads are the same to the last bit. With more cores AequilibraE's own pool runs.
    """
    from aequilibrae.paths.cython.AoN import assign_link_loads, one_to_all  # noqa: PLC0415

    graph, results, aux = aon.graph, aon.results, aon.aux_res
    if results.cores != 1:
        with _columns_only(graph):
            type(aon).execute(aon)
        return
    aon.report = []
    aux.prepare(graph, results)
    zones = graph.num_zones
    view = aon.matrix.matrix_view.reshape((zones, zones, results.classes["number"]))
    aon.matrix.matrix_view = view
    loaded = np.nansum(view, axis=(1, 2)) > 0
    rows = graph.nodes_to_indices[np.asarray(aon.matrix.index)].astype(np.int64)
    with _columns_only(graph):
        for origin, row, load in zip(aon.matrix.index, rows, loaded, strict=True):
            if not (load or results.num_skims > 0):
                continue
            if graph.fs[row] == graph.fs[row + 1]:
                aon.report.append(f"Centroid {origin} is not connected")
                continue
            found = one_to_all(origin, aon.matrix, graph, results, aux, 0)
            if found != origin:
                aon.report.append(found)
    results.compact_link_loads = np.sum(aux.temp_link_loads, axis=0)
    assign_link_loads(results.link_loads, results.compact_link_loads, results.crosswalk, 1)


def _aequilibrae() -> Any:
    """Import AequilibraE with its progress bars off and its log kept off the terminal."""
    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"
    # AequilibraE's bundled OpenMP runtime reads this when it loads. Its default lets idle
    # threads spin between the solver's many short parallel loops; on a busy or 2-core machine
    # the spinning takes the CPU from the path search (Helsinki: 2.0 s instead of 5.4 s for
    # one 52-iteration assignment measured under load). A user's own setting is kept.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    log = logging.getLogger("aequilibrae")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    first = "aequilibrae" not in sys.modules
    import aequilibrae.matrix  # noqa: PLC0415
    import aequilibrae.paths  # noqa: PLC0415

    if first:  # its import sets its logger to DEBUG, which reaches any root handler
        log.setLevel(logging.WARNING)
    return aequilibrae


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
    Multi-class static user equilibrium with BPR link costs.

    Nodes are numbered ``1..n``; nodes ``1..Z`` are the zone centroids, ``Z`` being the size
    of the demand matrices. Every class shares the link costs and loads the links with its
    PCE: ``t = t0 (1 + alpha (sum_k pce_k x_k / c)^beta)``.

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
        BPR parameters, scalars or one value per link.
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
    aeq = _aequilibrae()
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


def _assignment(
    aeq: Any,
    graph: Any,
    mats: list[FloatArray],
    centroids: npt.NDArray[np.int64],
    *,
    pces: Sequence[float],
    labels: list[str],
) -> tuple[list[Any], Any]:
    """One AequilibraE traffic class per matrix on ``graph``, and an assignment of them (BPR)."""
    zones = len(centroids)
    classes = []
    for k, (name, mat) in enumerate(zip(labels, mats, strict=True)):
        matrix = aeq.matrix.AequilibraeMatrix()
        matrix.create_empty(zones=zones, matrix_names=[f"m{k}"], memory_only=True)
        matrix.index[:] = centroids
        body = mat.copy()
        np.fill_diagonal(body, 0.0)
        matrix.matrices[:, :, 0] = body
        matrix.computational_view([f"m{k}"])
        tc = aeq.paths.TrafficClass(name, graph, matrix)
        tc.set_pce(float(pces[k]))
        classes.append(tc)
    assig = aeq.paths.TrafficAssignment()
    assig.set_classes(classes)
    assig.set_vdf("BPR")
    assig.set_vdf_parameters({"alpha": "alpha", "beta": "beta"})
    assig.set_capacity_field("capacity")
    assig.set_time_field("free_flow_time")
    return classes, assig


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


@dataclass(frozen=True)
class _RunSpec:
    """What every run of one `solve_equilibrium` call shares: its demand and options."""

    mats: list[FloatArray]  # one Z x Z matrix per class
    centroids: npt.NDArray[np.int64]  # 1..Z
    n_links: int  # links of the network, connectors included
    pces: Sequence[float]
    labels: list[str]
    algorithm: str
    rel_gap: float
    cores: int
    patience: int  # iterations of a flat gap before a restart (0: never)
    progress: Progress | None
    label: str


def _run(
    aeq: Any,
    graph: Any,
    spec: _RunSpec,
    *,
    start: list[FloatArray] | None,
    settle: int,
    budget: int,
    done: int,
) -> tuple[int, bool, FloatArray, FloatArray]:
    """
    Run AequilibraE's solver once on ``graph``, from ``start`` (class flows) or all-or-nothing.

    Returns the iterations run (at most ``budget - done``), whether the run stalled, the
    class flows in vehicles (links x classes) and the congested link times. The run's
    AequilibraE objects are unreferenced when it returns.
    """
    classes, assig = _assignment(
        aeq, graph, spec.mats, spec.centroids, pces=spec.pces, labels=spec.labels
    )
    n_links = spec.n_links
    # AequilibraE 1.7.2 measures the gap of the new flows with the costs before the step,
    # which can read as ~0 on tiny networks far from equilibrium; ask for several
    # iterations in a row
    assig.steps_below_needed_to_terminate = settle
    assig.set_algorithm(spec.algorithm)
    if spec.cores:
        assig.set_cores(spec.cores)
    solver = assig.assignment
    solver.max_iter = int(budget - done)
    solver.rgap_target = spec.rel_gap
    solver.signal = _Signal(
        solver, spec.progress, spec.label, start, classes, patience=spec.patience, done=done
    )
    try:
        assig.execute(log_specification=False)
        ran, stalled, unit = int(solver.iter), False, np.ones(len(classes))
    except _Stalled as stop:  # stopped mid-run: its loads are still in PCE
        ran, stalled = stop.iterations, True
        unit = np.asarray([c.pce for c in classes], dtype=float)
    log.debug("%d iterations, solver's own gap estimate %.3g", ran, solver.rgap)
    # Results are indexed by AequilibraE's supernet id: the rank of (link_id, direction),
    # i.e. link_id - 1 here since every link is one-directional with ids 1..n.
    flows = np.column_stack(
        [
            np.asarray(c.results.link_loads)[:n_links, 0] / u
            for c, u in zip(classes, unit, strict=True)
        ]
    )
    congested = np.asarray(solver.congested_time, dtype=float)[:n_links].copy()
    return ran, stalled, np.nan_to_num(flows), congested


def _solve(
    aeq: Any,
    network: pd.DataFrame,
    mats: list[FloatArray],
    *,
    pces: Sequence[float],
    labels: list[str],
    algorithm: str,
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
    spec = _RunSpec(
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
    )
    iterations, restarts, start, settle = 0, 0, warm, int(steps_below)
    best: tuple[float, FloatArray, FloatArray] = (np.inf, np.empty(0), np.empty(0))
    while True:
        ran, stalled, flows, congested = _run(
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
