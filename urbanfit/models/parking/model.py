"""The city parking model: scenario mixing, curb and lot tables, calibration."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.errors import ModelError
from urbanfit.models.parking._common import _EPS
from urbanfit.models.parking.curb import (
    _curb_area_m2,
    _fleet_pitch_m,
    _orientations,
    curb_runs,
    curb_spaces,
    run_usable_m,
)
from urbanfit.models.parking.estimate import estimate_curb, usable_curb_length_m
from urbanfit.models.parking.lots import (
    lot_kei_ratios,
    lot_method,
    lot_stalls,
    module_m2_per_stall,
)
from urbanfit.models.parking.summary import parking_summary
from urbanfit.parameters.parking import CurbParams, LotParams, ParkingParams
from urbanfit.results import ParkingResult, tidy
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog

__all__ = [
    "CURB_SOURCES",
    "LOT_SOURCES",
    "mixed_lot_spaces",
    "parking_model",
    "scenario_lot_spaces",
    "scenario_side_spaces",
]

CURB_SOURCES = ("tag_capacity", "model", "inferred", "tag_zero", "inferred_zero", "unknown")
"""Values of the sides' ``source`` column (see `parking_model`); the last is the default."""

LOT_SOURCES = ("tag_capacity", "model_surface", "model_multistorey", "unknown")
"""Values of the lots' ``source`` column (see `parking_model`); the last is the default."""


def mixed_lot_spaces(stalls: Mapping[str, np.ndarray], shares: Mapping[str, float]) -> np.ndarray:
    """Vehicles of a mix of classes that fit in lots, each class in its own stalls.

    A fleet whose class ``c`` has share ``s_c`` shares each lot's area in proportion, so the lot
    parks ``1 / sum_c (s_c / N_c)`` vehicles, where ``N_c`` is the lot's stall count for class
    ``c`` alone (the harmonic mix of the area each class needs per vehicle), floored. A lot
    with no stall for a class the fleet holds parks nobody.

    Parameters
    ----------
    stalls
        Class id -> stall count per lot (NaN where unknown).
    shares
        Class id -> share of the fleet (summing to 1); classes with share 0 are ignored.

    Returns
    -------
    spaces
        Float per lot; NaN where any needed count is unknown.
    """
    used = {c: w for c, w in shares.items() if w > 0}
    first = next(iter(stalls.values()))
    need = np.zeros(len(first), dtype="float64")
    unknown = np.zeros(len(first), dtype=bool)
    none = np.zeros(len(first), dtype=bool)
    for class_id, share in used.items():
        count = np.asarray(stalls[class_id], dtype="float64")
        unknown |= np.isnan(count)
        none |= count <= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            need += share / count
    with np.errstate(divide="ignore", invalid="ignore"):
        mixed = np.floor(1.0 / need + _EPS)
    return np.where(unknown, np.nan, np.where(none, 0.0, mixed))


def _build_sides(
    curb: gpd.GeoDataFrame,
    *,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: CurbParams,
    infer: bool,
    streets: pd.DataFrame | None,
    points: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    sides = curb.copy()
    sides.insert(0, "side_id", np.arange(len(sides), dtype="int64"))
    sides["usable_length_m"] = usable_curb_length_m(
        sides, params=params, streets=streets, points=points
    )
    status = sides["status"].to_numpy(dtype="object")
    estimate = (
        estimate_curb(sides, streets, params=params).to_numpy(dtype="object")
        if infer
        else np.full(len(sides), None, dtype="object")
    )
    inferred = estimate == "parking"
    sides["orientation"] = sides["orientation"].where(~inferred, "parallel")
    sides["orientation_defaulted"] = sides["orientation_defaulted"].to_numpy(dtype=bool) | inferred
    has_tag = np.isfinite(sides["capacity"].to_numpy(dtype="float64"))
    sides["source"] = np.select(
        [
            (status == "parking") & has_tag,
            status == "parking",
            inferred,
            np.isin(status, ["no_parking", "separate"]),
            estimate == "no_parking",
        ],
        list(CURB_SOURCES[:-1]),
        default=CURB_SOURCES[-1],
    ).astype("object")
    sides["run_id"] = curb_runs(sides)
    sides["run_usable_m"] = run_usable_m(sides)
    sides["curb_area_m2"] = _curb_area_m2(sides, params)
    baseline = scenarios.baseline.shares
    side_id = sides["side_id"].to_numpy()
    profile_spaces = pd.concat(
        [
            pd.DataFrame(
                {
                    "side_id": side_id,
                    "profile": profile_id,
                    "spaces": curb_spaces(
                        sides, {profile_id: 1.0}, catalog, baseline=baseline, params=params
                    ).to_numpy(),
                }
            )
            for profile_id in catalog.profiles
        ],
        ignore_index=True,
    )
    return sides, scenario_side_spaces(sides, catalog, scenarios, params=params), profile_spaces


def scenario_side_spaces(
    sides: pd.DataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: CurbParams,
) -> pd.DataFrame:
    """Curb spaces of every side in every scenario, and the gain over the baseline.

    Parameters
    ----------
    sides
        The parking model's sides (`ParkingResult.sides`): ``side_id``, ``length_m`` and the
        columns `curb_spaces` reads (``usable_length_m``, ``run_usable_m``...).
    catalog
        The vehicle profiles.
    scenarios
        The run's scenarios; gains are against the baseline.
    params
        Curb geometry (gap and angle).

    Returns
    -------
    side_spaces
        Tidy: ``side_id``, ``scenario``, ``spaces``, ``gained``, ``gained_per_100m``.
    """
    baseline = scenarios.baseline.shares
    side_id = sides["side_id"].to_numpy()
    base = curb_spaces(sides, baseline, catalog, params=params).to_numpy()
    length = sides["length_m"].to_numpy(dtype="float64")
    blocks = {}
    for scenario in scenarios:
        spaces = curb_spaces(
            sides, scenario.shares, catalog, baseline=baseline, params=params
        ).to_numpy()
        gained = spaces - base
        with np.errstate(divide="ignore", invalid="ignore"):
            per_100 = np.where(length > 0, gained / length * 100.0, np.nan)
        blocks[scenario.id] = pd.DataFrame(
            {"side_id": side_id, "spaces": spaces, "gained": gained, "gained_per_100m": per_100}
        )
    return tidy(blocks, key="side_id")


def _class_density(
    model: Mapping[str, np.ndarray], catalog: VehicleCatalog, reference: str, *, aisle_m: float
) -> dict[str, np.ndarray]:
    """Stalls per lot of each class, relative: the packing where there is one, else modules.

    Where the lot was packed and holds a stall of the reference class, each class's density is
    its packed count; elsewhere (underground, point or unpacked lots) it is the inverse of its
    module area per stall with the one aisle `aisle_m`, so class ratios are module ratios.
    """
    packed = np.isfinite(model[reference]) & (model[reference] > 0)
    return {
        c: np.where(
            packed, model[c], 1.0 / module_m2_per_stall(catalog.vehicle_class(c), aisle_m=aisle_m)
        )
        for c in model
    }


def _build_lots(
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: LotParams,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    method = lot_method(lots, params=params)
    classes = list(catalog.classes)
    model = {
        c: lot_stalls(lots, catalog.vehicle_class(c), params=params, method=method).to_numpy()
        for c in classes
    }
    tag = (
        lots["capacity"].to_numpy(dtype="float64")
        if "capacity" in lots.columns
        else np.full(len(lots), np.nan)
    )
    has_tag = np.isfinite(tag) & (tag >= 0)
    base_shares = catalog.class_shares(scenarios.baseline.shares)
    reference = max(base_shares, key=lambda c: base_shares[c])
    density = _class_density(model, catalog, reference, aisle_m=params.common_aisle_m)
    # a tag counts baseline-fleet vehicles: scale each class's density to it
    with np.errstate(divide="ignore", invalid="ignore"):
        base_need = sum(w / density[c] for c, w in base_shares.items() if w > 0)
    kind = method["method"].to_numpy(dtype="object")
    source = np.select(
        [has_tag, kind == "surface", kind == "multistorey"],
        list(LOT_SOURCES[:-1]),
        default=LOT_SOURCES[-1],
    ).astype("object")
    known = source != "unknown"
    stalls = {}
    for c in classes:
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.floor(tag * density[c] * base_need + _EPS)
        stalls[c] = np.where(known, np.where(has_tag, scaled, model[c]), np.nan)
    # kei against the baseline's main class: capped at the module ratio, structures re-striped
    # narrower only, with a low and a high end (`lot_kei_ratios`)
    base = mixed_lot_spaces(stalls, base_shares)
    ratios = lot_kei_ratios(
        lots,
        method,
        (model[reference], model[KEI_CLASS]),
        np.where(known, base, np.nan),
        kei=catalog.vehicle_class(KEI_CLASS),
        reference=catalog.vehicle_class(reference),
        params=params,
    )
    stalls[KEI_CLASS] = np.floor(base * ratios["kei_ratio"].to_numpy() + _EPS)
    table = lots[[c for c in ("lot_id", "osm_id", "name", "kind", "area_m2") if c in lots]].copy()
    if "lot_id" not in table:
        table.insert(0, "lot_id", np.arange(len(lots), dtype="int64"))
    table["is_point"] = ~np.isin(shapely.get_type_id(lots.geometry.to_numpy()), [3, 6])
    table = table.join(method.drop(columns="factor"))
    table["capacity_tag"] = np.where(has_tag, tag, np.nan)
    table["source"] = source
    table = table.join(ratios)
    lot_id = table["lot_id"].to_numpy(dtype="int64")
    lot_classes = pd.concat(
        [
            pd.DataFrame(
                {
                    "lot_id": lot_id,
                    "vehicle_class": c,
                    "model_stalls": model[c],
                    "stalls": stalls[c],
                }
            )
            for c in classes
        ],
        ignore_index=True,
    )
    table["model_baseline"] = mixed_lot_spaces(model, base_shares)
    table["stalls_baseline"] = base
    lot_table = gpd.GeoDataFrame(table, geometry=lots.geometry, crs=lots.crs)
    return lot_table, lot_classes, scenario_lot_spaces(lot_id, stalls, base, catalog, scenarios)


def scenario_lot_spaces(
    lot_id: np.ndarray,
    stalls: Mapping[str, np.ndarray],
    baseline: np.ndarray,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
) -> pd.DataFrame:
    """Vehicles every lot parks in every scenario (`mixed_lot_spaces`), and the gain.

    Parameters
    ----------
    lot_id
        Lot ids, in lot order.
    stalls
        Class id -> stalls per lot (the figure used: tag-scaled where mapped).
    baseline
        Baseline stalls per lot (the gains are against it).
    catalog
        Vehicle classes and profiles (a scenario's class shares).
    scenarios
        The run's scenarios.

    Returns
    -------
    lot_spaces
        Tidy: ``lot_id``, ``scenario``, ``spaces``, ``gained``.
    """
    blocks = {}
    for scenario in scenarios:
        spaces = mixed_lot_spaces(stalls, catalog.class_shares(scenario.shares))
        blocks[scenario.id] = pd.DataFrame(
            {"lot_id": lot_id, "spaces": spaces, "gained": spaces - baseline}
        )
    return tidy(blocks, key="lot_id")


def _calibration(sides: pd.DataFrame, lots: pd.DataFrame) -> pd.DataFrame:
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
        lots["model_baseline"].to_numpy(dtype="float64")
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
            "model_baseline": lot["model_baseline"].to_numpy(dtype="float64"),
        }
    )
    frames = [frame for frame in (curb_rows, lot_rows) if len(frame)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table = pd.concat(frames, ignore_index=True)
    tag = table["capacity_tag"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["model_to_tag_ratio"] = np.where(tag > 0, table["model_baseline"] / tag, np.nan)
    return table[columns]


def parking_model(
    curb: gpd.GeoDataFrame,
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: ParkingParams | None = None,
    infer: bool = True,
    streets: pd.DataFrame | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> ParkingResult:
    """Curb and lot parking capacity of a city for each fleet scenario.

    Parameters
    ----------
    curb
        The city's ``curb`` table (`urbanfit.citydata.curb.curb_sides`, docs/tables.md): two
        rows per street edge.
    lots
        The ``lots`` table (docs/tables.md).
    catalog
        Vehicle classes and profiles (every class gets a stall count per lot, every profile a
        curb count per side).
    scenarios
        The run's scenarios; the baseline (0 % kei) is what capacity tags describe.
    params
        Curb and lot parameters; see `ParkingParams` for units and sources.
    infer
        Estimate every untagged side (`urbanfit.models.parking.estimate.estimate_curb`):
        parked sides are labelled ``source == "inferred"``, sides estimated without parking
        ``inferred_zero``; with False untagged sides stay ``unknown`` and are never counted.
    streets
        The ``streets`` table (optional): its widths and lanes inform the estimate, and
        junction clearances are measured from the crossing street's curb line.
    points
        Optional local features (``kind`` in crossing, bus_stop, hydrant, driveway; point
        geometry in the city CRS): their clearances are taken off the nearest side.

    Returns
    -------
    result
        `urbanfit.results.ParkingResult` with:

        ``sides`` (GeoDataFrame, two rows per edge): ``side_id`` and the columns of the curb
        table plus ``usable_length_m``; ``run_id`` and ``run_usable_m`` (the continuous curb
        run of `curb_runs` and its usable length); ``source`` (``tag_capacity`` = mapped
        capacity scaled by the pitch ratio, ``model`` = usable length / pitch, ``inferred`` =
        estimated parking (parallel), ``tag_zero`` = tagged no parking or separate,
        ``inferred_zero`` = estimated no parking, ``unknown`` = not counted);
        ``curb_area_m2``.

        ``side_spaces`` (tidy): ``side_id``, ``scenario``, ``spaces``, ``gained`` (vs the
        baseline) and ``gained_per_100m`` (per 100 m of side length); NaN on unknown sides.
        ``profile_spaces`` (tidy): ``side_id``, ``profile``, ``spaces`` (that profile alone).

        ``lots`` (GeoDataFrame, one row per lot): ``lot_id``, ``osm_id``, ``name``, ``kind``,
        ``area_m2``, ``is_point``; ``method``, ``levels_used``, ``levels_defaulted`` (see
        `lot_method`); ``capacity_tag``; ``source`` (``tag_capacity`` | ``model_surface`` |
        ``model_multistorey`` | ``unknown``); the kei ratio of
        `lot_kei_ratios` (``kei_ratio`` central, ``kei_ratio_low``, ``kei_ratio_high``,
        ``kei_ratio_source``, ``structure``, ``land_per_stall_m2``, ``land_implausible``: kei
        stalls are the baseline stalls times the central ratio); ``model_baseline``
        (modelled vehicles of the baseline fleet) and ``stalls_baseline`` (the baseline
        figure: the tag where mapped, else the model).
        ``lot_classes`` (tidy): ``lot_id``, ``vehicle_class``, ``model_stalls``, ``stalls``
        (the tag scaled by the class ratio where mapped, else the model).
        ``lot_spaces`` (tidy): ``lot_id``, ``scenario``, ``spaces``, ``gained``.

        ``calibration`` (DataFrame), one row per tagged curb way side and per tagged lot with
        a model: ``layer`` (``curb`` | ``lot``), ``feature_id`` (OSM way id for curb, lot id
        for lots), ``side``, ``kind`` (orientation or lot kind), ``capacity_tag``,
        ``model_baseline`` (modelled spaces for the baseline fleet, summed over the way's
        edges), ``model_to_tag_ratio``.

        ``summary``: see `parking_summary`.

    """
    params = params or ParkingParams()
    if not len(scenarios):
        raise ModelError("the parking model needs at least one scenario")
    sides, side_spaces, profile_spaces = _build_sides(
        curb,
        catalog=catalog,
        scenarios=scenarios,
        params=params.curb,
        infer=infer,
        streets=streets,
        points=points,
    )
    lot_table, lot_classes, lot_spaces = _build_lots(lots, catalog, scenarios, params.lots)
    sides["_base_pitch_m"] = _fleet_pitch_m(
        _orientations(sides["orientation"]),
        scenarios.baseline.shares,
        catalog,
        params.curb,
    )
    calibration = _calibration(sides, lot_table)
    sides = sides.drop(columns="_base_pitch_m")
    summary = parking_summary(
        sides, side_spaces, lot_table, lot_spaces, calibration, scenarios=scenarios, params=params
    )
    return ParkingResult(
        sides=sides,
        side_spaces=side_spaces,
        profile_spaces=profile_spaces,
        lots=lot_table,
        lot_classes=lot_classes,
        lot_spaces=lot_spaces,
        calibration=calibration,
        summary=summary,
    )
