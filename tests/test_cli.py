"""The command line, end to end: outputs, listings and one clear error per bad input."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import osmium
import pandas as pd
import pytest
from overpass_server import FakeOsmServer
from typer.testing import CliRunner

from urbanfit import __version__
from urbanfit.cli import app

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def test_version_flag_and_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "urbanfit", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"urbanfit {__version__}"


_ENTRY_PROBE = """
import atexit, sys


class Probe:
    def __del__(self):
        print("torn down", flush=True)


probe = Probe()  # a module global: freed only when the interpreter tears itself down
atexit.register(print, "exit handler ran")
from urbanfit import cli

command, sys.argv = sys.argv[1], ["urbanfit", *sys.argv[2:]]
getattr(cli, command)()
"""


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [(["cities"], 0, "helsinki"), (["analyze", "x", "--source", "bogus"], 2, "--source must")],
)
def test_the_console_entry_skips_the_teardown_but_not_exit_handlers_or_output(
    tmp_path: Path, args: list[str], code: int, shown: str
) -> None:
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(_ENTRY_PROBE))

    def run(command: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(script), command, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == code, done.stderr
        assert shown in done.stdout + done.stderr  # flushed before the process ended
        assert "exit handler ran" in done.stdout
        return done

    assert "torn down" in run("main").stdout  # the probe sees a teardown when there is one
    assert "torn down" not in run("entry").stdout


def test_every_command_has_help() -> None:
    for command in ("analyze", "cities", "vehicles"):
        result = _run(command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_cities_lists_helsinki_and_the_online_presets() -> None:
    result = runner.invoke(app, ["cities"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for slug in ("helsinki", "somerville", "san-francisco", "austin", "ann-arbor", "kyoto"):
        assert slug in result.output


def test_vehicles_lists_profiles_and_fleets_with_sources() -> None:
    result = runner.invoke(app, ["vehicles"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for label in ("Kei car", "Kei truck", "Compact car", "Midsize sedan", "Compact SUV",
                  "Full-size SUV", "Full-size pickup", "us_new_sales", "us_on_road"):  # fmt: skip
        assert label in result.output
    assert "Road Transport Vehicle Act" in result.output
    assert "EPA Automotive Trends Report" in result.output


def test_analyze_a_local_file_writes_map_and_summary(tmp_path: Path) -> None:
    result = _run("analyze", "--osm-file", str(TOWN), "--name", "Test Town", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "test-town"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["network"]["edges_count"] == 5
    assert summary["lots"]["count"] == 2
    page = (folder / "map.html").read_text()
    assert "leaflet" in page.lower()
    # the hostile street name is escaped, never markup
    assert "<img src=x" not in page
    # (folium writes the escaped name as JSON, where "&" appears as \u0026)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_analyze_keeps_the_imported_stack_out_of_full_collections_while_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urbanfit import pipeline

    frozen: list[int] = []
    real = pipeline.analyze

    def counting(*args: object, **kwargs: object) -> object:
        frozen.append(gc.get_freeze_count())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyze", counting)
    before = gc.get_freeze_count()
    args = ["analyze", "--osm-file", str(TOWN), "--no-congestion", "--out", str(tmp_path)]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    # pandas, geopandas, shapely, folium ... alone are well over 50,000 tracked objects
    assert frozen[0] - before > 50_000
    assert gc.get_freeze_count() == before  # nothing left frozen in the calling process


def test_analyze_a_pbf_clipped_to_a_bbox(tmp_path: Path) -> None:
    pbf = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(TOWN)):
            writer.add(obj)
    # a box around Main Street only (y = 0.001): its two edges, not Cross Street or Back Lane
    result = _run(
        "analyze", "--osm-file", str(pbf), "--bbox", "2.9995,0.0005,3.0025,0.0012",
        "--name", "clip", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "clip" / "summary.json").read_text())
    assert summary["network"]["edges_count"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "--osm-file", "missing.osm.pbf"], "OSM file not found"),
        (["analyze", "nosuch.toml"], "preset file not found"),
        (["analyze", "x", "--bbox", "1,2,3"], "--bbox must be"),
        (["analyze", "x", "--kei-shares", "0,150"], "--kei-shares must lie between 0 and 100"),
        (["analyze", "helsinki", "--fleet", "martian"], "unknown fleet 'martian'"),
    ],
)
def test_bad_input_is_one_message_and_exit_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = _run(*args, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_corrupt_pbf_gives_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage" * 50)
    result = _run("analyze", "--osm-file", str(bad), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "cannot read broken.osm.pbf" in result.output
    assert "Traceback" not in result.output


def test_malformed_preset_file_gives_a_clear_message(tmp_path: Path) -> None:
    preset = tmp_path / "broken.toml"
    preset.write_text('name = "Broken"\nplace = "A"\nbbox = [1, 2]\n')
    result = _run("analyze", str(preset), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "give exactly one of place, bbox, bundled or extract" in result.output


def test_unknown_place_and_empty_area_through_the_cli(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place="Test Town") as server:
        env = {
            "URBANFIT_OVERPASS_URL": f"{server.url}/api",
            "URBANFIT_NOMINATIM_URL": f"{server.url}/",
            "URBANFIT_CACHE": str(tmp_path / "cache"),
        }
        unknown = _run("analyze", "Atlantis", "--out", str(tmp_path), env=env)
        found = _run("analyze", "Test Town", "--out", str(tmp_path), env=env)
    assert unknown.exit_code == 2
    assert "no place called 'Atlantis' was found" in unknown.output
    assert found.exit_code == 0, found.output
    assert (
        json.loads((tmp_path / "test-town" / "summary.json").read_text())["provenance"]["kind"]
        == "overpass"
    )
    with FakeOsmServer(TOWN, place="Test Town", empty=True) as server:
        env["URBANFIT_OVERPASS_URL"] = f"{server.url}/api"
        env["URBANFIT_NOMINATIM_URL"] = f"{server.url}/"
        env["URBANFIT_CACHE"] = str(tmp_path / "cache2")
        empty = _run("analyze", "--bbox", "10,10,10.01,10.01", "--name", "sea", "--out",
                     str(tmp_path), env=env)  # fmt: skip
    assert empty.exit_code == 2
    assert "no drivable streets" in empty.output


def test_failed_run_keeps_the_previous_output(tmp_path: Path) -> None:
    good = _run("analyze", "--osm-file", str(TOWN), "--name", "town", "--out", str(tmp_path))
    assert good.exit_code == 0
    before = (tmp_path / "town" / "summary.json").read_text()
    bad = _run("analyze", "--osm-file", "gone.osm", "--name", "town", "--out", str(tmp_path))
    assert bad.exit_code == 2
    assert (tmp_path / "town" / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["town"]


def test_a_city_without_buildings_still_gets_parking_and_a_note(tmp_path: Path) -> None:
    # Main Street alone (see the bbox test): no buildings, so no demand to assign
    pbf = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(TOWN)):
            writer.add(obj)
    result = _run("analyze", "--osm-file", str(pbf), "--bbox", "2.9995,0.0005,3.0025,0.0012",
                  "--name", "bare", "--out", str(tmp_path / "out"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note: congestion model not run" in result.output
    summary = json.loads((tmp_path / "out" / "bare" / "summary.json").read_text())
    assert "congestion" not in summary
    assert len(summary["notes"]) == 1
    assert summary["notes"][0].startswith("congestion model not run: no buildings")
    assert "parking" in summary


def test_curb_estimate_is_on_by_default_labelled_and_can_be_switched_off(
    tmp_path: Path,
) -> None:
    args = ["analyze", "--osm-file", str(TOWN), "--no-congestion", "--out", str(tmp_path)]
    plain = _run(*args, "--name", "plain", "--no-infer-curb")
    inferred = _run(*args, "--name", "inferred")
    alias = _run(*args, "--name", "alias", "--infer-curb")  # the old opt-in flag still works
    assert plain.exit_code == inferred.exit_code == alias.exit_code == 0
    without = json.loads((tmp_path / "plain" / "summary.json").read_text())["parking"]
    with_ = json.loads((tmp_path / "inferred" / "summary.json").read_text())["parking"]
    again = json.loads((tmp_path / "alias" / "summary.json").read_text())["parking"]
    assert again["scenarios"] == with_["scenarios"]
    # untagged: the left sides of both Cross Street edges (tertiary) and both sides of Back
    # Lane (unclassified): 4 sides of 110.530 m, reported unknown when the estimate is off
    assert without["curb_inferred_km"] == 0
    assert without["curb_estimated_km"] == 0
    assert without["curb_unknown_km"] == pytest.approx(4 * 0.110530, rel=1e-3)
    # estimated: Back Lane's width is a class default, so the class rule parks both sides;
    # Cross Street is tagged 3 m wide with 1 lane: 3.0 - 2.7432 (9 ft lane) = 0.26 m left,
    # less than a 7 ft (2.1336 m) parking lane -> estimated no parking on its 2 left sides
    assert with_["curb_inferred_km"] == pytest.approx(2 * 0.110530, rel=1e-3)
    assert with_["curb_estimated_km"] == pytest.approx(4 * 0.110530, rel=1e-3)
    assert with_["curb_covered_pct"] == pytest.approx(100.0)
    kei = with_["scenarios"]["kei100"]
    assert kei["curb_spaces"] == kei["curb_spaces_mapped"] + kei["curb_spaces_estimated"]
    assert kei["curb_spaces_estimated"] == 2 * 23  # Back Lane, see below
    assert kei["curb_spaces_gained_estimated"] == 2 * (23 - 17)
    # Back Lane 3 -> 6: one junction end (dead end 6), 110.530 - 6.096 = 104.434 m usable;
    # full-size fleet pitch 4.979 + 1.0 = 5.979 m -> 17 spaces; kei 4.4 m -> 23 spaces
    tables = tmp_path / "inferred" / "tables"
    sides = pd.read_csv(tables / "parking_sides.csv")
    back = sides[sides["osm_id"] == 102]
    assert set(back["source"]) == {"inferred"}
    spaces = pd.read_csv(tables / "parking_side_spaces.csv")
    spaces = spaces[spaces["side_id"].isin(back["side_id"])]
    assert spaces.loc[spaces["scenario"] == "kei000", "spaces"].tolist() == [17, 17]
    assert spaces.loc[spaces["scenario"] == "kei100", "spaces"].tolist() == [23, 23]


def test_compare_reads_existing_outputs_and_analyses_missing_cities(tmp_path: Path) -> None:
    out = tmp_path / "out"
    made = _run("analyze", "--osm-file", str(TOWN), "--name", "town", "--no-congestion",
                "--out", str(out))  # fmt: skip
    assert made.exit_code == 0, made.output
    result = _run("compare", "town", "helsinki", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "analysing helsinki (no outputs yet)" in result.output
    assert "analysing town" not in result.output  # its outputs were there already
    folder = out / "compare-town-helsinki"
    table = pd.read_csv(folder / "comparison.csv")
    assert table["slug"].tolist() == ["town", "helsinki"]
    helsinki = json.loads((out / "helsinki" / "summary.json").read_text())
    assert table.loc[1, "street length (km)"] == pytest.approx(helsinki["network"]["street_km"])
    assert sorted(p.name for p in folder.iterdir()) == [
        "comparison.csv", "comparison.html", "comparison.md", "comparison.png",
    ]  # fmt: skip
