"""Assemble the JSON-ready summary of a run from city data and model results (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanfit import __version__
from urbanfit.citydata import CityData
from urbanfit.evidence_text import delay_withheld, demand_text, withheld_text
from urbanfit.figures import figure_table
from urbanfit.osmkeys import PARKING_KEYS
from urbanfit.parameters import Parameters, assumptions_table, parameters_hash
from urbanfit.units import Units, area_m2, display_units, hectares, kilometres, metres
from urbanfit.vehicles import ScenarioSet, VehicleCatalog

__all__ = ["SCHEMA_VERSION", "build_summary", "network_figures", "range_records", "range_text"]

SCHEMA_VERSION = "2.0"


def network_figures(city: CityData) -> dict[str, Any]:
    """
    Headline figures of the typed tables; every key names its unit.

    Parameters
    ----------
    city
        Typed tables.

    Returns
    -------
    figures
        ``network``, ``lots`` and ``buildings`` sections of the summary.
    """
    streets, lots, buildings = city.streets, city.lots, city.buildings
    km = streets["length_m"] / 1000.0
    tagged = streets[list(PARKING_KEYS)].notna().any(axis=1)
    by_class = km.groupby(streets["highway"]).sum().sort_values(ascending=False)
    return {
        "network": {
            "edges_count": len(streets),
            "street_km": round(float(km.sum()), 3),
            "lane_km": round(float((km * streets["lanes"]).sum()), 3),
            "oneway_km": round(float(km[streets["oneway"]].sum()), 3),
            "street_km_by_class": {str(k): round(float(v), 3) for k, v in by_class.items()},
            "parking_tagged_edges_count": int(tagged.sum()),
            "parking_tagged_km": round(float(km[tagged].sum()), 3),
        },
        "lots": {
            "count": len(lots),
            "polygons_count": int((~lots["is_point"]).sum()),
            "points_count": int(lots["is_point"].sum()),
            "with_capacity_tag_count": int(lots["capacity"].notna().sum()),
            "capacity_tag_spaces_count": int(np.nansum(lots["capacity"].to_numpy())),
            "area_ha": round(float(lots["area_m2"].sum()) / 10_000, 4),
            "by_kind_count": {str(k): int(v) for k, v in lots["kind"].value_counts().items()},
        },
        "buildings": {
            "count": len(buildings),
            "floor_area_m2": round(float(buildings["floor_area_m2"].sum()), 1),
            "by_use_count": {str(k): int(v) for k, v in buildings["use"].value_counts().items()},
        },
    }


def build_summary(
    city: CityData,
    *,
    slug: str,
    params: Parameters,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    models: Mapping[str, Any],
    run_seconds: float,
    notes: list[str] | None = None,
    ranges: pd.DataFrame | None = None,
    units: tuple[Units, str] = ("metric", "not chosen"),
) -> dict[str, Any]:
    """
    Build the versioned summary dict written to ``summary.json``.

    Parameters
    ----------
    city
        Typed tables.
    slug
        Output folder name.
    params
        The run's parameters (listed with units and sources).
    catalog
        Vehicle profiles and fleets used.
    scenarios
        The run's scenarios: they name the baseline and the headline scenario.
    models
        Model results by section name; each with a ``summary`` dict whose per-scenario
        figures sit under ``scenarios.<id>``.
    run_seconds
        Wall time of the analysis.
    notes
        Things the reader must know, e.g. a model that could not run and why.
    ranges
        Low / central / high of the headline figures (`AnalysisResult.ranges`); listed under
        ``ranges`` and quoted in the headlines as "central (low-high)".
    units
        The display units of the headlines' lengths and areas and how they were chosen
        (`urbanfit.units.choose_units`), recorded under ``units``; the machine fields stay
        metric whatever the choice.

    Returns
    -------
    summary
        JSON-serialisable dict; figures carry their unit in the key name (``_km``, ``_m2``,
        ``_count``, ``_share``...).
    """
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "urbanfit_version": __version__,
        "city": {"name": city.name, "slug": slug, "crs": city.crs.to_string()},
        "provenance": dataclasses.asdict(city.provenance),
        "run": {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(run_seconds, 3),
            "parameters_hash": parameters_hash(params),
        },
        **network_figures(city),
        "data_quality": city.quality,
        "scenarios": [
            {"id": s.id, "kei_share": s.kei_share, "label": s.label, "shares": dict(s.shares)}
            for s in scenarios
        ],
        "scenario_roles": {"baseline": scenarios.baseline.id, "headline": scenarios.headline.id},
        "vehicles": {
            "classes": {
                cid: dataclasses.asdict(c) | {"lot_m2_per_stall": c.lot_m2_per_stall}
                for cid, c in catalog.classes.items()
            },
            "profiles": {
                pid: {**dataclasses.asdict(p), "is_kei": p.is_kei}
                for pid, p in catalog.profiles.items()
            },
            "fleets": {
                fid: {"label": f.label, "shares": dict(f.shares), "source": f.source}
                for fid, f in catalog.fleets.items()
            },
        },
        "assumptions": assumptions_table(params),
        "notes": list(notes or []),
        "units": {
            "display": units[0],
            "basis": units[1],
            "fields": "metric: every machine field names its unit (_m, _km, _m2, _ha)",
        },
    }
    for model_name, result in models.items():
        summary[model_name] = result.summary
    summary["ranges"] = range_records(ranges)
    summary["figures"] = figure_table(summary, catalog=catalog, scenarios=scenarios, params=params)
    summary["headlines"] = headlines(summary, scenarios)
    return summary


def range_records(ranges: pd.DataFrame | None) -> list[dict[str, Any]]:
    """
    Return the ranges table as JSON-ready rows (None for an undefined number).

    Parameters
    ----------
    ranges
        `AnalysisResult.ranges` (``figure``, ``low``, ``central``, ``high``, ``unit``,
        ``basis``), or None.

    Returns
    -------
    rows
        One dict per figure, in table order.
    """
    if ranges is None or not len(ranges):
        return []
    rows = ranges.astype(object).where(ranges.notna(), None).to_dict(orient="records")
    return [{str(k): v for k, v in row.items()} for row in rows]


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _sig(value: float | None) -> str:
    """Three significant figures as ``g`` gives them, never in exponent form (1,197)."""
    if value is None:
        return "n/a"
    size = abs(value)
    digits = 0 if size >= 100 else 1 if size >= 10 else 2
    if 0 < size < 1:  # 0.0035, not 0.00
        digits = min(6, 2 - math.floor(math.log10(size)))
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text  # 90, not 90.0


_Span = Callable[[str], dict[str, float | None]]
"""The low and high ends of a named figure's range, as keyword arguments of `urbanfit.units`."""


def range_text(central: str, low: str, high: str, *, negative: bool) -> str:
    """
    Quote a formatted figure with its range: ``central (low–high)``.

    Parameters
    ----------
    central, low, high
        The figure and its range ends, each already formatted.
    negative
        Whether the low end is below zero: the ends are then joined by " to "
        (-31.8 to -27.4, not -31.8–-27.4).

    Returns
    -------
    text
        ``central`` alone when the ends read the same (no spread at the shown precision).
    """
    if low == high:
        return central
    return f"{central} ({low}{' to ' if negative else '–'}{high})"


def _lot_land_line(
    parking: dict[str, Any], figures: dict[str, Any], label: str, units: Units, span: _Span
) -> str:
    """Say what lot land is freed; without lot outlines, say so instead of quoting zeros."""
    if parking.get("lot_land_area_ha"):
        return (
            f"Lot land freed at {label} for the same cars: "
            f"{hectares(figures['land_freed_ha'], units, **span('land_freed_ha'))} "
            f"of the {hectares(parking['lot_land_area_ha'], units)} of mapped lots"
        )
    lots = int(parking.get("lots_count") or 0)
    if lots == 0:
        return "Lot land: no parking lots in the data; the parking figures are the curb's"
    return (
        f"Lot land: the data's {lots:,} parking lot{'s' if lots > 1 else ''} "
        f"{'have' if lots > 1 else 'has'} no outline to measure (mapped as points), so no "
        "land figure"
    )


def _level_invariant(congestion: dict[str, Any], scenario_id: str) -> bool:
    """Whether a scenario's delay change is the same (to 0.05 points) at 2+ congested levels."""
    levels = (congestion.get("kei_curve") or {}).get("levels") or {}
    known = []
    for level in levels.values():
        row = (level.get("scenarios") or {}).get(scenario_id) or {}
        if not level.get("uncongested") and row.get("delay_change_pct") is not None:
            known.append(float(row["delay_change_pct"]))
    return len(known) >= 2 and max(known) - min(known) < 0.05


def headlines(summary: dict[str, Any], scenarios: ScenarioSet) -> list[str]:
    """
    One-line statements of the headline figures, taken verbatim from the summary.

    Parameters
    ----------
    summary
        The summary built so far (model sections included).
    scenarios
        The run's scenarios: figures are quoted for the headline scenario against the baseline.

    Returns
    -------
    lines
        Short sentences for the map title box, the terminal and the report.
    """
    lines: list[str] = []
    top, base = scenarios.headline, scenarios.baseline
    ranges = {str(row["figure"]): row for row in summary.get("ranges", [])}
    units = display_units(summary)

    def span(figure: str) -> dict[str, float | None]:
        """Return the low and high ends of a figure's range (None where not known)."""
        row = ranges.get(figure) or {}
        return {"low": row.get("low"), "high": row.get("high")}

    def ranged(figure: str, value: float | None, digits: int) -> str:
        """Quote a figure as "central (low-high)" where its range is known."""
        row = ranges.get(figure)
        if value is None or row is None or row["low"] is None or row["high"] is None:
            return _fmt(value, digits)
        low, high = _fmt(row["low"], digits), _fmt(row["high"], digits)
        return range_text(_fmt(value, digits), low, high, negative=row["low"] < 0)

    constants = _constants_line(summary, units)
    if constants:
        lines.append(constants)
    parking = summary.get("parking")
    if parking is not None:
        lines.append(_parking_line(parking, top, base, ranged, units))
        lines.append(_lot_land_line(parking, parking["scenarios"][top.id], top.label, units, span))
        unknown = (parking.get("curb_unknown_km") or 0.0) - (
            parking.get("curb_estimated_km") or 0.0
        )
        lines.append(
            f"Curb: {kilometres(parking.get('curb_parking_km'), units)} mapped with parking, "
            f"{kilometres(parking.get('curb_inferred_km'), units)} estimated with parking "
            f"({kilometres(parking.get('curb_estimated_km'), units)} untagged and estimated, "
            f"{kilometres(unknown, units)} unknown)"
        )
    congestion = summary.get("congestion")
    if congestion is not None:
        figures = congestion.get("scenarios", {})
        first, last = figures.get(base.id, {}), figures.get(top.id, {})
        delay, base_delay = last.get("delay_veh_h"), first.get("delay_veh_h")
        change = last.get("delay_veh_h_change_pct")
        floor = congestion.get("kei_curve", {}).get("delay_floor_share_of_vht", 0.01)
        vht = first.get("vht_veh_h")
        assigned = demand_text(congestion)
        if assigned is not None:
            lines.append(f"Peak-hour demand: {assigned}")
        if delay_withheld(congestion):
            lines.append(withheld_text(congestion, top.label))
        elif base_delay is None or vht is None or base_delay < floor * vht:
            lines.append(
                f"Peak-hour delay: the network is uncongested at this demand (full-size fleet "
                f"{_sig(base_delay)} veh-h of delay, under {floor * 100:g} % of its "
                f"{_sig(vht)} veh-h travelled; {_sig(delay)} veh-h at {top.label})"
            )
        else:
            levels = (congestion.get("kei_curve") or {}).get("levels") or {}
            congested = sum(not level.get("uncongested") for level in levels.values())
            single = levels and congested < 2
            one_level = "; one congested demand level assigned, so the range leaves demand out"
            line = (
                f"Peak-hour delay at {top.label}: {_sig(delay)} veh-h vs {_sig(base_delay)} "
                f"with a full-size fleet ({ranged('delay_veh_h_change_pct', change, 1)} %"
                f"{one_level if single else ''})"
            )
            if _level_invariant(congestion, top.id):
                line += (
                    "; the same percentage at every congestion level of the kei curve, as on a "
                    "network without route choice: it is the delay curve's, not this "
                    "city's (quote the vehicle-hours)"
                )
            lines.append(line)
        lines.append(
            f"Queue storage at {top.label}: {_fmt(last.get('queue_storage_veh'))} vehicles fit "
            f"bumper to bumper in the assigned streets' lanes, "
            f"{_fmt(last.get('queue_storage_veh_change'))} more than the "
            f"{_fmt(first.get('queue_storage_veh'))} of a full-size fleet "
            f"(+{_fmt(last.get('queue_storage_veh_change_pct'), 1)} %: the percentage is the "
            "fleets' lengths, the same in every city)"
        )
    fit = summary.get("fit")
    if fit is not None:
        lines.append(_fit_line(fit, units, span))
    index = summary.get("index")
    if index is not None:
        lines.append(_index_line(index, top.label, ranged))
    return lines


def _constants_line(summary: dict[str, Any], units: Units) -> str | None:
    """State once, per car, what is the same in every city (`urbanfit.figures`)."""
    figures = summary.get("figures") or {}
    fleet, kei = figures.get("curb_pitch_fleet_m"), figures.get("curb_pitch_kei_m")
    if summary.get("parking") is None or not fleet or not kei:
        return None
    gain = figures["curb_gain_on_same_curb_pct"]["value"]
    line = (
        f"Per car, the same in every city: a kei car needs {metres(kei['value'], units)} of curb "
        f"where the full-size fleet's average car needs {metres(fleet['value'], units)}, so "
        f"{_fmt(gain)} % more cars park on the same curb"
    )
    ratio, stall, kei_stall = (
        figures.get(k) for k in ("lot_kei_ratio", "lot_m2_per_stall_fleet", "lot_m2_per_stall_kei")
    )
    if (summary["parking"].get("lot_land_area_ha") or 0) > 0 and ratio and stall and kei_stall:
        freed = figures["lot_land_freed_pct"]
        line += (
            f"; in a lot a kei stall and half its aisle take {area_m2(kei_stall['value'], units)} "
            f"where a full-size one takes {area_m2(stall['value'], units)} ({ratio['value']:.2f}x "
            f"the stalls on one 24 ft aisle, up to {ratio['high']:.2f}x on Japan's kei aisle), so "
            f"{_fmt(freed['value'])} % of a surface lot is freed for the same cars"
        )
    return line


def _parking_line(
    parking: dict[str, Any], top: Any, base: Any, ranged: Callable[..., str], units: Units
) -> str:
    """Quote the mapped floor first, then what estimated curb adds, its error in the range."""
    last, first = parking["scenarios"][top.id], parking["scenarios"][base.id]
    estimated = last.get("curb_spaces_gained_estimated") or 0.0
    gained = last["spaces_gained"]
    share = (
        f"+{ranged('spaces_gained_pct', last['spaces_gained_pct'], 1)} % of a full-size "
        f"fleet's {_fmt(first['total_spaces'])}"
    )
    usable = parking.get("curb_mapped_usable_km")
    mapped = "mapped curb" + (
        f" ({kilometres(usable, units)} usable)" if usable is not None else ""
    )
    if usable is not None and round(usable, 1) == 0:
        mapped = "the mapped lots (no curb is mapped with parking)"
    else:
        mapped += " and lots"
    if not estimated or gained is None:
        return (
            f"Parking at {top.label}: {ranged('spaces_gained', gained, 0)} more spaces on "
            f"{mapped} ({share})"
        )
    floor = gained - estimated
    guessed = parking.get("curb_estimated_usable_km")
    lead = (
        f"at least {ranged('spaces_gained_mapped', floor, 0)} more spaces on {mapped}"
        if round(floor) != 0
        else "no spaces gained on mapped curb or lots"
    )
    return (
        f"Parking at {top.label}: {lead}; up to {ranged('spaces_gained', gained, 0)} with "
        + (f"{kilometres(guessed, units)} of usable " if guessed is not None else "")
        + f"curb estimated where OSM has no parking tags ({share}; the range includes the "
        "estimate's error measured on a real curb survey)"
    )


def _fit_line(fit: dict[str, Any], units: Units, span: _Span) -> str:
    """Narrow streets on the widths that are known; class-default widths are unknown, not 0."""
    # a width from the city's own layer is measured, as a tag is
    tagged = (fit.get("width_tag_km") or 0.0) + (fit.get("width_inventory_km") or 0.0)
    built = fit.get("width_estimated_geometry_km") or 0.0
    unknown = fit.get("width_unknown_km")
    if unknown is None:  # a summary without the unknown split: every class width counts
        unknown = fit.get("width_estimated_class_km") or 0.0
    if round(tagged + built, 1) <= 0:
        return (
            f"Narrow streets: unknown: no street width is tagged or measurable from buildings "
            f"(the {kilometres(fit.get('street_km'), units)} have road-class defaults only)"
        )

    def km(value: float | None) -> str:
        return kilometres(value, units)

    only = kilometres(fit.get("kei_only_km"), units, **span("kei_only_km"))
    return (
        f"Narrow streets: {only} that only kei pass ({km(fit.get('kei_only_two_way_km'))} "
        f"two-abreast), on the {km(tagged + built)} whose width is tagged or measured "
        f"({km(tagged)}) or estimated from buildings ({km(built)}); unknown on {km(unknown)} "
        "whose width is only a road-class default"
    )


def _index_line(index: dict[str, Any], label: str, ranged: Callable[..., str]) -> str:
    """Quote the index with the share of street km whose inputs are measured, estimates apart."""
    street_km, scored_km = index.get("street_km"), index.get("scored_km")
    covered = 100.0 * scored_km / street_km if street_km and scored_km is not None else None

    def pct(key: str) -> str:
        value = index.get(key)
        return _fmt(None if value is None else 100.0 * value, 0)

    parts = [
        f"curb mapped on {pct('coverage_parking_share')} % "
        f"(estimated on {pct('coverage_parking_estimated_share')} % more)"
    ]
    if index.get("congestion_included"):
        parts.append(f"traffic assigned on {pct('coverage_congestion_share')} %")
    parts.append(
        f"width tagged or measured on {pct('coverage_width_tagged_share')} % "
        f"(from buildings on {pct('coverage_width_estimated_share')} % more)"
    )
    return (
        f"Urban Fit index at {label}: {ranged('city_score', index.get('city_score'), 1)} "
        f"of 100 on the {_fmt(covered, 0)} % of street length it can score (of all street length: "
        f"{', '.join(parts)})"
    )
