"""Tag matrix of the curb-parking parser: both schemas, overrides, conflicts, malformed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import CRS, street_table

from urbanfit.citydata.curb import CURB_SIDE_COLUMNS, curb_sides, malformed_tag_count


def _side(sides: pd.DataFrame, edge: int, side: str) -> pd.Series:
    row = sides[(sides["edge_id"] == edge) & (sides["side"] == side)]
    assert len(row) == 1
    return row.iloc[0]


def test_two_rows_per_edge_left_then_right_with_every_documented_column() -> None:
    sides = curb_sides(street_table({"parking:both": "lane"}, {}))
    assert list(sides.columns) == list(CURB_SIDE_COLUMNS)
    assert sides["edge_id"].tolist() == [0, 0, 1, 1]
    assert sides["side"].tolist() == ["left", "right", "left", "right"]
    assert sides.crs == CRS


def test_new_schema_both_expands_to_left_and_right() -> None:
    sides = curb_sides(
        street_table({"parking:both": "half_on_kerb", "parking:both:orientation": "diagonal"})
    )
    for side in ("left", "right"):
        row = _side(sides, 0, side)
        assert row["status"] == "parking"
        assert row["position"] == "half_on_kerb"
        assert row["orientation"] == "diagonal"
        assert row["schema"] == "new"
        assert not row["orientation_defaulted"]
        assert not row["malformed"]


def test_side_specific_keys_override_both_key_by_key() -> None:
    sides = curb_sides(
        street_table(
            {
                "parking:both": "lane",
                "parking:both:orientation": "parallel",
                "parking:left": "no",
                "parking:right:orientation": "perpendicular",
                "parking:both:capacity": "7",
                "parking:right:capacity": "3",
            }
        )
    )
    left, right = _side(sides, 0, "left"), _side(sides, 0, "right")
    assert left["status"] == "no_parking"
    assert np.isnan(left["capacity"])  # capacity is only kept on parking sides
    assert right["status"] == "parking"
    assert right["orientation"] == "perpendicular"
    assert right["capacity"] == 3.0


def test_both_capacity_is_read_as_each_sides_capacity() -> None:
    sides = curb_sides(street_table({"parking:both": "lane", "parking:both:capacity": "12"}))
    assert sides["capacity"].tolist() == [12.0, 12.0]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("lane", "parking"),
        ("street_side", "parking"),
        ("on_kerb", "parking"),
        ("shoulder", "parking"),
        ("no", "no_parking"),
        ("separate", "separate"),
    ],
)
def test_new_schema_main_values(value: str, status: str) -> None:
    sides = curb_sides(street_table({"parking:right": value}))
    assert _side(sides, 0, "right")["status"] == status
    assert _side(sides, 0, "left")["status"] == "unknown"


@pytest.mark.parametrize("restriction", ["no_parking", "no_stopping", "no_standing"])
def test_new_schema_restriction_that_forbids_parking_counts_as_no_parking(
    restriction: str,
) -> None:
    sides = curb_sides(
        street_table({"parking:both": "lane", "parking:both:restriction": restriction})
    )
    assert sides["status"].tolist() == ["no_parking", "no_parking"]
    assert sides["restriction"].tolist() == [restriction, restriction]


@pytest.mark.parametrize(
    ("value", "status", "orientation"),
    [
        ("parallel", "parking", "parallel"),
        ("diagonal", "parking", "diagonal"),
        ("perpendicular", "parking", "perpendicular"),
        ("no_parking", "no_parking", None),
        ("no_stopping", "no_parking", None),
        ("fire_lane", "no_parking", None),
        ("no", "no_parking", None),
        ("separate", "separate", None),
    ],
)
def test_old_schema_lane_values(value: str, status: str, orientation: str | None) -> None:
    sides = curb_sides(street_table({"parking:lane:both": value}))
    for side in ("left", "right"):
        row = _side(sides, 0, side)
        assert row["status"] == status
        assert row["schema"] == "old"
        if orientation is None:
            assert pd.isna(row["orientation"])
        else:
            assert row["orientation"] == orientation


@pytest.mark.parametrize("value", ["marked", "yes"])
def test_old_schema_parking_without_orientation_is_parallel_and_flagged(value: str) -> None:
    sides = curb_sides(street_table({"parking:lane:left": value}))
    left = _side(sides, 0, "left")
    assert left["status"] == "parking"
    assert left["orientation"] == "parallel"
    assert left["orientation_defaulted"]


def test_old_schema_position_subkey_and_condition() -> None:
    sides = curb_sides(
        street_table(
            {
                "parking:lane:both": "parallel",
                "parking:lane:both:parallel": "half_on_kerb",
                "parking:lane:right:parallel": "lay_by",
                "parking:condition:both": "ticket",
                "parking:condition:right:capacity": "4",
            }
        )
    )
    left, right = _side(sides, 0, "left"), _side(sides, 0, "right")
    assert left["position"] == "half_on_kerb"
    assert right["position"] == "street_side"  # lay_by is the old name of a street-side bay
    assert left["restriction"] == right["restriction"] == "ticket"
    assert np.isnan(left["capacity"])
    assert right["capacity"] == 4.0


def test_old_schema_no_parking_condition_zeroes_a_parking_lane() -> None:
    sides = curb_sides(
        street_table({"parking:lane:both": "parallel", "parking:condition:left": "no_stopping"})
    )
    assert _side(sides, 0, "left")["status"] == "no_parking"
    assert _side(sides, 0, "right")["status"] == "parking"


def test_new_schema_wins_over_old_and_the_conflict_is_flagged() -> None:
    sides = curb_sides(
        street_table(
            {
                "parking:left": "lane",
                "parking:left:orientation": "parallel",
                "parking:lane:left": "no_parking",
                "parking:lane:right": "perpendicular",
            }
        )
    )
    left, right = _side(sides, 0, "left"), _side(sides, 0, "right")
    assert (left["status"], left["schema"], left["schema_conflict"]) == ("parking", "new", True)
    # only the old schema speaks for the right side: it is used, without conflict
    assert (right["status"], right["schema"], right["schema_conflict"]) == (
        "parking",
        "old",
        False,
    )
    assert right["orientation"] == "perpendicular"


def test_new_schema_without_orientation_takes_the_old_schemas_orientation() -> None:
    sides = curb_sides(street_table({"parking:both": "lane", "parking:lane:both": "diagonal"}))
    assert sides["orientation"].tolist() == ["diagonal", "diagonal"]
    assert not sides["orientation_defaulted"].any()
    assert not sides["schema_conflict"].any()


def test_untagged_edge_and_missing_columns_are_unknown() -> None:
    streets = street_table({})
    sides = curb_sides(streets[["edge_id", "geometry"]])
    assert sides["status"].tolist() == ["unknown", "unknown"]
    assert sides["schema"].isna().all()
    assert not sides["malformed"].any()
    # no u/v_junction columns: both ends are taken as junctions; length from the geometry
    assert sides["u_junction"].all()
    assert sides["v_junction"].all()
    assert sides["length_m"].tolist() == [100.0, 100.0]


def test_values_are_read_case_and_space_insensitively() -> None:
    sides = curb_sides(
        street_table({"parking:both": " Lane ", "parking:both:orientation": "PARALLEL"})
    )
    assert sides["status"].tolist() == ["parking", "parking"]
    assert sides["orientation"].tolist() == ["parallel", "parallel"]
    assert not sides["malformed"].any()


def test_malformed_main_value_is_unknown_flagged_and_counted_once_per_key() -> None:
    sides = curb_sides(street_table({"parking:both": "banana"}, {"parking:lane:left": "sideways"}))
    assert sides["status"].tolist() == ["unknown"] * 4
    assert sides["malformed"].tolist() == [True, True, True, False]
    assert _side(sides, 0, "left")["malformed_keys"] == "parking:both"
    assert _side(sides, 1, "left")["malformed_keys"] == "parking:lane:left"
    # parking:both flags both sides of edge 0 but is one tag: 2 malformed tags in all
    assert malformed_tag_count(sides) == 2


def test_malformed_new_value_falls_back_to_a_valid_old_value() -> None:
    sides = curb_sides(
        street_table({"parking:right": "lanes", "parking:lane:right": "perpendicular"})
    )
    right = _side(sides, 0, "right")
    assert (right["status"], right["schema"], right["orientation"]) == (
        "parking",
        "old",
        "perpendicular",
    )
    assert right["malformed"]
    assert right["malformed_keys"] == "parking:right"


@pytest.mark.parametrize("capacity", ["many", "-3", "5;6", "", "nan"])
def test_malformed_or_empty_capacity_is_nan(capacity: str) -> None:
    sides = curb_sides(street_table({"parking:both": "lane", "parking:both:capacity": capacity}))
    assert sides["capacity"].isna().all()
    assert sides["status"].tolist() == ["parking", "parking"]
    # an empty value is no tag; anything else unreadable is flagged
    assert sides["malformed"].tolist() == [capacity != ""] * 2


def test_malformed_orientation_is_flagged_and_defaulted_to_parallel() -> None:
    sides = curb_sides(street_table({"parking:left": "lane", "parking:left:orientation": "angled"}))
    left = _side(sides, 0, "left")
    assert (left["orientation"], left["orientation_defaulted"], left["malformed"]) == (
        "parallel",
        True,
        True,
    )
    assert left["malformed_keys"] == "parking:left:orientation"


def test_malformed_old_position_is_flagged_without_losing_the_side() -> None:
    sides = curb_sides(
        street_table({"parking:lane:both": "parallel", "parking:lane:both:parallel": "floating"})
    )
    assert sides["status"].tolist() == ["parking", "parking"]
    assert sides["position"].isna().all()
    assert malformed_tag_count(sides) == 1


def test_numbers_and_missing_values_in_tag_columns_do_not_crash() -> None:
    streets = street_table(
        {"parking:both": "lane", "parking:both:capacity": 6},
        {"parking:both": None, "parking:both:capacity": np.nan},
    )
    sides = curb_sides(streets)
    assert _side(sides, 0, "left")["capacity"] == 6.0
    assert sides["status"].tolist() == ["parking", "parking", "unknown", "unknown"]


def test_side_geometry_is_offset_to_its_own_side() -> None:
    # the street runs west to east along y = 0, so its left is north (+y), its right south
    sides = curb_sides(street_table({"parking:both": "lane"}, origin=(0.0, 0.0)), offset_m=3.0)
    assert _side(sides, 0, "left").geometry.centroid.y == pytest.approx(3.0)
    assert _side(sides, 0, "right").geometry.centroid.y == pytest.approx(-3.0)


def test_a_way_split_into_edges_shares_its_capacity_by_length() -> None:
    streets = street_table(
        {"parking:lane:left": "parallel", "parking:lane:left:capacity": "10", "length_m": 30.0},
        {"parking:lane:left": "parallel", "parking:lane:left:capacity": "10", "length_m": 70.0},
        {"parking:lane:left": "parallel", "parking:lane:left:capacity": "4", "length_m": 50.0},
    )
    streets["osm_id"] = [7, 7, 8]
    sides = curb_sides(streets)
    left = sides[sides["side"] == "left"]
    assert left["osm_id"].tolist() == [7, 7, 8]
    assert left["capacity"].tolist() == [10.0, 10.0, 4.0]  # as mapped on the way
    # way 7: 30 / (30 + 70) = 0.3 and 0.7; way 8 is one edge: 1
    assert left["capacity_share"].tolist() == pytest.approx([0.3, 0.7, 1.0])
    assert sides.loc[sides["side"] == "right", "capacity_share"].isna().all()
