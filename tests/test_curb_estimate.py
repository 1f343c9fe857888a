"""The curb estimate and its clearances, by hand.

Defaults used (urbanfit.parameters.parking.CurbParams): junction clearance 20 ft = 6.096 m from
the crossing street's curb line; narrowest lane 9 ft = 2.7432 m; narrowest parking lane
7 ft = 2.1336 m; kept free on each side of a feature: crossing 20 ft = 6.096 m, bus stop 15 m,
driveway 4 m, hydrant 15 ft = 4.572 m, beyond each end of a transit platform 30 ft = 9.144 m;
features snap to sides within 10 m.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from builders import CRS, lot_table, street_table

from urbanfit.citydata.curb import curb_sides
from urbanfit.models.parking import (
    estimate_curb,
    junction_clearances_m,
    parking_model,
    usable_curb_length_m,
)
from urbanfit.models.parking.validation import validate_curb_estimate
from urbanfit.parameters.parking import CurbParams
from urbanfit.results import AnalysisResult
from urbanfit.vehicles import VehicleCatalog, scenarios

X0, Y0 = 500_000.0, 6_670_000.0


def test_an_informative_width_decides_how_many_sides_park() -> None:
    # room beyond 2 lanes of 2.7432 m = width - 5.4864 m; one side per 2.1336 m of room
    # 10 m: 4.5136 / 2.1336 = 2.1 -> both; 8 m: 2.5136 -> 1.18 -> the right side only;
    # 6 m: 0.5136 -> none; 6 m with a class-default width: uninformative -> both (residential)
    # arterials: a secondary of 2 lanes two-way (1 each way <= 2) at 30 km/h (<= 56.33) parks,
    # 20 m wide: room 20 - 5.4864 = 14.5 -> both; with 6 lanes (3 each way > 2), or at
    # 70 km/h (> 35 mph = 56.33 km/h), it does not, whatever its width
    streets = street_table(
        {"width_m": 10.0, "width_source": "tag"},
        {"width_m": 8.0, "width_source": "estimated_geometry"},
        {"width_m": 6.0, "width_source": "tag"},
        {"width_m": 6.0, "width_source": "estimated_class"},
        {"width_m": 20.0, "width_source": "tag", "highway": "secondary"},
        {"width_m": 20.0, "width_source": "tag", "highway": "secondary", "lanes": 6.0},
        {"width_m": 20.0, "width_source": "tag", "highway": "primary", "speed_kmh": 70.0},
    )
    estimate = estimate_curb(curb_sides(streets), streets).tolist()
    assert estimate == [
        *["parking", "parking"],
        *["no_parking", "parking"],
        *["no_parking", "no_parking"],
        *["parking", "parking"],
        *["parking", "parking"],
        *["no_parking", "no_parking"],
        *["no_parking", "no_parking"],
    ]


def test_a_side_with_a_bus_lane_parks_nowhere() -> None:
    # residential streets with a class-default width park on both sides, less the sides with
    # a bus lane: busway=lane both; busway:right=lane the right; busway=opposite_lane the left
    # (against a one-way's traffic); busway=no nothing
    streets = street_table(
        {"busway": "lane", "width_defaulted": True},
        {"busway:right": "lane", "width_defaulted": True},
        {"busway": "opposite_lane", "oneway": True, "width_defaulted": True},
        {"busway": "no", "width_defaulted": True},
        {"width_defaulted": True},
    )
    estimate = estimate_curb(curb_sides(streets), streets).tolist()
    assert estimate == [
        *["no_parking", "no_parking"],
        *["parking", "no_parking"],
        *["no_parking", "parking"],
        *["parking", "parking"],
        *["parking", "parking"],
    ]
    # without the rule's values, all ten sides park
    off = CurbParams(estimate_bus_lane_values=())
    assert estimate_curb(curb_sides(streets), streets, params=off).eq("parking").all()


def test_tagged_sides_get_no_estimate() -> None:
    streets = street_table({"parking:left": "no", "width_defaulted": True})
    estimate = estimate_curb(curb_sides(streets), streets)
    assert estimate.isna().tolist() == [True, False]
    assert estimate.iloc[1] == "parking"


def _t_junction() -> gpd.GeoDataFrame:
    # A: (0,0)->(100,0), B: (100,0)->(200,0) straight on, C: (100,0)->(100,100), 10 m wide
    def line(*xy: tuple[float, float]) -> shapely.LineString:
        return shapely.LineString([(X0 + x, Y0 + y) for x, y in xy])

    streets = street_table(
        {"geometry": line((0, 0), (100, 0)), "width_m": 6.0},
        {"geometry": line((100, 0), (200, 0)), "width_m": 6.0},
        {"geometry": line((100, 0), (100, 100)), "width_m": 10.0},
    )
    streets["u"] = [1, 2, 2]
    streets["v"] = [2, 3, 4]
    return streets


def test_junction_clearance_is_measured_from_the_crossing_curb_line() -> None:
    clear = junction_clearances_m(_t_junction())
    # A at node 2: B continues straight on (no crosswalk), C crosses, 10 m wide:
    # 6.096 + 10 / 2 = 11.096 m; A's dead end 1: no crossing street, 6.096 m
    assert clear.loc[0].tolist() == pytest.approx([6.096, 11.096])
    assert clear.loc[1].tolist() == pytest.approx([11.096, 6.096])
    # C at node 2: A and B both cross it (6 m wide): 6.096 + 3.0 = 9.096 m
    assert clear.loc[2].tolist() == pytest.approx([9.096, 6.096])
    streets = _t_junction()
    usable = usable_curb_length_m(curb_sides(streets), streets=streets)
    # A: 100 - 6.096 - 11.096 = 82.808 m on both sides
    assert usable.tolist()[:2] == pytest.approx([82.808, 82.808])


def _points(*rows: tuple[str, float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": [kind for kind, _, _ in rows]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for _, x, y in rows],
        crs=CRS,
    )


# one 100 m street west to east; sides drawn 3 m off: left (north) at y = +3, right at -3
POINTS = _points(
    ("crossing", 50.0, 0.0),  # on the street line: both sides, 20 ft each way: 12.192 m
    ("fire_hydrant", 30.0, 4.0),  # 1 m from the left side, 7 m from the right: [25.428, 34.572]
    ("bus_stop", 10.0, 5.0),  # left only: [-5, 25] clipped to [0, 25], overlaps the junction
    ("driveway", 80.0, -3.5),  # right only: [76, 84] = 8 m
    ("bus_stop", 50.0, 40.0),  # 37 m away: no side
    ("bench", 70.0, 0.0),  # not a curb feature: ignored
)


def test_a_transit_platform_clears_the_curb_along_it_and_30_ft_beyond() -> None:
    # a platform way on the right (south) sidewalk from x = 40 to x = 60, read as points along
    # it (the reader puts one at least every ~11 m: x = 40, 50, 60), 2 m beyond the right side
    # (y = -5): UVC 11-1003 keeps 30 ft = 9.144 m free beyond each end of the curb beside it:
    # [40 - 9.144, 60 + 9.144] = [30.856, 69.144], 38.288 m; the left side (8 m away, further
    # than from the right) keeps its curb; both keep the 6.096 m junction clearances
    streets = street_table({})
    sides = curb_sides(streets, offset_m=3.0)
    platform = gpd.GeoDataFrame(
        {"osm_id": [7, 7, 7], "kind": ["platform"] * 3},
        geometry=[shapely.Point(X0 + x, Y0 - 5.0) for x in (40.0, 50.0, 60.0)],
        crs=CRS,
    )
    usable = usable_curb_length_m(sides, points=platform).tolist()
    # left: 100 - 2 x 6.096 = 87.808; right: 87.808 - 38.288 = 49.52
    assert usable == pytest.approx([87.808, 49.52])
    # two platforms (ids 7 and 8) of one point each, at x = 20 and x = 60: each clears
    # 9.144 m either side of its point and the curb between them parks
    apart = platform.iloc[[0, 2]].assign(osm_id=[7, 8])
    apart.geometry = [shapely.Point(X0 + 20.0, Y0 - 5.0), shapely.Point(X0 + 60.0, Y0 - 5.0)]
    # [10.856, 29.144] and [50.856, 69.144]: 2 x 18.288 = 36.576 -> 87.808 - 36.576 = 51.232
    assert usable_curb_length_m(sides, points=apart).tolist() == pytest.approx([87.808, 51.232])


def test_feature_clearances_are_taken_off_their_side_with_overlaps_merged() -> None:
    streets = street_table({})
    sides = curb_sides(streets, offset_m=3.0)
    usable = usable_curb_length_m(sides, points=POINTS).tolist()
    # left: [0, 25] (bus stop over the 6.096 m junction) + hydrant 9.144 + crossing 12.192
    # + the far junction 6.096 = 52.432 m kept free -> 47.568 m usable
    # right: 2 x 6.096 + crossing 12.192 + driveway 8 = 32.384 -> 67.616 m usable
    assert usable == pytest.approx([47.568, 67.616])
    # without points: junctions only, 100 - 2 x 6.096 = 87.808 m
    assert usable_curb_length_m(sides).tolist() == pytest.approx([87.808, 87.808])


def test_the_model_counts_estimated_spaces_after_feature_clearances(
    catalog: VehicleCatalog,
) -> None:
    streets = street_table({"width_defaulted": True})  # a class width: both sides park
    sides = curb_sides(streets, offset_m=3.0)
    result = parking_model(
        sides, lot_table(), catalog, scenarios(catalog), streets=streets, points=POINTS
    )
    assert result.sides["source"].tolist() == ["inferred", "inferred"]
    spaces = result.side_figures("kei100")["spaces"].tolist()
    # kei pitch 4.4 m: floor(47.568 / 4.4 = 10.81) = 10; floor(67.616 / 4.4 = 15.37) = 15
    assert spaces == [10.0, 15.0]
    kei = result.summary["scenarios"]["kei100"]
    assert kei["curb_spaces_estimated"] == 25.0
    assert kei["curb_spaces_mapped"] == 0.0


def test_the_estimate_scores_on_helsinki_with_its_tags_hidden(helsinki: AnalysisResult) -> None:
    city = helsinki.city
    scores = validate_curb_estimate(
        city.streets,
        city.curb,
        city.lots,
        helsinki.catalog,
        helsinki.scenarios,
        points=city.points,
    )
    # measured (benchmarks/bench_curb_estimate.py): 2227 tagged sides, 32.0 km (two per
    # tagged edge of the 1,470 the reader keeps), precision 31.6 %, recall 76.0 %, spaces per
    # km +86.2 % (+3.1 % on the sides both call parked: the error is where parking is, not
    # how many fit); floors a little below
    assert scores["sides_count"] == 2227
    assert scores["precision_share"] >= 0.30
    assert scores["recall_share"] >= 0.70
    assert abs(scores["spaces_per_km_rel_error"]) <= 1.20
    assert abs(scores["parked_spaces_rel_error"]) <= 0.05
