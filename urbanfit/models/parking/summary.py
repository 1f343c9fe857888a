"""City figures of the parking model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.citydata.curb import malformed_tag_count
from urbanfit.parameters.parking import ParkingParams
from urbanfit.results import scenario_rows
from urbanfit.vehicles import ScenarioSet

__all__ = ["parking_summary"]


def _number(value: float) -> float | None:
    """Return a JSON-safe float: None for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return _number(numerator / denominator) if denominator else None


def _split(side_spaces: pd.DataFrame, sid: str, estimated: pd.Series) -> tuple[float, float]:
    """Sum a scenario's curb spaces on mapped sides and on estimated sides."""
    rows = scenario_rows(side_spaces, sid)
    values = rows["spaces"].to_numpy(dtype="float64")
    guessed = estimated.reindex(rows["side_id"].to_numpy()).fillna(False).to_numpy(dtype=bool)
    return float(np.nansum(values[~guessed])), float(np.nansum(values[guessed]))


def parking_summary(
    sides: pd.DataFrame,
    side_spaces: pd.DataFrame,
    lots: pd.DataFrame,
    lot_spaces: pd.DataFrame,
    calibration: pd.DataFrame,
    *,
    scenarios: ScenarioSet,
    params: ParkingParams | None = None,
) -> dict[str, Any]:
    """City figures of the parking model.

    Parameters
    ----------
    sides, side_spaces, lots, lot_spaces, calibration
        The tables of `parking_model`.
    scenarios
        The run's scenarios (the baseline is the 0 % kei one).
    params
        Packed kinds (which lots occupy land).

    Returns
    -------
    summary
        Plain dict of JSON-serialisable numbers (None where undefined). City-wide keys:
        ``curb_sides_count``; km of sides ``curb_parsed_km`` (any tagged status),
        ``curb_parking_km``, ``curb_no_parking_km``, ``curb_separate_km``,
        ``curb_unknown_km`` (untagged or unreadable, including estimated ones),
        ``curb_inferred_km`` (estimated parking), ``curb_usable_km`` (counted parking sides
        after clearances); mapped against estimated: ``curb_mapped_km`` (sides with a parking
        tag), ``curb_estimated_km`` (untagged sides the estimate decided, parking or not),
        ``curb_mapped_usable_km``, ``curb_estimated_usable_km``, ``curb_covered_pct`` (mapped
        plus estimated, in per cent of all side km);
        ``curb_tag_capacity_sides_count``, ``curb_malformed_tags_count`` (distinct edge and
        key), ``curb_malformed_sides_count``, ``curb_schema_conflict_sides_count``;
        ``lots_count``, ``lots_modelled_count``, ``lots_tag_capacity_count``,
        ``lots_unknown_count``, ``lot_land_area_ha`` (footprint of counted non-underground lots);
        ``curb_calibration_way_sides_count``, ``curb_calibration_median_ratio``,
        ``lot_calibration_lots_count``, ``lot_calibration_median_ratio`` (model / tag).
        Per scenario, under ``scenarios.<id>``: ``curb_spaces``, ``lot_spaces``,
        ``total_spaces``, ``spaces_gained`` and ``spaces_gained_pct`` (vs the baseline total),
        ``curb_m2_per_vehicle``, ``curb_m_per_vehicle``, ``lot_m2_per_vehicle`` (land per
        parked vehicle), ``land_freed_ha`` and ``land_freed_pct_of_lot_area`` (lot land not
        needed to park the baseline number of vehicles: the stall modules' share of each lot,
        `LotParams.net_to_gross_share`, times one less the share of stalls still needed),
        ``curb_freed_km`` (curb not needed for the baseline number); the curb figures split
        by where they come from:
        ``curb_spaces_mapped``, ``curb_spaces_estimated``, ``curb_spaces_gained_mapped`` and
        ``curb_spaces_gained_estimated`` (their sums are ``curb_spaces`` and the curb part of
        ``spaces_gained``).

    """
    params = params or ParkingParams()
    status = sides["status"].to_numpy(dtype="object")
    source = sides["source"].to_numpy(dtype="object")
    km = sides["length_m"].to_numpy(dtype="float64") / 1000.0
    counted = np.isin(source, ["tag_capacity", "model", "inferred"])
    estimated = np.isin(source, ["inferred", "inferred_zero"])
    usable = sides["usable_length_m"].to_numpy(dtype="float64") / 1000.0
    usable_km = float(usable[counted].sum())
    total_km = float(km.sum())
    curb_area = float(sides["curb_area_m2"].sum())

    out: dict[str, Any] = {
        "curb_sides_count": len(sides),
        "curb_parsed_km": float(km[status != "unknown"].sum()),
        "curb_parking_km": float(km[status == "parking"].sum()),
        "curb_no_parking_km": float(km[status == "no_parking"].sum()),
        "curb_separate_km": float(km[status == "separate"].sum()),
        "curb_unknown_km": float(km[status == "unknown"].sum()),
        "curb_inferred_km": float(km[source == "inferred"].sum()),
        "curb_usable_km": usable_km,
        "curb_mapped_km": float(km[status != "unknown"].sum()),
        "curb_estimated_km": float(km[estimated].sum()),
        "curb_mapped_usable_km": float(usable[counted & ~estimated].sum()),
        "curb_estimated_usable_km": float(usable[counted & estimated].sum()),
        "curb_covered_pct": _ratio(
            100.0 * float(km[(status != "unknown") | estimated].sum()), total_km
        ),
        "curb_tag_capacity_sides_count": int((source == "tag_capacity").sum()),
        "curb_malformed_tags_count": malformed_tag_count(sides),
        "curb_malformed_sides_count": int(sides["malformed"].sum()),
        "curb_schema_conflict_sides_count": int(sides["schema_conflict"].sum()),
    }

    lot_source = lots["source"].to_numpy(dtype="object")
    kind = lots["kind"].to_numpy(dtype="object")
    area = lots["area_m2"].to_numpy(dtype="float64") if "area_m2" in lots else np.zeros(len(lots))
    land = (
        (lot_source != "unknown")
        & np.isin(kind, [*params.lots.packed_kinds, "multi-storey"])
        & (area > 0)
    )
    land_m2 = float(area[land].sum())
    out |= {
        "lots_count": len(lots),
        "lots_modelled_count": int(
            np.isin(lot_source, ["model_surface", "model_multistorey"]).sum()
        ),
        "lots_tag_capacity_count": int((lot_source == "tag_capacity").sum()),
        "lots_unknown_count": int((lot_source == "unknown").sum()),
        "lot_land_area_ha": land_m2 / 10_000.0,
    }
    for layer, unit in (("curb", "way_sides"), ("lot", "lots")):
        ratios = calibration.loc[calibration["layer"] == layer, "model_to_tag_ratio"]
        ratios = pd.to_numeric(ratios, errors="coerce").dropna()
        out[f"{layer}_calibration_{unit}_count"] = len(ratios)
        out[f"{layer}_calibration_median_ratio"] = (
            _number(float(ratios.median())) if len(ratios) else None
        )

    def spaces(table: pd.DataFrame, sid: str) -> np.ndarray:
        return scenario_rows(table, sid)["spaces"].to_numpy(dtype="float64")

    baseline_id = scenarios.baseline.id
    side_ids = sides["side_id"].to_numpy() if "side_id" in sides else np.arange(len(sides))
    is_estimated = pd.Series(estimated, index=side_ids)
    curb_base_split = _split(side_spaces, baseline_id, is_estimated)
    curb_base = float(np.nansum(spaces(side_spaces, baseline_id)))
    lot_base = float(np.nansum(spaces(lot_spaces, baseline_id)))
    base_land_lots = spaces(lot_spaces, baseline_id)[land]
    per: dict[str, dict[str, Any]] = {}
    for sid in scenarios.ids:
        curb = float(np.nansum(spaces(side_spaces, sid)))
        lot = float(np.nansum(spaces(lot_spaces, sid)))
        gained = curb + lot - curb_base - lot_base
        scen_land_lots = spaces(lot_spaces, sid)[land]
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(scen_land_lots > 0, base_land_lots / scen_land_lots, 1.0)
        # access drives, entrances and landscaping stay: only the stall modules shrink
        net = area[land] * params.lots.net_to_gross_share
        freed_m2 = float((net * (1.0 - np.minimum(needed, 1.0))).sum())
        mapped, guessed = _split(side_spaces, sid, is_estimated)
        per[sid] = {
            "curb_spaces": curb,
            "curb_spaces_mapped": mapped,
            "curb_spaces_estimated": guessed,
            "curb_spaces_gained_mapped": mapped - curb_base_split[0],
            "curb_spaces_gained_estimated": guessed - curb_base_split[1],
            "lot_spaces": lot,
            "total_spaces": curb + lot,
            "spaces_gained": gained,
            "spaces_gained_pct": _ratio(100.0 * gained, curb_base + lot_base),
            "curb_m2_per_vehicle": _ratio(curb_area, curb),
            "curb_m_per_vehicle": _ratio(1000.0 * usable_km, curb),
            "lot_m2_per_vehicle": _ratio(land_m2, float(np.nansum(scen_land_lots))),
            "land_freed_ha": freed_m2 / 10_000.0,
            "land_freed_pct_of_lot_area": _ratio(100.0 * freed_m2, land_m2),
            "curb_freed_km": (usable_km * (1.0 - min(curb_base / curb, 1.0)) if curb > 0 else 0.0),
        }
    out["scenarios"] = per
    return out
