"""Validate the assignment against a TNTP network's best-known equilibrium."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from urbanfit.errors import ModelError
from urbanfit.models.congestion.assignment import Progress, solve_equilibrium
from urbanfit.sources.tntp import read_tntp

__all__ = ["ValidationReport", "beckmann_objective", "validate_tntp"]


@dataclass(frozen=True)
class ValidationReport:
    """Convergence and accuracy of one assignment of a TNTP network.

    TSTT is total system travel time, sum of flow x BPR time over links; the Beckmann
    objective is the sum over links of the integral of the BPR time from 0 to the flow.
    Both are in the network's own units; relative errors are (ours - best) / best.
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

    def verdict(self) -> str:
        """One line stating both errors."""
        return (
            f"{self.name}: TSTT relative error {self.tstt_rel_error * 100:+.4f} %, Beckmann "
            f"objective relative error {self.objective_rel_error * 100:+.6f} % against the "
            f"best-known solution (relative gap {self.rel_gap:.2e}, {self.iterations} iterations)"
        )


def _bpr_time(
    t0: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    power: npt.NDArray[np.float64],
    cap: npt.NDArray[np.float64],
    flow: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    return t0 * (1.0 + b * (flow / cap) ** power)


def beckmann_objective(
    t0: npt.ArrayLike,
    b: npt.ArrayLike,
    power: npt.ArrayLike,
    cap: npt.ArrayLike,
    flow: npt.ArrayLike,
) -> float:
    """Sum over links of the integral of ``t0 (1 + b (x/c)^p)`` from 0 to the link flow."""
    t0_, b_, p_, c_, x = (np.asarray(v, dtype=float) for v in (t0, b, power, cap, flow))
    return float(np.sum(t0_ * (x + b_ * c_ / (p_ + 1.0) * (x / c_) ** (p_ + 1.0))))


def validate_tntp(
    folder: Path,
    *,
    rel_gap: float = 1e-5,
    max_iter: int = 5000,
    algorithm: str = "bfw",
    progress: Progress | None = None,
) -> ValidationReport:
    """
    Assign a TNTP network (net, trips, best-known flow files) and compare with the best known.

    Parameters
    ----------
    folder
        Folder with ``*_net.tntp``, ``*_trips.tntp`` and ``*_flow.tntp``.
    rel_gap, max_iter, algorithm
        Solver settings (AequilibraE, BPR with the file's b and power per link).
    progress
        Optional ``(done, total, label)`` callback.

    Returns
    -------
    report
        Iterations, gap, time and the relative errors of TSTT and the Beckmann objective.
    """
    net = read_tntp(Path(folder))
    if net.best_flows is None:
        raise ModelError(f"{folder} has no *_flow.tntp best-known solution to compare with")
    links = net.links
    t0 = links["free_flow_time"].to_numpy(dtype=float)
    cap = links["capacity"].to_numpy(dtype=float)
    b = links["b"].to_numpy(dtype=float)
    power = links["power"].to_numpy(dtype=float)
    eq = solve_equilibrium(
        links["init_node"],
        links["term_node"],
        t0,
        cap,
        [net.trips],
        pces=[1.0],
        names=["tntp"],
        alpha=b,
        beta=power,
        algorithm=algorithm,
        rel_gap=rel_gap,
        max_iter=max_iter,
        block_centroid_flows=net.first_thru_node > 1,
        require_gap=False,
        progress=progress,
        label=f"{net.name}: ",
    )
    flow = eq.pce_flow
    best = net.best_flows["volume"].to_numpy(dtype=float)
    tstt = float(np.sum(flow * _bpr_time(t0, b, power, cap, flow)))
    best_tstt = float(np.sum(best * _bpr_time(t0, b, power, cap, best)))
    objective = beckmann_objective(t0, b, power, cap, flow)
    best_objective = beckmann_objective(t0, b, power, cap, best)
    return ValidationReport(
        name=net.name,
        links=len(links),
        zones=net.zones,
        trips=float(net.trips.sum()),
        iterations=eq.iterations,
        rel_gap=eq.rel_gap,
        seconds=eq.seconds,
        tstt=tstt,
        best_tstt=best_tstt,
        tstt_rel_error=(tstt - best_tstt) / best_tstt,
        objective=objective,
        best_objective=best_objective,
        objective_rel_error=(objective - best_objective) / best_objective,
    )
