"""A city's own curb inventory in a run: read it, put it in the curb table, score the estimate.

`apply_curb_inventory` reads the file (`urbanfit.sources.curblr`), places its pieces on the
street sides and reads the rules at the run's curb time (`urbanfit.citydata.inventory`), and
returns the city with the sides the inventory covers replaced (``curb_source ==
"inventory"``), plus an `InventoryCheck`: what was read and matched, and how the curb
estimate would have done on the covered curb with the OSM tags and the inventory hidden
(`urbanfit.models.parking.selfcheck`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.citydata import CityData
from urbanfit.citydata.inventory import (
    inventory_curb,
    inventory_segments,
    match_inventory,
    parse_curb_time,
)
from urbanfit.errors import SourceError
from urbanfit.models.parking.curb import fleet_pitch_m
from urbanfit.models.parking.selfcheck import score_against_inventory
from urbanfit.parameters.parking import ParkingParams
from urbanfit.sources.curbinventory import read_curb_inventory
from urbanfit.vehicles import ScenarioSet, VehicleCatalog

__all__ = ["InventoryCheck", "apply_curb_inventory", "self_check_sentence"]


@dataclass(frozen=True)
class InventoryCheck:
    """What a curb inventory gave a run: provenance, coverage and the estimate's score there."""

    summary: dict[str, Any]
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)


def self_check_sentence(check: dict[str, Any]) -> str:
    """Say in one sentence what the estimate would have said on the inventory's curb."""
    km = check.get("km") or 0.0
    precision, recall = check.get("precision_share"), check.get("recall_share")
    error = check.get("spaces_per_km_rel_error")
    if not km or precision is None or recall is None:
        return (
            f"On the {km:.1f} km your inventory covers, the estimate could not be scored "
            "(no parking surveyed or none estimated there)."
        )
    spaces = "" if error is None else f", and {error * 100:+.0f} % spaces per km"
    return (
        f"On the {km:.1f} km your inventory covers, the estimate would have said parking on "
        f"{check['estimated_parking_km']:.1f} km where the survey has "
        f"{check['surveyed_parking_km']:.1f} km: {precision * 100:.0f} % of what it calls "
        f"parking is parking (precision), it finds {recall * 100:.0f} % of the surveyed "
        f"parking (recall){spaces}."
    )


def apply_curb_inventory(
    city: CityData,
    path: Path,
    *,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: ParkingParams | None = None,
    curb_time: str | None = None,
    mapping: Path | None = None,
) -> tuple[CityData, InventoryCheck]:
    """Read a curb inventory into the city's curb table and score the estimate on it.

    Parameters
    ----------
    city
        The city's tables from OSM.
    path
        A CurbLR feed or Curb Data Specification zones (GeoJSON with their policies).
    catalog, scenarios
        The baseline fleet's pitch counts the self-check's spaces.
    params
        Parking parameters (``inventory`` for matching and the default curb time, ``curb``
        for the estimate).
    curb_time
        ``"weekday 12:00"``-style day and time the rules are read at; None takes
        ``InventoryParams.curb_time``.
    mapping
        A TOML field mapping: `path` is then any vector layer GDAL reads
        (`urbanfit.sources.curblayer`).

    Returns
    -------
    city, check
        The city with ``curb_source`` and ``parkable_length_m`` in its curb table, and the
        inventory's record (``curb_inventory`` in summary.json).
    """
    params = params or ParkingParams()
    when = parse_curb_time(curb_time or params.inventory.curb_time)
    rows, provenance = read_curb_inventory(Path(path), mapping=mapping)
    pieces, matched = match_inventory(rows, city.streets, params=params.inventory)
    if not matched["features_matched"]:
        raise SourceError(
            f"none of the {matched['features_read']} pieces of the curb inventory "
            f"{Path(path).name} lies within {params.inventory.match_tolerance_m:g} m of a street "
            f"of {city.name}: is it the same place, and is its CRS right?"
        )
    segments = inventory_segments(rows, pieces, when)
    curb, covered = inventory_curb(city.curb, segments, params=params.inventory)
    used = curb.loc[curb["curb_source"] == "inventory", ["edge_id", "side"]]
    scored = segments.merge(used, on=["edge_id", "side"])
    pitch = float(
        fleet_pitch_m(
            np.array(["parallel"]), scenarios.baseline.shares, catalog, params=params.curb
        )[0]
    )
    check = score_against_inventory(
        city.curb,
        scored,
        streets=city.streets,
        points=city.points,
        pitch_m=pitch,
        params=params.curb,
    )
    summary = {
        "provenance": {**provenance, **{k: matched[k] for k in ("features_matched",)}},
        "curb_time": when.label,
        **{f"{k}_count" if k.startswith("features") else k: v for k, v in matched.items()},
        "sides_covered_count": covered["sides_covered"],
        "km_covered": covered["km_covered"],
        "km_parkable": covered["km_parkable"],
        "sides_partly_covered_count": covered["sides_partly_covered"],
        "km_partly_covered": covered["km_partly_covered"],
        "baseline_pitch_m": pitch,
        "self_check": check,
        "self_check_text": self_check_sentence(check),
    }
    return dataclasses.replace(city, curb=curb), InventoryCheck(summary=summary, segments=scored)
