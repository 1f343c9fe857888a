"""Volume-delay functions: link travel time as a function of its volume-to-capacity ratio.

The same formulas AequilibraE 1.7.2 evaluates (its ``BPR`` and ``CONICAL`` kernels), in numpy,
for the figures and checks made outside the solver.

- BPR (US Bureau of Public Roads, 1964): ``t = t0 (1 + alpha x^beta)``.
- Conical (Spiess, 1990): ``t = t0 (2 + sqrt(alpha^2 (1 - x)^2 + beta^2) - alpha (1 - x) -
  beta)``, ``beta = (2 alpha - 1) / (2 alpha - 2)``: ``t(0) = t0``, ``t(c) = 2 t0``, slope
  ``alpha t0 / c`` at capacity and asymptotically ``2 alpha t0 / c`` far above it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from urbanfit.errors import ModelError
from urbanfit.parameters.traffic import AssignmentParams

__all__ = ["VDFS", "conical_beta", "first_slope", "link_factor", "vdf_parameters"]

VDFS = ("bpr", "conical")
"""Volume-delay functions a city run can use."""

FloatArray = npt.NDArray[np.float64]


def conical_beta(alpha: float) -> float:
    """Spiess's ``beta = (2 alpha - 1) / (2 alpha - 2)`` that makes ``f(0) = 1``; alpha > 1."""
    if not (math.isfinite(alpha) and alpha > 1.0):
        raise ModelError(f"the conical function needs alpha > 1, got {alpha:g}")
    return (2.0 * alpha - 1.0) / (2.0 * alpha - 2.0)


def vdf_parameters(params: AssignmentParams) -> tuple[str, float, float]:
    """Give the solver's VDF name (``"BPR"`` or ``"CONICAL"``) and its ``alpha`` and ``beta``."""
    name = params.vdf.lower()
    if name == "bpr":
        return "BPR", float(params.bpr_alpha), float(params.bpr_beta)
    if name == "conical":
        alpha = float(params.conical_alpha)
        return "CONICAL", alpha, conical_beta(alpha)
    raise ModelError(f"volume-delay function must be one of {', '.join(VDFS)}, got {params.vdf!r}")


def link_factor(vdf: str, vc: npt.ArrayLike, alpha: float, beta: float) -> FloatArray:
    """Congested over free-flow time ``t / t0`` at volume-to-capacity ratios ``vc``."""
    x = np.asarray(vc, dtype=float)
    if vdf.upper() == "BPR":
        return 1.0 + alpha * x**beta
    if vdf.upper() == "CONICAL":
        reserve = alpha * (1.0 - x)
        return 2.0 + np.sqrt(reserve**2 + beta**2) - reserve - beta
    raise ModelError(f"unknown volume-delay function {vdf!r}")


def first_slope(vdf: str, alpha: float, beta: float) -> float:
    """
    Slope of ``log(f - 1)`` against ``log(V/C)`` between V/C 0.5 and 1.

    The first step of the demand search (`calibration.solve_scale`): exactly ``beta`` for
    BPR; about 2.75 for the conical function with alpha 4.
    """
    low, high = link_factor(vdf, np.array([0.5, 1.0]), alpha, beta) - 1.0
    return float(math.log(high / low) / math.log(2.0))
