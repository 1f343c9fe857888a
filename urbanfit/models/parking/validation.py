"""How well the curb estimate predicts mapped curbs: hide the tags, predict, compare."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.models.parking.estimate import estimate_curb
from urbanfit.models.parking.model import parking_model
from urbanfit.parameters.parking import ParkingParams
from urbanfit.results import scenario_rows
from urbanfit.vehicles import ScenarioSet, VehicleCatalog

__all__ = ["hide_curb_tags", "validate_curb_estimate"]

_TAG_COLUMNS = ("position", "orientation", "capacity", "capacity_share", "restriction", "access")


def _baseline_spaces(
    curb: gpd.GeoDataFrame,
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    streets: pd.DataFrame,
    params: ParkingParams,
    infer: bool,
    points: gpd.GeoDataFrame | None,
) -> np.ndarray:
    result = parking_model(
        curb, lots, catalog, scenarios, params=params, infer=infer, streets=streets, points=points
    )
    rows = scenario_rows(result.side_spaces, scenarios.baseline.id)
    return rows["spaces"].to_numpy(dtype="float64")


def hide_curb_tags(curb: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the ``curb`` table as if nothing were mapped: sides ``unknown``, tags cleared."""
    hidden = curb.copy()
    hidden["status"] = "unknown"
    for column in (*_TAG_COLUMNS, "parkable_length_m"):
        if column in hidden.columns:
            hidden[column] = np.nan if hidden[column].dtype.kind == "f" else None
    hidden["orientation_defaulted"] = False
    return hidden


def validate_curb_estimate(
    streets: gpd.GeoDataFrame,
    curb: gpd.GeoDataFrame,
    lots: gpd.GeoDataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: ParkingParams | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> dict[str, float | int | None]:
    """Score the curb estimate on the mapped sides of a city, their tags hidden.

    Every side tagged with parking or no parking is a test case (``separate`` sides, whose
    parking is mapped as a lot, are left out). Its tags are hidden (status ``unknown``), the
    estimate predicts it from the street table alone, and the prediction is compared with the
    tag: "parking on this side" as a yes/no question weighted by side length, and the
    baseline fleet's spaces (the model on the mapped tags, capacity tags as they are) against
    the estimate's.

    Parameters
    ----------
    streets, curb, lots
        The city's ``streets``, ``curb`` and ``lots`` tables (the lots only give the table's
        shape: none is counted).
    catalog, scenarios
        Vehicles and the run's scenarios (the baseline fleet counts the spaces).
    params
        Parking parameters.
    points
        The city's curb point features (crossings, signals...): their clearances count on
        both sides of the comparison, as in a run.

    Returns
    -------
    scores
        ``sides_count`` and ``km`` evaluated; ``mapped_parking_km``,
        ``estimated_parking_km``; ``precision_share`` (of the km the estimate parks, the share
        mapped as parking) and ``recall_share`` (of the km mapped as parking, the share the
        estimate parks), None where undefined; ``mapped_spaces_per_km`` and
        ``estimated_spaces_per_km`` (baseline spaces per km of evaluated side) and
        ``spaces_per_km_rel_error`` (estimated / mapped - 1); ``parked_spaces_rel_error``:
        the same on the sides both mapped and estimated as parking (the count error alone,
        without the error of where parking is).
    """
    params = params or ParkingParams()
    status = curb["status"].to_numpy(dtype="object")
    tested = np.isin(status, ["parking", "no_parking"])
    hidden = hide_curb_tags(curb)
    no_lots = lots.iloc[0:0]
    mapped = _baseline_spaces(
        curb,
        no_lots,
        catalog,
        scenarios,
        streets=streets,
        params=params,
        infer=False,
        points=points,
    )
    guessed = _baseline_spaces(
        hidden,
        no_lots,
        catalog,
        scenarios,
        streets=streets,
        params=params,
        infer=True,
        points=points,
    )
    predicted = estimate_curb(hidden, streets, params=params.curb).eq("parking").to_numpy()
    truth = status == "parking"
    km = curb["length_m"].to_numpy(dtype="float64") / 1000.0
    weight = np.where(tested, km, 0.0)
    hit = float(weight[predicted & truth].sum())
    said = float(weight[predicted].sum())
    real = float(weight[truth].sum())
    total_km = float(weight.sum())
    true_spaces = float(np.nansum(mapped[tested]))
    estimated_spaces = float(np.nansum(guessed[tested]))
    both = tested & truth & predicted
    both_true = float(np.nansum(mapped[both]))

    def ratio(numerator: float, denominator: float) -> float | None:
        return numerator / denominator if denominator else None

    return {
        "sides_count": int(tested.sum()),
        "km": total_km,
        "mapped_parking_km": real,
        "estimated_parking_km": said,
        "precision_share": ratio(hit, said),
        "recall_share": ratio(hit, real),
        "mapped_spaces_per_km": ratio(true_spaces, total_km),
        "estimated_spaces_per_km": ratio(estimated_spaces, total_km),
        "spaces_per_km_rel_error": (estimated_spaces / true_spaces - 1.0 if true_spaces else None),
        "parked_spaces_rel_error": (
            float(np.nansum(guessed[both])) / both_true - 1.0 if both_true else None
        ),
    }
