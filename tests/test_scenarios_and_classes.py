"""One scenario set and vehicle classes as data, end to end through the command line.

The test town (tests/data/town.osm): Main Street (OSM way 100) runs 1-2-3 in two edges of
111.275 m, parallel parking on both sides (old schema). Node 1 is a dead end and node 2 a
junction (Cross Street), so the sides of edge 1-2 keep 111.275 - 2 x 6.096 = 99.083 m of usable
curb (20 ft clearance at each end; `CurbParams.intersection_clearance_m`); node 3 only joins
Back Lane (not a junction), so the sides of edge 2-3 keep 111.275 - 6.096 = 105.179 m.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.errors import ConfigError
from urbanfit.vehicles import ScenarioSet, load_vehicles, scenarios

TOWN = Path(__file__).parent / "data" / "town.osm"
runner = CliRunner()

COMPACT = """
[classes.compact]
label = "Compact (a stall standard between kei and full-size)"
curb_stall_width_m = 2.3
lot_stall_width_m = 2.3
lot_stall_depth_m = 4.6
lot_aisle_m = 6.0
source = "test: a hypothetical compact-car stall standard"

[profiles.city_car]
label = "City car"
class = "compact"
length_m = 3.9
width_m = 1.6
height_m = 1.5
turning_radius_m = 4.8
source = "test: a hypothetical small car"

[fleets.half_city_cars]
label = "Half city cars, half pickups"
source = "test"
[fleets.half_city_cars.shares]
city_car = 0.5
fullsize_pickup = 0.5
"""


def _analyze(out: Path, *options: str) -> Path:
    result = runner.invoke(
        app,
        ["analyze", "--osm-file", str(TOWN), "--name", "Town", "--out", str(out), *options],
    )
    assert result.exit_code == 0, result.output
    return out / "town"


def test_scenario_set_is_sorted_names_baseline_and_headline_and_refuses_repeats() -> None:
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.5, 0.0, 1.0, 0.25))
    assert runs.ids == ("kei000", "kei025", "kei050", "kei100")
    assert runs.baseline.id == "kei000" and runs.headline.id == "kei100"
    # the 0 % baseline is added when it is not given
    assert scenarios(catalog, kei_shares=(1.0,)).ids == ("kei000", "kei100")
    with pytest.raises(ConfigError, match="kei share 50 % is given twice"):
        scenarios(catalog, kei_shares=(0.0, 0.5, 0.5))
    with pytest.raises(ConfigError, match="between 0 and 100 %"):
        scenarios(catalog, kei_shares=(0.0, 1.5))
    with pytest.raises(ConfigError, match="sorted by kei share"):
        ScenarioSet((runs[0], runs[2], runs[1]))


def test_cli_refuses_a_repeated_kei_share_in_percent(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["analyze", "--osm-file", str(TOWN), "--out", str(tmp_path), "--kei-shares", "0,50,50"]
    )
    assert result.exit_code != 0
    assert "50 %" in result.output and "twice" in result.output
    assert "Traceback" not in result.output


_CLOCK = {"created", "seconds", "retrieved"}  # when a run happened and how long it took


def _without_clock(value: object) -> object:
    """A summary (or part of one) without the wall-clock facts that differ between runs."""
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items() if k not in _CLOCK}
    if isinstance(value, list):
        return [_without_clock(v) for v in value]
    return value


def test_kei_share_order_does_not_change_any_output(tmp_path: Path) -> None:
    first = _analyze(tmp_path / "a", "--kei-shares", "50,0,100")
    second = _analyze(tmp_path / "b", "--kei-shares", "0,50,100")
    one = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    two = json.loads((second / "summary.json").read_text(encoding="utf-8"))
    assert _without_clock(one) == _without_clock(two)
    assert [s["id"] for s in one["scenarios"]] == ["kei000", "kei050", "kei100"]
    assert one["scenario_roles"] == {"baseline": "kei000", "headline": "kei100"}
    assert "at 100 % kei" in one["headlines"][1]  # after the per-car constants
    tables = sorted(p.name for p in (first / "tables").iterdir())
    assert tables == sorted(p.name for p in (second / "tables").iterdir())
    for name in tables:
        a, b = (pd.read_csv(folder / "tables" / name) for folder in (first, second))
        pd.testing.assert_frame_equal(
            a.drop(columns=list(_CLOCK), errors="ignore"),
            b.drop(columns=list(_CLOCK), errors="ignore"),
        )
    spaces = pd.read_csv(first / "tables" / "parking_side_spaces.csv")
    assert list(spaces.columns[:2]) == ["side_id", "scenario"]
    assert list(dict.fromkeys(spaces["scenario"])) == ["kei000", "kei050", "kei100"]


def test_a_third_vehicle_class_needs_only_a_vehicles_file(tmp_path: Path) -> None:
    vehicles = tmp_path / "compact.toml"
    vehicles.write_text(COMPACT, encoding="utf-8")
    folder = _analyze(
        tmp_path / "out",
        "--vehicles-file", str(vehicles),
        "--fleet", "half_city_cars",
        "--kei-shares", "0,100",
        "--no-congestion",
    )  # fmt: skip
    sides = pd.read_csv(folder / "tables" / "parking_sides.csv")
    main = sides.loc[sides["osm_id"] == 100, "side_id"]
    assert len(main) == 4  # two edges, two sides
    profiles = pd.read_csv(folder / "tables" / "parking_profile_spaces.csv")
    city_car = profiles[(profiles["profile"] == "city_car") & profiles["side_id"].isin(main)]
    # usable: 111.275 m less 6.096 m at dead end 1 and 6.096 + 3.0 / 2 = 7.596 m at junction 2
    # (measured from the curb line of 3 m wide Cross Street) -> 97.583 m on edge 1-2;
    # 111.275 - 7.596 = 103.679 m on edge 2-3 (node 3 is no junction)
    # parallel pitch 3.9 + 1.0 gap = 4.9 m: floor(97.583 / 4.9 = 19.91) = 19 per side of
    # edge 1-2, floor(103.679 / 4.9 = 21.16) = 21 per side of edge 2-3
    assert city_car["spaces"].tolist() == [19.0, 19.0, 21.0, 21.0]
    spaces = pd.read_csv(folder / "tables" / "parking_side_spaces.csv")
    main_spaces = spaces[spaces["side_id"].isin(main)]
    # baseline fleet: mean pitch 0.5 x 4.9 + 0.5 x (5.89 + 1.0) = 5.895 m:
    # floor(97.583 / 5.895 = 16.55) = 16 and floor(103.679 / 5.895 = 17.59) = 17 per side
    # -> 2 x 16 + 2 x 17 = 66; all kei, 4.4 m: floor(22.18) = 22 and floor(23.56) = 23 -> 90
    assert main_spaces.groupby("scenario")["spaces"].sum().to_dict() == {
        "kei000": 66.0,
        "kei100": 90.0,
    }
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["vehicles"]["classes"]["compact"]["lot_m2_per_stall"] == pytest.approx(
        2.3 * (4.6 + 6.0 / 2)  # 17.48 m2 per stall with half its aisle
    )
    # the fit model assesses the new class: two city cars need 2 x 1.6 + 0.3 + 2 x 0.15 = 3.8 m
    assert summary["fit"]["classes"]["compact"]["two_abreast_need_m"] == pytest.approx(3.8)
    lot_classes = pd.read_csv(folder / "tables" / "parking_lot_classes.csv")
    assert set(lot_classes["vehicle_class"]) == {"full_size", "compact", "kei"}


def test_a_kei_class_profile_must_fit_the_kei_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text(
        '[profiles.not_kei]\nclass = "kei"\nlength_m = 4.2\nwidth_m = 1.7\nheight_m = 1.5\n'
        'turning_radius_m = 5.0\nsource = "test"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="'not_kei' is in class 'kei' but exceeds"):
        load_vehicles(big)
