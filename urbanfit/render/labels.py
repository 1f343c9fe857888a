"""Plain-language labels and units for summary keys, and number formatting for the report.

One table, `LABELS`, names every figure key of the summary's sections (``network``, ``lots``,
``buildings``, ``data_quality``, ``parking``, ``congestion``, ``fit``, ``index``, per scenario
and per vehicle class too) with the words and unit a planner reads. Counts are printed as whole
numbers. Nothing is computed here: values are only formatted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import pandas as pd

from urbanfit.render.document import Untrusted
from urbanfit.units import Units, area_m2, hectares, kilometres, metres
from urbanfit.vehicles import KEI_MAX_LENGTH_M, KEI_MAX_WIDTH_M

__all__ = [
    "CODE_WORDS",
    "LABELS",
    "Label",
    "code_words",
    "counted",
    "fmt",
    "fmt_assumption",
    "fmt_figure",
    "kei_size",
    "label_of",
    "parameter_name",
    "quantity_writer",
    "row_label",
]


class Label(NamedTuple):
    """How a summary key reads in the report."""

    text: str
    unit: str = ""
    whole: bool = False
    """A count: printed as a whole number."""


def _count(text: str) -> Label:
    return Label(text, "", whole=True)


LABELS: dict[str, Label] = {
    # network, lots, buildings
    "edges_count": _count("Street segments"),
    "street_km": Label("Street length", "km"),
    "lane_km": Label("Lane length", "km"),
    "oneway_km": Label("One-way street length", "km"),
    "street_km_by_class": Label("Street length by road class", "km"),
    "parking_tagged_edges_count": _count("Street segments with parking tags"),
    "parking_tagged_km": Label("Street length with parking tags", "km"),
    "count": _count("Number mapped"),
    "polygons_count": _count("Mapped as areas"),
    "points_count": _count("Mapped as points only"),
    "with_capacity_tag_count": _count("With a capacity tag"),
    "capacity_tag_spaces_count": _count("Spaces in capacity tags"),
    "area_ha": Label("Area", "ha"),
    "by_kind_count": _count("By kind"),
    "floor_area_m2": Label("Floor area", "m²"),
    "by_use_count": _count("By use"),
    # vehicles
    "length_m": Label("Length", "m"),
    "width_m": Label("Width", "m"),
    "height_m": Label("Height", "m"),
    "turning_radius_m": Label("Turning radius", "m"),
    # data quality
    "ways_missing_nodes": _count("Ways skipped: nodes missing from the extract"),
    "relations_incomplete": _count("Relations skipped: members missing from the extract"),
    # curb: mapped (tagged) and estimated
    "curb_mapped_km": Label("Curb with mapped (tagged) parking status", "km"),
    "curb_estimated_km": Label("Curb with estimated parking status", "km"),
    "curb_mapped_usable_km": Label("Usable mapped parking curb", "km"),
    "curb_estimated_usable_km": Label("Usable estimated parking curb", "km"),
    "curb_covered_pct": Label("Curb covered, mapped or estimated", "%"),
    "curb_spaces_mapped": _count("Curb spaces on mapped curbs"),
    "curb_spaces_estimated": _count("Curb spaces on estimated curbs"),
    "curb_spaces_gained_mapped": _count("Curb spaces gained on mapped curbs"),
    "curb_spaces_gained_estimated": _count("Curb spaces gained on estimated curbs"),
    # demand
    "productions_veh_per_h": Label("Trip productions in the study area", "veh/h"),
    "attractions_veh_per_h": Label("Trip attractions in the study area", "veh/h"),
    "assigned_trips_veh_per_h": Label("Trips between zones, before the demand multiplier", "veh/h"),
    "demand_assigned_veh_per_h": Label("Demand assigned (after the multiplier)", "vehicles/h"),
    "demand_synthetic_veh_per_h": Label(
        "Synthetic demand from buildings, before the multiplier", "vehicles/h"
    ),
    "demand_scale": Label("Demand multiplier (to reach the baseline TTI)", "x"),
    "buildings_count": _count("Buildings the synthetic demand stands on"),
    "floor_area_m2_per_street_km": Label("Building floor area per street-km", "m²/km"),
    "delay_headline": Label("Delay headline"),
    "delay_withheld_reason": Label("Why the delay headline is withheld"),
    "capacity_gain_pct_by_class": Label("Lane capacity gained, by road class", "%"),
    "rel_gap_reached": Label("Largest relative gap reached"),
    "internal_trips_veh_per_h": Label("Trips within the study area", "veh/h"),
    "outbound_external_trips_veh_per_h": Label("Trips leaving the study area", "veh/h"),
    "inbound_external_trips_veh_per_h": Label("Trips entering the study area", "veh/h"),
    "external_zones": _count("External zones on boundary roads"),
    "baseline_demand": Label("Baseline demand: target and calibration"),
    "kei_curve": Label("Kei effect at three baseline congestion levels"),
    "tti": Label("Travel Time Index (congested / free-flow time)"),
    "defaulted_edges": _count("Street segments with a default value, by field"),
    "defaulted_building_levels": _count("Buildings with default levels"),
    "width_sources": _count("Street segments by width source"),
    # parking, city-wide
    "curb_sides_count": _count("Curb sides (two per street segment)"),
    "curb_parsed_km": Label("Curb with parking tags (any status)", "km"),
    "curb_parking_km": Label("Curb with parking mapped", "km"),
    "curb_no_parking_km": Label("Curb with no parking mapped", "km"),
    "curb_separate_km": Label("Curb mapped as separate parking areas", "km"),
    "curb_unknown_km": Label("Curb with no parking tags (unknown)", "km"),
    "curb_inferred_km": Label("Curb with parking estimated by road class", "km"),
    "curb_usable_km": Label("Curb usable for parking", "km"),
    "curb_tag_capacity_sides_count": _count("Curb sides with a capacity tag"),
    "curb_malformed_tags_count": _count("Malformed curb tags"),
    "curb_malformed_sides_count": _count("Curb sides with a malformed tag"),
    "curb_schema_conflict_sides_count": _count("Curb sides with conflicting tag schemes"),
    "lots_count": _count("Parking lots"),
    "lots_modelled_count": _count("Lots sized from their outline"),
    "lots_tag_capacity_count": _count("Lots sized from their capacity tag"),
    "lots_unknown_count": _count("Lots of unknown size"),
    "lot_land_area_ha": Label("Land in sized lots", "ha"),
    "curb_calibration_way_sides_count": _count("Curb sides checked against capacity tags"),
    "curb_calibration_median_ratio": Label("Curb model / capacity tag, median", "ratio"),
    "lot_calibration_lots_count": _count("Lots checked against capacity tags"),
    "lot_calibration_median_ratio": Label("Lot model / capacity tag, median", "ratio"),
    # parking, per scenario
    "curb_spaces": _count("Curb spaces"),
    "lot_spaces": _count("Lot spaces"),
    "total_spaces": _count("Total spaces"),
    "spaces_gained": _count("Spaces gained over the full-size fleet"),
    "spaces_gained_mapped": _count("Spaces gained on mapped curb and lots (the floor)"),
    "width_unknown_km": Label("Streets whose width is only a class default (fit unknown)", "km"),
    "width_known_km": Label("Streets with a tagged or building-estimated width", "km"),
    "spaces_gained_pct": Label("Spaces gained", "%"),
    "curb_m2_per_vehicle": Label("Curb area per parked vehicle", "m²"),
    "curb_m_per_vehicle": Label("Curb length per parked vehicle", "m"),
    "lot_m2_per_vehicle": Label("Lot area per parked vehicle", "m²"),
    "land_freed_ha": Label("Lot land freed for the same cars", "ha"),
    "land_freed_pct_of_lot_area": Label("Lot land freed", "% of lot area"),
    "curb_freed_km": Label("Curb freed for the same cars", "km"),
    # congestion, city-wide
    "demand_source": Label("Travel demand"),
    "zones": _count("Traffic zones"),
    "h3_resolution": Label("H3 hexagon resolution", "level"),
    "trips_veh_per_h": Label(
        "Trips in the peak hour, before the demand multiplier", "vehicles/h", whole=True
    ),
    "intrazonal_trips_veh_per_h": Label(
        "Trips within one zone (not assigned)", "vehicles/h", whole=True
    ),
    "network_links": _count("Network links"),
    "network_nodes": _count("Network nodes"),
    "network_km": Label("Network length", "km"),
    "network_prep_links": _count("Network preparation, links"),
    "assigned_links": _count("Links in the assignment"),
    "contracted": Label("Network contracted"),
    "rel_gap_target": Label("Convergence target (relative gap)"),
    "baseline_scenario": Label("Baseline scenario"),
    "class_mode": Label("Vehicle classes in the assignment"),
    "class_mode_reason": Label("Why"),
    "zone_cap": _count("Most zones allowed"),
    "rel_gap_reason": Label("Why this target"),
    "converged": Label("Assignment converged"),
    "vdf": Label("Volume-delay function"),
    "baseline_delay_share_vc_over_1": Label("Baseline delay on links over capacity", "share 0-1"),
    "baseline_km_share_vc_over_1": Label("Baseline link length over capacity", "share 0-1"),
    "baseline_max_vc": Label("Baseline highest volume / capacity", "ratio"),
    "baseline_delay_top_streets_veh_h": Label("Baseline streets with the most delay", "veh-h"),
    # congestion, per scenario
    "kei_share": Label("Kei share of the fleet", "0-1"),
    "mean_pce": Label("Mean passenger-car equivalent", "pce"),
    "vht_veh_h": Label("Vehicle-hours travelled", "veh-h"),
    "vkt_veh_km": Label("Vehicle-km travelled", "veh-km"),
    "delay_veh_h": Label("Delay", "veh-h"),
    "mean_speed_kmh": Label("Mean speed", "km/h"),
    "share_km_vc_over_0_9": Label("Street length over 90 % of capacity", "share 0-1"),
    "share_km_vc_over_1_0": Label("Street length over capacity", "share 0-1"),
    "jam_density_veh_per_lane_km": Label("Jam density", "vehicles per lane-km"),
    "queue_storage_veh": _count("Vehicles stored in queues"),
    "iterations": _count("Assignment iterations"),
    "restarts": _count("Assignment restarts (a stalled run, or one stopped above the gap)"),
    "rel_gap": Label("Relative gap reached (measured from the flows)"),
    "vht_veh_h_change_pct": Label("Change in vehicle-hours", "%"),
    "delay_veh_h_change": Label("Change in delay", "veh-h"),
    "delay_veh_h_change_pct": Label("Change in delay", "%"),
    "mean_speed_kmh_change_pct": Label("Change in mean speed", "%"),
    "share_km_vc_over_1_0_change": Label("Change in length over capacity", "share 0-1"),
    "queue_storage_veh_change": _count("Change in vehicles stored in queues"),
    "queue_storage_veh_change_pct": Label("Change in vehicles stored in queues", "%"),
    "resolved": Label("Change beyond the solver's error"),
    # narrow-street fit
    "reference_class": Label("Reference vehicle class"),
    "two_way_km": Label("Two-way street length", "km"),
    "one_way_km": Label("One-way street length", "km"),
    "kei_only_km": Label("Street only kei vehicles pass", "km"),
    "kei_only_two_way_km": Label("Two-way street only kei pass two abreast", "km"),
    "kei_only_single_km": Label("One-way street only kei pass", "km"),
    "width_defaulted_km": Label("Street with estimated width", "km"),
    "width_inventory_km": Label("Street with width from the city's own layer", "km"),
    "width_tag_km": Label("Street with mapped width", "km"),
    "width_estimated_geometry_km": Label("Width estimated from buildings", "km"),
    "width_estimated_class_km": Label("Width estimated from road class", "km"),
    "width_missing_km": Label("Street with no width", "km"),
    "passable_km": Label("Street length passable", "km"),
    "two_abreast_km": Label("Street length passable two abreast", "km"),
    "moving_width_m": Label("Width when moving", "m"),
    "parked_width_m": Label("Width when parked", "m"),
    "single_need_m": Label("Width needed to pass", "m"),
    "two_abreast_need_m": Label("Width needed to pass two abreast", "m"),
    # index
    "scenario_id": Label("Scenario"),
    "city_score": Label("Urban Fit index", "points of 100"),
    "parking_score_mean": Label("Parking score, mean", "points of 100"),
    "congestion_score_mean": Label("Congestion score, mean", "points of 100"),
    "fit_score_mean": Label("Narrow-street score, mean", "points of 100"),
    "weight_parking": Label("Weight of parking", "0-1"),
    "weight_congestion": Label("Weight of congestion", "0-1"),
    "weight_fit": Label("Weight of narrow-street fit", "0-1"),
    "congestion_included": Label("Congestion included"),
    "hex_count": _count("Hexagons scored"),
    "meaning": Label("What the index means"),
    "scored_km": Label("Street length scored", "km"),
    "coverage_parking_share": Label("Street length with mapped curb parking", "share 0-1"),
    "coverage_parking_estimated_share": Label(
        "Street length with estimated curb parking only", "share 0-1"
    ),
    "coverage_congestion_share": Label("Street length in the traffic assignment", "share 0-1"),
    "coverage_width_tagged_share": Label(
        "Street length with a mapped or measured width", "share 0-1"
    ),
    "coverage_width_estimated_share": Label(
        "Street length with a width estimated from buildings", "share 0-1"
    ),
    "coverage_width_default_share": Label(
        "Street length with a class-default width (fit unknown)", "share 0-1"
    ),
    "note": Label("Note"),
}
"""Summary key -> label, unit and whether it is a count (printed as a whole number)."""


CODE_WORDS: dict[str, dict[str, str]] = {
    # parking model: where a curb side's figure comes from (`CURB_SOURCES`)
    "curb_source": {
        "tag_capacity": "capacity tag in OSM",
        "model": "counted from the mapped curb length",
        "inferred": "estimated: no curb tags here, parking assumed by road class",
        "tag_zero": "no parking, as mapped in OSM",
        "inferred_zero": "estimated: no curb tags here, no parking assumed",
        "unknown": "not counted: no curb tags here",
    },
    # parking model: where a lot's stall figure comes from (`LOT_SOURCES`)
    "lot_source": {
        "tag_capacity": "capacity tag in OSM",
        "model_surface": "counted from the lot's outline",
        "model_multistorey": "counted from the lot's outline, times its levels",
        "unknown": "unknown: no capacity tag and not a surface or multi-storey lot",
    },
    # street widths (`WIDTH_SOURCES`)
    "width_source": {
        "inventory": "the city's own street-width layer",
        "tag": "width tag in OSM",
        "estimated_geometry": "estimated from the buildings either side",
        "estimated_class": "estimated from lanes and road class",
    },
    # narrow-street fit (`FIT_CATEGORIES`); the reference class is the full-size fleet's main one
    "fit_category": {
        "only kei pass two-abreast": "two-way: only kei cars pass each other",
        "only kei pass at all": "only kei cars get through",
        "narrow two-way: reference class single file only": (
            "two-way, one car at a time: oncoming cars pass at a wider spot"
        ),
        "no vehicle passes": "too narrow for any car to get through",
        "reference class passes": "full-size cars pass",
        "width unknown": "unknown: the width is only a road-class default",
    },
    "side": {
        "left": "left (looking along the street as OSM draws it)",
        "right": "right (looking along the street as OSM draws it)",
    },
    "orientation": {
        "parallel": "parallel",
        "diagonal": "diagonal (angled)",
        "perpendicular": "perpendicular (nose-in)",
    },
}
"""Model and OSM codes shown on the map -> the words a planner reads, by column."""


def code_words(kind: str, codes: pd.Series) -> pd.Series:
    """
    Words for a column of codes (see `CODE_WORDS`); a code not listed reads as its words.

    Parameters
    ----------
    kind
        The `CODE_WORDS` table (``curb_source``, ``lot_source``, ``width_source``...).
    codes
        The codes; missing ones stay missing.

    Returns
    -------
    words
        Same index.
    """
    plain = codes.astype("string").str.replace("_", " ", regex=False)
    words = codes.map(CODE_WORDS[kind]).astype("string").fillna(plain)
    return words.astype("object").where(codes.notna(), None)


def label_of(key: str) -> Label:
    """Look up the label of a summary key; an unknown key reads as its words."""
    return LABELS.get(key) or Label(key.replace("_", " "))


_QUANTITIES: dict[str, Callable[..., str]] = {
    "km": kilometres,
    "ha": hectares,
    "m": metres,
    "m²": area_m2,
}
"""Label units whose figures `urbanfit.units` writes in US units first (metric beside)."""


def kei_size(units: Units) -> str:
    """Write a kei car's legal limits: ``at most 3.40 m long and 1.48 m wide`` (or US first)."""
    return (
        f"at most {metres(KEI_MAX_LENGTH_M, units)} long and {metres(KEI_MAX_WIDTH_M, units)} wide"
    )


def quantity_writer(key: str, units: Units) -> Callable[..., str] | None:
    """
    Return the `urbanfit.units` writer of a length or area key in US units, else None.

    In metric the table keeps its unit in the row label and plain numbers in the cells; in US
    units each cell carries both (``12.4 mi (20.0 km)``), so the label drops its unit.
    """
    return _QUANTITIES.get(label_of(key).unit) if units == "us" else None


def row_label(key: str, units: Units = "metric") -> str:
    """``Label (unit)`` of a summary key, for the first cell of a table row."""
    found = label_of(key)
    if not found.unit or quantity_writer(key, units) is not None:
        return found.text
    return f"{found.text} ({found.unit})"


def fmt(value: Any) -> str:
    """Format one summary value for a table cell (no arithmetic on it)."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer():
            return f"{value:,.0f}"
        size = abs(value)
        return f"{value:,.1f}" if size >= 100 else f"{value:.2f}" if size >= 1 else f"{value:.3g}"
    if isinstance(value, dict):
        return Untrusted(", ".join(f"{k}: {fmt(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple):  # e.g. search runs [[multiplier, TTI], ...]
        nested = any(isinstance(item, list | tuple | dict) for item in value)
        return Untrusted(("; " if nested else " / ").join(fmt(item) for item in value))
    return Untrusted(str(value))


def _whole(value: Any) -> str:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return f"{round(value):,}"
    return fmt(value)


def fmt_figure(key: str, value: Any, units: Units = "metric") -> str:
    """
    Format a summary figure by its key: counts whole, breakdowns as ``name value, ...``.

    Parameters
    ----------
    key
        The summary key (see `LABELS`).
    value
        Its value: a number, text, flag, or a breakdown dict (e.g. km by road class).
    units
        ``us`` writes a length or area with both units (`quantity_writer`).

    Returns
    -------
    text
        The cell text; `Untrusted` when it holds text from the data.
    """
    whole = label_of(key).whole
    writer = quantity_writer(key, units)
    if writer is not None:
        return (
            _quantity(value, writer)
            if not isinstance(value, dict)
            else Untrusted(
                ", ".join(
                    f"{str(k).replace('_', ' ')} {_quantity(v, writer)}" for k, v in value.items()
                )
            )
        )
    if isinstance(value, dict):
        one = _whole if whole else fmt
        return Untrusted(
            ", ".join(f"{str(k).replace('_', ' ')} {one(v)}" for k, v in value.items())
        )
    return _whole(value) if whole else fmt(value)


def _quantity(value: Any, writer: Callable[..., str]) -> str:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return writer(float(value), "us")
    return fmt(value)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return value.replace("_", " ") if isinstance(value, str) else str(value)


def fmt_assumption(value: str, unit: str) -> str:
    """
    Write a parameter value as a planner reads it: ``residential 3.0 m, * 3.0 m`` for class tables.

    Parameters
    ----------
    value
        The value as listed in the summary's assumptions (JSON text for lists and pairs).
    unit
        Its unit (``-`` for none), written after each number of a class table.

    Returns
    -------
    text
        Pairs as ``name value unit``, joined with commas (``*`` reads as ``any other``);
        plain lists as ``a, b, c``; anything else unchanged.
    """
    try:
        parsed = json.loads(value)
    except (ValueError, TypeError):
        return value
    if not isinstance(parsed, list):
        return value
    suffix = f" {unit}" if unit and unit != "-" else ""
    if all(isinstance(p, list) and len(p) == 2 for p in parsed):
        return ", ".join(
            f"{'any other' if name == '*' else _plain(name)} {_plain(v)}{suffix}"
            for name, v in parsed
        )
    return ", ".join(_plain(item) for item in parsed)


def counted(value: Any, noun: str, plural: str | None = None) -> str:
    """
    Format a count with its noun in the right number: ``1 parking lot``, ``2 parking lots``.

    Parameters
    ----------
    value
        The count (a whole number; a float is rounded).
    noun, plural
        The noun for one, and for any other count (``noun + "s"`` by default).

    Returns
    -------
    text
        ``"1,204 buildings"``, ``"1 building"``, ``"0 buildings"``.
    """
    text = _whole(value)
    return f"{text} {noun if text == '1' else plural or noun + 's'}"


# Unit suffixes of parameter keys: the unit has a column of its own in the report's table.
_UNIT_SUFFIX = re.compile(r"_(m|m2|km|ha|deg|h|s|min|pct|kmh|per_min|pc_h_ln|pcu_h|veh_h)$")


def parameter_name(key: str) -> str:
    """
    Write a parameter's code key as a heading a planner reads.

    ``parking.curb.diagonal_angle_deg`` -> ``Parking, curb: diagonal angle`` (the unit is in
    its own column); a key with no section is only spelled out.
    """
    *sections, name = key.split(".")
    words = _UNIT_SUFFIX.sub("", name).replace("_", " ")
    if not sections:
        return words
    where = ", ".join(s.replace("_", " ") for s in sections)
    return f"{where[:1].upper()}{where[1:]}: {words}"
