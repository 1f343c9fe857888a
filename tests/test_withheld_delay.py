"""A drawn city with one building: its delay headline is withheld, from the API and the CLI."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.pipeline import AnalysisResult, analyze
from urbanfit.render.compare import compare_summaries

runner = CliRunner()

LAT0, LON0 = 45.5, -122.68  # downtown Portland
STEP_LAT, STEP_LON = 0.00135, 0.0019  # about 150 m each way at this latitude
N = 6  # 6 x 6 street nodes


def _grid_osm(path: Path) -> Path:
    """A 6 x 6 street grid (every third line primary, the rest residential), one building."""
    nodes, ways = [], []
    for j in range(N):
        for i in range(N):
            nid = 1 + j * N + i
            lat, lon = LAT0 + j * STEP_LAT, LON0 + i * STEP_LON
            nodes.append(f'<node id="{nid}" lat="{lat:.6f}" lon="{lon:.6f}"/>')
    way = 100
    for k in range(N):
        kind = "primary" if k % 3 == 0 else "residential"
        for refs in ([1 + k * N + i for i in range(N)], [1 + j * N + k for j in range(N)]):
            nds = "".join(f'<nd ref="{r}"/>' for r in refs)
            ways.append(f'<way id="{way}">{nds}<tag k="highway" v="{kind}"/></way>')
            way += 1
    # one 30 m x 30 m, 5-storey building in the middle of the first block
    lat, lon = LAT0 + STEP_LAT / 2, LON0 + STEP_LON / 2
    dlat, dlon = 0.00027 / 2, 0.00038 / 2
    corners = [(lat - dlat, lon - dlon), (lat - dlat, lon + dlon), (lat + dlat, lon + dlon),
               (lat + dlat, lon - dlon)]  # fmt: skip
    for n, (y, x) in enumerate(corners, start=1000):
        nodes.append(f'<node id="{n}" lat="{y:.6f}" lon="{x:.6f}"/>')
    ring = "".join(f'<nd ref="{n}"/>' for n in (1000, 1001, 1002, 1003, 1000))
    ways.append(
        f'<way id="900">{ring}<tag k="building" v="apartments"/>'
        '<tag k="building:levels" v="5"/></way>'
    )
    path.write_text(
        '<?xml version="1.0"?><osm version="0.6">' + "".join(nodes + ways) + "</osm>",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def one_building(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _grid_osm(tmp_path_factory.mktemp("grid") / "one-building.osm")


def test_a_city_of_one_building_withholds_its_delay_headline(one_building: Path) -> None:
    result = analyze(osm_file=one_building, kei_shares=(0.0, 1.0))  # no city named
    assert result.city.name == "one-building"
    congestion = result.summary["congestion"]
    assert congestion["buildings_count"] == 1
    assert congestion["delay_headline"] == "withheld"
    assigned = congestion["demand_assigned_veh_per_h"]
    # the multiplier is the assigned demand over the buildings' trips
    scale = assigned / congestion["demand_synthetic_veh_per_h"]
    assert congestion["demand_scale"] == pytest.approx(scale, rel=1e-12)
    lines = result.summary["headlines"]
    (withheld,) = [line for line in lines if line.startswith("Peak-hour delay")]
    assert withheld.startswith(
        "Peak-hour delay withheld: the synthetic demand rests on 1 building (fewer than 30)"
    )
    assert "give the city's own trip table with --od" in withheld
    assert "Lane capacity at 100 % kei still rises +12.0 % on primary and residential" in withheld
    (demand,) = [line for line in lines if line.startswith("Peak-hour demand")]
    assert demand.startswith(f"Peak-hour demand: {assigned:,.0f} vehicles/h assigned")
    # the withheld figure leaves the ranges table too; the other headline figures keep theirs
    figures = set(result.ranges["figure"])
    assert "delay_veh_h_change_pct" not in figures
    assert "spaces_gained" in figures
    # nor is the withheld change quoted among the figures, which say why instead
    delay = result.summary["figures"]["delay_veh_h_change_pct"]
    assert delay["value"] is None
    assert delay["basis"].startswith("withheld: the synthetic demand rests on 1 building")
    # and the index scores no street by a delay it does not trust: its congestion weight is 0
    assert result.index.weights["congestion"] == 0.0
    assert result.summary["index"]["weight_congestion"] == 0.0


def test_the_cli_prints_the_withheld_sentence_and_no_raw_solver_log(
    one_building: Path, tmp_path: Path
) -> None:
    # --max-iter 5 stops every assignment short of its gap: AequilibraE logs an ERROR line
    # each time, which must not reach the terminal unformatted
    done = subprocess.run(
        [sys.executable, "-m", "urbanfit", "analyze", "--osm-file", str(one_building),
         "--out", str(tmp_path), "--kei-shares", "0,100", "--max-iter", "5"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    terminal = done.stdout + done.stderr
    assert "ERROR aequilibrae" not in terminal  # what basicConfig's format made of it
    assert "NOT reached" not in terminal
    summary = json.loads((tmp_path / "one-building" / "summary.json").read_text("utf-8"))
    notes = " ".join(summary["notes"])
    # 5 iterations: either a near miss kept with its gap, or the model not run, with advice
    assert "--max-iter" in notes


@pytest.mark.parametrize(
    ("option", "shown"),
    [
        (["--gap", "1e-3"], "--gap must lie between 1e-08 and 0.0001"),
        (["--gap", "0"], "--gap must lie between 1e-08 and 0.0001"),
        (["--max-iter", "0"], "--max-iter must be a whole number of at least 1, got 0"),
        (["--max-iter", "1000000"], "--max-iter must be at most 100,000"),
    ],
)
def test_solver_options_out_of_bounds_are_one_sentence(
    one_building: Path, tmp_path: Path, option: list[str], shown: str
) -> None:
    done = runner.invoke(
        app, ["analyze", "--osm-file", str(one_building), "--out", str(tmp_path), *option]
    )
    assert done.exit_code == 2
    assert shown in " ".join(done.output.split())
    assert "Traceback" not in done.output


def test_a_withheld_delay_leaves_the_comparison_table_too(helsinki: AnalysisResult) -> None:
    # the same run twice, the second marked withheld: its delay change is left blank
    withheld = copy.deepcopy(helsinki.summary)
    withheld["congestion"]["delay_headline"] = "withheld"
    withheld["city"]["slug"] = "helsinki-withheld"
    table = compare_summaries([helsinki.summary, withheld])
    column = "delay change, 100 % kei (%)"
    top = helsinki.summary["congestion"]["scenarios"]["kei100"]["delay_veh_h_change_pct"]
    assert table[column].iloc[0] == pytest.approx(top)
    assert pd.isna(table[column].iloc[1])
