"""The delay change at the measured end of the PCE range, without repeating the assignment.

The model's PCEs are length-only physics (a vehicle's saturation headway over the reference
car's). Measured PCEs of large light trucks are higher (`CapacityParams.measured_pce`), so the
fleet the kei vehicles replace weighs more and the kei effect is larger. The assignment is
too slow to repeat at that end; instead this run's own scenarios give the elasticity of delay
to the fleet's mean PCE (demand in vehicles is fixed, so a scenario's mean PCE scales every
link's load alike), and the measured end's change is extrapolated with it:
``delay change = (PCE ratio at the measured end) ^ elasticity - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from urbanfit.models.congestion.capacity import pce
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import ScenarioSet, VehicleCatalog

__all__ = ["delay_elasticity", "measured_delay_change_pct", "measured_fleet_pce"]


def measured_fleet_pce(
    shares: Mapping[str, float], catalog: VehicleCatalog, params: CapacityParams
) -> float:
    """Mean PCE of a fleet with `CapacityParams.measured_pce` where given, else length-only."""
    measured = dict(params.measured_pce)
    return float(
        sum(
            w * measured.get(p, pce(catalog.profiles[p].length_m, params))
            for p, w in shares.items()
        )
    )


def delay_elasticity(rows: Mapping[str, Mapping[str, Any]], baseline: str) -> float | None:
    """
    Least-squares slope through 0 of ``log(delay / baseline delay)`` on ``log(PCE / baseline's)``.

    ``rows`` are the congestion summary's ``scenarios`` (``mean_pce``, ``delay_veh_h``).
    None when no other scenario has a positive delay and a different mean PCE.
    """
    base = rows.get(baseline) or {}
    p0, d0 = base.get("mean_pce"), base.get("delay_veh_h")
    if not (p0 and d0 and d0 > 0):
        return None
    x, y = [], []
    for sid, row in rows.items():
        p, d = row.get("mean_pce"), row.get("delay_veh_h")
        if sid == baseline or not (p and d and d > 0) or math.isclose(p, p0):
            continue
        x.append(math.log(p / p0))
        y.append(math.log(d / d0))
    if not x:
        return None
    xs, ys = np.asarray(x), np.asarray(y)
    return float(np.dot(xs, ys) / np.dot(xs, xs))


def measured_delay_change_pct(
    summary: Mapping[str, Any],
    scenarios: ScenarioSet,
    catalog: VehicleCatalog,
    params: CapacityParams,
) -> tuple[float | None, str]:
    """
    Give the headline scenario's delay change at the measured end of the PCE range, and its basis.

    Returns
    -------
    change, basis
        Percent change of delay against the baseline (None when this run's scenarios give no
        elasticity), and one sentence saying how it was found.
    """
    rows = summary.get("scenarios") or {}
    k = delay_elasticity(rows, scenarios.baseline.id)
    base = measured_fleet_pce(scenarios.baseline.shares, catalog, params)
    top = measured_fleet_pce(scenarios.headline.shares, catalog, params)
    names = ", ".join(f"{p} {v:g}" for p, v in params.measured_pce)
    if k is None:
        return None, "PCE range: no congested scenario to measure the delay elasticity on"
    basis = (
        f"PCE: length-only physics to measured light-truck PCEs ({names}; Kockelman & Shabih "
        f"2000), fleet mean {base:.3f} -> {top:.3f}, extrapolated with this run's delay "
        f"elasticity to mean PCE ({k:.2f})"
    )
    return ((top / base) ** k - 1.0) * 100.0, basis
