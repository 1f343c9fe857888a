"""Curb sides read as compass sides ("north side"), worked out from each street's drawing."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from builders import CRS, ORIGIN, street_table

from urbanfit.citydata.curb import curb_sides
from urbanfit.pipeline import analyze
from urbanfit.render.compass import compass_sides

TOWN = Path(__file__).parent / "data" / "town.osm"


def _line(*steps: tuple[float, float]) -> shapely.LineString:
    """A line from ORIGIN through the given (east, north) steps in metres."""
    x, y = ORIGIN
    points = [(x, y)]
    for dx, dy in steps:
        x, y = x + dx, y + dy
        points.append((x, y))
    return shapely.LineString(points)


def test_each_drawn_streets_left_and_right_face_the_compass_points_by_hand() -> None:
    streets = street_table(
        {},  # drawn west -> east: left faces north, right south
        {"geometry": _line((0, 100))},  # south -> north: left west, right east
        {"geometry": _line((-100, 0))},  # east -> west: left south, right north
        {"geometry": _line((70, 70))},  # south-west -> north-east: left north-west
        # a bend, chord (100, 10): 5.7 degrees off east, still a west-east street
        {"geometry": _line((50, 40), (50, -30))},
    )
    sides = curb_sides(streets)  # two rows per street, left then right
    words = compass_sides(sides.geometry, sides["side"])
    assert words.tolist() == [
        "north side",
        "south side",
        "west side",
        "east side",
        "south side",
        "north side",
        "north-west side",
        "south-east side",
        "north side",
        "south side",
    ]


def test_a_closed_loop_or_an_unknown_side_has_no_compass_side() -> None:
    loop = _line((50, 0), (0, 50), (-50, -50))
    lines = gpd.GeoSeries([loop, _line((100, 0))], crs=CRS)
    words = compass_sides(lines, pd.Series(["left", "both"]))
    assert words.isna().tolist() == [True, True]


def test_lines_in_degrees_are_scaled_by_the_latitude() -> None:
    # a chord of 1 degree east and 1.5 north, midpoint latitude 60.75: cos(60.75) = 0.488,
    # so the street heads atan2(0.488, 1.5) = 18.0 degrees (north-north-east) and its right
    # side faces 18.0 + 90 = 108 degrees: east. Unscaled, it would head atan2(1, 1.5) =
    # 33.7 degrees and its right side face 123.7 degrees: south-east.
    line = shapely.LineString([(24.9, 60.0), (25.9, 61.5)])
    lines = gpd.GeoSeries([line], crs="EPSG:4326")
    assert compass_sides(lines, pd.Series(["right"])).tolist() == ["east side"]


def test_the_towns_main_street_drawn_west_to_east_has_a_north_and_a_south_curb() -> None:
    # town.osm: Main Street (way 100) runs along latitude 0.0010 from longitude 3.0000 to
    # 3.0020; Cross Street (way 101) runs north from latitude 0 to 0.0020, parking on its right
    town = analyze("town", osm_file=TOWN, name="Test town", run_congestion=False)
    sides = town.parking.sides
    words = compass_sides(sides.geometry, sides["side"])
    main = sides["osm_id"].eq(100)
    assert set(zip(sides["side"][main], words[main], strict=True)) == {
        ("left", "north side"),
        ("right", "south side"),
    }
    cross = sides["osm_id"].eq(101) & sides["side"].eq("right")
    assert set(words[cross]) == {"east side"}


def test_the_reports_curb_table_names_sides_by_the_compass_like_the_map() -> None:
    from urbanfit.render.report import _parking_table_blocks

    result = analyze(osm_file=TOWN, name="town", run_congestion=False)
    table = next(b for b in _parking_table_blocks(result) if hasattr(b, "header"))
    sides = {(str(row[0]), row[2]) for row in table.rows}
    # Main Street is drawn west to east (nodes 1, 2, 3 at 3.000, 3.001, 3.002 E): its left
    # faces north, its right south; Back Lane is drawn north to south (node 6 at 0.002 N to
    # node 3 at 0.001 N): its left faces east, its right west
    assert {("Main Street", "north side"), ("Main Street", "south side")} <= sides
    assert {("Back Lane", "west side"), ("Back Lane", "east side")} <= sides
    assert not any("left" in side or "right" in side for _, side in sides)
