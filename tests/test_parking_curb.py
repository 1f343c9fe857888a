"""Curb spaces by hand: clearances, pitches, fleet mixes, capacity tags, unknown and inferred sides.

Documented defaults used below (urbanfit.parameters.parking.CurbParams and the vehicle classes
of urbanfit/data/vehicles.toml):
- intersection clearance 20 ft = 6.096 m at each junction end;
- parallel gap 1.0 m; full-size stall 9 ft = 2.7432 m; kei stall 2.0 m; diagonal at 60 degrees.
Profiles (urbanfit/data/vehicles.toml): kei car 3.40 m, full-size pickup 5.89 m.
Fleet us_new_sales: compact car 0.13 x 4.63, midsize sedan 0.13 x 4.92, compact SUV 0.41 x 4.60,
full-size SUV 0.17 x 5.35, pickup 0.16 x 5.89 -> mean length 0.6019 + 0.6396 + 1.886 + 0.9095
+ 0.9424 = 4.9794 m -> mean parallel pitch 5.9794 m. Kei mix: 3.40 m -> pitch 4.40 m.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from builders import lot_table, street_table

from urbanfit.citydata.curb import curb_sides
from urbanfit.models.parking import (
    ParkingResult,
    curb_pitch_m,
    parking_model,
    usable_curb_length_m,
)
from urbanfit.parameters.parking import CurbParams
from urbanfit.vehicles import VehicleCatalog, scenarios


def _run(catalog: VehicleCatalog, streets: gpd.GeoDataFrame, **options: Any) -> ParkingResult:
    """The parking model on the streets' curb; the estimate of untagged sides only if asked."""
    options.setdefault("infer", False)
    return parking_model(curb_sides(streets), lot_table(), catalog, scenarios(catalog), **options)


def _sides(result: ParkingResult) -> pd.DataFrame:
    """The sides with the tidy figures spread out for reading: ``spaces_<scenario>``,
    ``gained_per_100m_<scenario>`` and ``spaces_profile_<profile>`` columns."""
    by_scenario = result.side_spaces.pivot(
        index="side_id", columns="scenario", values=["spaces", "gained_per_100m"]
    )
    by_scenario.columns = [f"{figure}_{sid}" for figure, sid in by_scenario.columns]
    by_profile = result.profile_spaces.pivot(index="side_id", columns="profile", values="spaces")
    by_profile.columns = [f"spaces_profile_{p}" for p in by_profile.columns]
    return result.sides.join(by_scenario, on="side_id").join(by_profile, on="side_id")


def _row(result: ParkingResult, edge: int, side: str) -> pd.Series:
    sides = _sides(result)
    return sides[(sides["edge_id"] == edge) & (sides["side"] == side)].iloc[0]


def test_parallel_curb_of_100_m_fits_19_kei_cars_and_12_pickups_per_side(
    catalog: VehicleCatalog,
) -> None:
    # usable = 100 - 2 x 6.096 = 87.808 m
    # kei car pitch 3.40 + 1.0 = 4.40 m -> floor(87.808 / 4.40 = 19.956) = 19
    # pickup pitch  5.89 + 1.0 = 6.89 m -> floor(87.808 / 6.89 = 12.744) = 12
    result = _run(
        catalog, street_table({"parking:both": "lane", "parking:both:orientation": "parallel"})
    )
    sides = _sides(result)
    assert sides["usable_length_m"].tolist() == pytest.approx([87.808, 87.808])
    assert sides["spaces_profile_kei_car"].tolist() == [19.0, 19.0]
    assert sides["spaces_profile_fullsize_pickup"].tolist() == [12.0, 12.0]
    assert sides["source"].tolist() == ["model", "model"]


def test_perpendicular_curb_of_100_m(catalog: VehicleCatalog) -> None:
    # full-size stall 2.7432 m -> floor(87.808 / 2.7432 = 32.009) = 32 for every full-size profile
    # kei stall 2.0 m          -> floor(87.808 / 2.0 = 43.904) = 43
    result = _run(catalog, street_table({"parking:lane:both": "perpendicular"}))
    left = _row(result, 0, "left")
    assert left["spaces_profile_fullsize_pickup"] == 32.0
    assert left["spaces_profile_compact_car"] == 32.0
    assert left["spaces_profile_kei_car"] == 43.0
    assert left["spaces_profile_kei_truck"] == 43.0


def test_diagonal_curb_of_100_m_at_60_degrees(catalog: VehicleCatalog) -> None:
    # full-size pitch 2.7432 / sin 60 = 3.16758 m -> floor(87.808 / 3.16758 = 27.72) = 27
    # kei pitch 2.0 / sin 60 = 2.30940 m          -> floor(87.808 / 2.30940 = 38.02) = 38
    result = _run(
        catalog, street_table({"parking:both": "lane", "parking:both:orientation": "diagonal"})
    )
    right = _row(result, 0, "right")
    assert right["spaces_profile_fullsize_pickup"] == 27.0
    assert right["spaces_profile_kei_car"] == 38.0


def test_pitch_per_orientation(catalog: VehicleCatalog) -> None:
    pitch = curb_pitch_m(
        np.array(["parallel", "perpendicular", "diagonal", None], dtype=object),
        catalog.profile("fullsize_pickup"),
        catalog.class_of("fullsize_pickup"),
    )
    assert pitch[:3] == pytest.approx([6.89, 2.7432, 2.7432 / np.sin(np.radians(60.0))])
    assert np.isnan(pitch[3])


def test_clearance_only_at_junction_ends_and_never_negative() -> None:
    sides = pd.DataFrame(
        {
            "length_m": [100.0, 100.0, 10.0],
            "u_junction": [True, False, True],
            "v_junction": [False, False, True],
        }
    )
    # 100 - 6.096 = 93.904; no junction: 100; 10 - 12.192 < 0 -> 0
    assert usable_curb_length_m(sides).tolist() == pytest.approx([93.904, 100.0, 0.0])
    # with a 5 m clearance: 95, 100, 0
    usable = usable_curb_length_m(sides, params=CurbParams(intersection_clearance_m=5.0))
    assert usable.tolist() == pytest.approx([95.0, 100.0, 0.0])


def test_fleet_mix_parks_at_the_share_weighted_mean_pitch(catalog: VehicleCatalog) -> None:
    # baseline pitch 5.9794: floor(87.808 / 5.9794 = 14.685) = 14
    # 25 % kei: 0.75 x 5.9794 + 0.25 x 4.40 = 5.58455 -> floor(15.723) = 15
    # 50 % kei: 0.5 x 5.9794 + 0.5 x 4.40 = 5.18970 -> floor(16.920) = 16
    # 100 % kei: 4.40 -> 19
    result = _run(catalog, street_table({"parking:lane:both": "parallel"}))
    left = _row(result, 0, "left")
    assert [left[f"spaces_{sid}"] for sid in scenarios(catalog).ids] == [14.0, 15.0, 16.0, 19.0]
    # gained vs baseline per 100 m of a 100 m side: 0, 1, 2, 5
    assert [left[f"gained_per_100m_{sid}"] for sid in scenarios(catalog).ids] == [
        0.0,
        1.0,
        2.0,
        5.0,
    ]
    # two sides: 28 baseline spaces, 38 all-kei
    assert result.summary["scenarios"]["kei000"]["curb_spaces"] == 28.0
    assert result.summary["scenarios"]["kei100"]["curb_spaces"] == 38.0
    assert result.summary["scenarios"]["kei100"]["spaces_gained"] == 10.0


def test_capacity_tag_is_the_baseline_and_scaled_by_the_pitch_ratio(
    catalog: VehicleCatalog,
) -> None:
    # tag 10 is the baseline whatever the model says (model: 14)
    # 100 % kei: floor(10 x 5.9794 / 4.40 = 13.589) = 13
    # 50 % kei:  floor(10 x 5.9794 / 5.18970 = 11.522) = 11
    # 25 % kei:  floor(10 x 5.9794 / 5.58455 = 10.707) = 10
    result = _run(
        catalog,
        street_table({"parking:lane:right": "parallel", "parking:lane:right:capacity": "10"}),
    )
    right = _row(result, 0, "right")
    assert right["source"] == "tag_capacity"
    assert [right[f"spaces_{sid}"] for sid in scenarios(catalog).ids] == [10.0, 10.0, 11.0, 13.0]
    # a single profile is scaled the same way: pickup floor(10 x 5.9794 / 6.89 = 8.678) = 8
    assert right["spaces_profile_fullsize_pickup"] == 8.0
    # calibration: model 14 vs tag 10
    calibration = result.calibration
    assert calibration["layer"].tolist() == ["curb"]
    assert calibration["model_baseline"].tolist() == [14.0]
    assert calibration["model_to_tag_ratio"].tolist() == pytest.approx([1.4])
    assert result.summary["curb_calibration_median_ratio"] == pytest.approx(1.4)


def test_a_split_way_counts_its_capacity_once(catalog: VehicleCatalog) -> None:
    # way 7 (capacity 10 on its left) is split into edges of 30 m and 70 m: shares 0.3, 0.7
    # baseline: 10 x 0.3 = 3 and 10 x 0.7 = 7 -> 10 in all, not 20
    # all kei: floor(10 x 5.9794 / 4.40 = 13.589) = 13 -> 3.9 and 9.1
    streets = street_table(
        {"parking:lane:left": "parallel", "parking:lane:left:capacity": "10", "length_m": 30.0},
        {"parking:lane:left": "parallel", "parking:lane:left:capacity": "10", "length_m": 70.0},
    )
    streets["osm_id"] = [7, 7]
    result = _run(catalog, streets)
    sides = _sides(result)
    left = sides[sides["side"] == "left"]
    assert left["spaces_kei000"].tolist() == pytest.approx([3.0, 7.0])
    assert left["spaces_kei100"].tolist() == pytest.approx([3.9, 9.1])
    assert result.summary["scenarios"]["kei000"]["curb_spaces"] == pytest.approx(10.0)
    assert result.summary["scenarios"]["kei100"]["curb_spaces"] == pytest.approx(13.0)
    # calibration per way side: model floor(17.808 / 5.9794) = 2 plus floor(57.808 / 5.9794)
    # = 9 -> 11 vs tag 10
    calibration = result.calibration
    assert calibration[["feature_id", "side"]].values.tolist() == [[7, "left"]]
    assert calibration["model_baseline"].tolist() == [11.0]
    assert result.summary["curb_calibration_way_sides_count"] == 1


@pytest.mark.parametrize("reverse_second", [False, True])
def test_a_curb_split_at_a_non_junction_node_is_one_run(
    catalog: VehicleCatalog, reverse_second: bool
) -> None:
    # two 50 m edges meet at node 2, which is not a junction; the far ends are junctions
    # per edge: 50 - 6.096 = 43.904 m -> floor(43.904 / 4.40 = 9.98) = 9 kei cars each, 18
    # as one run: 87.808 m -> floor(19.956) = 19 kei cars, shared 9.5 + 9.5
    # reversed second edge (drawn 3 -> 2): its right side continues the first edge's left
    second_side = "right" if reverse_second else "left"
    streets = street_table(
        {"parking:lane:left": "parallel", "length_m": 50.0, "v_junction": False},
        {f"parking:lane:{second_side}": "parallel", "length_m": 50.0, "u_junction": False},
    )
    streets["u"] = [1, 2]
    streets["v"] = [2, 3]
    if reverse_second:
        streets["u"] = [1, 3]
        streets["v"] = [2, 2]
        streets["u_junction"] = [True, True]
        streets["v_junction"] = [False, False]
    result = _run(catalog, streets)
    sides = _sides(result)
    parked = sides[sides["source"] == "model"]
    assert parked["side"].tolist() == ["left", second_side]
    assert parked["run_id"].nunique() == 1
    assert parked["run_usable_m"].tolist() == pytest.approx([87.808, 87.808])
    assert parked["spaces_profile_kei_car"].tolist() == pytest.approx([9.5, 9.5])
    assert result.summary["scenarios"]["kei100"]["curb_spaces"] == pytest.approx(19.0)


def test_sides_of_different_orientation_do_not_join(catalog: VehicleCatalog) -> None:
    # same layout, the second edge perpendicular: two runs, 9 kei cars parallel on the first
    # (43.904 / 4.40) and floor(43.904 / 2.0 = 21.95) = 21 perpendicular on the second
    streets = street_table(
        {"parking:lane:left": "parallel", "length_m": 50.0, "v_junction": False},
        {"parking:lane:left": "perpendicular", "length_m": 50.0, "u_junction": False},
    )
    streets["u"] = [1, 2]
    streets["v"] = [2, 3]
    sides = _sides(_run(catalog, streets))
    parked = sides[sides["source"] == "model"]
    assert parked["run_id"].nunique() == 2
    assert parked["spaces_profile_kei_car"].tolist() == [9.0, 21.0]


def test_no_parking_counts_zero_and_unknown_is_never_counted(catalog: VehicleCatalog) -> None:
    result = _run(
        catalog,
        street_table(
            {"parking:both": "no"},
            {"length_m": 50.0},  # untagged
            {"parking:lane:both": "parallel"},
        ),
    )
    sides = _sides(result)
    assert sides.loc[sides["edge_id"] == 0, "spaces_kei100"].tolist() == [0.0, 0.0]
    assert sides.loc[sides["edge_id"] == 0, "source"].tolist() == ["tag_zero", "tag_zero"]
    assert sides.loc[sides["edge_id"] == 1, "spaces_kei100"].isna().all()
    assert sides.loc[sides["edge_id"] == 1, "source"].tolist() == ["unknown", "unknown"]
    summary = result.summary
    # km of sides: 2 x 0.1 no parking, 2 x 0.05 unknown, 2 x 0.1 parking; parsed = 0.4
    assert summary["curb_no_parking_km"] == pytest.approx(0.2)
    assert summary["curb_unknown_km"] == pytest.approx(0.1)
    assert summary["curb_parking_km"] == pytest.approx(0.2)
    assert summary["curb_parsed_km"] == pytest.approx(0.4)
    assert summary["curb_inferred_km"] == 0.0
    # only edge 2 counts: 2 x 14 baseline, 2 x 19 kei
    assert summary["scenarios"]["kei000"]["curb_spaces"] == 28.0
    assert summary["scenarios"]["kei100"]["curb_spaces"] == 38.0


def test_the_estimate_parks_local_classes_and_labels_every_estimate(
    catalog: VehicleCatalog,
) -> None:
    streets = street_table({"highway": "residential"}, {"highway": "primary"})
    plain = _run(catalog, streets.copy())
    assert _sides(plain)["spaces_kei000"].isna().all()
    inferred = _run(catalog, streets.copy(), infer=True)
    sides = _sides(inferred)
    residential = sides[sides["edge_id"] == 0]
    assert residential["source"].tolist() == ["inferred", "inferred"]
    assert residential["orientation"].tolist() == ["parallel", "parallel"]
    assert residential["status"].tolist() == ["unknown", "unknown"]  # the tags stay unknown
    assert residential["spaces_kei000"].tolist() == [14.0, 14.0]
    # no street table: the class rule alone; a primary is not a local class -> no parking
    primary = sides[sides["edge_id"] == 1]
    assert primary["source"].tolist() == ["inferred_zero", "inferred_zero"]
    assert primary["spaces_kei000"].tolist() == [0.0, 0.0]
    summary = inferred.summary
    assert summary["curb_inferred_km"] == pytest.approx(0.2)
    assert summary["curb_estimated_km"] == pytest.approx(0.4)
    assert summary["curb_mapped_km"] == 0.0
    assert summary["curb_unknown_km"] == pytest.approx(0.4)
    assert summary["curb_covered_pct"] == pytest.approx(100.0)
    # all 28 baseline spaces (2 x 14) are estimated; all kei: 2 x 19 = 38, gained 10
    kei = summary["scenarios"]["kei100"]
    assert kei["curb_spaces_mapped"] == 0.0
    assert kei["curb_spaces_estimated"] == 38.0
    assert kei["curb_spaces_gained_estimated"] == 10.0
    assert kei["curb_spaces_gained_mapped"] == 0.0


def test_malformed_tags_are_counted_in_the_summary(catalog: VehicleCatalog) -> None:
    result = _run(
        catalog, street_table({"parking:both": "maybe"}, {"parking:lane:left": "diagonal?"})
    )
    assert result.summary["curb_malformed_tags_count"] == 2
    assert result.summary["curb_malformed_sides_count"] == 3


def test_summary_is_plain_json_with_units_in_the_keys(catalog: VehicleCatalog) -> None:
    result = _run(catalog, street_table({"parking:lane:both": "parallel"}))
    text = json.dumps(result.summary, allow_nan=False)
    assert json.loads(text) == result.summary
    # curb m2 per vehicle: 2 sides x 87.808 m x 2.4384 m parking lane / 28 baseline spaces
    assert result.summary["scenarios"]["kei000"]["curb_m2_per_vehicle"] == pytest.approx(
        2 * 87.808 * 2.4384 / 28
    )
    # curb freed by an all-kei fleet parking the same 28: 0.175616 km x (1 - 28 / 38)
    assert result.summary["scenarios"]["kei100"]["curb_freed_km"] == pytest.approx(
        0.175616 * (1 - 28 / 38)
    )


def test_the_baseline_is_the_zero_kei_scenario_even_when_not_given(
    catalog: VehicleCatalog,
) -> None:
    # shares 50 % and 100 % only: the 0 % baseline is added, and capacity tags describe it
    result = parking_model(
        curb_sides(street_table({"parking:lane:both": "parallel"})),
        lot_table(),
        catalog,
        scenarios(catalog, kei_shares=(0.5, 1.0)),
    )
    assert list(result.summary["scenarios"]) == ["kei000", "kei050", "kei100"]
    # 2 sides x 14 baseline spaces, as in the fleet-mix test above
    assert result.summary["scenarios"]["kei000"]["curb_spaces"] == 28.0
