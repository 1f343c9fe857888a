"""AequilibraE 1.7.2's solver, driven from outside: one run, warm-started and stopped when stalled.

AequilibraE has no options for what the assignment needs here, so a run is steered through
the objects it exposes: it is imported with its progress bars and log kept off the terminal;
a stand-in for its progress signal forwards iterations to a callback, replaces the first
iteration's all-or-nothing load by a warm start and stops a run whose gap has gone flat; and
each class is loaded origin by origin in this thread on one core. `run` is one run of the
solver; `urbanfit.models.congestion.assignment` restarts it and checks what it returns.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Progress", "RunSpec", "load_aequilibrae", "run"]

Progress = Callable[[int, int, str], None]
"""Progress callback: ``(done, total, label)``."""

FloatArray = npt.NDArray[np.float64]

log = logging.getLogger(__name__)


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


class _Forward(logging.Handler):
    """Hand AequilibraE's log lines to urbanfit's log at info level, marked as its own.

    What they say (a gap not reached) urbanfit states itself, in the run's notes; the raw
    lines show only with ``-v``, in urbanfit's format.
    """

    def emit(self, record: logging.LogRecord) -> None:
        log.info("AequilibraE %s: %s", record.levelname.lower(), record.getMessage())


def load_aequilibrae() -> Any:
    """Import AequilibraE with its progress bars off and its log kept off the terminal."""
    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"
    # AequilibraE's bundled OpenMP runtime reads this when it loads. Its default lets idle
    # threads spin between the solver's many short parallel loops; on a busy or 2-core machine
    # the spinning takes the CPU from the path search (Helsinki: 2.0 s instead of 5.4 s for
    # one 52-iteration assignment measured under load). A user's own setting is kept.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    aeq_log = logging.getLogger("aequilibrae")
    if not any(isinstance(h, _Forward) for h in aeq_log.handlers):
        aeq_log.addHandler(_Forward())
    aeq_log.propagate = False  # its lines reach the terminal only through urbanfit's log
    first = "aequilibrae" not in sys.modules
    import aequilibrae.matrix  # noqa: PLC0415
    import aequilibrae.paths  # noqa: PLC0415

    if first:  # its import sets its logger to DEBUG
        aeq_log.setLevel(logging.WARNING)
    return aequilibrae


def _assignment(
    aeq: Any,
    graph: Any,
    mats: list[FloatArray],
    centroids: npt.NDArray[np.int64],
    *,
    pces: Sequence[float],
    labels: list[str],
    vdf: str = "BPR",
) -> tuple[list[Any], Any]:
    """One AequilibraE traffic class per matrix on ``graph``, and an assignment of them."""
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
    assig.set_vdf(vdf)  # the graph's alpha and beta columns are this function's parameters
    assig.set_vdf_parameters({"alpha": "alpha", "beta": "beta"})
    assig.set_capacity_field("capacity")
    assig.set_time_field("free_flow_time")
    return classes, assig


@dataclass(frozen=True)
class RunSpec:
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
    vdf: str = "BPR"  # AequilibraE's volume-delay function: "BPR" or "CONICAL"


def run(
    aeq: Any,
    graph: Any,
    spec: RunSpec,
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
        aeq, graph, spec.mats, spec.centroids, pces=spec.pces, labels=spec.labels, vdf=spec.vdf
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
