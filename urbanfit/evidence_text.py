"""Sentences on what the congestion figures rest on, read from the summary's congestion section.

The headlines, the terminal and the report's executive summary quote the same sentences: the
demand that was assigned (with the synthetic total and its multiplier beside it), and, when
the delay headline is withheld, why and what would fix it, followed by the capacity a lane
gains, which rests on the vehicles alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["capacity_gain_text", "delay_withheld", "demand_text", "withheld_text"]

_ROAD_WORDS = {
    "motorway": "motorways",
    "trunk": "trunk roads",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "tertiary",
    "unclassified": "unclassified",
    "residential": "residential",
    "living_street": "living streets",
    "service": "service roads",
}


def _number(value: float) -> str:
    """Whole vehicles from 100 up, else one or two decimals, never in exponent form (6.04)."""
    size = abs(value)
    digits = 0 if size >= 100 else 1 if size >= 10 else 2
    return f"{value:,.{digits}f}"


def delay_withheld(congestion: Mapping[str, Any]) -> bool:
    """Whether the congestion section withholds the delay headline (see `demand_evidence`)."""
    return congestion.get("delay_headline") == "withheld"


def demand_text(congestion: Mapping[str, Any]) -> str | None:
    """
    Say the peak-hour demand assigned, with the synthetic total and the multiplier beside it.

    Returns
    -------
    text
        E.g. "4,360 vehicles/h assigned (the buildings' synthetic 6.04 vehicles/h x 721, scaled
        to the baseline Travel Time Index 1.22)"; None when the section has no such figure.
    """
    assigned = congestion.get("demand_assigned_veh_per_h")
    if assigned is None:
        return None
    synthetic = congestion.get("demand_synthetic_veh_per_h")
    scale = float(congestion.get("demand_scale") or 1.0)
    target = (congestion.get("baseline_demand") or {}).get("target_tti")
    counts = congestion.get("counts")
    matched = counts.get("counts_matched", 0) if isinstance(counts, Mapping) else 0
    if synthetic is None and isinstance(counts, Mapping):
        return (
            f"{_number(assigned)} vehicles/h assigned (the given trip table x {scale:,.3g}, "
            f"scaled to match {matched:,} traffic counts)"
        )
    if synthetic is None:
        return f"{_number(assigned)} vehicles/h assigned, from the given trip table (not scaled)"
    if isinstance(counts, Mapping):
        goal = f"to match {matched:,} traffic counts"
    elif isinstance(target, int | float) and math.isfinite(target):
        goal = f"to the baseline Travel Time Index {target:.2f}"
    else:
        goal = "to the baseline congestion level"
    return (
        f"{_number(assigned)} vehicles/h assigned (the buildings' synthetic "
        f"{_number(synthetic)} vehicles/h x {scale:,.3g}, scaled {goal})"
    )


def capacity_gain_text(gains: Mapping[str, float]) -> str:
    """
    List the lane capacity gained per road class, classes of equal gain together.

    E.g. "+12.0 % on primary, secondary and residential streets, +8.2 % on motorways".
    """
    groups: dict[str, list[str]] = {}
    for road, gain in gains.items():
        groups.setdefault(f"{gain:+.1f} %", []).append(_ROAD_WORDS.get(road, road))
    parts = []
    for value, roads in groups.items():
        named = roads[0] if len(roads) == 1 else f"{', '.join(roads[:-1])} and {roads[-1]}"
        streets = "" if named.endswith(("ways", "roads", "streets")) else " streets"
        parts.append(f"{value} on {named}{streets}")
    return ", ".join(parts)


def withheld_text(congestion: Mapping[str, Any], label: str) -> str:
    """Give the line that stands in for a withheld delay change: why, the fix, the capacity."""
    line = f"Peak-hour delay withheld: {congestion.get('delay_withheld_reason')}"
    gains = congestion.get("capacity_gain_pct_by_class") or {}
    if gains:
        line += (
            f". Lane capacity at {label} still rises {capacity_gain_text(gains)} (the "
            "vehicles' lengths, the same in every city)"
        )
    return line
