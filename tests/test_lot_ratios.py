"""Lot kei ratios by hand: the module cap, the MLIT low end, structures, the land-per-stall flag.

Documented defaults (urbanfit.parameters.parking.LotParams):
- module ratio, both fleets on the one 24 ft aisle (LotParams.common_aisle_m): US stall + half
  aisle vs kei stall + half aisle: 2.7432 x (5.4864 + 3.6576) / (2.0 x (3.6 + 3.6576))
  = 25.08382 / 14.5152 = 1.728107: the central cap;
- the MLIT kei module (kei stall on its own 5.5 m aisle), the high end:
  2.7432 x (5.4864 + 3.6576) / (2.0 x (3.6 + 2.75)) = 25.08382 / 12.7 = 1.975104;
- same-standard ratio (MLIT ordinary car vs kei, both with the 5.5 m aisle):
  2.5 x (6.0 + 2.75) / (2.0 x (3.6 + 2.75)) = 21.875 / 12.7 = 1.722441;
- structures (multi-storey, underground) re-stripe their rows narrower only: central
  2.7432 / 2.0 = 1.3716, low 2.5 / 2.0 = 1.25;
- lots with more than 35 m2 of land per baseline stall are flagged.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from urbanfit.citydata.curb import curb_sides
from urbanfit.models.parking import parking_model
from urbanfit.models.parking.lots import lot_kei_ratios, same_standard_ratio, structure_ratios
from urbanfit.vehicles import load_vehicles, scenarios

CATALOG = load_vehicles()
KEI, FULL = CATALOG.vehicle_class("kei"), CATALOG.vehicle_class("full_size")

MODULE = 25.08382 / 14.5152
MLIT_KEI = 25.08382 / 12.7
SAME = 21.875 / 12.7


def _ratios(rows: list[dict[str, Any]]) -> pd.DataFrame:
    lots = pd.DataFrame(
        {"kind": [r["kind"] for r in rows], "area_m2": [r.get("area", 0.0) for r in rows]}
    )
    method = pd.DataFrame(
        {
            "method": [r.get("method") for r in rows],
            "levels_used": [r.get("levels", np.nan) for r in rows],
        }
    )
    packed = (
        np.array([r.get("full", np.nan) for r in rows], dtype=float),
        np.array([r.get("kei", np.nan) for r in rows], dtype=float),
    )
    baseline = np.array([r.get("baseline", r.get("full", np.nan)) for r in rows], dtype=float)
    return lot_kei_ratios(lots, method, packed, baseline, kei=KEI, reference=FULL)


def test_standard_ratios() -> None:
    assert same_standard_ratio(KEI) == pytest.approx(SAME, rel=1e-6)
    assert structure_ratios(KEI, FULL) == pytest.approx((1.25, 1.3716))


def test_packed_ratio_is_capped_at_the_module_ratio() -> None:
    # lot 0: packed 180 kei / 84 full = 2.1429 > 1.728107 -> capped; low 1.722441
    # lot 1: packed 150 / 100 = 1.5, below the cap and below the MLIT ratio: low = central
    ratios = _ratios(
        [
            {"kind": "surface", "method": "surface", "full": 84.0, "kei": 180.0, "area": 2400},
            {"kind": "surface", "method": "surface", "full": 100.0, "kei": 150.0, "area": 3000},
        ]
    )
    assert ratios["kei_ratio"].tolist() == pytest.approx([MODULE, 1.5], rel=1e-6)
    assert ratios["kei_ratio_low"].tolist() == pytest.approx([SAME, 1.5], rel=1e-6)
    assert ratios["kei_ratio_high"].tolist() == pytest.approx([MLIT_KEI, MLIT_KEI], rel=1e-6)
    assert ratios["kei_ratio_source"].tolist() == ["packing_capped", "packing"]


def test_structures_use_the_width_ratio_and_report_the_module_as_upper_bound() -> None:
    # an underground garage tagged capacity=400 (no model) and a 3-level multi-storey
    ratios = _ratios(
        [
            {"kind": "underground", "baseline": 400.0, "area": 5000},
            {"kind": "multi-storey", "method": "multistorey", "full": 120.0, "kei": 250.0},
        ]
    )
    assert ratios["kei_ratio"].tolist() == pytest.approx([1.3716, 1.3716])
    assert ratios["kei_ratio_low"].tolist() == pytest.approx([1.25, 1.25])
    assert ratios["kei_ratio_high"].tolist() == pytest.approx([MLIT_KEI, MLIT_KEI], rel=1e-6)
    assert ratios["structure"].tolist() == [True, True]
    assert ratios["kei_ratio_source"].tolist() == ["structure", "structure"]


def test_land_per_baseline_stall_above_35_m2_is_flagged() -> None:
    # 2400 m2 / 60 stalls = 40 m2 > 35: flagged; 2400 / 80 = 30: not; a 100 m2 polygon with
    # no full-size stall: no figure, flagged; a multi-storey of 1000 m2 x 3 levels / 100 =
    # 30 m2 of floor per stall: not; a tag-only point lot (area 0): no figure, not flagged
    ratios = _ratios(
        [
            {"kind": "surface", "method": "surface", "full": 60.0, "kei": 110.0, "area": 2400},
            {"kind": "surface", "method": "surface", "full": 80.0, "kei": 150.0, "area": 2400},
            {"kind": "surface", "method": "surface", "full": 0.0, "kei": 4.0, "area": 100},
            {"kind": "multi-storey", "full": 100.0, "kei": 150.0, "area": 1000, "levels": 3},
            {"kind": "surface", "baseline": 20.0},
        ]
    )
    land = ratios["land_per_stall_m2"].tolist()
    assert land[:2] == pytest.approx([40.0, 30.0])
    assert np.isnan(land[2]) and np.isnan(land[4])
    assert land[3] == pytest.approx(30.0)
    assert ratios["land_implausible"].tolist() == [True, False, True, False, False]
    # the lot without a full-size stall has no packed ratio: the module ratio, so its
    # all-kei figure is 0 x 1.728 = 0 (no gain claimed where no baseline is known)
    assert ratios["kei_ratio_source"].iloc[2] == "module"


def test_unknown_lots_have_no_ratio() -> None:
    ratios = _ratios([{"kind": "underground"}])
    assert ratios[["kei_ratio_low", "kei_ratio", "kei_ratio_high"]].isna().all(axis=None)
    assert ratios["kei_ratio_source"].iloc[0] is None


def test_a_400_space_underground_garage_gains_148_not_390() -> None:
    # floor(400 x 1.3716 = 548.64) = 548 kei stalls, not floor(400 x 1.975104) = 790
    catalog = load_vehicles()
    lots = gpd.GeoDataFrame(
        {
            "lot_id": [0],
            "osm_id": [1],
            "kind": ["underground"],
            "levels": [np.nan],
            "capacity": [400.0],
            "area_m2": [5000.0],
            "is_point": [False],
        },
        geometry=[box(500_000, 6_670_000, 500_100, 6_670_050)],
        crs="EPSG:32635",
    )
    streets = gpd.GeoDataFrame(
        {"edge_id": [0], "length_m": [10.0]},
        geometry=[shapely.LineString([(500_000, 6_669_900), (500_010, 6_669_900)])],
        crs="EPSG:32635",
    )
    result = parking_model(curb_sides(streets), lots, catalog, scenarios(catalog))
    table = result.lots
    assert result.lot_class_stalls().loc[0, "kei"] == 548.0
    assert result.lot_figures("kei100")["gained"].iloc[0] == 148.0
    # the upper bound, reported separately: floor(400 x 1.975104) = 790
    assert np.floor(400 * table["kei_ratio_high"].iloc[0]) == 790.0
