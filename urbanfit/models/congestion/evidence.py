"""What the congestion figures rest on: the demand assigned, and whether delay is headlined.

The synthetic trips come from the extract's buildings and are then multiplied to reach the
baseline congestion target (`calibration`). The figure a reader must see is the demand that
was assigned, with the synthetic total and the multiplier beside it; and when the buildings
are too few or the multiplier is far from 1 (`EvidenceParams`), the delay change is the
multiplier's, not the city's, so its headline is withheld with the reason. The capacity gain
per road class rests on the vehicles alone and is given either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from urbanfit.models.congestion.capacity import ROAD_CLASSES, fleet_pce
from urbanfit.parameters.evidence import EvidenceParams
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import Scenario, VehicleCatalog

__all__ = ["capacity_gain_by_class", "demand_evidence", "near_miss_note"]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def capacity_gain_by_class(
    highway: pd.Series,
    baseline: Scenario,
    headline: Scenario,
    catalog: VehicleCatalog,
    params: CapacityParams | None = None,
) -> dict[str, float]:
    """
    Lane capacity gained per road class in the network, headline fleet against baseline (%).

    A lane passes ``3600 / mean headway`` vehicles an hour, so the gain is the baseline
    fleet's mean PCE on the class over the headline fleet's, minus 1: a figure of the
    vehicles, the same in every city, listed for the classes the network holds.

    Returns
    -------
    gains
        Road class -> gain in vehicles per hour (%), in `ROAD_CLASSES` order.
    """
    present = set(highway.astype(str).str.removesuffix("_link"))
    gains: dict[str, float] = {}
    for road in ROAD_CLASSES:
        if road in present:
            base = fleet_pce(baseline.shares, catalog, params, highway=road)
            top = fleet_pce(headline.shares, catalog, params, highway=road)
            gains[road] = (base / top - 1.0) * 100.0
    return gains


def demand_evidence(
    trips: np.ndarray,
    *,
    source: str,
    scale: float,
    buildings_count: int,
    floor_area_m2: float,
    street_km: float,
    params: EvidenceParams | None = None,
) -> dict[str, Any]:
    """
    Give the demand assigned, beside the synthetic total and its multiplier, and the rule.

    Parameters
    ----------
    trips
        The Z x Z trip table before the multiplier (the diagonal holds intrazonal trips,
        which never reach the network).
    source
        ``"synthetic"`` (from buildings, multiplied by ``scale``) or ``"user"`` (an OD
        table, assigned as given: ``scale`` 1).
    scale
        The multiplier the assignment applied to every trip.
    buildings_count, floor_area_m2, street_km
        What the synthetic demand stands on: the extract's buildings and its street length.
    params
        Bounds under which the delay change is headlined.

    Returns
    -------
    evidence
        ``demand_assigned_veh_per_h`` (``scale`` x the trips between zones: what the
        assignment loaded), ``demand_synthetic_veh_per_h`` (the same trips before the
        multiplier; None for a user table), ``demand_scale``, ``buildings_count``,
        ``floor_area_m2_per_street_km``, ``delay_headline`` (``"shown"`` or ``"withheld"``)
        and ``delay_withheld_reason`` (one sentence, or None).
    """
    params = params or EvidenceParams()
    between = float(np.sum(trips) - np.trace(trips))
    density = floor_area_m2 / street_km if street_km > 0 else 0.0
    synthetic = source == "synthetic"
    out: dict[str, Any] = {
        "demand_assigned_veh_per_h": between * scale,
        "demand_synthetic_veh_per_h": between if synthetic else None,
        "demand_scale": float(scale),
        "buildings_count": int(buildings_count),
        "floor_area_m2_per_street_km": float(density),
        "delay_headline": "shown",
        "delay_withheld_reason": None,
    }
    if not synthetic:
        return out
    thin: list[str] = []
    if buildings_count < params.min_buildings_count:
        thin.append(
            f"{_plural(buildings_count, 'building')} (fewer than {params.min_buildings_count})"
        )
    elif density < params.min_floor_area_m2_per_street_km:
        thin.append(
            f"{density:,.0f} m² of floor area per street-km (under "
            f"{params.min_floor_area_m2_per_street_km:,.0f})"
        )
    low, high = params.demand_scale_band
    if not low <= scale <= high:
        thin.append(
            f"a multiplier of {scale:,.3g} to reach the target congestion (outside {low:g} "
            f"to {high:g})"
        )
    if thin:
        out["delay_headline"] = "withheld"
        out["delay_withheld_reason"] = (
            f"the synthetic demand rests on {' and '.join(thin)}, so the delay change would be "
            "the multiplier's, not this city's; give the city's own trip table with --od, or "
            "an extract that holds the area's buildings"
        )
    return out


def near_miss_note(reached: float, target: float, max_iter: int) -> str:
    """One sentence for figures kept from runs that stopped a little above their gap target."""
    return (
        f"the assignment stopped at its cap of {max_iter:,} iterations with relative gap "
        f"{reached:.3g} against a target of {target:g}; the figures are kept (scenario "
        "differences below about 0.1 % are within solver tolerance), and --max-iter gives "
        "the solver more iterations"
    )
