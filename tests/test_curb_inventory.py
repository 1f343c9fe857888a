"""A city's curb inventory (CurbLR) read, matched to curb sides, and the estimate scored on it.

Hand fixtures: one 100 m two-way residential street drawn west to east (u at x = 0, v at
x = 100), class-default width (the estimate parks both sides), a dead end at each end (the
estimate keeps 20 ft = 6.096 m free there). The CurbLR pieces are drawn on the street line in
longitude/latitude.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from builders import CRS, ORIGIN, street_table
from conftest import SHARED_DATA
from pyproj import Transformer
from typer.testing import CliRunner

from urbanfit.citydata.curb import curb_sides
from urbanfit.citydata.inventory import (
    inventory_curb,
    inventory_segments,
    match_inventory,
    parse_curb_time,
)
from urbanfit.cli import app
from urbanfit.errors import ConfigError, SourceError
from urbanfit.models.parking.estimate import usable_curb_length_m
from urbanfit.models.parking.selfcheck import score_against_inventory
from urbanfit.sources.curblr import read_curblr

X0, Y0 = ORIGIN
_TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
HIERARCHY = ["no standing", "no parking", "paid parking", "free parking"]


def _lonlat(x: float) -> list[float]:
    lon, lat = _TO_WGS84.transform(X0 + x, Y0)
    return [lon, lat]


def _feature(
    x_from: float,
    x_to: float,
    side: str,
    activity: str,
    category: str,
    spans: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [_lonlat(x_from), _lonlat(x_to)]},
        "properties": {
            "location": {
                "shstRefId": "ref",
                "sideOfStreet": side,
                "shstLocationStart": 0.0,
                "shstLocationEnd": abs(x_to - x_from),
            },
            "regulations": [
                {
                    "rule": {"activity": activity, "priorityCategory": category},
                    "timeSpans": spans or [],
                    "userClasses": [{}],
                }
            ],
        },
    }


WEEKDAY_8_TO_18 = {
    "daysOfWeek": {"days": ["mo", "tu", "we", "th", "fr"]},
    "timesOfDay": [{"from": "08:00", "to": "18:00"}],
}
WEEKDAY_7_TO_9 = {
    "daysOfWeek": {"days": ["mo", "tu", "we", "th", "fr"]},
    "timesOfDay": [{"from": "07:00", "to": "09:00"}],
}
FEATURES = [
    # drawn east to west, against the street: its left is the street's right side, [10, 90]
    _feature(90, 10, "left", "parking", "paid parking", [WEEKDAY_8_TO_18]),
    # drawn west to east, its right is the street's right: [50, 70], weekdays 7-9
    _feature(50, 70, "right", "no parking", "no parking", [WEEKDAY_7_TO_9]),
    # the street's left side, [10, 40]: 30 % of the side, left to OSM and the estimate
    _feature(10, 40, "left", "no standing", "no standing"),
]


def _feed(tmp_path: Path, features: list[dict[str, Any]] = FEATURES, **extra: Any) -> Path:
    path = tmp_path / "curb.curblr.json"
    feed = {
        "type": "FeatureCollection",
        "manifest": {"curblrVersion": "1.1.0", "priorityHierarchy": HIERARCHY},
        "features": features,
        **extra,
    }
    path.write_text(json.dumps(feed))
    return path


def _streets() -> Any:
    return street_table({"width_defaulted": True})


def _surveyed(tmp_path: Path, when: str) -> tuple[Any, Any, Any]:
    rows, _ = read_curblr(_feed(tmp_path))
    streets = _streets()
    pieces, report = match_inventory(rows, streets)
    segments = inventory_segments(rows, pieces, parse_curb_time(when))
    return streets, segments, report


def test_pieces_land_on_their_side_and_place_against_the_drawing_direction(
    tmp_path: Path,
) -> None:
    rows, provenance = read_curblr(_feed(tmp_path))
    assert provenance["features_read"] == 3
    assert provenance["format"] == "CurbLR 1.1.0"
    pieces, report = match_inventory(rows, _streets())
    # three pieces of 80, 20 and 30 m, all on the street: 0.13 km
    assert report["features_matched"] == 3
    assert report["km_read"] == pytest.approx(0.130, abs=1e-4)
    assert report["km_unmatched"] == pytest.approx(0.0, abs=1e-6)
    # the east-to-west piece's left is the street's right side
    assert pieces[["row", "side"]].values.tolist() == [[0, "right"], [1, "right"], [2, "left"]]
    assert pieces[["start_m", "end_m"]].to_numpy().ravel().tolist() == pytest.approx(
        [10, 90, 50, 70, 10, 40], abs=0.01
    )


def test_a_piece_off_every_street_is_reported_unmatched(tmp_path: Path) -> None:
    far = _feature(10, 40, "left", "no standing", "no standing")
    # 0.001 deg of latitude north: about 111 m from the street, beyond the 12 m tolerance
    far["geometry"]["coordinates"] = [[x, y + 0.001] for x, y in (_lonlat(10), _lonlat(40))]
    rows, _ = read_curblr(_feed(tmp_path, [*FEATURES, far]))
    _, report = match_inventory(rows, _streets())
    assert (report["features_read"], report["features_matched"]) == (4, 3)
    assert report["features_unmatched"] == 1
    assert report["km_unmatched"] == pytest.approx(0.030, abs=1e-4)  # its 30 m


def test_the_rule_in_force_depends_on_the_curb_time(tmp_path: Path) -> None:
    streets, segments, _ = _surveyed(tmp_path, "weekday 08:00")
    right = segments[segments["side"] == "right"]
    # Wednesday 08:00: parking [10, 50], no parking (ranks above paid parking) [50, 70],
    # parking [70, 90]
    assert right["activity"].tolist() == ["parking", "no parking", "parking"]
    assert right[["start_m", "end_m"]].to_numpy().ravel().tolist() == pytest.approx(
        [10, 50, 50, 70, 70, 90], abs=0.01
    )
    curb, report = inventory_curb(curb_sides(streets), segments)
    # right: 80 of 100 m surveyed (>= 50 %): from the inventory, 40 + 20 = 60 m parkable;
    # left: 30 of 100 m: partly covered, left to OSM and the estimate
    assert curb["curb_source"].tolist() == ["osm", "inventory"]
    assert curb["status"].tolist() == ["unknown", "parking"]
    assert report["km_parkable"] == pytest.approx(0.060, abs=1e-5)
    assert (report["sides_covered"], report["sides_partly_covered"]) == (1, 1)
    # the parking model reads the surveyed length as the usable length
    assert usable_curb_length_m(curb).tolist()[1] == pytest.approx(60.0, abs=0.01)
    # Sunday noon: no rule in force on [10, 90]: unsigned curb parks, all 80 m
    _, sunday, _ = _surveyed(tmp_path, "sun 12:00")
    right = sunday[sunday["side"] == "right"]
    assert set(right["activity"]) == {"none in force"}
    assert right["parks"].all()


def test_the_self_check_scores_the_estimate_metre_by_metre(tmp_path: Path) -> None:
    streets, segments, _ = _surveyed(tmp_path, "weekday 08:00")
    segments = segments[segments["side"] == "right"]
    scores = score_against_inventory(
        curb_sides(streets), segments, streets=streets, points=None, pitch_m=6.0
    )
    # the estimate parks the right side on [6.096, 93.904], so all 80 surveyed metres;
    # the survey parks 60 of them: precision 60 / 80 = 0.75, recall 60 / 60 = 1
    assert scores["km"] == pytest.approx(0.080, abs=1e-5)
    assert scores["precision_share"] == pytest.approx(0.75, abs=1e-3)
    assert scores["recall_share"] == pytest.approx(1.0, abs=1e-3)
    # spaces at a 6 m pitch: survey floor(40 / 6 = 6.67) + floor(20 / 6 = 3.33) = 9;
    # estimate floor(80 / 6 = 13.3) = 13: 13 / 9 - 1 = +44.4 %; per km 9 / 0.08 = 112.5
    assert scores["surveyed_spaces_per_km"] == pytest.approx(112.5, abs=0.1)
    assert scores["spaces_per_km_rel_error"] == pytest.approx(13 / 9 - 1, abs=1e-3)


def test_curb_time_reads_a_day_and_a_time() -> None:
    assert parse_curb_time("weekday 12:00").label == "Wednesday 12:00"
    assert parse_curb_time("Sat 9:30").label == "Saturday 09:30"
    for bad in ("noon", "weekday 25:00", "someday 12:00"):
        with pytest.raises(ConfigError, match="--curb-time must be a day and a time"):
            parse_curb_time(bad)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("{not json", "is not JSON"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        ('{"type": "Feature"}', "is not a GeoJSON FeatureCollection"),
    ],
)
def test_a_broken_file_gives_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SourceError, match=message):
        read_curblr(path)


def _broken(key: str, value: Any) -> dict[str, Any]:
    feature = _feature(10, 40, "left", "no standing", "no standing")
    if key == "coordinates":  # metres of a projected CRS, not longitude/latitude
        feature["geometry"]["coordinates"] = [[X0, Y0], [X0 + 30, Y0]]
    elif key == "activity":
        feature["properties"]["regulations"][0]["rule"]["activity"] = value
    else:
        feature["properties"]["location"][key] = value
    return feature


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("coordinates", None, "feature 1 has coordinates outside longitude/latitude"),
        ("activity", "valet", "feature 1 has an unknown activity 'valet'"),
        ("sideOfStreet", "middle", "feature 1 has sideOfStreet 'middle'"),
        ("shstLocationEnd", "far", "feature 1 has shstLocationEnd 'far'"),
    ],
)
def test_a_malformed_feature_is_named_in_the_error(
    tmp_path: Path, key: str, value: Any, message: str
) -> None:
    path = _feed(tmp_path, [FEATURES[0], _broken(key, value)])
    with pytest.raises(SourceError, match=message):
        read_curblr(path)


def test_analyze_refuses_a_broken_inventory_in_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("")
    town = Path(__file__).parent / "data" / "town.osm"
    result = CliRunner().invoke(
        app,
        ["analyze", "--osm-file", str(town), "--curb", str(bad), "--no-congestion",
         "--out", str(tmp_path / "out")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "the curb inventory bad.json is empty" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


_PORTLAND_OSM = SHARED_DATA / "osm" / "portland-central.osm.pbf"
_PORTLAND_CURB = SHARED_DATA / "curb" / "portland-downtown-west.curblr.json"


@pytest.mark.skipif(
    not (_PORTLAND_OSM.exists() and _PORTLAND_CURB.exists()),
    reason="the shared Portland extract and CurbLR survey are not here",
)
def test_the_portland_survey_matches_and_scores_the_estimate() -> None:
    from urbanfit.inventory import apply_curb_inventory
    from urbanfit.parameters import EstimateErrorParams
    from urbanfit.pipeline import load_city
    from urbanfit.vehicles import load_vehicles, scenarios

    _, city = load_city("", osm_file=_PORTLAND_OSM)
    catalog = load_vehicles(None)
    city, check = apply_curb_inventory(
        city, _PORTLAND_CURB, catalog=catalog, scenarios=scenarios(catalog)
    )
    record = check.summary
    # measured (benchmarks/bench_curb_estimate.py): all 221 pieces (6.05 km, overlapping
    # rules included) on a street; 113 sides, 3.59 km of curb, 1.04 km parkable at
    # Wednesday noon; the estimate: precision 0.390, recall 0.926, spaces per km +129 %
    assert record["features_matched_count"] == record["features_read_count"] == 221
    assert record["km_covered"] == pytest.approx(3.59, abs=0.05)
    assert record["km_parkable"] == pytest.approx(1.04, abs=0.05)
    assert (city.curb["curb_source"] == "inventory").sum() == record["sides_covered_count"]
    scores = record["self_check"]
    assert 0.25 <= scores["precision_share"] <= 0.45
    assert scores["recall_share"] >= 0.85
    assert scores["spaces_per_km_rel_error"] > 0.5  # the estimate's known upper bound
    # the ranges quote these scores from EstimateErrorParams: they must be what is measured
    quoted = EstimateErrorParams()
    assert scores["precision_share"] == pytest.approx(quoted.precision_share, abs=5e-4)
    assert scores["recall_share"] == pytest.approx(quoted.recall_share, abs=5e-4)
    assert 1.0 + scores["spaces_per_km_rel_error"] == pytest.approx(quoted.spaces_ratio, abs=5e-3)


# --- Curb Data Specification zones ---------------------------------------------------------


def _zone(
    zone_id: str, x_from: float, x_to: float, y_from: float, y_to: float, **extra: Any
) -> dict[str, Any]:
    corners = [(x_from, y_from), (x_to, y_from), (x_to, y_to), (x_from, y_to), (x_from, y_from)]
    ring = []
    for x, y in corners:
        lon, lat = _TO_WGS84.transform(X0 + x, Y0 + y)
        ring.append([lon, lat])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"curb_zone_id": zone_id, **extra},
    }


POLICIES = [
    {"curb_policy_id": "P1", "priority": 2, "rules": [{"activity": "parking"}]},
    {"curb_policy_id": "P2", "priority": 1, "rules": [{"activity": "no stopping"}]},
]
ZONES = [
    # south of the west-to-east street (its right side), x 10-70, 4-6 m off: 8 spaces
    _zone("A", 10, 70, -6, -4, curb_policy_ids=["P1"], num_spaces=8),
    # north (left side), x 20-50: 30 % of the side, left to OSM and the estimate
    _zone("B", 20, 50, 4, 6, curb_policy_ids=["P2"]),
]


def _cds(tmp_path: Path, zones: list[dict[str, Any]] = ZONES, **extra: Any) -> Path:
    path = tmp_path / "zones.geojson"
    body = {"type": "FeatureCollection", "features": zones, "policies": POLICIES, **extra}
    path.write_text(json.dumps(body))
    return path


def test_cds_zones_land_on_the_side_they_lie_on_with_their_space_counts(
    tmp_path: Path, catalog: Any
) -> None:
    from builders import lot_table

    from urbanfit.models.parking import parking_model
    from urbanfit.sources.curbinventory import read_curb_inventory
    from urbanfit.vehicles import scenarios

    rows, provenance = read_curb_inventory(_cds(tmp_path))
    assert provenance["format"] == "Curb Data Specification zones"
    streets = _streets()
    pieces, report = match_inventory(rows, streets)
    assert report["features_matched"] == 2
    # each zone's long axis, 5 m off the street line: A right [10, 70], B left [20, 50]
    assert pieces["side"].tolist() == ["right", "left"]
    assert pieces[["start_m", "end_m"]].to_numpy().ravel().tolist() == pytest.approx(
        [10, 70, 20, 50], abs=0.01
    )
    segments = inventory_segments(rows, pieces, parse_curb_time("weekday 12:00"))
    curb, _ = inventory_curb(curb_sides(streets), segments)
    # right: 60 of 100 m surveyed, parking, its 8 counted spaces are the baseline
    assert curb["curb_source"].tolist() == ["osm", "inventory"]
    assert curb.loc[1, ["status", "capacity"]].tolist() == ["parking", 8.0]
    result = parking_model(curb, lot_table(), catalog, scenarios(catalog), streets=streets)
    spaces = result.side_figures("kei000")["spaces"].tolist()
    assert spaces[1] == 8.0  # the count as given; the kei scenarios scale it by pitch


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"crs": {"type": "name", "properties": {"name": "EPSG:32635"}}}, "is in CRS EPSG:32635"),
        ({"zones": [_zone("C", 10, 70, -6, -4, curb_policy_ids=["P9"])]}, "names policies not"),
        ({"zones": []}, "has no features"),
    ],
)
def test_broken_cds_zones_give_one_clear_error(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    from urbanfit.sources.cds import read_cds_zones

    zones = change.pop("zones", ZONES)
    with pytest.raises(SourceError, match=message):
        read_cds_zones(_cds(tmp_path, zones, **change))


def test_a_cds_rule_with_an_unknown_activity_is_named(tmp_path: Path) -> None:
    from urbanfit.sources.cds import read_cds_zones

    path = tmp_path / "zones.geojson"
    policies = [{"curb_policy_id": "P1", "priority": 1, "rules": [{"activity": "valet"}]}]
    zone = _zone("A", 10, 70, -6, -4, curb_policy_ids=["P1"])
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [zone], "policies": policies})
    )
    with pytest.raises(SourceError, match="zone 0 .policy P1. has an unknown activity 'valet'"):
        read_cds_zones(path)


# --- any GDAL layer with a field mapping ----------------------------------------------------

_MAPPING = """
[fields]
parking = "PARK"
spaces = "SPACES"
days = "DAYS"
start = "FROM"
end = "TO"
"""


def _layer(tmp_path: Path) -> Path:
    # right side (y = -5, south of the west-to-east street) x 10-70, parking weekdays 8-18,
    # 9 counted spaces; left side (y = +5) x 20-50, no parking
    lines = [
        shapely.LineString([(X0 + 10, Y0 - 5), (X0 + 70, Y0 - 5)]),
        shapely.LineString([(X0 + 20, Y0 + 5), (X0 + 50, Y0 + 5)]),
    ]
    frame = gpd.GeoDataFrame(
        {"PARK": ["Y", "N"], "SPACES": [9, 0], "DAYS": ["mo-fr", "mo-su"],
         "FROM": ["08:00", "00:00"], "TO": ["18:00", "24:00"]},
        geometry=lines,
        crs=CRS,
    )  # fmt: skip
    path = tmp_path / "blockfaces.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def _mapping(tmp_path: Path, text: str = _MAPPING) -> Path:
    path = tmp_path / "fields.toml"
    path.write_text(text)
    return path


def test_a_gis_layer_reads_through_its_field_mapping(tmp_path: Path) -> None:
    from urbanfit.sources.curbinventory import read_curb_inventory

    rows, provenance = read_curb_inventory(_layer(tmp_path), mapping=_mapping(tmp_path))
    assert provenance["format"] == "GDAL layer (GPKG)"
    streets = _streets()
    pieces, _ = match_inventory(rows, streets)
    assert pieces["side"].tolist() == ["right", "left"]  # found from where each line lies
    for when, parkable in (("wed 12:00", 60.0), ("sun 12:00", 60.0)):
        segments = inventory_segments(rows, pieces, parse_curb_time(when))
        curb, report = inventory_curb(curb_sides(streets), segments)
        # Wednesday: the parking rule is in force on [10, 70]: 60 m, its 9 spaces the
        # baseline; Sunday: no rule in force there, and unsigned curb parks: 60 m too
        assert report["km_parkable"] == pytest.approx(parkable / 1000, abs=1e-5)
    weekday = inventory_segments(rows, pieces, parse_curb_time("wed 12:00"))
    curb, _ = inventory_curb(curb_sides(streets), weekday)
    assert curb.loc[1, ["status", "capacity"]].tolist() == ["parking", 9.0]


def test_a_csv_with_wkt_takes_its_crs_from_the_mapping(tmp_path: Path) -> None:
    from urbanfit.sources.curbinventory import read_curb_inventory

    path = tmp_path / "blockfaces.csv"
    path.write_text(f'WKT,PARK\n"LINESTRING ({X0 + 10} {Y0 - 5}, {X0 + 70} {Y0 - 5})",yes\n')
    mapping = _mapping(tmp_path, f'[fields]\nparking = "PARK"\n[layer]\ncrs = "{CRS}"\n')
    rows, _ = read_curb_inventory(path, mapping=mapping)
    pieces, report = match_inventory(rows, _streets())
    assert report["features_matched"] == 1
    assert pieces[["side", "start_m", "end_m"]].to_numpy().tolist()[0][0] == "right"
    # without the CRS in the mapping: one sentence saying where to give it
    with pytest.raises(SourceError, match="its CRS; give one as crs in the .layer. table"):
        read_curb_inventory(path, mapping=_mapping(tmp_path, '[fields]\nparking = "PARK"\n'))


def test_a_gis_layer_in_the_wrong_crs_is_refused(tmp_path: Path) -> None:
    from urbanfit.sources.curbinventory import read_curb_inventory

    # UTM metres declared as longitude/latitude: x = 500,010 is no longitude
    frame = gpd.GeoDataFrame(
        {"PARK": ["Y"]}, geometry=[shapely.LineString([(X0 + 10, Y0), (X0 + 70, Y0)])], crs=4326
    )
    path = tmp_path / "wrong.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(SourceError, match="does not lie on the globe in its CRS"):
        read_curb_inventory(path, mapping=_mapping(tmp_path, '[fields]\nparking = "PARK"\n'))


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ('[fields]\nparking = "PARKING_OK"\n', SourceError, "has no field 'PARKING_OK'"),
        ('[fields]\nparking = "PARK"\ncolour = "C"\n', ConfigError, "unknown key 'colour'"),
        ('[fields]\nside = "S"\n', ConfigError, "naming at least 'parking'"),
    ],
)
def test_a_mapping_naming_unknown_fields_is_refused(
    tmp_path: Path, text: str, error: type[Exception], message: str
) -> None:
    from urbanfit.sources.curbinventory import read_curb_inventory

    with pytest.raises(error, match=message):
        read_curb_inventory(_layer(tmp_path), mapping=_mapping(tmp_path, text))


def test_an_empty_gis_layer_is_refused(tmp_path: Path) -> None:
    from urbanfit.sources.curbinventory import read_curb_inventory

    path = tmp_path / "empty.csv"
    path.write_text("WKT,PARK\n")
    mapping = _mapping(tmp_path, f'[fields]\nparking = "PARK"\n[layer]\ncrs = "{CRS}"\n')
    with pytest.raises(SourceError, match="has no features"):
        read_curb_inventory(path, mapping=mapping)


@pytest.mark.skipif(
    not (_PORTLAND_OSM.exists() and _PORTLAND_CURB.exists()),
    reason="the shared Portland extract and CurbLR survey are not here",
)
def test_analyze_with_the_portland_survey_reports_its_self_check(tmp_path: Path) -> None:
    from urbanfit.render.schema import validate_summary

    result = CliRunner().invoke(
        app,
        ["analyze", "portland", "--osm-file", str(_PORTLAND_OSM), "--curb", str(_PORTLAND_CURB),
         "--no-congestion", "--out", str(tmp_path)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = tmp_path / "portland"
    summary = json.loads((folder / "summary.json").read_text())
    validate_summary(summary)  # the curb_inventory section is in the shipped JSON Schema
    record = summary["curb_inventory"]
    assert record["provenance"]["features_read"] == record["provenance"]["features_matched"] == 221
    assert len(record["provenance"]["sha256"]) == 64
    assert record["curb_time"] == "Wednesday 12:00"
    # the report quotes the self-check sentence: "On the 3.6 km your inventory covers, ..."
    report = (folder / "report.md").read_text()
    assert "On the 3.6 km your inventory covers, the estimate would have said" in report
    assert "from your curb inventory" in (folder / "map.html").read_text()
