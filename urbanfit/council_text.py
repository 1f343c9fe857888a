"""The adoption headline: by a year, on a path, what the city gains and what it is worth.

The summary's headlines, the terminal, the report's executive summary and its council brief
lead with this one sentence when the run has an adoption path; it is read from the summary's
``adoption`` section and only formatted here.
"""

from __future__ import annotations

import math
from typing import Any

from urbanfit.summary import range_text
from urbanfit.units import Units, display_units, hectares

__all__ = [
    "adoption_headline",
    "finite",
    "land_text",
    "pct_text",
    "plain_number",
    "ranged_text",
    "safety_sentence",
    "timeline_sentence",
]


def finite(value: Any) -> float | None:
    """Return ``value`` as a float, or None when it is missing or not finite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def plain_number(value: float | None, *, money: bool = False, whole: bool = False) -> str:
    """Write a figure in plain words: 1,234; 12 thousand; $4.50 million (``whole``: a count)."""
    if value is None:
        return "n/a"
    if whole and abs(value) < 1e4:
        return f"{value:,.0f}"
    size = abs(value)
    sign = "-" if value < 0 else ""
    unit = "$" if money else ""
    if size >= 1e9:
        return f"{sign}{unit}{size / 1e9:.2f} billion"
    if size >= 1e6:
        return f"{sign}{unit}{size / 1e6:.2f} million"
    if size >= 1e4:
        return f"{sign}{unit}{size / 1e3:,.0f} thousand"
    if size >= 100 or (money and size >= 1):
        return f"{sign}{unit}{size:,.0f}"
    return f"{sign}{unit}{size:.3g}" if size else f"{unit}0"


def ranged_text(
    row: dict[str, Any], key: str, *, money: bool = False, whole: bool = False, suffix: str = ""
) -> str:
    """Write ``row[key]`` with its ``_low`` / ``_high`` range in plain words (``whole``: counts)."""
    central, low, high = (finite(row.get(k)) for k in (key, f"{key}_low", f"{key}_high"))
    if central is None:
        return "n/a"
    if low is None or high is None:
        return plain_number(central, money=money, whole=whole) + suffix
    text = range_text(
        plain_number(central, money=money, whole=whole),
        plain_number(low, money=money, whole=whole),
        plain_number(high, money=money, whole=whole),
        negative=low < 0,
    )
    return text + suffix


def pct_text(row: dict[str, Any], key: str) -> str:
    """Write a percentage change with its range, e.g. ``-14.9 % (-15.0 to -14.7)``."""
    stem = key.removesuffix("_pct")
    central = finite(row.get(key))
    low, high = finite(row.get(f"{stem}_low_pct")), finite(row.get(f"{stem}_high_pct"))
    if central is None:
        return "n/a"
    text = f"{central:+.1f} %"
    if low is None or high is None or f"{low:.1f}" == f"{high:.1f}":
        return text
    return f"{text} ({low:+.1f} to {high:+.1f})"


def safety_sentence(summary: dict[str, Any], scenario_id: str, label: str) -> str | None:
    """
    One sentence on the relative fatality risks per crash at one scenario, for the map.

    Parameters
    ----------
    summary
        A run's summary (its ``safety`` section).
    scenario_id, label
        The scenario and its label (``"50 % kei"``).

    Returns
    -------
    line
        None without a safety section, a row for the scenario or a pedestrian figure.
    """
    safety = summary.get("safety")
    if not isinstance(safety, dict) or safety.get("withheld"):
        return None
    row = (safety.get("scenarios") or {}).get(scenario_id) or {}
    if finite(row.get("pedestrian_risk_change_pct")) is None:
        return None
    return (
        f"Safety at {label}, per crash (not crash counts): a struck pedestrian's death risk "
        f"{pct_text(row, 'pedestrian_risk_change_pct')}, weighted by the crossings and bus stops "
        f"mapped; a driver's in a two-vehicle crash {pct_text(row, 'occupant_risk_change_pct')} "
        "(the fleet mix's, the same in every city)"
    )


def land_text(row: dict[str, Any], units: Units) -> str:
    """Write a row's lot land freed with its range, in the run's display units."""
    central, low, high = (finite(row.get(f"land_freed_ha{end}")) for end in ("", "_low", "_high"))
    return hectares(central, units, low=low, high=high)


def timeline_sentence(adoption: dict[str, Any], row: dict[str, Any], *, units: Units) -> str:
    """
    One sentence for one year of the timeline: fleet share, curb, lot land and delay, in dollars.

    Parameters
    ----------
    adoption
        The summary's ``adoption`` section (for the path's id).
    row
        One row of its ``timeline``.
    units
        The run's display units (`urbanfit.units.display_units`).

    Returns
    -------
    line
        "By <year>, on the <path> path (...): ... worth $... ."
    """
    parts = [
        f"By {row['year']:.0f}, on the {adoption.get('path_id')} path "
        f"({100 * row['fleet_kei_share']:.1f} % of the fleet kei; "
        f"{100 * row['fleet_kei_share_fast_turnover']:.1f} % with fast turnover): "
        f"{ranged_text(row, 'curb_spaces_gained', whole=True)} more curb spaces, worth "
        f"{ranged_text(row, 'curb_structured_usd', money=True)} as structured spaces not built"
    ]
    if finite(row.get("land_freed_ha")):
        land = f"{land_text(row, units)} of lot land freed"
        if finite(row.get("land_usd")) is not None:
            land += f", worth {ranged_text(row, 'land_usd', money=True)} at the land price used"
        parts.append(land)
    if finite(row.get("delay_saved_veh_h")) is not None:
        parts.append(
            f"{ranged_text(row, 'delay_saved_veh_h')} veh-h of peak-hour delay saved, worth "
            f"{ranged_text(row, 'delay_usd_per_year', money=True)} a year"
        )
    return "; ".join(parts) + "."


def adoption_headline(summary: dict[str, Any]) -> str | None:
    """
    One sentence: by the headline year, on the path, what the city gains and what it is worth.

    Parameters
    ----------
    summary
        A run's summary.

    Returns
    -------
    line
        None without an adoption section or a timeline row for the headline year.
    """
    adoption = summary.get("adoption")
    if not isinstance(adoption, dict):
        return None
    year = adoption.get("headline_year")
    rows = [r for r in adoption.get("timeline") or [] if r.get("year") == year]
    return timeline_sentence(adoption, rows[0], units=display_units(summary)) if rows else None
