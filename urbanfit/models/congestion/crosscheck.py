"""The second assignment engine: pytraf's path-based solver on urbanfit's own link arrays.

City runs assign with AequilibraE (`solve_equilibrium`), whose conical volume-delay function
keeps the model sane above capacity; pytraf 0.3.1 has only the BPR function
``t0 (1 + b (v/c)^power)``, so it cannot run a city as urbanfit does. It serves as the
cross-check: the same BPR network solved by both engines agrees within the gap's error
(tests/test_engine_crosscheck.py, benchmarks/bench_engines.py). pytraf is a test dependency,
imported only when this runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from urbanfit.errors import ModelError

__all__ = ["PytrafResult", "solve_with_pytraf"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PytrafResult:
    """Link flows (vehicles = PCE at one class of PCE 1), sweeps and pytraf's own gap."""

    flow: FloatArray
    iterations: int
    engine_gap: float


def solve_with_pytraf(
    a_node: npt.ArrayLike,
    b_node: npt.ArrayLike,
    free_flow_time: npt.ArrayLike,
    capacity: npt.ArrayLike,
    demand: npt.ArrayLike,
    *,
    alpha: float | npt.ArrayLike = 0.15,
    beta: float | npt.ArrayLike = 4.0,
    block: bool = True,
    rel_gap: float = 1e-5,
    max_iter: int = 20_000,
    threads: int = 1,
) -> PytrafResult:
    """
    Solve one class of PCE 1 with BPR costs by pytraf's gradient projection.

    The arguments follow `solve_equilibrium`: nodes ``1..n``, nodes ``1..Z`` the zones of
    the Z x Z ``demand``, ``alpha``/``beta`` the BPR coefficient and power (per link or
    one value), ``block`` keeps routes from passing through a zone. Trips within a zone
    are left out, as AequilibraE leaves them. ``threads`` 0 uses every core.
    """
    try:
        import pytraf  # noqa: PLC0415  (a test dependency: only the cross-check needs it)
    except ImportError as error:
        raise ModelError(
            "the engine cross-check needs pytraf: pip install 'urbanfit[test]'"
        ) from error
    a = np.asarray(a_node, dtype=np.int64) - 1
    b = np.asarray(b_node, dtype=np.int64) - 1
    t0 = np.asarray(free_flow_time, dtype=float)
    trips = np.asarray(demand, dtype=float)
    n_nodes = int(max(a.max(), b.max(), trips.shape[0] - 1) + 1)
    centroid = np.zeros(n_nodes, dtype=bool)
    centroid[: trips.shape[0]] = block
    network = pytraf.Network(
        n_nodes,
        a,
        b,
        t0,
        np.asarray(capacity, dtype=float),
        b=np.broadcast_to(np.asarray(alpha, dtype=float), t0.shape).copy(),
        power=np.broadcast_to(np.asarray(beta, dtype=float), t0.shape).copy(),
        is_centroid=centroid,
    )
    origin, destination = np.nonzero(trips)
    keep = origin != destination
    od = pytraf.Demand(
        n_nodes, origin[keep], destination[keep], trips[origin[keep], destination[keep]]
    )
    result: Any = network.assign(od, gap=rel_gap, max_iter=max_iter, threads=threads or None)
    return PytrafResult(
        flow=np.asarray(result.links.flow, dtype=float),
        iterations=int(result.iterations),
        engine_gap=float(result.relative_gap),
    )
