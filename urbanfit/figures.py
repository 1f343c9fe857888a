"""What each headline figure is: this city's, a rule applied to it, the model's, or assumed.

Pure: reads the summary's model sections, the run's parameters and vehicles; no I/O.

A planner quoting urbanfit quotes two kinds of number. Some are the same in every city: a kei
car takes less curb than the fleet's average car whatever the street, and the ratio of the two
is the whole of the "+36 % spaces" (`model`). The rest is what the city adds: how many km of
curb are mapped with parking, how much lot land there is, which streets are narrow (`city`),
or what a rule makes of the city's data where the map is silent (`estimate`); and some inputs
are imposed (`assumption`). Every figure in ``summary["figures"]`` says which it is, with one
plain sentence of what it rests on, so the headlines can state a constant once and then lead
with the city.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from urbanfit.evidence_text import delay_withheld
from urbanfit.models.parking.lots import module_m2_per_stall, module_ratio, same_standard_ratio
from urbanfit.parameters import Parameters
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog

__all__ = ["KINDS", "KIND_WORDS", "Figure", "figure_table", "model_constants"]

Kind = Literal["city", "estimate", "model", "assumption"]

KINDS: tuple[Kind, ...] = ("city", "estimate", "model", "assumption")

KIND_WORDS: Mapping[str, str] = {
    "city": "this city's data",
    "estimate": "a rule applied to this city's data",
    "model": "the same in every city",
    "assumption": "assumed",
}
"""How a kind reads in a table column (the report's key figures)."""


@dataclass(frozen=True)
class Figure:
    """One headline figure with its range, unit, kind and what it rests on."""

    value: float | None
    low: float | None
    high: float | None
    unit: str  # "spaces", "km", "ha", "%", "m", "m2", "-", "points", "veh"
    kind: Kind
    basis: str  # one plain sentence


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _figure(value: Any, unit: str, kind: Kind, basis: str, span: Any = None) -> Figure:
    low = high = _num(value)
    if isinstance(span, Mapping) and _num(span.get("low")) is not None:
        low, high = _num(span.get("low")), _num(span.get("high"))
    return Figure(_num(value), low, high, unit, kind, basis)


def model_constants(
    catalog: VehicleCatalog, scenarios: ScenarioSet, params: Parameters
) -> dict[str, Figure]:
    """
    Compute the per-car figures that are the same in every city, from vehicles and parameters.

    Parameters
    ----------
    catalog
        Vehicle profiles and classes.
    scenarios
        The run's scenarios: the baseline fleet against the headline scenario's.
    params
        Curb gap, lot aisle rule and net-to-gross share.

    Returns
    -------
    figures
        ``curb_pitch_fleet_m`` and ``curb_pitch_kei_m`` (parallel curb per vehicle: mean length
        + gap), ``curb_spaces_per_km_fleet``, ``curb_gain_on_same_curb_pct`` (fleet pitch over
        the headline fleet's, less 1), ``lot_m2_per_stall_fleet`` and ``lot_m2_per_stall_kei``
        (a stall and half its aisle, one aisle rule), ``lot_kei_ratio`` (1.73 with the US
        aisle; low the MLIT same-standard ratio, high the MLIT kei module), and
        ``lot_land_freed_pct`` (the share of a surface lot freed at the headline share).
    """
    gap = params.parking.curb.parallel_gap_m
    base, top = scenarios.baseline, scenarios.headline
    fleet_pitch = catalog.mean(base.shares, "length_m") + gap
    top_pitch = catalog.mean(top.shares, "length_m") + gap
    kei_share = catalog.kei_share(top.shares)
    shares = catalog.class_shares(base.shares)
    reference = catalog.vehicle_class(max(shares, key=lambda c: shares[c]))
    kei = catalog.vehicle_class(KEI_CLASS)
    lots = params.parking.lots
    aisle = lots.common_aisle_m
    ratio = module_ratio(kei, reference, aisle_m=aisle)
    low, high = same_standard_ratio(kei, params=lots), module_ratio(kei, reference)

    def freed(r: float) -> float:
        # a kei share s needs (1 - s) + s / r of the fleet's module area per vehicle
        return 100.0 * lots.net_to_gross_share * kei_share * (1.0 - 1.0 / r)

    every = "the same in every city"
    return {
        "curb_pitch_fleet_m": _figure(
            fleet_pitch, "m", "model",
            f"parallel curb per car of the {base.label} fleet: its mean length plus the "
            f"{gap:g} m gap; {every}",
        ),
        "curb_pitch_kei_m": _figure(
            top_pitch, "m", "model",
            f"parallel curb per car at {top.label}: mean length plus the gap; {every}",
        ),
        "curb_spaces_per_km_fleet": _figure(
            1000.0 / fleet_pitch, "spaces", "model",
            f"spaces per km of usable parallel curb with the {base.label} fleet (before whole "
            f"cars are counted on each side); {every}",
        ),
        "curb_gain_on_same_curb_pct": _figure(
            100.0 * (fleet_pitch / top_pitch - 1.0), "%", "model",
            f"more cars on the same curb at {top.label}: the ratio of the two pitches; {every}",
        ),
        "lot_m2_per_stall_fleet": _figure(
            module_m2_per_stall(reference, aisle_m=aisle), "m2", "model",
            f"a {reference.label} stall with half its {aisle:.2f} m aisle; {every}",
        ),
        "lot_m2_per_stall_kei": _figure(
            module_m2_per_stall(kei, aisle_m=aisle), "m2", "model",
            f"a kei stall with half the same {aisle:.2f} m aisle (one aisle rule); {every}",
        ),
        "lot_kei_ratio": Figure(
            ratio, min(low, ratio), max(high, ratio), "-", "model",
            f"kei stalls per full-size stall on the same lot area, both on the {aisle:.2f} m "
            f"aisle; low the MLIT ordinary-car stall, high Japan's kei module (its own "
            f"{kei.lot_aisle_m:g} m aisle); {every}",
        ),
        "lot_land_freed_pct": Figure(
            freed(ratio), freed(min(low, ratio)), freed(max(high, ratio)), "%", "model",
            f"share of a surface lot not needed for the same cars at {top.label}: the stall "
            f"modules' {lots.net_to_gross_share:.0%} of the lot (the rest is access and "
            f"landscaping) times one less the inverse of the kei ratio; {every}",
        ),
    }  # fmt: skip


def _parking_figures(summary: Mapping[str, Any], top: str, ranges: Mapping[str, Any]) -> dict:
    parking = summary.get("parking")
    if not isinstance(parking, Mapping):
        return {}
    last = (parking.get("scenarios") or {}).get(top) or {}
    gained = _num(last.get("spaces_gained"))
    guessed = _num(last.get("curb_spaces_gained_estimated")) or 0.0
    rests: Kind = "estimate" if guessed != 0.0 else "city"
    return {
        "curb_mapped_parking_km": _figure(
            parking.get("curb_parking_km"), "km", "city",
            "street sides whose OpenStreetMap tags say parking",
        ),
        "curb_mapped_usable_km": _figure(
            parking.get("curb_mapped_usable_km"), "km", "city",
            "mapped parking sides less the clearances at junctions and features",
        ),
        "curb_estimated_parking_km": _figure(
            parking.get("curb_inferred_km"), "km", "estimate",
            "untagged sides that the curb estimate's road-class and width rule calls parked",
        ),
        "spaces_gained_mapped": _figure(
            None if gained is None else gained - guessed,
            "spaces", "city",
            "spaces gained on mapped curb and lots: the city's mapped curb and lot outlines "
            "at the per-car constants",
            ranges.get("spaces_gained_mapped"),
        ),
        "curb_spaces_gained_estimated": _figure(
            last.get("curb_spaces_gained_estimated"), "spaces", "estimate",
            "spaces gained on estimated curb; the range includes the estimate's error measured "
            "on a US curb survey",
            ranges.get("curb_spaces_gained_estimated"),
        ),
        "spaces_gained": _figure(
            last.get("spaces_gained"), "spaces", rests,
            "all spaces gained, mapped and estimated curb and lots",
            ranges.get("spaces_gained"),
        ),
        "spaces_gained_pct": _figure(
            last.get("spaces_gained_pct"), "%", rests,
            "set mostly by the per-car pitch ratio (the same in every city); the city moves it "
            "only through short curbs, angled parking and its lots",
            ranges.get("spaces_gained_pct"),
        ),
        "lot_land_area_ha": _figure(
            parking.get("lot_land_area_ha"), "ha", "city",
            "outlines of the mapped surface and multi-storey lots",
        ),
        "land_freed_ha": _figure(
            last.get("land_freed_ha"), "ha", "city",
            "the city's lot outlines at the stall-module constant", ranges.get("land_freed_ha"),
        ),
    }  # fmt: skip


def _other_figures(summary: Mapping[str, Any], top: str, ranges: Mapping[str, Any]) -> dict:
    rows: list[tuple[str, Any, str, Kind, str]] = [
        ("street_km", (summary.get("network") or {}).get("street_km"), "km", "city",
         "drivable streets in the OpenStreetMap data"),
    ]  # fmt: skip
    congestion = summary.get("congestion")
    if isinstance(congestion, Mapping):
        last = (congestion.get("scenarios") or {}).get(top) or {}
        demand = congestion.get("baseline_demand") or {}
        synthetic = congestion.get("demand_source") == "synthetic"
        if demand.get("target_tti") is not None:
            rows.append(
                ("baseline_tti", demand.get("target_tti"), "-", "assumption",
                 f"the peak Travel Time Index the synthetic demand is scaled to "
                 f"({demand.get('target_source') or 'given'}), not measured in this city"),
            )  # fmt: skip
        withheld = delay_withheld(congestion)
        rows += [
            ("delay_veh_h_change_pct", None if withheld else last.get("delay_veh_h_change_pct"),
             "%", "estimate",
             f"withheld: {congestion.get('delay_withheld_reason')}" if withheld else
             "synthetic peak demand from building floor area, scaled to the assumed baseline "
             "TTI, assigned on the city's streets" if synthetic else
             "the given trip matrix assigned on the city's streets"),
            ("queue_storage_veh_change", last.get("queue_storage_veh_change"), "veh", "city",
             "lane km of the assigned streets at the fleets' jam spacings"),
            ("queue_storage_gain_pct", last.get("queue_storage_veh_change_pct"), "%", "model",
             "the ratio of the two fleets' jam spacings; the same in every city"),
        ]  # fmt: skip
    fit = summary.get("fit")
    if isinstance(fit, Mapping):
        built = (_num(fit.get("width_estimated_geometry_km")) or 0.0) > 0
        known = _num(fit.get("width_known_km"))
        rows += [
            ("kei_only_km", None if known == 0 else fit.get("kei_only_km"), "km",
             "estimate" if built else "city",
             "streets only kei pass, on the streets whose width is tagged"
             + (" or estimated from the buildings either side" if built else "")
             + ("; unknown here: no street's width is more than a road-class default"
                if known == 0 else "")),
            ("width_unknown_km", fit.get("width_unknown_km"), "km", "city",
             "streets whose width is only a road-class default: their fit is unknown"),
        ]  # fmt: skip
    index = summary.get("index")
    if isinstance(index, Mapping):
        rows.append(
            ("city_score", index.get("city_score"), "points", "estimate",
             "the parts above on the streets whose inputs are known, with assumed caps and "
             "weights"),
        )  # fmt: skip
    return {
        key: _figure(value, unit, kind, basis, ranges.get(key))
        for key, value, unit, kind, basis in rows
    }


def figure_table(
    summary: Mapping[str, Any],
    *,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: Parameters,
) -> dict[str, dict[str, Any]]:
    """
    Every headline figure of a run with its kind and basis, JSON-ready.

    Parameters
    ----------
    summary
        The summary built so far: model sections and ``ranges`` (rows with ``figure``).
    catalog, scenarios, params
        The run's vehicles, scenarios and parameters (the `model_constants`).

    Returns
    -------
    figures
        Figure key -> ``value``, ``low``, ``high``, ``unit``, ``kind`` (one of `KINDS`) and
        ``basis``; figures of the headline scenario against the baseline.
    """
    ranges = {str(r.get("figure")): r for r in summary.get("ranges") or [] if isinstance(r, dict)}
    top = scenarios.headline.id
    figures = {
        **model_constants(catalog, scenarios, params),
        **_parking_figures(summary, top, ranges),
        **_other_figures(summary, top, ranges),
    }
    return {key: dataclasses.asdict(figure) for key, figure in figures.items()}
