"""The city parking model: scenario mixing, curb and lot tables, calibration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.citydata.curb import curb_sides
from urbanfit.errors import ModelError
from urbanfit.models.parking._common import _EPS, Shares
from urbanfit.models.parking.curb import (
    _curb_area_m2,
    _fleet_pitch_m,
    curb_runs,
    curb_spaces,
    infer_curb,
    usable_curb_length_m,
)
from urbanfit.models.parking.lots import lot_kei_ratios, lot_stalls
from urbanfit.models.parking.summary import parking_summary
from urbanfit.parameters.parking import CurbParams, LotParams, ParkingParams
from urbanfit.vehicles import Scenario, VehicleCatalog

__all__ = ["ParkingResult", "class_shares", "parking_model"]


@dataclass(frozen=True, eq=False)
class ParkingResult:
    """Everything the parking model returns (see `parking_model` for the columns).

    Attributes
    ----------
    sides
        One row per street side, per-profile and per-scenario spaces.
    lots
        One row per lot, stalls full-size vs kei and per-scenario spaces.
    calibration
        Model vs mapped capacity, curb sides and lots.
    summary
        City figures: plain JSON-serialisable numbers (None where undefined), each key naming
        its unit.
    baseline_id
        Id of the 0 % kei scenario.
    scenario_ids
        Scenario ids in the given order (they suffix the per-scenario columns and keys).

    """

    sides: gpd.GeoDataFrame
    lots: gpd.GeoDataFrame
    calibration: pd.DataFrame
    summary: dict[str, Any]
    baseline_id: str
    scenario_ids: tuple[str, ...]


def class_shares(shares: Shares, catalog: VehicleCatalog) -> float:
    """Kei share of a fleet mix: the summed shares of its kei-class profiles.

    Parameters
    ----------
    shares
        Profile id -> share.
    catalog
        The vehicle profiles.

    Returns
    -------
    kei_share
        A fraction in [0, 1].

    """
    return float(sum(w for p, w in shares.items() if catalog.profile(p).vehicle_class == "kei"))


def _mixed_lot_spaces(full: np.ndarray, kei: np.ndarray, kei_share: float) -> np.ndarray:
    if kei_share <= 0.0:
        return full.copy()
    if kei_share >= 1.0:
        return kei.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        need = (1.0 - kei_share) / full + kei_share / kei
        mixed = np.floor(1.0 / need + _EPS)
    return np.where(np.isnan(full) | np.isnan(kei), np.nan, np.where(full > 0, mixed, 0.0))


def _baseline(scenarios: Sequence[Scenario]) -> Scenario:
    for scenario in scenarios:
        if scenario.kei_share == 0.0:
            return scenario
    raise ModelError(
        "the parking model needs a baseline scenario with a kei share of 0 "
        "(capacity tags describe today's fleet); add 0 to the kei shares"
    )


def _build_sides(
    streets: gpd.GeoDataFrame,
    *,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    baseline: Scenario,
    params: CurbParams,
    infer: bool,
) -> gpd.GeoDataFrame:
    sides = curb_sides(streets, offset_m=params.side_offset_m)
    sides["usable_length_m"] = usable_curb_length_m(sides, params=params)
    status = sides["status"].to_numpy(dtype="object")
    inferred = infer_curb(sides, params=params).to_numpy() if infer else np.zeros(len(sides), bool)
    sides["orientation"] = sides["orientation"].where(~inferred, "parallel")
    sides["orientation_defaulted"] = sides["orientation_defaulted"].to_numpy(dtype=bool) | inferred
    has_tag = np.isfinite(sides["capacity"].to_numpy(dtype="float64"))
    sides["source"] = np.select(
        [
            (status == "parking") & has_tag,
            status == "parking",
            inferred,
            np.isin(status, ["no_parking", "separate"]),
        ],
        ["tag_capacity", "model", "inferred", "tag_zero"],
        default="unknown",
    ).astype("object")
    sides["run_id"] = curb_runs(sides)
    sides["run_usable_m"] = (
        sides.groupby("run_id")["usable_length_m"].transform("sum").to_numpy(dtype="float64")
    )
    for profile_id in catalog.profiles:
        sides[f"spaces_profile_{profile_id}"] = curb_spaces(
            sides, {profile_id: 1.0}, catalog, baseline=baseline.shares, params=params
        )
    base = curb_spaces(sides, baseline.shares, catalog, params=params)
    length = sides["length_m"].to_numpy(dtype="float64")
    for scenario in scenarios:
        spaces = curb_spaces(
            sides, scenario.shares, catalog, baseline=baseline.shares, params=params
        )
        gained = spaces - base
        sides[f"spaces_{scenario.id}"] = spaces
        sides[f"gained_{scenario.id}"] = gained
        with np.errstate(divide="ignore", invalid="ignore"):
            per_100 = np.where(length > 0, gained.to_numpy() / length * 100.0, np.nan)
        sides[f"gained_per_100m_{scenario.id}"] = per_100
    sides["curb_area_m2"] = _curb_area_m2(sides, params)
    return sides


def _build_lots(
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    params: LotParams,
) -> gpd.GeoDataFrame:
    model = lot_stalls(lots, params=params)
    tag = (
        lots["capacity"].to_numpy(dtype="float64")
        if "capacity" in lots.columns
        else np.full(len(lots), np.nan)
    )
    has_tag = np.isfinite(tag) & (tag >= 0)
    full = model["model_full_size"].to_numpy()
    method = model["method"].to_numpy(dtype="object")
    source = np.select(
        [has_tag, method == "surface", method == "multistorey"],
        ["tag_capacity", "model_surface", "model_multistorey"],
        default="unknown",
    ).astype("object")
    stalls_full = np.where(has_tag, tag, full)
    known = source != "unknown"
    ratios = lot_kei_ratios(lots, model, np.where(known, stalls_full, np.nan), params=params)
    stalls_kei = np.floor(stalls_full * ratios["kei_ratio"].to_numpy() + _EPS)
    table = lots[[c for c in ("lot_id", "osm_id", "name", "kind", "area_m2") if c in lots]].copy()
    table["is_point"] = ~np.isin(shapely.get_type_id(lots.geometry.to_numpy()), [3, 6])
    table = table.join(model)
    table["capacity_tag"] = np.where(has_tag, tag, np.nan)
    table["source"] = source
    table["stalls_full_size"] = np.where(known, stalls_full, np.nan)
    table["stalls_kei"] = np.where(known, stalls_kei, np.nan)
    table = table.join(ratios)
    base = table["stalls_full_size"].to_numpy(dtype="float64")
    all_kei = table["stalls_kei"].to_numpy(dtype="float64")
    for scenario in scenarios:
        share = class_shares(scenario.shares, catalog)
        spaces = _mixed_lot_spaces(base, all_kei, share)
        table[f"spaces_{scenario.id}"] = spaces
        table[f"gained_{scenario.id}"] = spaces - base
    return gpd.GeoDataFrame(table, geometry=lots.geometry, crs=lots.crs)


def _calibration(sides: pd.DataFrame, lots: pd.DataFrame, baseline: Scenario) -> pd.DataFrame:
    columns = [
        "layer",
        "feature_id",
        "side",
        "kind",
        "capacity_tag",
        "model_baseline",
        "model_to_tag_ratio",
    ]
    tagged = sides["source"].to_numpy(dtype="object") == "tag_capacity"
    usable = sides["usable_length_m"].to_numpy(dtype="float64")
    run_usable = sides["run_usable_m"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        model = np.floor(run_usable / sides["_base_pitch_m"].to_numpy() + _EPS) * np.where(
            run_usable > 0, usable / run_usable, 0.0
        )
    curb = sides.loc[tagged, ["osm_id", "side", "orientation", "capacity"]].assign(
        model=model[tagged]
    )
    # a capacity tags a way side: compare it with the model summed over the way's edges
    ways = curb.groupby(["osm_id", "side"], sort=True).agg(
        kind=("orientation", "first"), capacity_tag=("capacity", "first"), model=("model", "sum")
    )
    curb_rows = pd.DataFrame(
        {
            "layer": "curb",
            "feature_id": ways.index.get_level_values("osm_id").to_numpy(dtype="int64"),
            "side": ways.index.get_level_values("side").to_numpy(dtype="object"),
            "kind": ways["kind"].to_numpy(dtype="object"),
            "capacity_tag": ways["capacity_tag"].to_numpy(dtype="float64"),
            "model_baseline": ways["model"].to_numpy(dtype="float64"),
        }
    )
    lot_mask = np.isfinite(lots["capacity_tag"].to_numpy(dtype="float64")) & np.isfinite(
        lots["model_full_size"].to_numpy(dtype="float64")
    )
    lot = lots.loc[lot_mask]
    lot_ids = lot["lot_id"] if "lot_id" in lot.columns else pd.Series(lot.index, index=lot.index)
    lot_rows = pd.DataFrame(
        {
            "layer": "lot",
            "feature_id": lot_ids.to_numpy(dtype="int64"),
            "side": None,
            "kind": lot["kind"].to_numpy(dtype="object"),
            "capacity_tag": lot["capacity_tag"].to_numpy(dtype="float64"),
            "model_baseline": lot["model_full_size"].to_numpy(dtype="float64"),
        }
    )
    frames = [frame for frame in (curb_rows, lot_rows) if len(frame)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table = pd.concat(frames, ignore_index=True)
    tag = table["capacity_tag"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["model_to_tag_ratio"] = np.where(tag > 0, table["model_baseline"] / tag, np.nan)
    table.attrs["baseline_id"] = baseline.id
    return table[columns]


def parking_model(
    streets: gpd.GeoDataFrame,
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: Sequence[Scenario],
    *,
    params: ParkingParams | None = None,
    infer: bool = False,
) -> ParkingResult:
    """Curb and lot parking capacity of a city for each fleet scenario.

    Parameters
    ----------
    streets
        The ``streets`` table (docs/tables.md), raw curb-parking tag columns included.
    lots
        The ``lots`` table (docs/tables.md).
    catalog
        Vehicle profiles (every profile gets a curb column).
    scenarios
        Fleet scenarios; one must have a kei share of 0 (the baseline).
    params
        Curb and lot parameters; see `ParkingParams` for units and sources.
    infer
        Estimate untagged sides of local streets by the class rule of
        `CurbParams.infer_highways` (labelled ``source == "inferred"``); off by default, when
        untagged sides are reported as unknown km and never counted.

    Returns
    -------
    result
        `ParkingResult` with:

        ``sides`` (GeoDataFrame, two rows per edge): the columns of
        `urbanfit.citydata.curb.curb_sides` plus ``usable_length_m``; ``run_id`` and
        ``run_usable_m`` (the continuous curb run of `curb_runs` and its usable length);
        ``source``
        (``tag_capacity`` = mapped capacity scaled by the pitch ratio, ``model`` = usable
        length / pitch, ``inferred`` = class-rule estimate, ``tag_zero`` = tagged no parking or
        separate, ``unknown`` = not counted); ``spaces_profile_<profile>`` per profile;
        ``spaces_<scenario>``, ``gained_<scenario>`` (vs baseline) and
        ``gained_per_100m_<scenario>`` (per 100 m of side length) per scenario; ``curb_area_m2``.
        Spaces are NaN on unknown sides.

        ``lots`` (GeoDataFrame, one row per lot): ``lot_id``, ``osm_id``, ``name``, ``kind``,
        ``area_m2``, ``is_point``; the model columns of `lot_stalls`; ``capacity_tag``;
        ``source`` (``tag_capacity`` | ``model_surface`` | ``model_multistorey`` |
        ``unknown``); ``stalls_full_size`` (baseline figure: the tag where mapped, else the
        model), ``stalls_kei`` (all-kei figure); ``kei_ratio`` and ``kei_ratio_source``
        (see `lot_kei_ratios`: the central ratio; the all-kei figure is the baseline x it),
        ``kei_ratio_low``, ``kei_ratio_high``, ``structure``, ``land_per_stall_m2``,
        ``land_implausible``; ``spaces_<scenario>`` and ``gained_<scenario>``.

        ``calibration`` (DataFrame), one row per tagged curb way side and per tagged lot with
        a model: ``layer`` (``curb`` | ``lot``), ``feature_id`` (OSM way id for curb, lot id
        for lots), ``side``, ``kind`` (orientation or lot kind), ``capacity_tag``,
        ``model_baseline`` (modelled spaces for the baseline fleet, summed over the way's
        edges), ``model_to_tag_ratio``.

        ``summary``: see `parking_summary`.

    """
    params = params or ParkingParams()
    if not scenarios:
        raise ModelError("the parking model needs at least one scenario")
    baseline = _baseline(scenarios)
    ids = tuple(s.id for s in scenarios)
    sides = _build_sides(
        streets,
        catalog=catalog,
        scenarios=scenarios,
        baseline=baseline,
        params=params.curb,
        infer=infer,
    )
    lot_table = _build_lots(lots, catalog, scenarios, params.lots)
    sides["_base_pitch_m"] = _fleet_pitch_m(
        sides["orientation"].to_numpy(dtype="object"), baseline.shares, catalog, params.curb
    )
    calibration = _calibration(sides, lot_table, baseline)
    sides = sides.drop(columns="_base_pitch_m")
    summary = parking_summary(
        sides, lot_table, calibration, ids, baseline_id=baseline.id, params=params
    )
    return ParkingResult(
        sides=sides,
        lots=lot_table,
        calibration=calibration,
        summary=summary,
        baseline_id=baseline.id,
        scenario_ids=ids,
    )
