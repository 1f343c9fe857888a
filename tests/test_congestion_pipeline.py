"""The congestion model inside the pipeline and the CLI: Helsinki, a user OD matrix, TNTP."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.parameters import DemandParams, Parameters, TrafficParams
from urbanfit.pipeline import analyze
from urbanfit.sources.od import read_od_csv

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"
SIOUX = Path(
    os.environ.get(
        "URBANFIT_SIOUXFALLS_DIR", Path(__file__).parents[2] / "shared/data/tntp/SiouxFalls"
    )
)


def test_helsinki_delay_falls_with_every_step_of_kei_share(helsinki) -> None:
    congestion = helsinki.congestion
    figures = congestion.scenarios
    assert list(figures.index) == ["kei000", "kei025", "kei050", "kei100"]
    # demand (vehicles) is the same in every scenario; smaller vehicles mean lower PCE
    assert figures["mean_pce"].is_monotonic_decreasing
    assert figures["delay_veh_h"].is_monotonic_decreasing
    assert figures["delay_veh_h"].iloc[-1] < figures["delay_veh_h"].iloc[0]
    assert figures["queue_storage_veh"].is_monotonic_increasing
    # every scenario converged to the reporting gap
    assert (figures["rel_gap"] <= helsinki.params.traffic.assignment.scenario_rel_gap).all()
    summary = helsinki.summary["congestion"]
    assert summary["zones"] >= helsinki.params.traffic.demand.min_zones
    assert summary["scenarios"]["kei100"]["delay_veh_h"] == pytest.approx(
        figures.loc["kei100", "delay_veh_h"]
    )
    # fresh starts of a stalled or early-stopped run are counted with the iterations
    for sid, row in summary["scenarios"].items():
        assert row["restarts"] == int(figures.loc[sid, "restarts"])
        assert 0 <= row["restarts"] < row["iterations"]
    json.dumps(summary, allow_nan=False)


def test_helsinki_links_conserve_flow_at_every_street_node(helsinki) -> None:
    links = helsinki.congestion.link_figures("kei000")
    flow = links["flow_veh_h"].to_numpy()
    # inflow - outflow at each node; zones load the network through connectors, which are
    # not street links, so only nodes without a connector must balance exactly
    inflow = np.bincount(links["b"], weights=flow, minlength=links[["a", "b"]].max().max() + 1)
    outflow = np.bincount(links["a"], weights=flow, minlength=len(inflow))
    imbalance = np.abs(inflow - outflow)
    assert (imbalance > 1e-6 * flow.max()).sum() <= helsinki.summary["congestion"]["zones"] * 3


def test_a_user_od_matrix_replaces_the_synthetic_demand(tmp_path: Path) -> None:
    # The town's strongly connected core is Main Street (nodes 1-2-3, two-way); Cross Street
    # and Back Lane are one-way spurs that network preparation prunes. 100 vehicles/h from
    # the west end of Main Street (node 1) to its east end (node 3), one connector per zone:
    # one route 1 -> 2 -> 3 of 2 x 111.275 m, so 100 x 0.22255 km = 22.26 veh-km.
    od = tmp_path / "od.csv"
    od.write_text(
        "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"
        "west,east,100,3.0000,0.0010,3.0020,0.0010\n"
    )
    params = Parameters(traffic=TrafficParams(demand=DemandParams(connectors_per_zone=1)))
    result = analyze("", osm_file=TOWN, name="odtown", od=read_od_csv(od), params=params)
    summary = result.summary["congestion"]
    assert summary["demand_source"] == "user"
    assert summary["trips_veh_per_h"] == pytest.approx(100)
    vkt = summary["scenarios"]["kei000"]["vkt_veh_km"]
    assert vkt == pytest.approx(100 * 2 * 111.275 / 1000, rel=1e-3)
    # the same vehicles in every scenario: kei change the PCE flow, not the vehicle-km
    assert summary["scenarios"]["kei100"]["vkt_veh_km"] == pytest.approx(vkt, rel=1e-6)


def test_the_od_option_reaches_the_model_through_the_cli(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text(
        "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"
        "west,east,100,3.0000,0.0010,3.0020,0.0010\n"
    )
    result = runner.invoke(
        app,
        ["analyze", "--osm-file", str(TOWN), "--name", "odtown", "--od", str(od),
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "odtown" / "summary.json").read_text())
    assert summary["congestion"]["demand_source"] == "user"
    assert summary["congestion"]["trips_veh_per_h"] == pytest.approx(100)


def test_a_malformed_od_file_is_one_clear_error(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("from,to\n1,2\n")
    result = runner.invoke(app, ["analyze", "--osm-file", str(TOWN), "--od", str(od),
                                 "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2
    assert "lacks column(s) origin, destination, trips" in result.output


@pytest.mark.skipif(not (SIOUX / "SiouxFalls_net.tntp").is_file(), reason="no Sioux Falls data")
def test_validate_assignment_command_states_both_errors() -> None:
    result = runner.invoke(app, ["validate-assignment", str(SIOUX)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("SiouxFalls: TSTT relative error")
    error = float(last.split("TSTT relative error ")[1].split(" %")[0])
    assert abs(error) < 0.05


def test_validate_assignment_of_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate-assignment", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
