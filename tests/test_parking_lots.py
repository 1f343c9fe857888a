"""Lot stall packing by hand: a 60 m x 40 m rectangle, an L-shaped lot, rotation, multi-storey,
tag-only lots and the calibration table.

Documented defaults (urbanfit.parameters.parking.LotParams):
- full-size (US): stall W 9 ft = 2.7432 m, depth D 18 ft = 5.4864 m, aisle A 24 ft = 7.3152 m;
  module 2D + A = 18.288 m; a stall needs its box plus the aisle in front, D + A = 12.8016 m;
- kei (Japan): W 2.0 m, D 3.6 m, A 5.5 m; module 12.7 m; D + A = 9.1 m.
Across a layout, row boxes start at k x module (stall then aisle) and k x module + D (aisle
then stall); along a row, stalls start at the beginning of each stretch inside the lot. With
step 90 the four directions of the lot's axes are tried; the best wins.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import shapely
from builders import lot_table, street_table
from shapely import affinity
from shapely.geometry import Point, Polygon, box

from urbanfit.citydata.curb import curb_sides
from urbanfit.models.parking import (
    lot_method,
    lot_stalls,
    module_ratio,
    pack_stalls,
    parking_model,
)
from urbanfit.parameters.parking import LotParams, ParkingParams
from urbanfit.vehicles import load_vehicles, scenarios

X0, Y0 = 500_000.0, 6_670_000.0
FULL: dict[str, Any] = {"stall_width_m": 2.7432, "stall_depth_m": 5.4864, "aisle_m": 7.3152}
KEI: dict[str, Any] = {"stall_width_m": 2.0, "stall_depth_m": 3.6, "aisle_m": 5.5}

RECT = affinity.translate(box(0, 0, 60, 40), X0, Y0)
# L: the 60 x 40 rectangle without its 30 x 20 north-east corner
L_SHAPE = affinity.translate(
    Polygon([(0, 0), (60, 0), (60, 20), (30, 20), (30, 40), (0, 40)]), X0, Y0
)


def test_rectangle_60_by_40_full_size() -> None:
    # rows along the 60 m side: floor(60 / 2.7432 = 21.87) = 21 stalls a row;
    #   across 40 m: boxes at 0 (to 12.80) and 5.49 (to 18.29), 18.29 (to 31.09) and
    #   23.77 (to 36.58); the next at 36.58 would end at 49.4 > 40 -> 4 rows -> 84
    # rows along the 40 m side: floor(40 / 2.7432 = 14.58) = 14 a row; across 60 m:
    #   3 modules = 54.864 m, 5.136 m left < 12.80 -> 6 rows -> 84
    assert pack_stalls([RECT], step_deg=90, **FULL).tolist() == [84]


def test_rectangle_60_by_40_kei() -> None:
    # rows along 60 m: 30 stalls a row; across 40 m: 3 modules (38.1 m), 1.9 m left < 9.1
    #   -> 6 rows -> 180
    # rows along 40 m: 20 a row; across 60 m: 4 modules (50.8 m), 9.2 m left >= 9.1 gives
    #   one more single-loaded row -> 9 rows -> 180
    assert pack_stalls([RECT], step_deg=90, **KEI).tolist() == [180]


def test_l_shaped_lot_full_size() -> None:
    # stalls are laid from the start of each free stretch of a row
    # rows along x, modules from y = 0: the lower band (y < 20) is 60 m long (21 stalls),
    #   the upper band 30 m (floor(30 / 2.7432 = 10.94) = 10):
    #   box y 0-12.80 -> 21; 5.49-18.29 -> 21; 18.29-31.09 crosses y = 20 -> 10;
    #   23.77-36.58 -> 10; the next would end at 49.4 > 40 -> 62
    # rows along y, modules from x = 0: x < 30 is 40 m tall (14 a row), a box reaching
    #   x > 30 only has y 0-20 (floor(20 / 2.7432 = 7.29) = 7):
    #   14 + 14 + 7 + 7 + 7 + 7 -> 56 (and 56 with modules from x = 60)
    # rows along x, modules from y = 40: boxes y 27.2-40, 21.7-34.5, 8.9-21.7 -> 10 each,
    #   3.4-16.2 -> 21 -> 51
    # best: 62
    assert pack_stalls([L_SHAPE], step_deg=90, **FULL).tolist() == [62]


def test_l_shaped_lot_kei() -> None:
    # rows along y, modules from x = 0 (20 a row where x < 30, 10 where the box reaches x > 30):
    #   box x 0-9.1 -> 20; 3.6-12.7 -> 20; 12.7-21.8 -> 20; 16.3-25.4 -> 20;
    #   25.4-34.5 -> 10; 28.9-38.0 -> 10; 38.1-47.2 -> 10; 41.6-50.7 -> 10; 50.8-59.9 -> 10;
    #   the next, 54.3-63.4, is outside -> 130
    # rows along x from y = 0: 30 + 30 + 15 + 15 + 15 + 15 = 120 (from y = 40 and from
    #   x = 60 alike: 120) -> best 130
    assert pack_stalls([L_SHAPE], step_deg=90, **KEI).tolist() == [130]


def test_a_hole_in_a_lot_removes_the_stalls_it_blocks() -> None:
    # the 60 x 40 rectangle with a 10 m x 10 m hole at x 25-35, y 15-25 (kei, step 90)
    # rows along x from y = 0: boxes y 0-9.1 and 3.6-12.7 -> 30 each; 12.7-21.8 and
    #   16.3-25.4 meet the hole: x 0-25 and 35-60 -> 12 + 12 each; 25.4-34.5 and
    #   28.9-38.0 -> 30 each: 30 + 30 + 24 + 24 + 30 + 30 = 168 (168 from y = 40 too)
    # rows along y: 6 full rows of 20 and 3 meeting the hole with 7 + 7 -> 162
    holed = Polygon(
        [(0, 0), (60, 0), (60, 40), (0, 40)], [[(25, 15), (35, 15), (35, 25), (25, 25)]]
    )
    assert pack_stalls([affinity.translate(holed, X0, Y0)], step_deg=90, **KEI).tolist() == [168]


def test_finer_angles_never_lose_stalls_and_respect_the_area_bound() -> None:
    # every angle of step 90 is also tried with step 15 (both start at the dominant axis)
    for shape, coarse_full, coarse_kei in ((RECT, 84, 180), (L_SHAPE, 62, 130)):
        full = int(pack_stalls([shape], **FULL)[0])
        kei = int(pack_stalls([shape], **KEI)[0])
        assert full >= coarse_full
        assert kei >= coarse_kei
        # a stall needs at least W x (D + A / 2): 25.08 m2 full-size, 12.7 m2 kei
        assert full <= shape.area / (2.7432 * (5.4864 + 7.3152 / 2))
        assert kei <= shape.area / (2.0 * (3.6 + 5.5 / 2))


@pytest.mark.parametrize("angle", [17.0, 37.0, 90.0, 133.0])
def test_rotating_a_lot_changes_its_count_by_at_most_one_row(angle: float) -> None:
    # longest possible row: 60 m / 2.7432 -> 21 full-size, 60 / 2.0 -> 30 kei
    for shape in (RECT, L_SHAPE):
        turned = affinity.rotate(shape, angle, origin=(X0 + 11.0, Y0 + 7.0))
        for sizes, row in ((FULL, 21), (KEI, 30)):
            before = int(pack_stalls([shape], **sizes)[0])
            after = int(pack_stalls([turned], **sizes)[0])
            assert abs(after - before) <= row


def test_degenerate_geometries_give_zero_without_error() -> None:
    geoms = [
        Point(X0, Y0),
        Polygon(),
        box(X0, Y0, X0 + 10, Y0),
        shapely.LineString([(0, 0), (1, 1)]),
    ]
    assert pack_stalls(geoms, **FULL).tolist() == [0, 0, 0, 0]
    assert pack_stalls([], **FULL).tolist() == []
    # a 5 m x 5 m square holds no kei stall with its aisle (needs 9.1 m)
    assert pack_stalls([box(0, 0, 5, 5)], **KEI).tolist() == [0]


def test_multipolygon_lots_count_both_parts() -> None:
    two = shapely.MultiPolygon([RECT, affinity.translate(RECT, 100.0, 0.0)])
    assert pack_stalls([two], step_deg=90, **KEI).tolist() == [360]


def test_multistorey_is_footprint_times_levels_times_efficiency() -> None:
    lots = lot_table(
        {"kind": "multi-storey", "levels": 3.0, "geometry": RECT},
        {"kind": "multi-storey", "levels": np.nan, "geometry": RECT},
    )
    params = LotParams(orientation_step_deg=90)
    catalog = load_vehicles()
    full = lot_stalls(lots, catalog.vehicle_class("full_size"), params=params)
    kei = lot_stalls(lots, catalog.vehicle_class("kei"), params=params)
    method = lot_method(lots, params=params)
    # kei packed with the same 24 ft aisle as full-size (one aisle rule): module
    # 3.6 + 7.3152 + 3.6 = 14.5152 m; rows of 20 along the 40 m side across 60 m: 4 rows
    # of stall + aisle (floor((60 - 10.9152) / 14.5152) + 1) and 4 back rows
    # (floor((60 - 14.5152) / 14.5152) + 1) -> 8 x 20 = 160 kei stalls per level
    # 3 levels: floor(84 x 3 x 0.8 = 201.6) = 201 full-size, floor(160 x 2.4 = 384) kei
    # no levels tag: 2 levels by default -> floor(84 x 1.6 = 134.4) = 134, 160 x 1.6 = 256
    assert full.tolist() == [201.0, 134.0]
    assert kei.tolist() == [384.0, 256.0]
    assert method["levels_defaulted"].tolist() == [False, True]
    assert method["method"].tolist() == ["multistorey", "multistorey"]


def test_module_ratio_with_each_aisle_and_with_one_aisle() -> None:
    # (2.7432 x (5.4864 + 3.6576)) / (2.0 x (3.6 + 2.75)) = 25.0838 / 12.7 = 1.97510
    catalog = load_vehicles()
    kei, full = catalog.vehicle_class("kei"), catalog.vehicle_class("full_size")
    assert module_ratio(kei, full) == pytest.approx(25.08382 / 12.7, rel=1e-5)
    # one aisle rule, both on the US 24 ft aisle: 25.0838 / (2.0 x (3.6 + 3.6576)) = 1.72811
    assert module_ratio(kei, full, aisle_m=7.3152) == pytest.approx(25.08382 / 14.5152, rel=1e-5)


def test_lot_figures_sources_and_calibration() -> None:
    catalog = load_vehicles()
    point, flat = Point(X0, Y0), box(X0, Y0, X0 + 10, Y0)  # flat: a zero-area polygon
    lots = lot_table(
        {"kind": "surface", "capacity": np.nan, "geometry": RECT},  # model only
        {"kind": "surface", "capacity": 90.0, "geometry": RECT},  # tag, packed ratio
        {"kind": "underground", "capacity": 100.0, "geometry": RECT},  # tag, module ratio
        {"kind": "surface", "capacity": np.nan, "geometry": point},  # point without tag: unknown
        {"kind": "underground", "capacity": np.nan, "geometry": RECT},  # unknown
        {"kind": "surface", "capacity": np.nan, "geometry": flat},  # zero-area polygon: unknown
    )
    streets = street_table({"geometry": shapely.LineString([(X0, Y0 - 50), (X0 + 10, Y0 - 50)])})
    params = ParkingParams(lots=LotParams(orientation_step_deg=90))
    result = parking_model(curb_sides(streets), lots, catalog, scenarios(catalog), params=params)
    table = result.lots
    stalls = result.lot_class_stalls()
    assert table["source"].tolist() == [
        "model_surface",
        "tag_capacity",
        "tag_capacity",
        "unknown",
        "unknown",
        "unknown",
    ]
    # baseline figures: 84 modelled, the tags 90 and 100
    assert stalls["full_size"].tolist()[:3] == [84.0, 90.0, 100.0]
    assert table["stalls_baseline"].tolist()[:3] == [84.0, 90.0, 100.0]
    # all kei, both fleets on the 24 ft aisle: the packed ratio 160 / 84 = 1.905 exceeds the
    # one-aisle module ratio 2.7432 x 9.144 / (2.0 x 7.2576) = 25.0838 / 14.5152 = 1.72811,
    # so it is capped: floor(84 x 1.72811 = 145.16) = 145, floor(90 x 1.72811 = 155.53) = 155;
    # the underground lot is a structure, re-striped narrower only: floor(100 x 2.7432 / 2.0
    # = 137.16) = 137
    assert stalls["kei"].tolist()[:3] == [145.0, 155.0, 137.0]
    assert table["kei_ratio_source"].tolist()[:3] == ["packing_capped"] * 2 + ["structure"]
    assert stalls["full_size"].iloc[3:].isna().all()
    # 50 % kei shares each lot's area: 1 / (0.5 / 84 + 0.5 / 145) = 106.38 -> 106
    assert result.lot_figures("kei050")["spaces"].iloc[0] == 106.0
    # calibration needs a model and a tag: only lot 1 (the underground lot is not modelled)
    calibration = result.calibration
    lot_rows = calibration[calibration["layer"] == "lot"]
    assert lot_rows["feature_id"].tolist() == [1]
    assert lot_rows["model_to_tag_ratio"].tolist() == pytest.approx([84 / 90])
    summary = result.summary
    assert summary["lot_calibration_median_ratio"] == pytest.approx(84 / 90)
    assert summary["lots_unknown_count"] == 3
    assert summary["lots_tag_capacity_count"] == 2
    # baseline lot spaces 84 + 90 + 100 = 274; all kei 145 + 155 + 137 = 437
    per = summary["scenarios"]
    assert per["kei000"]["lot_spaces"] == 274.0
    assert per["kei100"]["lot_spaces"] == 437.0
    # land: the two surface lots, 4800 m2, 83 % of it stall modules (net to gross); all kei
    # frees 2400 x 0.83 x (1 - 84/145) + 2400 x 0.83 x (1 - 90/155) = 838.1 + 835.2
    # = 1673.3 m2 = 0.16733 ha, 34.86 % of 4800 m2
    freed = 2400 * 0.83 * (1 - 84 / 145) + 2400 * 0.83 * (1 - 90 / 155)
    assert summary["lot_land_area_ha"] == pytest.approx(0.48)
    assert per["kei100"]["land_freed_ha"] == pytest.approx(freed / 10_000)
    assert per["kei100"]["land_freed_pct_of_lot_area"] == pytest.approx(freed / 4800 * 100)
    # land per parked vehicle: 4800 / (84 + 90) baseline, 4800 / (145 + 155) all kei
    assert per["kei000"]["lot_m2_per_vehicle"] == pytest.approx(4800 / 174)
    assert per["kei100"]["lot_m2_per_vehicle"] == pytest.approx(4800 / 300)
    json.dumps(summary, allow_nan=False)
