"""Curb estimate for untagged sides.

Where OpenStreetMap says nothing about a side's parking, the estimate decides whether the side
parks, from what the street table knows (`estimate_curb`):

1. Local classes (`CurbParams.estimate_parking_highways`) park; primary and secondary
   arterials park where they have few lanes each way at an urban speed
   (`CurbParams.estimate_arterial_highways`); motorways, links and service roads park
   nowhere unless tagged.
2. On a street that parks, where the carriageway width is informative (a ``width`` tag, or
   measured between building footprints: `CurbParams.estimate_width_sources`), the room left
   after the travel lanes at their narrowest decides how many sides park: one parking lane at
   its narrowest per side, at most two; a single parked side is the right-hand one (drawing
   direction).
3. Where the width is a class default (which says nothing), both sides park.
4. A side with a bus lane (`CurbParams.estimate_bus_lane_values`) parks nowhere: the bus
   lane is its curb lane.

How much of a side is usable after clearances is `urbanfit.models.parking.clearance`
(re-exported here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from urbanfit.models.parking._common import edge_values as _edge_lookup
from urbanfit.models.parking.clearance import (
    FEATURE_KINDS,
    clearance_intervals,
    feature_clearances,
    junction_clearances_m,
    usable_curb_length_m,
)
from urbanfit.parameters.parking import CurbParams

__all__ = [
    "FEATURE_KINDS",
    "bus_lane_sides",
    "clearance_intervals",
    "estimate_curb",
    "feature_clearances",
    "junction_clearances_m",
    "usable_curb_length_m",
]


def _arterial_parks(sides: pd.DataFrame, streets: pd.DataFrame, params: CurbParams) -> np.ndarray:
    """Arterials that keep their curb: few lanes each way and an urban speed."""
    highway = sides["highway"].to_numpy(dtype="object")
    lanes = _edge_lookup(sides, streets, "lanes").astype("float64")
    oneway = np.nan_to_num(_edge_lookup(sides, streets, "oneway").astype("float64")).astype(bool)
    speed = _edge_lookup(sides, streets, "speed_kmh").astype("float64")
    per_direction = np.where(oneway, lanes, lanes / 2.0)
    with np.errstate(invalid="ignore"):
        few_lanes = ~(per_direction > params.estimate_arterial_max_lanes_per_direction)
        slow = ~(speed > params.estimate_arterial_max_speed_kmh)
    return np.isin(highway, list(params.estimate_arterial_highways)) & few_lanes & slow


def bus_lane_sides(sides: pd.DataFrame, streets: pd.DataFrame, params: CurbParams) -> np.ndarray:
    """Sides with a bus lane along their curb, from the ``busway`` tags of their street."""
    lane = list(params.estimate_bus_lane_values)
    side = sides["side"].to_numpy(dtype="object")

    def tagged(key: str) -> np.ndarray:
        return np.isin(_edge_lookup(sides, streets, key).astype("object"), lane)

    both = np.where(tagged("busway"), _edge_lookup(sides, streets, "busway").astype("object"), "")
    own = np.where(side == "left", tagged("busway:left"), tagged("busway:right"))
    # busway=lane runs on both sides; busway=opposite_lane against a one-way's traffic (left)
    return (
        (both == "lane")
        | ((both == "opposite_lane") & (side == "left"))
        | own
        | tagged("busway:both")
    )


def estimate_curb(
    sides: pd.DataFrame,
    streets: pd.DataFrame | None = None,
    *,
    params: CurbParams | None = None,
) -> pd.Series:
    """Estimated parking status of every untagged side (see the module docstring).

    Parameters
    ----------
    sides
        The ``curb`` table (`urbanfit.citydata.curb.curb_sides`): ``edge_id``, ``side``,
        ``status``, ``highway``.
    streets
        The ``streets`` table (``edge_id``, ``width_m``, ``width_source``, ``lanes``); without
        it only the class rule applies.
    params
        Classes, lane and parking-lane widths; see `CurbParams`.

    Returns
    -------
    estimate
        Per side: ``parking`` or ``no_parking`` where the side is untagged (status
        ``unknown``), None where it is tagged.
    """
    params = params or CurbParams()
    highway = sides["highway"].to_numpy(dtype="object")
    never = np.isin(highway, list(params.estimate_no_parking_highways))
    by_class = np.where(np.isin(highway, list(params.estimate_parking_highways)), 2, 0)
    parked_sides = by_class
    if streets is not None and len(streets):
        by_class = np.where(_arterial_parks(sides, streets, params), 2, by_class)
        width = _edge_lookup(sides, streets, "width_m").astype("float64")
        lanes = _edge_lookup(sides, streets, "lanes").astype("float64")
        source = _edge_lookup(sides, streets, "width_source").astype("object")
        informative = np.isin(source, list(params.estimate_width_sources)) & np.isfinite(width)
        room = width - np.nan_to_num(lanes, nan=2.0) * params.estimate_lane_m
        with np.errstate(invalid="ignore"):
            fits = np.floor(room / params.estimate_parking_lane_m + 1e-9)
        by_width = np.clip(np.nan_to_num(fits, nan=0.0), 0, 2).astype("int64")
        local = by_class > 0
        parked_sides = np.where(informative & local, by_width, by_class)
    else:
        parked_sides = by_class
    parked_sides = np.where(never, 0, parked_sides)
    right = sides["side"].to_numpy(dtype="object") == "right"
    parks = (parked_sides == 2) | ((parked_sides == 1) & right)
    if streets is not None and len(streets):
        parks &= ~bus_lane_sides(sides, streets, params)
    unknown = sides["status"].to_numpy(dtype="object") == "unknown"
    estimate = np.where(parks, "parking", "no_parking").astype("object")
    estimate[~unknown] = None
    return pd.Series(estimate, index=sides.index, name="estimate")
