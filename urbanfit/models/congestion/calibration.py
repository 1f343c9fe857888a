"""Scale synthetic demand to a target baseline congestion level (Travel Time Index).

Trip rates say how many trips buildings make; nothing in OSM says how congested the city's
streets are. The baseline's peak-hour Travel Time Index (congested over free-flow travel
time, weighted by vehicle-km, as the Urban Mobility Report defines it) is therefore set to a
published figure by multiplying every synthetic trip by one factor, found by a secant search
on ``log(TTI - 1)`` against ``log(multiplier)``: with BPR link costs ``TTI - 1`` grows about as
the multiplier to the power beta, so the search needs few assignments. It starts at the
multiplier that would reach the target if every trip kept its free-flow route
(`predicted_scale`, from one all-or-nothing load), not at 1: a synthetic demand can be an
order of magnitude too large (Columbus: TTI 13 at multiplier 1, against a target of 1.19),
and its assignment was the costliest run of the model (346 of about 700 iterations).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from urbanfit.errors import ModelError
from urbanfit.models.congestion.tti import tti_target
from urbanfit.parameters.calibration import CalibrationParams

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "ScaleSearch",
    "predicted_scale",
    "solve_scale",
    "target_tti",
    "travel_time_index",
]

_MAX_STEP = math.log(8.0)  # the multiplier moves at most 8x per search step


def travel_time_index(
    length_m: npt.ArrayLike,
    veh_flow: npt.ArrayLike,
    time_min: npt.ArrayLike,
    free_flow_min: npt.ArrayLike,
) -> float:
    """
    Vehicle-km-weighted ratio of congested to free-flow link travel time.

    ``TTI = sum(q L t / t0) / sum(q L)`` over links with flow ``q``, length ``L``, congested
    time ``t`` and free-flow time ``t0``. 1.0 when no link carries flow.
    """
    vkm = np.asarray(veh_flow, dtype=float) * np.asarray(length_m, dtype=float)
    ratio = np.asarray(time_min, dtype=float) / np.asarray(free_flow_min, dtype=float)
    total = float(vkm.sum())
    return float(np.sum(vkm * ratio) / total) if total > 0 else 1.0


def _check_target(target: float) -> None:
    if not target > 1.0:
        raise ModelError(f"target TTI must exceed 1, got {target:g}")


def predicted_scale(
    length_m: npt.ArrayLike,
    veh_flow: npt.ArrayLike,
    vc: npt.ArrayLike,
    factor: Callable[[FloatArray], FloatArray],
    target: float,
) -> float:
    """
    Give the demand multiplier at which fixed routes would reach the ``target`` TTI.

    With every trip kept on the route it takes (``veh_flow`` and ``vc`` of one assignment at
    multiplier 1, e.g. the all-or-nothing load on free-flow routes), multiplier ``m`` gives
    ``TTI(m) = sum(q L f(m x)) / sum(q L)``: the vehicle-km weights scale with ``m`` and
    cancel, and each link's ``V/C`` is ``m x``. ``TTI(m)`` rises from 1 with ``m``; its root
    is found by bracketing and Brent's method. Routes that spread out as the streets fill
    (the equilibrium) are less congested than fixed ones, so the demand search starts from
    this multiplier a little low, instead of at 1, where a synthetic demand can be ten times
    too large and its assignment the costliest of the search.

    Parameters
    ----------
    length_m, veh_flow, vc
        Per link: length, flow (vehicles) and volume-to-capacity ratio at multiplier 1.
    factor
        Congested over free-flow time at a V/C ratio (the volume-delay function).
    target
        Target TTI (> 1).

    Returns
    -------
    scale
        The multiplier.

    Raises
    ------
    ModelError
        When no trip loads a link of positive capacity use, or the target is not above 1.
    """
    _check_target(target)
    weight = np.asarray(veh_flow, dtype=float) * np.asarray(length_m, dtype=float)
    x = np.asarray(vc, dtype=float)
    used = weight > 0
    if not (x[used] > 0).any():
        raise ModelError("no trip reaches the network: the baseline TTI stays 1")
    weight, x = weight[used] / weight[used].sum(), x[used]

    def excess(log_m: float) -> float:
        return float(np.dot(weight, factor(math.exp(log_m) * x))) - target

    high = -math.log(float(x.max()))  # the busiest link at capacity
    low = high - 30.0
    while excess(high) < 0.0:  # double the multiplier until the TTI passes the target
        low, high = high, high + math.log(2.0)
    return math.exp(brentq(excess, low, high, xtol=1e-6))


def target_tti(params: CalibrationParams) -> tuple[float, str]:
    """
    Give the baseline TTI target and where it comes from.

    Returns
    -------
    target, source
        ``params.target_tti`` ("given"), else the urban area's or the size class's figure
        (see `urbanfit.models.congestion.tti.tti_target`).
    """
    target = tti_target(params)
    return target.value, target.source


@dataclass(frozen=True)
class ScaleSearch:
    """
    Result of `solve_scale`.

    Attributes
    ----------
    scale
        The demand multiplier whose TTI came closest to the target.
    tti
        The TTI reached at ``scale``.
    runs
        Every ``(multiplier, TTI)`` tried, in order.
    converged
        Whether ``|tti - target|`` is within the tolerance.
    """

    scale: float
    tti: float
    runs: tuple[tuple[float, float], ...]
    converged: bool


def solve_scale(
    tti_of: Callable[[float], float],
    target: float,
    *,
    start: float = 1.0,
    beta: float = 4.0,
    tolerance: float = 0.004,
    max_runs: int = 8,
) -> ScaleSearch:
    """
    Find the demand multiplier whose baseline TTI equals ``target``.

    Secant steps on ``y = log(TTI - 1)`` against ``x = log(multiplier)``; the first step
    assumes the BPR slope ``beta`` (exact on a single link: ``TTI = 1 + alpha (m q / c)^beta``).
    Steps are limited to a factor 8.

    Parameters
    ----------
    tti_of
        TTI of the baseline at a multiplier (one assignment).
    target
        Target TTI (> 1).
    start
        First multiplier tried.
    beta
        BPR power, the slope of the first step.
    tolerance, max_runs
        Stop when the TTI is this close to the target, or after this many runs.

    Returns
    -------
    search
        The multiplier, its TTI and every run.
    """
    _check_target(target)
    goal = math.log(target - 1.0)
    runs: list[tuple[float, float]] = []
    points: list[tuple[float, float]] = []
    x = math.log(start)
    for _ in range(max(1, int(max_runs))):
        tti = float(tti_of(math.exp(x)))
        runs.append((math.exp(x), tti))
        if abs(tti - target) <= tolerance:
            break
        if tti <= 1.0:
            if points:  # no congestion at all here: move up by the largest step
                x += _MAX_STEP
                continue
            raise ModelError("no trip reaches the network: the baseline TTI stays 1")
        y = math.log(tti - 1.0)
        slope = float(beta)
        if points:
            px, py = points[-1]
            if x != px and (y - py) / (x - px) > 0:
                slope = (y - py) / (x - px)
        points.append((x, y))
        x += float(np.clip((goal - y) / slope, -_MAX_STEP, _MAX_STEP))
    scale, tti = min(runs, key=lambda run: abs(run[1] - target))
    return ScaleSearch(scale, tti, tuple(runs), abs(tti - target) <= tolerance)
