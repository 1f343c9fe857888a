"""Inputs no city could have, and names that are not what they seem: one sentence each, or it works.

Bounds come from `urbanfit.parameters.inputs.InputBounds`; Overpass cases run against the
loopback server (tests/overpass_server.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from overpass_server import FakeOsmServer, Reply, osm_json
from typer.testing import CliRunner

from urbanfit import cli
from urbanfit.bbox import box_area_km2
from urbanfit.cities import output_slug, slugify
from urbanfit.errors import ConfigError, ServiceError, SourceError, UnknownCityError
from urbanfit.models.congestion import build_network, user_demand
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.pipeline import load_city
from urbanfit.render.labels import counted
from urbanfit.sources import OverpassConfig, fetch_overpass
from urbanfit.sources.od import read_od_csv
from urbanfit.sources.osmfile import read_osm
from urbanfit.vehicles import load_vehicles, scenarios

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"
PLACE = "Test Town, Nowhere"
FAST = ("--no-congestion",)


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(cli.app, list(args), env={"COLUMNS": "300", **(env or {})})


def _one_sentence(result, code: int = 2) -> str:
    """The run ended in one error line with ``code``, no internal error or traceback."""
    assert result.exit_code == code, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


# --out ----------------------------------------------------------------------------------------


def test_an_out_folder_name_of_300_characters_is_one_sentence(tmp_path: Path) -> None:
    out = tmp_path / ("a" * 300)  # a file name is at most 255 bytes on Linux file systems
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", str(out)))
    assert f"cannot write outputs to {out}: file name too long; give another --out" in line


def test_an_empty_out_is_refused_rather_than_writing_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", ""))
    assert "--out is empty" in line
    assert list(tmp_path.iterdir()) == []


def test_an_out_under_a_file_names_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("kept")
    out = blocker / "outputs"
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", str(out)))
    assert f"cannot write outputs to {out}: {blocker} is a file; give another --out" in line
    assert blocker.read_text() == "kept"


# vehicle files --------------------------------------------------------------------------------


def _vehicles(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vehicles.toml"
    path.write_text(text)
    return path


def test_class_stalls_of_a_nanometre_are_refused_with_the_reason(tmp_path: Path) -> None:
    path = _vehicles(
        tmp_path,
        "[classes.full_size]\ncurb_stall_width_m = 1e-9\nlot_stall_width_m = 1e-9\n"
        'lot_stall_depth_m = 1e-9\nlot_aisle_m = 1e-9\nsource = "a typo"\n',
    )
    # stall width bounds: the narrowest road car (Peel P50, 0.99 m, rounded down to 0.9 m) and
    # two of the widest vehicles side by side (2 x 2.60 m = 5.2 m)
    with pytest.raises(ConfigError) as caught:
        load_vehicles(path)
    message = str(caught.value)
    assert "class 'full_size': curb_stall_width_m must lie between 0.9 and 5.2 m" in message
    assert "a stall holds one vehicle" in message and "got 1e-09 m" in message
    line = _one_sentence(
        _run("analyze", "--osm-file", str(TOWN), *FAST, "--vehicles-file", str(path))
    )
    assert "curb_stall_width_m must lie between 0.9 and 5.2 m" in line


def test_a_half_metre_full_size_car_is_refused(tmp_path: Path) -> None:
    path = _vehicles(
        tmp_path,
        '[profiles.tiny]\nclass = "full_size"\nlength_m = 0.5\nwidth_m = 1.8\nheight_m = 1.5\n'
        'turning_radius_m = 5.0\nsource = "a typo"\n',
    )
    # lengths run from the Peel P50's 1.34 m (rounded down to 1.3) to the EU's 12.00 m
    with pytest.raises(
        ConfigError, match=r"profile 'tiny': length_m must lie between 1\.3 and 12 m"
    ):
        load_vehicles(path)


def test_a_turning_radius_below_half_the_length_is_refused(tmp_path: Path) -> None:
    path = _vehicles(
        tmp_path,
        '[profiles.van]\nclass = "full_size"\nlength_m = 5.0\nwidth_m = 1.9\nheight_m = 2.0\n'
        'turning_radius_m = 2.0\nsource = "a typo"\n',
    )
    # a 5.0 m vehicle turns inside its circle: radius at least 5.0 / 2 = 2.5 m, at most 12.5 m
    with pytest.raises(ConfigError, match=r"turning_radius_m must lie between 2\.5 and 12\.5 m"):
        load_vehicles(path)


def test_a_kei_share_that_rounds_to_the_baseline_says_so(catalog) -> None:
    # --kei-shares 1e-9 (percent) is the fraction 1e-11: round(1e-9) = 0 %, the baseline
    with pytest.raises(ConfigError) as caught:
        scenarios(catalog, kei_shares=(1e-11,))
    message = str(caught.value)
    assert "a kei share of 1e-09 % rounds to 0 %" in message
    assert "give shares of 1 % or more" in message
    assert "need" not in message  # the baseline is added, never missing
    # 1 % names its own scenario: baseline 0 % and 1 %
    assert scenarios(catalog, kei_shares=(0.01,)).ids == ("kei000", "kei001")


# OSM files ------------------------------------------------------------------------------------


def test_an_osm_node_at_latitude_999_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "far.osm"
    bad.write_text(TOWN.read_text().replace('lat="0.0010" lon="3.0010"', 'lat="999" lon="-777"', 1))
    with pytest.raises(SourceError) as caught:
        read_osm(bad)
    message = str(caught.value)
    assert message.startswith("cannot read far.osm: a node's coordinate is out of range")
    assert "'999'" in message and "latitudes lie in [-90, 90]" in message
    _one_sentence(_run("analyze", "--osm-file", str(bad), *FAST, "--out", str(tmp_path)))


# Overpass answers and the cache ---------------------------------------------------------------


def _config(url: str, cache: Path) -> OverpassConfig:
    return OverpassConfig(overpass_url=f"{url}/api", nominatim_url=f"{url}/", cache_dir=cache)


def _posts(server: FakeOsmServer) -> int:
    return sum(r.endswith("/interpreter") for r in server.requests)


def _answer(change) -> bytes:
    elements = osm_json(TOWN)
    for element in elements:
        change(element)
    return json.dumps({"version": 0.6, "elements": elements}).encode()


def _no_nodes(element: dict) -> None:
    if element["type"] == "node":
        element.clear()
        element.update({"type": "relation", "id": 0, "members": []})


def _north(element: dict) -> None:
    if element["type"] == "node":
        element["lat"] = "north"


def _tags_as_text(element: dict) -> None:
    if element["type"] == "way":
        element["tags"] = "highway=residential"  # JSON of the right shape, tags not an object


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # the town's 21 nodes less node 15, a point lot on no way: 20 nodes the ways use
        (_no_nodes, "not valid OSM data: ways without 20 of their nodes"),
        (_north, "not valid OSM data: node 1 at lat 'north'"),
        (_tags_as_text, "sent an answer that could not be read (TypeError"),
    ],
    ids=["ways-without-nodes", "lat-north", "unreadable-tags"],
)
def test_a_bad_overpass_answer_is_one_sentence_and_never_cached(
    tmp_path: Path, change, expected: str
) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", Reply(body=_answer(change)))
        with pytest.raises(ServiceError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        # only Nominatim's answer was kept
        assert [type(json.loads(p.read_text())) for p in tmp_path.glob("*.json")] == [list]
        first = _posts(server)
        raw = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        again = _posts(server) - first
    message = str(caught.value)
    assert expected in message and "not kept in the cache" in message
    assert message.startswith(f"Overpass ({server.url}/api) sent")
    # the next run asked again (streets, lots, buildings) and got the town's 8 street edges
    assert again == 3
    assert len(raw.edges) == 8


def test_a_bad_answer_cached_earlier_is_dropped_and_fetched_again(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        for path in tmp_path.glob("*.json"):
            answer = json.loads(path.read_text())
            if isinstance(answer, dict):  # the 3 Overpass answers, as an older urbanfit kept them
                for element in answer["elements"]:
                    _north(element)
                path.write_text(json.dumps(answer))
        first = _posts(server)
        raw = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        assert _posts(server) - first == 3
    assert len(raw.edges) == 8


def test_a_cache_entry_that_is_a_folder_is_named_before_any_request(tmp_path: Path) -> None:
    entry = tmp_path / "0123456789abcdef.json"
    entry.mkdir()
    with FakeOsmServer(TOWN, place=PLACE) as server:
        with pytest.raises(ConfigError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        assert server.requests == []
    assert str(caught.value).startswith(f"the download cache entry {entry} is a folder")
    assert entry.is_dir()  # a folder urbanfit did not make is left alone


def test_urbanfit_cache_pointing_at_a_file_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "cache.txt"
    blocker.write_text("kept")
    env = {"URBANFIT_CACHE": str(blocker), "URBANFIT_NOMINATIM_URL": "http://127.0.0.1:9/"}
    line = _one_sentence(_run("analyze", PLACE, "--out", str(tmp_path / "out"), env=env))
    assert f"cannot use the download cache {blocker / 'overpass'}: {blocker} is a file" in line
    assert "URBANFIT_CACHE" in line and blocker.read_text() == "kept"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_urbanfit_cache_under_proc_is_one_sentence(tmp_path: Path) -> None:
    env = {"URBANFIT_CACHE": "/proc/urbanfit", "URBANFIT_NOMINATIM_URL": "http://127.0.0.1:9/"}
    line = _one_sentence(_run("analyze", PLACE, "--out", str(tmp_path), env=env))
    assert "cannot use the download cache /proc/urbanfit/overpass" in line
    assert "no folder can be created in /proc" in line


# --bbox ---------------------------------------------------------------------------------------


def test_box_areas_are_right_for_any_box() -> None:
    # the whole WGS 84 ellipsoid: 510,065,622 km² (its published surface area)
    assert box_area_km2((-180.0, -90.0, 180.0, 90.0)) == pytest.approx(510_065_622, rel=1e-8)
    # 0.4 deg x 0.4 deg at the equator: 44.53 km x 44.22 km = 1,969 km²
    assert box_area_km2((2.8, -0.2, 3.2, 0.2)) == pytest.approx(1_969.4, abs=0.5)
    # the two halves of a box add up to the box
    west, east = box_area_km2((-180.0, 0.0, 0.0, 10.0)), box_area_km2((0.0, 0.0, 180.0, 10.0))
    assert west + east == pytest.approx(box_area_km2((-180.0, 0.0, 180.0, 10.0)))


def test_a_bbox_around_the_world_is_refused_before_any_request(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        with pytest.raises(SourceError) as caught:
            fetch_overpass(bbox=(-180.0, -85.0, 180.0, 85.0), config=_config(server.url, tmp_path))
        assert server.requests == []
    # on a sphere the band within 85 degrees of the equator is sin(85 deg) = 0.9962 of the
    # surface: 0.9962 x 510.07 million = 508.1 million km², far above the 2,500 km² cap
    assert "covers 508,107,311 km²" in str(caught.value)
    assert "2,500 km²" in str(caught.value)


# --od ----------------------------------------------------------------------------------------

_HEADER = "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"


def _od(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "trips.csv"
    path.write_text(_HEADER + "".join(f"{row}\n" for row in rows))
    return path


def _od_refused(tmp_path: Path, *rows: str) -> str:
    """The message `read_od_csv` refuses an OD file of ``rows`` with."""
    with pytest.raises(SourceError) as caught:
        read_od_csv(_od(tmp_path, *rows))
    return str(caught.value)


def test_a_trillion_trips_are_refused_with_the_reason(tmp_path: Path) -> None:
    message = _od_refused(tmp_path, "A,B,1e12,3.0005,0.0005,3.0015,0.0015")
    assert "1,000,000,000,000 trips in the peak hour, more than 10,000,000 veh/h" in message
    assert "check the units" in message
    path = tmp_path / "trips.csv"
    line = _one_sentence(
        _run("analyze", "--osm-file", str(TOWN), "--od", str(path), "--out", str(tmp_path))
    )
    assert "more than 10,000,000 veh/h" in line


def test_one_zone_pair_above_forty_freeway_lanes_is_refused(tmp_path: Path) -> None:
    # 150,000 trips in all (under the 10 million total), 120,000 of them on A -> B:
    # more than 100,000 veh/h, about 40 lanes x 2,400 veh/h
    message = _od_refused(
        tmp_path,
        "A,B,70000,3.0005,0.0005,3.0015,0.0015",
        "A,B,50000,3.0005,0.0005,3.0015,0.0015",
        "B,A,30000,3.0015,0.0015,3.0005,0.0005",
    )
    assert "zone pair 'A' -> 'B' has 120,000 trips in the peak hour" in message


def test_an_od_file_of_zero_trips_says_there_is_no_demand(tmp_path: Path) -> None:
    rows = ("A,B,0,3.0005,0.0005,3.0015,0.0015", "B,A,0,3.0015,0.0015,3.0005,0.0005")
    assert "holds no trips (every row's trips is 0)" in _od_refused(tmp_path, *rows)


def test_one_zone_given_two_points_is_refused(tmp_path: Path) -> None:
    rows = ("A,B,5,3.0005,0.0005,3.0015,0.0015", "A,C,5,3.0006,0.0005,3.0012,0.0012")
    message = _od_refused(tmp_path, *rows)
    assert "zone 'A' is given two different points" in message
    assert "3.0005,0.0005 and 3.0006,0.0005" in message


def test_an_od_latitude_of_999_is_out_of_range(tmp_path: Path) -> None:
    message = _od_refused(tmp_path, "A,B,5,3.0005,999,3.0015,0.0015")
    assert "origin_lat of zone 'A' is 999, out of range: a latitude lies in [-90, 90]" in message
    assert "finite" not in message


def test_an_od_table_given_to_the_model_is_checked_too() -> None:
    streets, _ = grid_city(3, 3)
    network = build_network(streets)
    od = pd.DataFrame(
        {
            "origin": ["a"],
            "destination": ["b"],
            "trips": [0.0],
            "origin_x": [0.0],
            "origin_y": [0.0],
            "destination_x": [100.0],
            "destination_y": [0.0],
        }
    )
    with pytest.raises(SourceError, match="OD table holds no trips"):
        user_demand(od, network)


# names ---------------------------------------------------------------------------------------


def test_names_without_latin_letters_never_share_a_folder() -> None:
    dots, cars = slugify(".."), slugify("🚗🚙")
    assert dots != cars
    assert "city" not in {dots, cars}
    assert dots.startswith("city-") and cars.startswith("city-")
    # a Latin name with a symbol keeps its Latin part and gains the hash
    assert slugify("Cars 🚗").startswith("cars-") and slugify("Cars 🚗") != slugify("Cars 🚙")
    assert slugify("Cars") == "cars" and slugify("../../etc") == "etc"
    assert output_slug("", name="..") == dots


def test_a_mistyped_preset_asks_instead_of_geocoding(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place="Helsinkii, Nowhere") as server:
        config = _config(server.url, tmp_path)
        # helsinkii vs helsinki: 2 x 8 matching / 17 characters = 0.94, above 0.8
        with pytest.raises(UnknownCityError) as caught:
            load_city("helsinkii", overpass=config)
        assert server.requests == []
        assert "did you mean 'helsinki'?" in str(caught.value)
        # with its country it is a place name: it goes to the geocoder and is fetched
        slug, data = load_city("Helsinkii, Nowhere", overpass=config)
        assert any(r.endswith("/search") for r in server.requests)
    assert slug == "helsinkii-nowhere" and len(data.streets) > 0


def test_a_place_name_unlike_any_preset_goes_to_the_geocoder(tmp_path: Path) -> None:
    # "portland" vs "portland-downtown": 2 x 8 / 25 = 0.64, below 0.8
    with FakeOsmServer(TOWN, place="Portland") as server:
        slug, _ = load_city("Portland", overpass=_config(server.url, tmp_path))
        assert any(r.endswith("/search") for r in server.requests)
    assert slug == "portland"


def test_baseline_tti_bounds_say_what_they_exclude(tmp_path: Path) -> None:
    for typed in ("1", "5"):
        line = _one_sentence(
            _run(
                "analyze", "--osm-file", str(TOWN), "--baseline-tti", typed, "--out", str(tmp_path)
            )
        )
        assert "--baseline-tti must be above 1 (free flow" in line and "below 5" in line
        assert line.endswith(f"got {typed}")


# counts ----------------------------------------------------------------------------------------


def test_counts_take_the_noun_in_the_right_number() -> None:
    assert counted(1, "parking lot") == "1 parking lot"
    assert counted(0, "building") == "0 buildings"
    assert counted(1204, "building") == "1,204 buildings"
    assert counted(1.0, "edge") == "1 edge"


def test_a_town_with_one_lot_and_one_building_says_so(tmp_path: Path) -> None:
    text = TOWN.read_text()
    # the town's point lot (node 15) loses its tag; the retail building loses its tag
    text = text.replace('<tag k="amenity" v="parking"/>', "", 1)
    text = text.replace('<tag k="building" v="retail"/>', "", 1)
    small = tmp_path / "small.osm"
    small.write_text(text)
    out = tmp_path / "out"
    result = _run("analyze", "--osm-file", str(small), *FAST, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 parking lot" in result.output and "1 parking lots" not in result.output
    report = (out / "small" / "report.md").read_text()
    assert "1 parking lot (" in report and "1 building." in report
