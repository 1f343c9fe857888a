"""City figures of the parking model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.citydata.curb import malformed_tag_count
from urbanfit.parameters.parking import ParkingParams

__all__ = ["parking_summary"]


def _number(value: float) -> float | None:
    """Return a JSON-safe float: None for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return _number(numerator / denominator) if denominator else None


def parking_summary(
    sides: pd.DataFrame,
    lots: pd.DataFrame,
    calibration: pd.DataFrame,
    scenario_ids: Sequence[str],
    *,
    baseline_id: str,
    params: ParkingParams | None = None,
) -> dict[str, Any]:
    """City figures of the parking model.

    Parameters
    ----------
    sides, lots, calibration
        The tables of `parking_model`.
    scenario_ids
        Scenario ids (suffixes of the per-scenario columns).
    baseline_id
        Id of the 0 % kei scenario.
    params
        Packed kinds (which lots occupy land).

    Returns
    -------
    summary
        Plain dict of JSON-serialisable numbers (None where undefined). City-wide keys:
        ``curb_sides_count``; km of sides ``curb_parsed_km`` (any tagged status),
        ``curb_parking_km``, ``curb_no_parking_km``, ``curb_separate_km``,
        ``curb_unknown_km`` (untagged or unreadable, including inferred ones),
        ``curb_inferred_km``, ``curb_usable_km`` (counted parking sides after clearances);
        ``curb_tag_capacity_sides_count``, ``curb_malformed_tags_count`` (distinct edge and
        key), ``curb_malformed_sides_count``, ``curb_schema_conflict_sides_count``;
        ``lots_count``, ``lots_modelled_count``, ``lots_tag_capacity_count``,
        ``lots_unknown_count``, ``lot_land_area_ha`` (footprint of counted non-underground lots);
        ``curb_calibration_way_sides_count``, ``curb_calibration_median_ratio``,
        ``lot_calibration_lots_count``, ``lot_calibration_median_ratio`` (model / tag).
        Per scenario ``<id>``: ``curb_spaces_<id>``, ``lot_spaces_<id>``,
        ``total_spaces_<id>``, ``spaces_gained_<id>`` and ``spaces_gained_pct_<id>`` (vs the
        baseline total), ``curb_m2_per_vehicle_<id>``, ``curb_m_per_vehicle_<id>``,
        ``lot_m2_per_vehicle_<id>`` (land per parked vehicle), ``land_freed_ha_<id>`` and
        ``land_freed_pct_of_lot_area_<id>`` (lot land not needed to park the baseline number of
        vehicles), ``curb_freed_km_<id>`` (curb not needed for the baseline number).

    """
    params = params or ParkingParams()
    status = sides["status"].to_numpy(dtype="object")
    source = sides["source"].to_numpy(dtype="object")
    km = sides["length_m"].to_numpy(dtype="float64") / 1000.0
    counted = np.isin(source, ["tag_capacity", "model", "inferred"])
    usable_km = float(sides["usable_length_m"].to_numpy()[counted].sum() / 1000.0)
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

    def total(frame: pd.DataFrame, column: str, mask: np.ndarray | None = None) -> float:
        values = frame[column].to_numpy(dtype="float64")
        if mask is not None:
            values = values[mask]
        return float(np.nansum(values))

    curb_base = total(sides, f"spaces_{baseline_id}")
    lot_base = total(lots, f"spaces_{baseline_id}")
    base_land_lots = lots[f"spaces_{baseline_id}"].to_numpy(dtype="float64")[land]
    for sid in scenario_ids:
        curb = total(sides, f"spaces_{sid}")
        lot = total(lots, f"spaces_{sid}")
        gained = curb + lot - curb_base - lot_base
        scen_land_lots = lots[f"spaces_{sid}"].to_numpy(dtype="float64")[land]
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(scen_land_lots > 0, base_land_lots / scen_land_lots, 1.0)
        freed_m2 = float((area[land] * (1.0 - np.minimum(needed, 1.0))).sum())
        out |= {
            f"curb_spaces_{sid}": curb,
            f"lot_spaces_{sid}": lot,
            f"total_spaces_{sid}": curb + lot,
            f"spaces_gained_{sid}": gained,
            f"spaces_gained_pct_{sid}": _ratio(100.0 * gained, curb_base + lot_base),
            f"curb_m2_per_vehicle_{sid}": _ratio(curb_area, curb),
            f"curb_m_per_vehicle_{sid}": _ratio(1000.0 * usable_km, curb),
            f"lot_m2_per_vehicle_{sid}": _ratio(land_m2, float(np.nansum(scen_land_lots))),
            f"land_freed_ha_{sid}": freed_m2 / 10_000.0,
            f"land_freed_pct_of_lot_area_{sid}": _ratio(100.0 * freed_m2, land_m2),
            f"curb_freed_km_{sid}": (
                usable_km * (1.0 - min(curb_base / curb, 1.0)) if curb > 0 else 0.0
            ),
        }
    return out
