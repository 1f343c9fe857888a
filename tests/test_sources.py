"""Every source gives the same typed tables for the same OSM data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from urbanfit.citydata import build_city
from urbanfit.errors import SourceError
from urbanfit.sources import read_file

# The town sits on the equator at 3 deg E, the central meridian of UTM zone 31 (scale 0.9996):
# 0.001 deg of longitude = 6378137 m * pi / 180 * 0.001 * 0.9996 = 111.275 m (WGS 84 equator),
# 0.001 deg of latitude  = 110.574 m * 0.9996 = 110.530 m (meridian arc near the equator).
EAST_STEP_M = 6378137 * math.pi / 180 * 0.001 * 0.9996
NORTH_STEP_M = 110.530


def _town(path: Path):
    return build_city(read_file(path), name="Test town")


@pytest.mark.parametrize("kind", ["osm", "bz2", "pbf"])
def test_town_streets_have_five_drivable_edges_of_known_length(
    town_files: dict[str, Path], kind: str
) -> None:
    city = _town(town_files[kind])
    streets = city.streets
    assert city.crs.to_epsg() == 32631
    # Main Street 1-2-3 (2 edges), Cross Street 4-2-5 (2 edges), Back Lane 6-3 (1 edge);
    # the footway, the private road and the parking aisle are not drivable.
    assert len(streets) == 5
    assert sorted(streets["osm_id"].unique()) == [100, 101, 102]
    main = streets[streets["osm_id"] == 100]
    assert main["length_m"].to_numpy() == pytest.approx([EAST_STEP_M] * 2, rel=1e-4)
    cross = streets[streets["osm_id"] == 101]
    assert cross["length_m"].to_numpy() == pytest.approx([NORTH_STEP_M] * 2, rel=1e-3)
    assert streets["length_m"].sum() == pytest.approx(2 * EAST_STEP_M + 3 * NORTH_STEP_M, rel=1e-3)


@pytest.mark.parametrize("kind", ["osm", "bz2", "pbf"])
def test_town_tags_parse_the_same_from_every_file_type(
    town_files: dict[str, Path], kind: str
) -> None:
    streets = _town(town_files[kind]).streets.set_index(["osm_id", "u", "v"])
    main = streets.loc[(100, 1, 2)]
    # maxspeed=30 mph -> 30 x 1.609344 = 48.28 km/h; lanes=2;3 is invalid -> residential default 2
    assert main["speed_kmh"] == pytest.approx(48.28032)
    assert main["lanes"] == 2 and main["lanes_defaulted"]
    assert not main["oneway"]
    assert main["parking:lane:both"] == "parallel"
    # node 3 continues into Back Lane (degree 2): no intersection clearance there
    assert bool(streets.loc[(100, 2, 3)]["v_junction"]) is False
    cross = streets.loc[(101, 4, 2)]
    assert cross["oneway"] and cross["lanes"] == 1 and not cross["lanes_defaulted"]
    assert cross["width_m"] == pytest.approx(3.0) and not cross["width_defaulted"]  # "3 m"
    assert cross["speed_kmh"] == 50.0  # FI:urban
    assert cross["parking:right"] == "lane"
    assert cross["parking:right:orientation"] == "perpendicular"
    assert cross["name"] == "<img src=x onerror=alert(1)>"  # kept verbatim; escaped when drawn
    # Back Lane is drawn 6 -> 3 with oneway=-1: traffic runs 3 -> 6
    back = streets.loc[(102, 3, 6)]
    assert back["oneway"]
    assert back["speed_kmh"] == 40.0 and back["speed_defaulted"]  # maxspeed=signals


@pytest.mark.parametrize("kind", ["osm", "bz2", "pbf"])
def test_town_lots_and_buildings(town_files: dict[str, Path], kind: str) -> None:
    city = _town(town_files[kind])
    lots = city.lots.set_index("osm_id")
    assert sorted(lots.index) == [15, 200]
    market = lots.loc[200]
    assert market["kind"] == "surface" and market["capacity"] == 60
    # 0.0006 deg x 0.0004 deg = (6 x 111.275 m / 10) x (4 x 110.530 m / 10) = 66.77 x 44.21
    assert market["area_m2"] == pytest.approx(0.6 * EAST_STEP_M * 0.4 * NORTH_STEP_M, rel=2e-3)
    underground = lots.loc[15]
    assert underground["is_point"] and underground["kind"] == "underground"
    assert np.isnan(underground["capacity"])  # capacity=lots is malformed
    assert city.quality["tags"]["capacity"] == {"missing": 0, "ok": 1, "recovered": 0, "invalid": 1}
    buildings = city.buildings.set_index("osm_id")
    flats = buildings.loc[300]
    assert flats["use"] == "residential" and flats["levels"] == 4
    footprint = 0.4 * EAST_STEP_M * 0.4 * NORTH_STEP_M
    assert flats["floor_area_m2"] == pytest.approx(4 * footprint, rel=2e-3)
    shop = buildings.loc[301]
    assert shop["use"] == "commercial" and shop["levels_defaulted"]


def test_all_file_types_give_identical_tables(town_files: dict[str, Path]) -> None:
    tables = {kind: _town(path) for kind, path in town_files.items()}
    reference = tables["pbf"].streets.drop(columns="geometry")
    for kind in ("osm", "bz2"):
        pd.testing.assert_frame_equal(
            tables[kind].streets.drop(columns="geometry"), reference, check_dtype=False
        )
        assert (
            tables[kind]
            .streets.geometry.geom_equals_exact(tables["pbf"].streets.geometry, tolerance=1e-6)
            .all()
        )


def test_bad_quality_values_are_counted(town_files: dict[str, Path]) -> None:
    tags = _town(town_files["osm"]).quality["tags"]
    assert tags["lanes"]["invalid"] == 2  # lanes=2;3 on both Main Street edges
    assert tags["width"]["recovered"] == 2  # width=3 m on both Cross Street edges
    assert tags["maxspeed"]["invalid"] == 1  # maxspeed=signals on Back Lane


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        read_file(tmp_path / "nowhere.osm.pbf")


def test_corrupt_pbf_is_a_source_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"this is not protobuf" * 10)
    with pytest.raises(SourceError, match="cannot read bad.osm.pbf"):
        read_file(bad)


def test_truncated_bz2_is_a_source_error(tmp_path: Path, town_files: dict[str, Path]) -> None:
    bad = tmp_path / "cut.osm.bz2"
    bad.write_bytes(town_files["bz2"].read_bytes()[:200])
    with pytest.raises(SourceError, match="cannot read cut.osm.bz2"):
        read_file(bad)


def test_unknown_file_type_is_a_source_error(tmp_path: Path) -> None:
    odd = tmp_path / "town.geojson"
    odd.write_text("{}")
    with pytest.raises(SourceError, match="expected an .osm.pbf"):
        read_file(odd)


def test_turning_a_oneway_minus_one_way_swaps_its_parking_sides(tmp_path: Path) -> None:
    # drawn 2 -> 1 with oneway=-1 and parking on its (drawing) left: traffic runs 1 -> 2, so
    # the parking is on the right of the travel direction
    town = tmp_path / "lane.osm"
    town.write_text(
        '<osm version="0.6">'
        '<node id="1" lat="0" lon="3" version="1"/><node id="2" lat="0" lon="3.001" version="1"/>'
        '<way id="9" version="1"><nd ref="2"/><nd ref="1"/>'
        '<tag k="highway" v="residential"/><tag k="oneway" v="-1"/>'
        '<tag k="parking:left" v="lane"/></way></osm>'
    )
    street = _town(town).streets.iloc[0]
    assert (street["u"], street["v"]) == (1, 2)
    assert street["parking:right"] == "lane"
    assert pd.isna(street["parking:left"])
