"""--units end to end: the drawn town moved into Ohio reads in miles, its figures stay metric.

The town of tests/data/town.osm lies at 0 N 3 E (metric by default); shifted by +39.96 degrees
of latitude and -86 of longitude its nodes lie around 39.96 N 83.0 W, in Columbus, Ohio, inside
the United States. Its street length, 5 edges of about 0.55 km, is then quoted in miles first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from builders import layer_rows
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.pipeline import analyze
from urbanfit.render.layers import lots_layer
from urbanfit.render.report import write_report
from urbanfit.results import AnalysisResult
from urbanfit.units import area_m2, kilometres

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"


def _shifted(text: str) -> str:
    """Move every node of the town by +39.96 degrees latitude and -86 longitude."""
    text = re.sub(r'lat="([-0-9.]+)"', lambda m: f'lat="{float(m[1]) + 39.96:.7f}"', text)
    return re.sub(r'lon="([-0-9.]+)"', lambda m: f'lon="{float(m[1]) - 86.0:.7f}"', text)


@pytest.fixture(scope="module")
def ohio_town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ohio") / "ohio-town.osm"
    path.write_text(_shifted(TOWN.read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ohio_result(ohio_town: Path) -> AnalysisResult:
    return analyze(osm_file=ohio_town, name="Ohio town", run_congestion=False)


def _summary(out: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["analyze", *args, "--no-congestion", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    # the terminal's first line names the street length in the same units
    km = kilometres(summary["network"]["street_km"], summary["units"]["display"])
    assert f"{km} of street in" in " ".join(result.output.split())
    return summary


def _machine(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary less what says when and how it was written (and the words)."""
    kept = {k: v for k, v in summary.items() if k not in {"run", "headlines", "units"}}
    return kept | {"provenance": {**summary["provenance"], "retrieved": None}}


def test_a_us_place_reads_in_miles_and_metric_on_request_with_the_same_numbers(
    ohio_town: Path, tmp_path: Path
) -> None:
    default = _summary(tmp_path / "a", "--osm-file", str(ohio_town))
    metric = _summary(tmp_path / "b", "--osm-file", str(ohio_town), "--units", "metric")
    assert default["units"]["display"] == "us"
    assert default["units"]["basis"] == "the data's centre lies inside the United States"
    assert metric["units"] == default["units"] | {"display": "metric", "basis": "--units"}
    # the headlines differ in their words ...
    assert default["headlines"] != metric["headlines"]
    curb = next(line for line in default["headlines"] if line.startswith("Curb: "))
    assert " mi (" in curb and " km)" in curb
    assert not any(" mi" in line for line in metric["headlines"])
    # ... but not in a single machine number: summary.json stays metric
    assert _machine(default) == _machine(metric)
    km = default["parking"]["curb_parking_km"]
    assert curb.startswith(f"Curb: {kilometres(km, 'us')} mapped with parking")


def test_a_preset_country_decides_before_the_place(tmp_path: Path) -> None:
    # the town at 0 N 3 E would read metric; a preset saying country = "US" reads US units
    preset = tmp_path / "us-town.toml"
    preset.write_text(f'name = "US Town"\ncountry = "US"\nextract = "{TOWN.as_posix()}"\n')
    summary = _summary(tmp_path / "out", str(preset))
    assert summary["units"]["display"] == "us"
    assert summary["units"]["basis"] == "the preset's country (US)"
    plain = _summary(tmp_path / "plain", "--osm-file", str(TOWN))
    assert plain["units"]["display"] == "metric"


@pytest.mark.parametrize("command", ["analyze", "batch"])
def test_bad_units_are_one_sentence_and_exit_2(tmp_path: Path, command: str) -> None:
    args = ["--osm-file", str(TOWN)] if command == "analyze" else ["helsinki"]
    result = runner.invoke(app, [command, *args, "--units", "furlongs", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--units must be 'us' or 'metric', got 'furlongs'" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # refused before anything was written


def test_the_report_and_its_word_copy_read_in_us_units(
    ohio_result: AnalysisResult, tmp_path: Path
) -> None:
    result = ohio_result
    write_report(result, tmp_path, {})
    network = result.summary["network"]["street_km"]
    # e.g. 0.55 km of street: 0.55 / 1.609344 = 0.342 mi -> "0.342 mi (0.550 km)"
    streets = f"Mapped in OpenStreetMap: {kilometres(network, 'us')} of streets"
    assert re.search(r"\d mi \(\d", streets)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert streets in page
    # the kei car's size on page 1: 3.40 m / 0.3048 = 11.2 ft; 1.48 m -> 4.86 ft
    assert "at most 11.2 ft (3.40 m) long and 4.86 ft (1.48 m) wide" in page
    # the vehicle table: a length column whose cells carry both units
    assert "<td>11.2 ft (3.40 m)</td>" in page
    words = "\n".join(p.text for p in docx.Document(str(tmp_path / "report.docx")).paragraphs)
    assert streets in words
    assert "at most 11.2 ft (3.40 m) long" in words


def test_the_static_map_scale_bar_is_a_round_length_in_feet(ohio_result: AnalysisResult) -> None:
    from urbanfit.render.static_map import street_map

    figure = street_map(ohio_result)
    assert figure is not None
    texts = [text.get_text() for text in figure.axes[0].texts]
    # the streets span 0.002 degrees of longitude at 40 N: 0.002 x 111.32 km x cos(40) = 171 m;
    # a fifth is 34 m, so the bar is the round 100 ft = 30.48 m (200 ft = 61 m is too long)
    assert " 100 ft (30.5 m)" in texts


def test_the_fit_chart_measures_streets_in_miles_in_us_units() -> None:
    from urbanfit.render.figures import _fit_chart

    # 1.609344 km that only kei pass is 1 mi; the label and the bar follow the units
    fit = {"kei_only_km": 1.609344, "classes": {}}
    us = _fit_chart({"fit": fit, "units": {"display": "us"}})
    metric = _fit_chart({"fit": fit})
    assert us is not None and metric is not None
    assert us.axes[0].get_xlabel() == "street length (mi)"
    assert metric.axes[0].get_xlabel() == "street length (km)"
    assert us.axes[0].patches[0].get_width() == pytest.approx(1.0)
    assert metric.axes[0].patches[0].get_width() == pytest.approx(1.609344)


def test_the_map_title_box_reads_in_us_units(ohio_result: AnalysisResult) -> None:
    from urbanfit.render.map import build_map

    page = build_map(ohio_result).get_root().render()
    km = ohio_result.summary["network"]["street_km"]
    assert f"{kilometres(km, 'us')} of drivable street" in page
    assert "at most 11.2 ft (3.40 m) long and 4.86 ft (1.48 m) wide" in page
    # the lot tooltip's area: the Market Lot's outline in sq ft with m² beside
    lots = lots_layer(
        ohio_result.city.lots,
        ohio_result.parking,
        ohio_result.catalog,
        scenarios=ohio_result.scenarios,
        units="us",
    )[0]
    areas = {row["name"]: row["area"] for row in layer_rows(lots)}
    market = float(ohio_result.city.lots.set_index("name").loc["Market Lot", "area_m2"])
    assert areas["Market Lot"] == area_m2(market, "us")
    # 0.0006 x 0.0004 degrees at 40 N: 51.2 m x 44.4 m = 2,270 m2, under an acre (4,047 m2):
    # square feet, 2,270 / 0.09290304 = 24,400 sq ft
    assert re.fullmatch(r"24,[0-9]00 sq ft \(2,2[0-9]0 m²\)", areas["Market Lot"])


def test_the_map_layers_read_rates_speeds_and_lengths_in_us_units(
    ohio_result: AnalysisResult,
) -> None:
    from urbanfit.render.curb_layer import curb_layer, curb_stretches
    from urbanfit.render.map import build_map

    r = ohio_result
    us = curb_stretches(r.parking, r.scenarios, units="us")
    metric = curb_stretches(r.parking, r.scenarios)
    # a rate per 100 ft is the rate per 100 m x 0.3048 (100 ft = 30.48 m), today and gained
    assert us.rate == "per 100 ft"
    for (_, per_m, gain_m), (_, per_ft, gain_ft) in zip(metric.figures, us.figures, strict=True):
        assert per_ft == pytest.approx(per_m * 0.3048, nan_ok=True)
        assert gain_ft == pytest.approx(gain_m * 0.3048, nan_ok=True)
    # the bins are taken on the converted numbers: every shown rate lies inside the bins' span
    # and the legend names the unit
    lowers = [b for b, _ in us.supply_bins]
    assert min(lowers) <= min(per_ft for per_ft in us.figures[0][1]) < 10.0
    layer, legends = curb_layer(
        r.parking, streets=r.city.streets, scenarios=r.scenarios, units="us"
    )
    assert all("spaces per 100 ft" in entry for entry in legends[0][1])
    assert all("more per 100 ft" in entry or entry == "no space gained" for entry in legends[1][1])
    page = build_map(r).get_root().render()
    assert "Spaces per 100 ft of this stretch, today" in page
    assert "Parkable length of this stretch (ft)" in page
    assert "per 100 m" not in page
    # Main Street's maxspeed=30 mph reads 30 mph again (48.28 km/h / 1.609344 = 30.0)
    assert '"Speed (mph)"' in page and "km/h" not in page
    rows = layer_rows(layer)
    usable_m = r.parking.sides["run_usable_m"].dropna()
    # lengths in feet: metres / 0.3048, rounded to whole feet
    assert {row["run_usable_m"] for row in rows} <= {round(m / 0.3048) for m in usable_m}


def test_the_safety_table_quotes_street_speeds_in_mph_in_us_units() -> None:
    import pandas as pd

    from urbanfit.render.council import _safety_blocks

    edges = pd.DataFrame(
        {
            "name": ["Main Street"],
            "exposure_points": [4],
            "speed_kmh": [48.28032],  # 30 mph x 1.609344 km/mi
            "pedestrian_risk_change_pct": [-10.0],
        }
    )
    summary: dict[str, Any] = {"safety": {}, "scenarios": [], "units": {"display": "us"}}
    (table,) = [b for b in _safety_blocks(summary, edges) if getattr(b, "rows", None)][-1:]
    assert table.header[2] == "speed (mph)"
    assert table.rows[0][2] == "30"
    summary["units"]["display"] = "metric"
    (table,) = [b for b in _safety_blocks(summary, edges) if getattr(b, "rows", None)][-1:]
    assert (table.header[2], table.rows[0][2]) == ("speed (km/h)", "48")
