"""The pyosmium reader: JOSM deletions, missing nodes, file order, curb points, multipolygons."""

from __future__ import annotations

from pathlib import Path

import osmium
import pandas as pd
import pytest
import shapely

from urbanfit.sources import osmfile, read_file
from urbanfit.sources.osmfile import node_index_for, read_osm

# Nodes 1-2-3 run east along the equator 0.001 deg apart; 4 is north of 2, 5 north of 4.
NODES = (
    '<node id="1" lat="0" lon="3.000" version="1"/>'
    '<node id="2" lat="0" lon="3.001" version="1"/>'
    '<node id="3" lat="0" lon="3.002" version="1"/>'
    '<node id="4" lat="0.001" lon="3.001" version="1"/>'
    '<node id="5" lat="0.002" lon="3.001" version="1"/>'
)
STREET = (
    '<way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
    '<tag k="highway" v="residential"/></way>'
)


def _as_kind(xml: Path, kind: str) -> Path:
    """The same OSM data as ``xml`` in another file kind, written by osmium."""
    if kind == "osm":
        return xml
    path = xml.with_name(f"converted.{kind}")
    with osmium.SimpleWriter(str(path)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return path


def _write(tmp_path: Path, body: str, name: str = "t.osm") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{body}</osm>', encoding="utf-8")
    return path


def test_a_way_becomes_one_edge_per_pair_of_nodes_as_drawn(tmp_path: Path) -> None:
    edges = read_file(_write(tmp_path, NODES + STREET)).edges
    # 3 nodes -> 2 edges, 1->2 and 2->3, each a straight 2-point line
    assert list(zip(edges["u"], edges["v"], strict=True)) == [(1, 2), (2, 3)]
    assert shapely.get_coordinates(edges.geometry.iloc[1]).tolist() == [[3.001, 0], [3.002, 0]]
    assert edges["highway"].tolist() == ["residential", "residential"]


def test_josm_deleted_elements_are_ignored(tmp_path: Path) -> None:
    body = (
        NODES + STREET + '<way id="11" action="delete" version="2"><nd ref="2"/><nd ref="4"/>'
        '<tag k="highway" v="residential"/></way>'
        + "<node id='6' action='delete' lat='0.0005' lon='3.0005'>"
        "<tag k='amenity' v='parking'/></node>"
        + '<node id="7" lat="0.0005" lon="3.0015"><tag k="amenity" v="parking"/></node>'
    )
    raw = read_file(_write(tmp_path, body))
    assert sorted(raw.edges["osm_id"].unique()) == [10]  # way 11 is deleted
    assert raw.lots["osm_id"].tolist() == [7]  # node 6 is deleted


def test_a_way_that_uses_a_deleted_node_is_skipped_and_counted(tmp_path: Path) -> None:
    body = (
        NODES.replace('<node id="5"', "<node action='delete' id=\"5\"")
        + STREET
        + '<way id="12"><nd ref="4"/><nd ref="5"/><tag k="highway" v="tertiary"/></way>'
    )
    raw = read_file(_write(tmp_path, body))
    assert sorted(raw.edges["osm_id"].unique()) == [10]
    assert raw.dropped["ways_missing_nodes"] == 1


def test_ways_with_missing_nodes_are_skipped_and_counted(tmp_path: Path) -> None:
    body = (
        NODES
        + STREET
        + '<way id="13"><nd ref="4"/><nd ref="99"/><tag k="highway" v="primary"/></way>'
        + '<way id="14"><nd ref="2"/><tag k="highway" v="primary"/></way>'  # one node only
        + '<way id="15"><nd ref="98"/><nd ref="97"/><tag k="highway" v="footway"/></way>'
    )
    raw = read_file(_write(tmp_path, body))
    assert sorted(raw.edges["osm_id"].unique()) == [10]
    # 13 (node 99 absent) and 14 (a single node); the footway 15 is not read at all
    assert raw.dropped["ways_missing_nodes"] == 2


def test_an_unsorted_file_reads_like_a_sorted_one(tmp_path: Path) -> None:
    lot_nodes = [
        '<node id="21" lat="0.0002" lon="3.0002"/>',
        '<node id="22" lat="0.0002" lon="3.0004"/>',
        '<node id="23" lat="0.0004" lon="3.0004"/>',
    ]
    lot = (
        '<way id="20"><nd ref="21"/><nd ref="22"/><nd ref="23"/><nd ref="21"/>'
        '<tag k="amenity" v="parking"/></way>'
    )
    nodes = [f"{n}/>" for n in NODES.split("/>")[:-1]] + lot_nodes
    in_order = "".join(nodes) + STREET + lot
    shuffled = lot + STREET + "".join(reversed(nodes))  # ways first, nodes backwards
    expected = read_file(_write(tmp_path, in_order, "sorted.osm"))
    raw = read_file(_write(tmp_path, shuffled, "unsorted.osm"))
    pd.testing.assert_frame_equal(raw.edges, expected.edges)
    assert raw.lots["osm_id"].tolist() == [20]
    # a right triangle with legs of 0.0002 deg
    assert shapely.area(raw.lots.geometry.iloc[0]) == pytest.approx(0.0002 * 0.0002 / 2)


def test_curb_points_crossings_bus_stops_hydrants_and_driveways(tmp_path: Path) -> None:
    body = (
        NODES
        + STREET
        + '<node id="30" lat="0" lon="3.0005"><tag k="highway" v="crossing"/></node>'
        + '<node id="31" lat="0" lon="3.0015"><tag k="crossing" v="zebra"/></node>'
        + '<node id="32" lat="0" lon="3.0016"><tag k="crossing" v="no"/></node>'
        + '<node id="33" lat="0.0001" lon="3.0018"><tag k="highway" v="bus_stop"/></node>'
        + '<node id="34" lat="0.0001" lon="3.0019"><tag k="public_transport" v="platform"/>'
        "</node>"
        + '<node id="35" lat="0.0001" lon="3.0003"><tag k="emergency" v="fire_hydrant"/></node>'
        # a driveway from street node 3 to node 40 (off the network)
        + '<node id="40" lat="-0.0003" lon="3.002"/>'
        + '<way id="41"><nd ref="40"/><nd ref="3"/><tag k="highway" v="service"/>'
        '<tag k="service" v="driveway"/></way>'
    )
    points = read_file(_write(tmp_path, body)).points
    found = sorted(zip(points["kind"], points["osm_id"], points["node"], strict=True))
    # crossing=no is not a crossing; the driveway is recorded where it meets the street
    # (node 3), not at its far end (node 40)
    assert found == [
        ("bus_stop", 33, 33),
        ("bus_stop", 34, 34),
        ("crossing", 30, 30),
        ("crossing", 31, 31),
        ("driveway", 41, 3),
        ("fire_hydrant", 35, 35),
    ]
    assert points.crs.to_epsg() == 4326


def test_a_parking_multipolygon_is_its_outer_ring_minus_its_inner_ring(tmp_path: Path) -> None:
    square = (
        '<node id="51" lat="0.001" lon="3.001"/><node id="52" lat="0.001" lon="3.002"/>'
        '<node id="53" lat="0.002" lon="3.002"/><node id="54" lat="0.002" lon="3.001"/>'
        '<node id="61" lat="0.0014" lon="3.0014"/><node id="62" lat="0.0014" lon="3.0016"/>'
        '<node id="63" lat="0.0016" lon="3.0016"/><node id="64" lat="0.0016" lon="3.0014"/>'
    )
    body = (
        NODES
        + square
        + STREET
        # the outer ring in two halves; the first also carries amenity=parking (the
        # relation replaces it) but is not closed, so it is no lot of its own anyway
        + '<way id="55"><nd ref="51"/><nd ref="52"/><nd ref="53"/></way>'
        + '<way id="56"><nd ref="53"/><nd ref="54"/><nd ref="51"/></way>'
        + '<way id="65"><nd ref="61"/><nd ref="62"/><nd ref="63"/><nd ref="64"/><nd ref="61"/>'
        "</way>" + '<relation id="70"><member type="way" ref="55" role="outer"/>'
        '<member type="way" ref="56" role="outer"/><member type="way" ref="65" role="inner"/>'
        '<tag k="type" v="multipolygon"/><tag k="amenity" v="parking"/>'
        '<tag k="capacity" v="40"/></relation>'
        # a multipolygon whose outer way is not in the file is skipped and counted
         + '<relation id="71"><member type="way" ref="999" role="outer"/>'
        '<tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation>'
    )
    raw = read_file(_write(tmp_path, body))
    lot = raw.lots.iloc[0]
    assert (lot["osm_type"], lot["osm_id"], lot["capacity"]) == ("relation", 70, "40")
    # 0.001 x 0.001 deg outer minus 0.0002 x 0.0002 deg inner = 0.96e-6 deg^2
    assert shapely.area(lot.geometry) == pytest.approx(1e-6 - 4e-8)
    assert len(raw.buildings) == 0
    assert raw.dropped["relations_incomplete"] == 1


def test_the_disk_node_index_gives_the_same_tables(town_files: dict[str, Path]) -> None:
    in_memory = read_osm(town_files["pbf"], node_index="flex_mem")
    on_disk = read_osm(town_files["pbf"], node_index="sparse_file_array")
    pd.testing.assert_frame_equal(on_disk.edges, in_memory.edges)
    pd.testing.assert_frame_equal(on_disk.buildings, in_memory.buildings)
    # ways 100 (2 edges), 101 (2), 102 (1) and the private residential 104 (1); the footway
    # and the parking aisle are not drive classes and are not read
    assert len(on_disk.edges) == 6


@pytest.mark.parametrize("kind", ["osm", "osm.bz2", "osm.gz", "osm.pbf"])
def test_new_elements_with_negative_ids_are_read(tmp_path: Path, kind: str) -> None:
    # an editor gives elements it created negative ids until they are uploaded, and some
    # extracts keep such ids in every file format; osmium's location index stores none of them
    body = (
        "<node id='-1' action='modify' lat='0' lon='3'/><node id='-2' lat='0' lon='3.001'/>"
        '<node id="5" lat="0" lon="3.002"/>'
        '<node id="-11" lat="0.001" lon="3.001"/><node id="-12" lat="0.001" lon="3.002"/>'
        '<node id="-13" lat="0.002" lon="3.002"/>'
        '<way id="-9"><nd ref="-1"/><nd ref="-2"/><nd ref="5"/>'
        '<tag k="highway" v="residential"/></way>'
        '<way id="-20"><nd ref="-11"/><nd ref="-12"/><nd ref="-13"/><nd ref="-11"/></way>'
        '<relation id="-30"><member type="way" ref="-20" role="outer"/>'
        '<tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation>'
    )
    raw = read_file(_as_kind(_write(tmp_path, body), kind))
    assert list(zip(raw.edges["u"], raw.edges["v"], strict=True)) == [(-1, -2), (-2, 5)]
    assert raw.buildings["osm_id"].tolist() == [-30]
    # a right triangle with legs of 0.001 deg
    assert shapely.area(raw.buildings.geometry.iloc[0]) == pytest.approx(0.001 * 0.001 / 2)
    assert raw.dropped["ways_missing_nodes"] == 0


@pytest.mark.parametrize("kind", ["osm", "osm.pbf"])
def test_a_multipolygon_outline_alone_may_need_negative_id_nodes(tmp_path: Path, kind: str) -> None:
    # no street or lot way needs a negative-id node, so only the outline of the relation
    # finds out, in the second pass, that its nodes must be read first
    body = (
        '<node id="-11" lat="0.001" lon="3.001"/><node id="-12" lat="0.001" lon="3.003"/>'
        '<node id="-13" lat="0.003" lon="3.003"/>'
        '<way id="20"><nd ref="-11"/><nd ref="-12"/><nd ref="-13"/><nd ref="-11"/></way>'
        '<relation id="30"><member type="way" ref="20" role="outer"/>'
        '<tag k="type" v="multipolygon"/><tag k="amenity" v="parking"/></relation>'
    )
    raw = read_file(_as_kind(_write(tmp_path, body), kind))
    assert raw.lots["osm_id"].tolist() == [30]
    # a right triangle with legs of 0.002 deg
    assert shapely.area(raw.lots.geometry.iloc[0]) == pytest.approx(0.002 * 0.002 / 2)


def test_polygons_and_lines_keep_every_node_in_drawing_order(tmp_path: Path) -> None:
    # rings of different sizes, decoded from one buffer: a triangle (3 corners) and a
    # pentagon (5 corners) one after the other; a street that repeats node 2
    corners = {
        71: (3.0, 0.01), 72: (3.001, 0.01), 73: (3.001, 0.011),
        81: (3.01, 0.0), 82: (3.012, 0.0), 83: (3.013, 0.001), 84: (3.011, 0.002),
        85: (3.01, 0.001),
    }  # fmt: skip
    nodes = "".join(f'<node id="{i}" lat="{y}" lon="{x}"/>' for i, (x, y) in corners.items())
    body = (
        NODES + nodes + '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="residential"/></way>'
        + '<way id="70"><nd ref="71"/><nd ref="72"/><nd ref="73"/><nd ref="71"/>'
        '<tag k="building" v="yes"/></way>'
        + '<way id="80"><nd ref="81"/><nd ref="82"/><nd ref="83"/><nd ref="84"/><nd ref="85"/>'
        '<nd ref="81"/><tag k="building" v="house"/></way>'
    )
    raw = read_file(_write(tmp_path, body))
    # 1-2, then 2-2 (no segment, dropped), then 2-3
    assert list(zip(raw.edges["u"], raw.edges["v"], strict=True)) == [(1, 2), (2, 3)]
    assert shapely.get_coordinates(raw.edges.geometry.iloc[1]).tolist() == [[3.001, 0], [3.002, 0]]
    rings = [shapely.get_coordinates(g.exterior).tolist() for g in raw.buildings.geometry]
    assert rings == [
        [list(corners[i]) for i in (71, 72, 73, 71)],
        [list(corners[i]) for i in (81, 82, 83, 84, 85, 81)],
    ]


def test_tags_are_read_wherever_they_stand_among_others(tmp_path: Path) -> None:
    # tags urbanfit does not read (surface, ref) before, between and after the ones it reads
    body = (
        NODES + '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="surface" v="asphalt"/>'
        '<tag k="parking:both:orientation" v="diagonal"/><tag k="ref" v="A1"/>'
        '<tag k="highway" v="tertiary"/><tag k="name" v="Main"/></way>'
        '<way id="11"><nd ref="4"/><nd ref="5"/><nd ref="2"/><nd ref="4"/>'
        '<tag k="building" v="yes"/></way>'
    )
    raw = read_file(_write(tmp_path, body))
    street = raw.edges.iloc[0]
    assert (street["highway"], street["name"], street["parking:both:orientation"]) == (
        "tertiary", "Main", "diagonal",
    )  # fmt: skip
    assert street["maxspeed"] is None
    building = raw.buildings.iloc[0]
    assert (building["building"], building["building:levels"]) == ("yes", None)


def test_a_large_file_gets_the_disk_index_and_the_same_tables(
    town_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a regional extract (500 MB) gets osmium's on-disk index, a city extract the in-memory one
    assert node_index_for(500_000_000) == "sparse_file_array"
    assert node_index_for(5_000_000) == "flex_mem"
    in_memory = read_osm(town_files["pbf"])
    monkeypatch.setattr(osmfile, "LARGE_FILE_BYTES", 0)  # the town counts as large now
    assert node_index_for(town_files["pbf"].stat().st_size) == "sparse_file_array"
    on_disk = read_osm(town_files["pbf"])
    for name in ("edges", "lots", "buildings", "points"):
        pd.testing.assert_frame_equal(getattr(on_disk, name), getattr(in_memory, name))


def test_platform_ways_parking_aisles_and_parking_entrances_are_curb_points(
    tmp_path: Path,
) -> None:
    body = (
        NODES
        + STREET
        # a platform way beside the street from lon 3.0002 to 3.00045: 0.00025 deg long, cut
        # into pieces of at most 0.0001 deg -> 3 equal pieces of 0.0000833 deg, 4 points
        + '<node id="50" lat="0.00005" lon="3.0002"/><node id="51" lat="0.00005" lon="3.00045"/>'
        + '<way id="52"><nd ref="50"/><nd ref="51"/><tag k="public_transport" v="platform"/>'
        "</way>"
        # a parking aisle meeting the street at node 2, and a garage entrance node off it
        + '<node id="60" lat="-0.0003" lon="3.001"/>'
        + '<way id="61"><nd ref="60"/><nd ref="2"/><tag k="highway" v="service"/>'
        '<tag k="service" v="parking_aisle"/></way>'
        + '<node id="62" lat="-0.00005" lon="3.0015"><tag k="amenity" v="parking_entrance"/>'
        "</node>"
    )
    points = read_file(_write(tmp_path, body)).points
    platform = points[points["kind"] == "platform"]
    assert platform["osm_id"].tolist() == [52] * 4
    lon = sorted(shapely.get_coordinates(platform.geometry.to_numpy())[:, 0])
    assert lon == pytest.approx([3.0002, 3.0002 + 0.00025 / 3, 3.0002 + 0.0005 / 3, 3.00045])
    others = points[points["kind"] != "platform"]
    found = sorted(zip(others["kind"], others["osm_id"], others["node"], strict=True))
    # the aisle is recorded where it meets the street (node 2); the entrance where it stands
    assert found == [("driveway", 61, 2), ("driveway", 62, 62)]
