"""The map's compact layer encoding: columnar properties, delta + zigzag base64 coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from urbanfit.pipeline import analyze
from urbanfit.render import layers
from urbanfit.render import map as map_module
from urbanfit.render.map import build_map
from urbanfit.render.map_encode import (
    decode_coordinates,
    decode_features,
    encode_coordinates,
    encode_features,
    page_layers,
)

TOWN = Path(__file__).parent / "data" / "town.osm"


def test_integers_are_written_five_bits_a_character_after_a_zigzag() -> None:
    # zigzag: 0 -> 0, -1 -> 1, 1 -> 2, 16 -> 32; a character is ALPHABET[5 bits + 32 if more]
    # 0 -> "A", 1 -> "B", 2 -> "C"; 32 = 0 + 1 * 32 -> "g" (0 with "more") then "B" (1)
    values = np.array([0, -1, 1, 16])
    assert encode_coordinates(values) == "A" + "B" + "C" + "gB"
    # a longitude of -122.6 degrees in 1e-5 steps, and its neighbours one step away
    wide = np.array([-12_260_000, 1, -1, 2**40])
    assert (decode_coordinates(encode_coordinates(wide)) == wide).all()


def test_properties_are_columns_and_repeated_text_is_stored_once() -> None:
    geometries = np.array([Point(3.0, 0.0), Point(3.1, 0.0), Point(3.2, 0.0), Point(3.3, 0), None])
    properties = pd.DataFrame(
        {
            "kind": ["surface", "surface", "underground", "surface", "gone"],
            "area": [10.0, 20.0, None, 30.0, 1.0],
            "name": ["A", "B", "C", "D", "E"],
        }
    )
    packed = encode_features(properties, geometries)
    # the fifth row has no geometry: left out. 2 distinct kinds in 4 rows (at most half):
    # stored once each, index 0 for missing; 4 distinct names: as they are. Whole-number
    # floats travel as integers.
    assert packed["n"] == 4
    assert packed["p"] == {
        "kind": {"k": [None, "surface", "underground"], "i": [1, 1, 2, 1]},
        "area": [10, 20, None, 30],
        "name": ["A", "B", "C", "D"],
    }


def test_missing_and_infinite_numbers_travel_as_null() -> None:
    # JSON has no NaN or Infinity; nullable integers keep their missing values too
    properties = pd.DataFrame(
        {"vc": [0.5, np.inf, np.nan], "lanes": pd.array([2, None, 4], dtype="Int64")}
    )
    packed = encode_features(properties, np.array([Point(3.0, 0.0)] * 3))
    assert packed["p"] == {"vc": [0.5, None, None], "lanes": [2, None, 4]}


def test_mixed_geometries_round_trip_within_1e_5_degrees() -> None:
    square = Polygon([(3.0, 0.0), (3.001, 0.0), (3.001, 0.001), (3.0, 0.0)])
    holed = Polygon(
        [(3.0, 0.0), (3.01, 0.0), (3.01, 0.01), (3.0, 0.01)],
        [[(3.002, 0.002), (3.004, 0.002), (3.004, 0.004)]],
    )
    geometries = np.array(
        [
            LineString([(3.000004, 0.000001), (3.001, 0.002)]),  # rounds to (3.0, 0.0)
            square,
            Point(3.5, 0.5),
            MultiPolygon([holed, square]),
        ]
    )
    properties = pd.DataFrame({"name": ["line", "square", "point", "two"]})
    decoded, shapes = decode_features(encode_features(properties, geometries))
    # points first, then lines, then polygons: each with its own properties
    assert decoded["name"].tolist() == ["point", "line", "square", "two"]
    expected = geometries[[2, 0, 1, 3]]
    assert shapely.equals_exact(shapes, shapely.force_2d(expected), tolerance=1e-5).tolist() == [
        False,  # a point comes back as a one-point MultiPoint
        False,  # and a line as a one-part MultiLineString
        False,
        True,
    ]
    singles = [shapely.get_geometry(shape, 0) for shape in shapes[:3]]
    assert shapely.equals_exact(singles, expected[:3], tolerance=1e-5).all()


@pytest.fixture(scope="module")
def town_layers() -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """The test town's map (mapped curbs only, no congestion), each layer decoded."""
    result = analyze(
        "town", osm_file=TOWN, name="Test town", infer_curb=False, run_congestion=False
    )
    page = build_map(result).get_root().render()
    names = [
        "Streets by class",
        "Curb parking",
        "Parking lots",
        "Urban Fit index at 100 % kei (hexagons)",
        "Safety: pedestrian risk per crash",
    ]
    layers = page_layers(page)
    assert len(layers) == len(names)
    return dict(zip(names, (decode_features(layer) for layer in layers), strict=True))


def test_the_town_map_holds_a_checkable_count_per_layer(town_layers) -> None:
    # 3 street ways (5 edges merged per way), 6 curb sides with parking (both sides of the
    # two Main Street edges, the right side of the two Cross Street edges), the Market Lot
    # and the underground lot node, the town's one H3 cell, and the 3 ways again for safety
    # (each way one speed: its edges show the same figures)
    counts = {name: len(properties) for name, (properties, _) in town_layers.items()}
    assert list(counts.values()) == [3, 6, 2, 1, 3]


def test_the_town_streets_decode_to_their_osm_nodes(town_layers) -> None:
    properties, shapes = town_layers["Streets by class"]
    lines = {
        name: shapely.get_coordinates(shape).tolist()
        for name, shape in zip(properties["name"], shapes, strict=True)
    }
    # tests/data/town.osm: Main Street runs nodes 1-2-3 along lat 0.001 (node 2 lies on the
    # straight line, so the 1 m simplification drops it); Cross Street 4-2-5 along lon 3.001;
    # Back Lane 6-3, oneway=-1: stored in its traffic direction, 3 -> 6
    expected = {
        "Main Street": [[3.0, 0.001], [3.002, 0.001]],
        "&lt;img src=x onerror=alert(1)&gt;": [[3.001, 0.0], [3.001, 0.002]],
        "Back Lane": [[3.002, 0.001], [3.002, 0.002]],
    }
    assert lines.keys() == expected.keys()
    for name, coordinates in expected.items():
        np.testing.assert_allclose(lines[name], coordinates, rtol=0, atol=1e-5)


def test_the_town_lots_decode_to_the_market_lot_ring_and_the_underground_node(town_layers):
    properties, shapes = town_layers["Parking lots"]
    lots = dict(zip(properties["name"], shapes, strict=True))
    # the underground lot is node 15 (3.0015, 0.0005); the Market Lot is way 200 over nodes
    # 11, 12, 13, 14 and back to 11
    node = shapely.get_coordinates(lots["(unnamed)"])
    np.testing.assert_allclose(node, [[3.0015, 0.0005]], rtol=0, atol=1e-5)
    ring = shapely.get_coordinates(lots["Market Lot"])
    corners = [[3.0012, 0.0013], [3.0018, 0.0013], [3.0018, 0.0017], [3.0012, 0.0017]]
    assert ring[0].tolist() == ring[-1].tolist()  # closed again
    assert sorted(map(tuple, np.round(ring[:-1], 5))) == sorted(map(tuple, corners))


def test_above_the_detail_limit_the_curb_is_drawn_by_hexagon_and_the_legend_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = analyze(
        "town", osm_file=TOWN, name="Test town", infer_curb=False, run_congestion=False
    )
    monkeypatch.setattr(layers, "DETAIL_LIMIT", 5)  # the town has 6 curb sides with parking
    page = build_map(result).get_root().render()
    assert "Curb parking (hexagons)" in page
    assert (
        "Drawn by hexagon: 6 curb sides are too many to draw one by one. "
        "Every side is in layers.gpkg (layer parking_sides)."
    ) in page
    curb = decode_features(page_layers(page)[1])[0]
    # one H3 cell (as for the index): 6 sides; parked curb: both sides of Main Street's two
    # 111.275 m edges, and the right side of Cross Street's two edges of 1e-3 degree of
    # latitude (110.574 m x UTM scale 0.9996 = 110.53 m): 4 x 111.275 + 2 x 110.53 = 666.2 m
    assert curb[["sides", "curb_km"]].to_dict("records") == [{"sides": 6, "curb_km": 0.67}]
    # every kei share travels for the switch: the hexagon's gain per 100 m is the
    # length-weighted mean of its six sides' gains; at the baseline (0 % kei) it shows
    # today's supply: the length-weighted mean of spaces per 100 m (spaces over length)
    by_scenario = [float(v) for v in curb["_s"].iloc[0].split(";")]
    expected = []
    for sid in result.scenarios.ids:
        sides = result.parking.side_figures(sid)
        sides = sides[sides["status"].eq("parking") & sides["spaces"].notna()]
        weights = sides["length_m"]
        expected.append(float((sides["gained_per_100m"] * weights).sum() / weights.sum()))
    assert len(sides) == 6
    base = result.parking.side_figures(result.scenarios.baseline.id)
    base = base[base["status"].eq("parking") & base["spaces"].notna()]
    supply = float(base["spaces"].sum() / base["length_m"].sum() * 100)
    assert by_scenario[0] == pytest.approx(supply, abs=0.05)  # written to one decimal
    assert by_scenario[1:] == pytest.approx(expected[1:], abs=0.05)
    assert by_scenario[1:] == sorted(by_scenario[1:])  # more kei, more spaces


def test_above_the_street_limit_local_streets_are_their_own_layer_off_at_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = analyze(
        "town", osm_file=TOWN, name="Test town", infer_curb=False, run_congestion=False
    )
    monkeypatch.setattr(map_module, "DETAIL_EDGES", 4)  # the town has 5 street edges
    fmap = build_map(result)
    page = fmap.get_root().render()
    # Cross Street (tertiary, 2 edges) stays; Main Street (residential, 2 edges) and Back Lane
    # (unclassified, 1 edge) are local: 3 edges in 2 ways
    streets, local = page_layers(page)[:2]
    assert decode_features(streets)[0]["name"].tolist() == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert sorted(decode_features(local)[0]["name"]) == ["Back Lane", "Main Street"]
    assert (
        "Local streets (3 edges) are the layer &#x27;Local streets&#x27;, off when the map opens"
        in page
    )
    assert '"Local streets" : feature_group_' in page
