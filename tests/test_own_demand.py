"""A city's own demand data: an OpenMatrix trip table with its zones, and traffic counts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openmatrix
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.errors import SourceError
from urbanfit.models.congestion import solve_equilibrium
from urbanfit.models.congestion.counts import geh, scale_to_counts
from urbanfit.parameters import DemandParams, Parameters, TrafficParams
from urbanfit.pipeline import analyze
from urbanfit.render import write_outputs
from urbanfit.results import AnalysisResult
from urbanfit.sources.counts import read_counts
from urbanfit.sources.omx import read_omx_od, read_user_od, read_zones
from urbanfit.sources.tntp import read_tntp

TOWN = Path(__file__).parent / "data" / "town.osm"
SIOUX = Path(__file__).parents[2] / "shared" / "data" / "tntp" / "SiouxFalls"
ONE_CONNECTOR = Parameters(traffic=TrafficParams(demand=DemandParams(connectors_per_zone=1)))
runner = CliRunner()


def _grid(path: Path) -> Path:
    """A 3 x 3 grid of two-way residential streets, 0.001 deg apart, on the equator at 3 E."""
    nodes, ways = [], []
    for row in range(3):
        for col in range(3):
            nodes.append(f'<node id="{10 * row + col + 1}" lat="{0.001 * row:.3f}" '
                         f'lon="{3 + 0.001 * col:.3f}"/>')  # fmt: skip
    for k in range(3):
        row = "".join(f'<nd ref="{10 * k + c + 1}"/>' for c in range(3))
        col = "".join(f'<nd ref="{10 * r + k + 1}"/>' for r in range(3))
        ways.append(f'<way id="{100 + k}">{row}<tag k="highway" v="residential"/></way>')
        ways.append(f'<way id="{200 + k}">{col}<tag k="highway" v="residential"/></way>')
    path.write_text(f'<osm version="0.6">{"".join(nodes + ways)}</osm>', encoding="utf-8")
    return path


def _main_street_od(folder: Path) -> Path:
    """100 veh/h from the west end of the town's Main Street to its east end, as a CSV."""
    od = folder / "od.csv"
    od.write_text(
        "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"
        "west,east,100,3.0000,0.0010,3.0020,0.0010\n"
    )
    return od


def _town_with_counts(od: Path, counts: Path) -> AnalysisResult:
    """The test town with the given trips and counts, one connector a zone, 0 and 100 % kei."""
    return analyze(
        "", osm_file=TOWN, name="town", od=read_user_od(od).table,
        counts=read_counts(counts), params=ONE_CONNECTOR, kei_shares=(0, 1),
    )  # fmt: skip


def _omx(path: Path, trips: np.ndarray, ids: list[int] | None = None) -> Path:
    with openmatrix.open_file(str(path), "w") as handle:
        handle["peak"] = trips
        if ids is not None:
            handle.create_mapping("taz", ids)
    return path


def _zones(path: Path, squares: dict[int, tuple[float, float]], crs: str = "EPSG:4326") -> Path:
    """Squares of 0.0004 deg around each (lon, lat), keyed by zone id, as a GeoPackage."""
    frame = gpd.GeoDataFrame(
        {"taz": list(squares)},
        geometry=[shapely.box(x - 2e-4, y - 2e-4, x + 2e-4, y + 2e-4) for x, y in squares.values()],
        crs=crs,
    )
    frame.to_file(path, driver="GPKG")
    return path


def test_geh_of_hand_computed_pairs() -> None:
    # sqrt(2 x 50^2 / 350) = sqrt(14.2857) = 3.780; sqrt(2 x 50^2 / 450) = sqrt(11.111) = 3.333
    assert geh([200, 200, 0], [150, 250, 0]) == pytest.approx([3.7796, 3.3333, 0.0], abs=1e-4)


def test_counts_scale_the_demand_and_report_the_fit(tmp_path: Path) -> None:
    # 100 veh/h from the west end of Main Street to its east end: the only route runs along
    # both of its edges (way 100, drawn west to east). Counts of 150 (west edge, eastbound) and
    # 250 (east edge, forward): least squares f = (100 x 150 + 100 x 250) / (2 x 100^2) = 2.0,
    # exact in one step on a single route; then modelled 200 and 200, GEH 3.78 and 3.33
    # (both under 5), percent RMSE sqrt((50^2 + 50^2) / 2) / 200 = 25 %.
    od = _main_street_od(tmp_path)
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "count_id,way_id,lon,lat,direction,vehicles_per_hour\n"
        "A,100,3.0005,0.0010,EB,150\n"
        "B,100,3.0015,0.0010,forward,250\n"
        "C,,3.0015,0.0010,backward,5\n"
    )
    result = _town_with_counts(od, counts)
    fit = result.summary["congestion"]["counts"]
    assert fit["demand_scale"] == pytest.approx(2.0, rel=1e-6)
    assert fit["scale_runs"][0] == pytest.approx([1.0, 2.0], rel=1e-6)
    assert fit["scale_converged"]
    # C asks for westbound traffic on the east edge: matched, and the model carries none
    assert fit["counts_matched"] == 3
    table = {row["count_id"]: row for row in fit["table"]}
    assert table["A"]["modelled_veh_h"] == pytest.approx(200.0, rel=1e-6)
    assert table["B"]["geh"] == pytest.approx(3.3333, abs=1e-3)
    assert table["C"]["modelled_veh_h"] == pytest.approx(0.0, abs=1e-6)
    # GEH of C: sqrt(2 x 25 / 5) = 3.16, so all three are under 5
    assert fit["geh_below_threshold_share"] == pytest.approx(1.0)
    # RMSE sqrt((50^2 + 50^2 + 5^2) / 3) = 40.93; mean count 135 -> 30.3 %
    assert fit["rmse_pct"] == pytest.approx(100 * np.sqrt(5025 / 3) / 135, rel=1e-4)
    assert result.summary["congestion"]["trips_veh_per_h"] == pytest.approx(100)


def test_a_count_on_a_way_off_the_network_is_reported_unmatched(
    tmp_path: Path,
) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "count_id,way_id,direction,vehicles_per_hour\nA,100,both,200\nZ,999,both,10\n"
    )
    od = _main_street_od(tmp_path)
    result = _town_with_counts(od, counts)
    fit = result.summary["congestion"]["counts"]
    # A: both directions of the way's longest edge, 100 + 0 modelled at x1 -> f = 2
    assert fit["demand_scale"] == pytest.approx(2.0, rel=1e-6)
    assert fit["unmatched"] == [
        {"count_id": "Z", "reason": "way 999 is not on the assigned network"}
    ]


def test_an_omx_matrix_loads_at_its_zones_and_outside_zones_enter_at_the_boundary(
    tmp_path: Path,
) -> None:
    grid = _grid(tmp_path / "grid.osm")
    # zone 7 sits on the grid's south-west corner, 9 on its north-east corner, 50 is 20 km east
    zones = _zones(tmp_path / "zones.gpkg", {7: (3.0, 0.0), 9: (3.002, 0.002), 50: (3.2, 0.001)})
    trips = np.array([[0, 120, 0], [0, 0, 0], [0, 30, 0]], dtype=float)
    matrix = _omx(tmp_path / "trips.omx", trips, ids=[7, 9, 50])
    result = runner.invoke(
        app,
        ["analyze", "--osm-file", str(grid), "--name", "grid", "--od", str(matrix),
         "--zones", str(zones), "--zone-id", "taz", "--out", str(tmp_path / "out"),
         "--kei-shares", "0,100"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "grid" / "summary.json").read_text())
    congestion = summary["congestion"]
    assert congestion["demand_source"] == "user"
    assert congestion["trips_veh_per_h"] == pytest.approx(150.0)  # 120 + 30, none dropped
    assert (congestion["zones"], congestion["external_zones"]) == (2, 1)
    assert congestion["internal_trips_veh_per_h"] == pytest.approx(120.0)
    assert congestion["inbound_external_trips_veh_per_h"] == pytest.approx(30.0)


def test_omx_zone_ids_missing_from_the_layer_are_named(tmp_path: Path) -> None:
    zones = read_zones(_zones(tmp_path / "z.gpkg", {1: (3.0, 0.0), 2: (3.001, 0.0)}),
                       zone_field="taz")  # fmt: skip
    matrix = _omx(tmp_path / "t.omx", np.ones((4, 4)), ids=[1, 2, 33, 44])
    with pytest.raises(SourceError, match=r"2 zone\(s\) of t.omx are not in the zone layer, "
                                          r"first '33', '44'"):  # fmt: skip
        read_omx_od(matrix, zones)


def test_an_omx_without_a_mapping_numbers_its_zones_from_one(tmp_path: Path) -> None:
    zones = read_zones(_zones(tmp_path / "z.gpkg", {1: (3.0, 0.0), 2: (3.001, 0.0)}),
                       zone_field="taz")  # fmt: skip
    od = read_omx_od(_omx(tmp_path / "t.omx", np.array([[0.0, 5.0], [7.0, 0.0]])), zones)
    assert od[["origin", "destination", "trips"]].to_numpy().tolist() == [
        ["1", "2", 5.0],
        ["2", "1", 7.0],
    ]
    assert od["origin_lon"].tolist() == pytest.approx([3.0, 3.001])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not an hdf5 file"), "cannot read t.omx as an OpenMatrix file"),
        (lambda p: _omx(p, np.ones((2, 3))), "is not square"),
        (lambda p: _omx(p, np.full((2, 2), -1.0)), "negative or missing trips"),
        (lambda p: _omx(p, np.zeros((2, 2))), "holds no trips"),
    ],
)
def test_a_bad_omx_file_is_one_clear_error(tmp_path: Path, make, message: str) -> None:
    zones = read_zones(_zones(tmp_path / "z.gpkg", {1: (3.0, 0.0), 2: (3.001, 0.0)}),
                       zone_field="taz")  # fmt: skip
    path = tmp_path / "t.omx"
    make(path)
    with pytest.raises(SourceError, match=message):
        read_omx_od(path, zones)


def test_a_zone_layer_without_crs_or_the_id_field_is_one_clear_error(tmp_path: Path) -> None:
    path = _zones(tmp_path / "z.gpkg", {1: (3.0, 0.0)})
    with pytest.raises(SourceError, match=r"has no field 'zone' \(its fields: taz\)"):
        read_zones(path, zone_field="zone")
    bare = tmp_path / "bare.geojson"
    bare.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(SourceError, match="zone layer bare.geojson has no features"):
        read_zones(bare, zone_field="taz")


def test_an_omx_without_zones_through_the_cli_is_one_sentence(tmp_path: Path) -> None:
    matrix = _omx(tmp_path / "t.omx", np.ones((2, 2)))
    result = runner.invoke(
        app, ["analyze", "--osm-file", str(TOWN), "--od", str(matrix), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "give its zone polygons with --zones" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("way_id,volume\n100,abc\n", "row 1: the count 'abc' is not a number of vehicles"),
        ("way_id,flow\n100,5\n", "needs a column of hourly counts"),
        ("lon,lat,count\n999,0,5\n", "row 1: lon 999, lat 0 is not a place on Earth"),
        ("count\n5\n", "row 1: give the count's way_id or its lon and lat"),
        ("way_id,count,direction\n100,5,up\n", "direction 'up' is not one of"),
        ("", "is empty"),
    ],
)
def test_a_bad_counts_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(text)
    with pytest.raises(SourceError, match=message):
        read_counts(path)


def test_counts_from_a_point_layer_read_their_points_in_wgs84(tmp_path: Path) -> None:
    # a point 1,000 m east of the UTM 31N false easting on the equator: lon 3 + 1000 /
    # 111,275 m per 0.001 deg... read back through the layer's CRS
    layer = gpd.GeoDataFrame(
        {"volume": [42.0], "direction": ["nb"]},
        geometry=[shapely.Point(501_000.0, 0.0)],
        crs="EPSG:32631",
    )
    layer.to_file(tmp_path / "counts.gpkg", driver="GPKG")
    counts = read_counts(tmp_path / "counts.gpkg")
    assert counts["direction"].tolist() == ["NB"]
    assert counts["lon"].iloc[0] == pytest.approx(3.0 + 1000 / 111_319.49 / 0.9996, abs=1e-6)
    assert counts["lat"].iloc[0] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.skipif(not (SIOUX / "SiouxFalls_net.tntp").is_file(), reason="no Sioux Falls data")
def test_sioux_falls_halved_demand_is_scaled_back_by_its_best_known_flows(tmp_path: Path) -> None:
    # the trips, halved, through an OMX file and back; the best-known flows as counts on all
    # 76 links: the equilibrium at twice the halved demand is the best-known one, so the
    # search must find 2 and then every GEH is (near) 0
    net = read_tntp(SIOUX)
    zones = {z: (3 + 0.01 * (z % 5), 0.01 * (z // 5)) for z in range(1, net.zones + 1)}
    layer = read_zones(_zones(tmp_path / "z.gpkg", zones), zone_field="taz")
    half = net.trips / 2.0
    od = read_omx_od(_omx(tmp_path / "sf.omx", half, ids=list(zones)), layer)
    assert od["trips"].sum() == pytest.approx(360_600.0 / 2)
    back = np.zeros_like(half)
    back[od["origin"].astype(int) - 1, od["destination"].astype(int) - 1] = od["trips"]
    np.testing.assert_array_equal(back, half)
    links = net.links
    assert net.best_flows is not None
    best = net.best_flows["volume"].to_numpy(dtype=float)
    located = pd.DataFrame(
        {
            "count_id": [str(i) for i in range(len(links))],
            "vehicles_per_hour": best,
            "direction": "forward",
            "links": [(i,) for i in range(len(links))],
            "distance_m": np.nan,
            "unmatched": "",
        }
    )

    def flows_of(scale: float) -> np.ndarray:
        column = {k: links[k].to_numpy(dtype=float) for k in ("free_flow_time", "capacity")}
        eq = solve_equilibrium(
            links["init_node"].to_numpy(), links["term_node"].to_numpy(),
            column["free_flow_time"], column["capacity"], [back * scale], pces=[1.0],
            alpha=links["b"].to_numpy(dtype=float), beta=links["power"].to_numpy(dtype=float),
            rel_gap=1e-4, require_gap=False, block_centroid_flows=False,
        )  # fmt: skip
        return eq.pce_flow

    scaling = scale_to_counts(flows_of, located)
    assert scaling.converged
    # the search stops once the factor is within 0.5 % of 1 (CountParams.scale_tolerance)
    assert scaling.scale == pytest.approx(2.0, rel=0.006)
    assert geh(flows_of(scaling.scale), best).max() < 1.0


def test_the_report_opens_congestion_with_the_fit_to_the_counts(tmp_path: Path) -> None:
    od = _main_street_od(tmp_path)
    counts = tmp_path / "counts.csv"
    counts.write_text("way_id,direction,vehicles_per_hour\n100,forward,300\n100,WB,0\n")
    result = _town_with_counts(od, counts)
    folder = write_outputs(result, tmp_path / "out")
    report = (folder / "report.md").read_text(encoding="utf-8")
    # both files are in the provenance, hashed, with what they gave: 1 trip pair read and its
    # 2 zones loaded; 2 counts read and both placed on the network
    given = {item["kind"]: item for item in result.summary["provenance"]["inputs"]}
    assert given["traffic counts"] == {
        "kind": "traffic counts",
        "file": "counts.csv",
        "sha256": hashlib.sha256(counts.read_bytes()).hexdigest(),
        "features_read": 2,
        "features_matched": 2,
    }
    assert given["trip table"]["features_read"] == 1
    assert "| your traffic counts | counts.csv (SHA-256 " in report
    assert ": 2 read, 2 matched |" in report
    assert any("scaled to match 2 traffic counts" in line for line in result.summary["headlines"])
    # one route: 100 veh/h eastbound on the way's longest edge, 0 westbound; least squares
    # f = (100 x 300 + 0 x 0) / 100^2 = 3; then GEH 0 for both
    assert "the baseline demand was scaled by 3 to match 2 of 2 traffic counts" in report
    assert "100 % of the counted links have a GEH below 5" in report


def test_counts_on_streets_the_demand_never_uses_are_one_sentence(tmp_path: Path) -> None:
    # three connectors per zone (the default) join both zones to all three nodes of Main
    # Street, so the trips never drive along it and no count can scale them
    od = _main_street_od(tmp_path)
    counts = tmp_path / "counts.csv"
    counts.write_text("way_id,direction,vehicles_per_hour\n100,forward,300\n")
    result = runner.invoke(
        app,
        ["analyze", "--osm-file", str(TOWN), "--name", "town", "--od", str(od), "--counts",
         str(counts), "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no counted street carries modelled traffic" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "town").exists()
