"""Value: dollar and land equivalents of freed curb, lot land and delay (pure formulas).

Every formula takes its inputs as `Span` (central, low, high) and returns a `Span` whose ends are
the smallest and largest product over the inputs' ends (all corners tried, so a negative input
cannot swap them silently).

- curb value = curb spaces gained x cost of building one space (surface, or structured);
- lot land = land freed (ha) x 2.4710538 acres per ha; homes = acres x homes per acre;
  land value = acres x land price (the user's, or a county's published price; else none);
- delay value = delay saved (veh-h per peak hour) x peak hours a year x occupancy x value of time;
- curb uses = curb freed for the same cars (km) read as one-way bike-lane km, as loading zones
  (km x 1000 / zone length) or as street trees (km x 1000 / tree spacing): three alternative
  readings of one length, never added.

Curb spaces and lot land are valued apart: the lot spaces a kei fleet gains and the lot land it
frees are two readings of one gain, so lot spaces are not also priced as spaces.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

from urbanfit.models.ranges import figure_range
from urbanfit.parameters.council import ValueParams
from urbanfit.parameters.units import UnitParams

__all__ = [
    "ACRES_PER_HA",
    "Span",
    "curb_uses",
    "curb_value",
    "delay_value",
    "land_value",
    "span_product",
]

ACRES_PER_HA = 10_000.0 / UnitParams().acre_m2
"""Acres in a hectare, 2.4710538... (1 acre = 4,046.8564224 m2 exactly, `UnitParams`)."""


class Span(NamedTuple):
    """A figure with its range: central, low, high (None when undefined)."""

    central: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, central: float | None, *ends: float | None) -> Span:
        """Take the central value and the extremes of it and ``ends`` (None, NaN skipped)."""
        if central is None or not math.isfinite(central):
            return cls(None, None, None)
        return cls(central, *figure_range(central, list(ends)))

    def record(self, key: str, digits: int = 6) -> dict[str, float | None]:
        """``{key: central, key_low: low, key_high: high}``, rounded, for the summary."""

        def r(v: float | None) -> float | None:
            return None if v is None else round(v, digits)

        return {key: r(self.central), f"{key}_low": r(self.low), f"{key}_high": r(self.high)}


def span_product(*factors: Span) -> Span:
    """
    Multiply spans: central x central, ends the extremes over every corner.

    Parameters
    ----------
    factors
        Spans to multiply.

    Returns
    -------
    product
        All None when any factor is undefined.
    """
    ends: list[tuple[float, float]] = []
    central = 1.0
    for f in factors:
        if f.central is None or f.low is None or f.high is None:
            return Span(None, None, None)
        central *= f.central
        ends.append((f.low, f.high))
    corners = [math.prod(c) for c in itertools.product(*ends)]
    return Span(central, min(corners), max(corners))


def _fixed(value: float) -> Span:
    return Span(value, value, value)


def curb_value(spaces_gained: Span, params: ValueParams) -> dict[str, Span]:
    """
    Curb spaces gained priced as spaces that need not be built.

    Parameters
    ----------
    spaces_gained
        Curb spaces gained (spaces).
    params
        Costs per space and their ends.

    Returns
    -------
    values
        ``curb_surface_usd`` and ``curb_structured_usd``.
    """
    surface = Span(
        params.surface_usd_per_space,
        params.surface_usd_per_space_low,
        params.surface_usd_per_space_high,
    )
    structured = Span(
        params.structured_usd_per_space,
        params.structured_usd_per_space_low,
        params.structured_usd_per_space_high,
    )
    return {
        "curb_surface_usd": span_product(spaces_gained, surface),
        "curb_structured_usd": span_product(spaces_gained, structured),
    }


def land_value(land_freed_ha: Span, params: ValueParams) -> dict[str, Span]:
    """
    Lot land freed as acres, homes at the stated density, and dollars at the user's land price.

    Parameters
    ----------
    land_freed_ha
        Lot land freed (ha).
    params
        Density ends and the land price with its ends (None: no dollar figure).

    Returns
    -------
    values
        ``land_freed_acres``, ``homes`` and ``land_usd`` (all None without a price).
    """
    acres = span_product(land_freed_ha, _fixed(ACRES_PER_HA))
    density = Span(params.homes_per_acre, params.homes_per_acre_low, params.homes_per_acre_high)
    price = params.land_usd_per_acre
    ends = (params.land_usd_per_acre_low or price, params.land_usd_per_acre_high or price)
    return {
        "land_freed_acres": acres,
        "homes": span_product(acres, density),
        "land_usd": span_product(acres, Span(price, *ends)) if price else Span(None, None, None),
    }


def delay_value(delay_saved_veh_h: Span, params: ValueParams) -> dict[str, Span]:
    """
    Peak-hour delay saved, annualised and priced at the value of travel time.

    Parameters
    ----------
    delay_saved_veh_h
        Vehicle-hours of delay saved in the assigned peak hour.
    params
        Peak hours a year, occupancy and the value of time with their ends.

    Returns
    -------
    values
        ``delay_person_h_per_year`` and ``delay_usd_per_year``.
    """
    hours = Span(
        params.peak_hours_per_year, params.peak_hours_per_year_low, params.peak_hours_per_year_high
    )
    vot = params.value_of_time_usd_per_h
    price = Span(vot, vot * params.value_of_time_low_factor, vot * params.value_of_time_high_factor)
    person_hours = span_product(delay_saved_veh_h, hours, _fixed(params.vehicle_occupancy))
    return {
        "delay_person_h_per_year": person_hours,
        "delay_usd_per_year": span_product(person_hours, price),
    }


def curb_uses(curb_freed_km: Span, params: ValueParams) -> dict[str, Span]:
    """
    Curb freed for the same cars, read as bike lanes, loading zones or street trees.

    Parameters
    ----------
    curb_freed_km
        Curb length the baseline's cars no longer need (km).
    params
        Bike-lane km per curb km, loading-zone length and tree spacing with their ends.

    Returns
    -------
    uses
        ``bike_lane_km``, ``loading_zones`` and ``street_trees`` (alternatives, not a sum).
    """
    per_zone = Span(
        1000.0 / params.loading_zone_m,
        1000.0 / params.loading_zone_m,
        1000.0 / params.loading_zone_m_short,
    )
    per_tree = Span(
        1000.0 / params.tree_spacing_m,
        1000.0 / params.tree_spacing_m_wide,
        1000.0 / params.tree_spacing_m_close,
    )
    return {
        "bike_lane_km": span_product(curb_freed_km, _fixed(params.bike_lane_km_per_curb_km)),
        "loading_zones": span_product(curb_freed_km, per_zone),
        "street_trees": span_product(curb_freed_km, per_tree),
    }
