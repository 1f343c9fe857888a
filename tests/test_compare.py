"""Side-by-side comparison of cities from their summary.json outputs."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from urbanfit.errors import OutputError
from urbanfit.pipeline import AnalysisResult, analyze
from urbanfit.render.compare import (
    compare_cities,
    compare_summaries,
    load_summary,
    write_comparison,
)
from urbanfit.render.export import write_outputs, write_summary

TOWN = Path(__file__).parent / "data" / "town.osm"
ALPHA = "Alpha Town"
BETA = "<i>Beta</i> | Town"  # hostile: HTML and a Markdown table pipe
BASE, TOP, HALF = "0 % kei", "100 % kei", "50 % kei"


def _run(name: str, kei_shares: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)) -> AnalysisResult:
    return analyze("", osm_file=TOWN, name=name, kei_shares=kei_shares)


def _write(result: AnalysisResult, out_root: Path) -> Path:
    return write_outputs(result, out_root, writers=(write_summary,))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The town analysed as Alpha (default shares) and Beta (0 and 50 % kei), both written."""
    out_root = tmp_path_factory.mktemp("outputs")
    folders = [_write(_run(ALPHA), out_root), _write(_run(BETA, (0.0, 0.5)), out_root)]
    return out_root, [load_summary(f) for f in folders]


@pytest.fixture(scope="module")
def table(outputs) -> pd.DataFrame:
    return compare_summaries(outputs[1])


def test_two_towns_compare_into_two_rows_of_their_own_figures(outputs, table) -> None:
    alpha, beta = outputs[1]
    assert len(table) == 2
    assert table["city"].tolist() == [ALPHA, BETA]
    assert table["slug"].tolist() == ["alpha-town", "i-beta-i-town"]
    # the same town: 226 spaces for the full-size fleet in both rows (132 on mapped curbs,
    # 34 on Back Lane's two estimated sides of 17, 60 in lots)
    column = f"parking spaces, {BASE} (count)"
    assert table[column].tolist() == [226, 226]
    per_alpha, per_beta = alpha["parking"]["scenarios"], beta["parking"]["scenarios"]
    assert per_alpha["kei000"]["total_spaces"] == 226
    assert per_alpha["kei000"]["curb_spaces_estimated"] == 2 * 17
    assert table.loc[0, f"parking spaces, {TOP} (count)"] == per_alpha["kei100"]["total_spaces"]
    assert table.loc[0, f"spaces gained, {TOP} (%)"] == per_alpha["kei100"]["spaces_gained_pct"]
    assert table.loc[1, f"spaces gained, {HALF} (count)"] == per_beta["kei050"]["spaces_gained"]
    assert table.loc[0, "street length (km)"] == alpha["network"]["street_km"]


def test_only_figures_present_in_the_summaries_become_columns(outputs, table) -> None:
    # Alpha's top scenario is 100 % kei, Beta's 50 %: each has its own columns, NaN elsewhere
    assert math.isnan(table.loc[1, f"parking spaces, {TOP} (count)"])
    assert math.isnan(table.loc[0, f"parking spaces, {HALF} (count)"])
    alpha = outputs[1][0]
    assert any("delay" in c for c in table.columns) == ("congestion" in alpha)
    for section in ("fit", "index"):
        assert any(c.startswith(f"{section}:") for c in table.columns) == (section in alpha)
    figure_columns = [c for c in table.columns if c not in ("city", "slug", "OSM data date")]
    units = r"\((count|%|ha|km|% of lot area|veh-h|km/h|USD|year)\)$"
    assert all(re.search(units, c) or re.match(r"(fit|index): ", c) for c in figure_columns)


def test_fit_and_congestion_figures_join_the_table_when_present(outputs) -> None:
    alpha = json.loads(json.dumps(outputs[1][0]))
    alpha["congestion"] = {
        "scenarios": {"kei000": {"delay_veh_h": 40.0}, "kei100": {"delay_veh_h": 30.0}}
    }
    alpha["fit"] = {"kei_only_km": 0.5, "one_way_km": 0.55, "kind": "text is left out"}
    beta = json.loads(json.dumps(outputs[1][1]))
    beta.pop("fit")  # a city whose fit model did not run
    table = compare_summaries([alpha, beta])
    assert table.loc[0, f"peak-hour delay, {TOP} (veh-h)"] == 30.0
    assert table.loc[0, "fit: kei_only_km"] == 0.5
    assert "fit: one_way_km" not in table.columns  # only the fit headline keys when present
    assert "fit: kind" not in table.columns
    assert math.isnan(table.loc[1, "fit: kei_only_km"])


def test_comparison_files_parse_and_escape_city_names(table, tmp_path: Path) -> None:
    write_comparison(table, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "comparison.csv", "comparison.html", "comparison.md", "comparison.png",
    ]  # fmt: skip
    csv = pd.read_csv(tmp_path / "comparison.csv")
    assert csv.columns.tolist() == table.columns.tolist()
    assert csv["city"].tolist() == [ALPHA, BETA]
    assert csv[f"parking spaces, {BASE} (count)"].tolist() == [226, 226]
    page = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    assert "<i>Beta</i>" not in page
    assert f"<td>{html.escape(BETA)}</td>" in page
    assert page.count("data:image/png;base64,") == 1
    assert "<script" not in page
    lines = (tmp_path / "comparison.md").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    widths = {len(re.split(r"(?<!\\)\|", line)) for line in rows}
    assert widths == {len(table.columns) + 2}  # the pipe in Beta's name is escaped
    assert any(r"\<i\>Beta\</i\> \| Town" in line for line in rows)
    assert (tmp_path / "comparison.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_load_summary_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"no summary\.json in .*analyse the city first"):
        load_summary(tmp_path / "nowhere")
    (tmp_path / "summary.json").write_text('{"schema_version": "1.0",', encoding="utf-8")
    with pytest.raises(OutputError, match=r"not valid JSON \(line 1, column 26"):
        load_summary(tmp_path)
    (tmp_path / "summary.json").write_text('{"schema_version": "1.0"}', encoding="utf-8")
    with pytest.raises(OutputError, match=r"summary\.json: .*'city' is a required property"):
        load_summary(tmp_path)


def test_compare_cities_analyses_only_the_cities_without_outputs(outputs) -> None:
    out_root, _ = outputs
    calls: list[str] = []

    def analyse_and_write(name: str) -> Path:
        calls.append(name)
        return _write(_run(name), out_root)

    folder = compare_cities([ALPHA, "Gamma Town"], out_root=out_root, analyze=analyse_and_write)
    assert calls == ["Gamma Town"]
    assert folder == out_root / "compare-alpha-town-gamma-town"
    csv = pd.read_csv(folder / "comparison.csv")
    assert csv["city"].tolist() == [ALPHA, "Gamma Town"]
    assert not list(out_root.glob(".*partial*"))
    calls.clear()
    compare_cities([ALPHA, "Gamma Town"], out_root=out_root, analyze=analyse_and_write)
    assert calls == []


def test_us_units_convert_lengths_land_and_speeds_and_name_the_unit(outputs, table) -> None:
    alpha = json.loads(json.dumps(outputs[1][0]))
    alpha["fit"] = {"kei_only_km": 1.609344}
    alpha["congestion"] = {"scenarios": {"kei100": {"mean_speed_kmh": 48.28032}}}
    us = compare_summaries([alpha], units="us")
    # 1 mi = 1.609344 km; 1 acre = 0.40468564224 ha; 48.28032 km/h = 30 mph
    km = alpha["network"]["street_km"]
    assert us.loc[0, "street length (mi)"] == pytest.approx(km / 1.609344)
    land = table.loc[0, f"lot land freed, {TOP} (ha)"]
    assert us.loc[0, f"lot land freed, {TOP} (acres)"] == pytest.approx(land / 0.40468564224)
    assert us.loc[0, "fit: kei_only (mi)"] == pytest.approx(1.0)
    assert us.loc[0, f"mean speed, {TOP} (mph)"] == pytest.approx(30.0)
    assert not any(c.endswith(("(km)", "(ha)", "(km/h)", "_km")) for c in us.columns)
    # without the option, the first summary's display units decide: the town is metric
    assert "street length (km)" in compare_summaries([alpha]).columns
