"""summary.json schema, report.html / report.md and figures/*.png on the town and Helsinki."""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from urbanfit.errors import OutputError
from urbanfit.pipeline import analyze
from urbanfit.render.compare import load_summary
from urbanfit.render.export import write_outputs, write_report, write_summary
from urbanfit.render.figures import render_figures
from urbanfit.render.labels import fmt_assumption, parameter_name
from urbanfit.render.report import report_html, report_markdown
from urbanfit.render.schema import load_schema, validate_summary
from urbanfit.results import AnalysisResult

TOWN = Path(__file__).parent / "data" / "town.osm"
HOSTILE_CITY = '<b>x</b> | & "Town"'
HOSTILE_STREET = "<img src=x onerror=alert(1)>"  # the name of Cross Street in town.osm
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WRITERS = (write_summary, write_report)  # write_report draws figures/*.png too


@pytest.fixture(scope="module")
def town() -> AnalysisResult:
    return analyze("", osm_file=TOWN, name=HOSTILE_CITY)


@pytest.fixture(scope="module", params=["town", "helsinki"])
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(result, output folder) with summary.json, report.html, report.md and figures/."""
    result = request.getfixturevalue(request.param)
    folder = write_outputs(result, tmp_path_factory.mktemp("out"), writers=WRITERS)
    return result, folder


def _page(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def _with_models(result: AnalysisResult, **sections: object) -> AnalysisResult:
    return dataclasses.replace(result, summary={**result.summary, **sections})


# --- schema -------------------------------------------------------------------------------


def test_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_written_summary_validates_against_the_schema(written) -> None:
    result, folder = written
    summary = load_summary(folder)  # reads and validates
    assert summary["schema_version"] == result.summary["schema_version"]
    assert summary["headlines"] == result.summary["headlines"]


def test_broken_summaries_fail_with_the_path_of_the_problem(written) -> None:
    summary = json.loads(_page(written[1], "summary.json"))
    missing = copy.deepcopy(summary)
    del missing["headlines"]
    with pytest.raises(OutputError, match=r"'headlines' is a required property"):
        validate_summary(missing)
    bad = copy.deepcopy(summary)
    bad["scenarios"][0]["kei_share"] = 2
    bad["parking"]["scenarios"]["kei000"]["total_spaces"] = [1]
    with pytest.raises(OutputError, match=r"scenarios\[0\]\.kei_share: 2 is greater") as error:
        validate_summary(bad)
    assert "parking.scenarios.kei000.total_spaces: [1] is not of type" in str(error.value)
    nan = copy.deepcopy(summary)
    nan["network"]["street_km"] = float("nan")
    with pytest.raises(OutputError, match=r"network\.street_km: not a finite number"):
        validate_summary(nan)


def test_model_sections_are_optional_and_hold_figures_only(written) -> None:
    summary = json.loads(_page(written[1], "summary.json"))
    without = {k: v for k, v in summary.items() if k != "parking"}
    validate_summary(without)
    # one convention: a per-scenario figure sits under scenarios.<id>, never in a key suffix
    flat = {**summary, "congestion": {"delay_veh_h_kei000": 12.5, "demand_source": "synthetic"}}
    with pytest.raises(OutputError, match=r"congestion: 'delay_veh_h_kei000' should not be valid"):
        validate_summary(flat)
    per_scenario = {"scenarios": {"kei000": {"delay_veh_h": 12.5}}, "links_count": {"a": 1}}
    validate_summary({**summary, "congestion": per_scenario})
    nested = {**summary, "fit": {"by_class": {"residential": {"km": 1.0}}}}
    with pytest.raises(OutputError, match=r"fit\.by_class\.residential: .* is not of type"):
        validate_summary(nested)


# --- report.html --------------------------------------------------------------------------


def test_report_html_is_one_self_contained_page(written) -> None:
    result, folder = written
    page = _page(folder, "report.html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    images = re.findall(r'<img src="([^"]*)"', page)
    assert images
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert len(images) == len(render_figures(result.summary, result=result))


def test_report_html_holds_the_headline_figures_verbatim(written) -> None:
    result, folder = written
    page = _page(folder, "report.html")
    assert len(result.summary["headlines"]) >= 3
    for line in result.summary["headlines"]:
        assert f"<li>{html.escape(line)}</li>" in page


def test_report_html_lists_every_assumption_with_unit_and_source(written) -> None:
    result, folder = written
    page = _page(folder, "report.html")
    for row in result.summary["assumptions"]:
        name = parameter_name(row["parameter"])  # "streets.lane_width_m" -> "Streets: lane width"
        cells = (name, fmt_assumption(row["value"], row["unit"]), row["unit"])
        assert "".join(f"<td>{html.escape(c)}</td>" for c in cells) in page
        assert f"<td>{html.escape(row['source'])}</td>" in page
    assert "[[" not in page  # no raw nested lists


def test_assumption_values_read_as_words_and_units() -> None:
    # a class table of pairs: one "name value unit" per pair, '*' read as "any other"
    pairs = '[["residential", 3.0], ["living_street", 3.0], ["*", 3.5]]'
    assert fmt_assumption(pairs, "m") == "residential 3.0 m, living street 3.0 m, any other 3.5 m"
    assert fmt_assumption('[["lane", 1.0], ["*", 0.5]]', "-") == "lane 1.0, any other 0.5"
    assert fmt_assumption('["surface", "living_street"]', "-") == "surface, living street"
    assert fmt_assumption("6.096", "m") == "6.096"
    assert fmt_assumption("bfw", "-") == "bfw"


def test_report_html_shows_provenance_and_tag_coverage(written) -> None:
    result, folder = written
    page = _page(folder, "report.html")
    summary = result.summary
    expected_date = summary["provenance"]["data_date"] or "unknown"
    assert f"<td>OSM data date</td><td>{expected_date}</td>" in page
    assert f"<td>parameters hash</td><td>{summary['run']['parameters_hash']}</td>" in page
    assert f"<td>urbanfit version</td><td>{summary['urbanfit_version']}</td>" in page
    for tag, counts in summary["data_quality"]["tags"].items():
        cells = (tag, *(f"{counts[k]:,}" for k in ("missing", "ok", "recovered", "invalid")))
        assert "".join(f"<td>{c}</td>" for c in cells) in page


def test_helsinki_report_shows_the_per_scenario_parking_figures(helsinki) -> None:
    page = report_html(helsinki)
    parking = helsinki.summary["parking"]
    # 2,118 spaces for the full-size fleet (1,052 on mapped curbs, 501 on estimated curbs,
    # 565 in lots), 2,973 at 100 % kei (lot kei ratios capped at the module ratio on one
    # 24 ft aisle, structures at the stall-width ratio; ways whose nodes the extract cuts off
    # are skipped): read from the summary
    base = parking["scenarios"]["kei000"]
    assert base["total_spaces"] == 2118
    assert (base["curb_spaces_mapped"], base["curb_spaces_estimated"]) == (1052, 501)
    assert base["curb_spaces"] + base["lot_spaces"] == base["total_spaces"]
    row = "<td>Total spaces</td><td>2,118</td><td>2,288</td><td>2,471</td><td>2,973</td>"
    assert row in page
    assert "<td>OSM data date</td><td>2019-04-21</td>" in page


def test_report_escapes_hostile_city_and_street_names(town: AnalysisResult) -> None:
    page = report_html(town)
    assert "<b>x</b>" not in page
    assert HOSTILE_STREET not in page
    assert f"<h1>Kei cars in {html.escape(HOSTILE_CITY)}: council brief, " in page
    assert f"<td>{html.escape(HOSTILE_STREET)}</td>" in page  # top street sides table
    markdown = report_markdown(town)
    assert not re.search(r"(?<!\\)<(b|img)\b", markdown)  # every "<" of OSM text escaped
    assert r"\<img src=x onerror=alert(1)\>" in markdown


def test_report_markdown_has_the_headlines_and_escapes_pipes_in_cells(written) -> None:
    result, folder = written
    markdown = _page(folder, "report.md")
    lines = markdown.splitlines()
    for line in result.summary["headlines"]:
        assert f"- {line}" in lines
    city_row = next(line for line in lines if line.startswith("| city |"))
    cells = re.split(r"(?<!\\)\|", city_row)
    assert len(cells) == 4  # "", " city ", " <name> ", ""
    for table_line in (line for line in lines if line.startswith("| ")):
        assert table_line.endswith(" |")
    for name in render_figures(result.summary, result=result):
        assert f"(figures/{name}.png)" in markdown
        assert (folder / "figures" / f"{name}.png").is_file()


def test_figures_are_valid_pngs(written) -> None:
    result, folder = written
    files = sorted((folder / "figures").glob("*.png"))
    assert {f.stem for f in files} == set(render_figures(result.summary, result=result))
    assert {"spaces_by_scenario", "street_map"} <= {f.stem for f in files}
    for path in files:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.width > 400
            assert image.height > 200


def test_congestion_and_fit_sections_appear_when_present(town: AnalysisResult) -> None:
    congestion = {
        "demand_source": "synthetic",
        "scenarios": {"kei000": {"delay_veh_h": 40.5}, "kei100": {"delay_veh_h": 31.25}},
    }
    fit = {
        "kei_only_km": 0.15,
        "classes": {"full_size": {"passable_km": 0.4}, "kei": {"passable_km": 0.55}},
    }
    result = _with_models(town, congestion=congestion, fit=fit)
    validate_summary(json.loads(json.dumps(result.summary)))
    figures = render_figures(result.summary)
    assert list(figures) == ["spaces_by_scenario", "delay_vs_kei_share", "fit_km"]
    page = report_html(result)
    assert "<h2>Congestion</h2>" in page
    assert "<h2>Narrow-street fit</h2>" in page
    assert "<td>Delay (veh-h)</td><td>40.50</td><td>n/a</td><td>n/a</td><td>31.25</td>" in page
    assert "<td>Street only kei vehicles pass (km)</td><td>0.15</td>" in page
    # per vehicle class: one column each
    assert "<td>Street length passable (km)</td><td>0.4</td><td>0.55</td>" in page
    assert page.count("data:image/png;base64,") == 4  # the three charts and the street map
    markdown = report_markdown(result)
    assert "| Delay (veh-h) | 40.50 | n/a | n/a | 31.25 |" in markdown


def test_notes_are_listed_and_escaped(town: AnalysisResult) -> None:
    note = "congestion skipped: no zones with demand in <i>Town</i>"
    result = _with_models(town, notes=[note])
    validate_summary(json.loads(json.dumps(result.summary)))
    assert f"<h2>Notes</h2>\n<ul><li>{html.escape(note)}</li></ul>" in report_html(result)
    assert r"- congestion skipped: no zones with demand in \<i\>Town\</i\>" in report_markdown(
        result
    )


def test_report_without_model_sections_still_renders(town: AnalysisResult) -> None:
    models = ("parking", "congestion", "fit", "index")
    summary = {k: v for k, v in town.summary.items() if k not in models}
    result = dataclasses.replace(town, summary={**summary, "headlines": []})
    assert render_figures(result.summary) == {}
    page = report_html(result)
    assert "<h2>Parking</h2>" not in page
    assert "<h2>Congestion</h2>" not in page
    assert "data:image/png" not in page
    assert "<h2>Appendix: assumptions</h2>" in page


def test_parameter_keys_read_as_words_with_the_unit_left_to_its_column() -> None:
    assert parameter_name("parking.curb.diagonal_angle_deg") == "Parking, curb: diagonal angle"
    assert parameter_name("streets.lane_width_m") == "Streets: lane width"
    assert parameter_name("traffic.demand.gravity_beta_per_min") == (
        "Traffic, demand: gravity beta"
    )
    assert parameter_name("index.weight_parking") == "Index: weight parking"
    assert parameter_name("alpha") == "alpha"
