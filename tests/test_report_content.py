"""The report's words: a label for every summary key, whole counts, the executive summary."""

from __future__ import annotations

import dataclasses
import html
import io
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from shapely import LineString

from urbanfit.figures import KIND_WORDS
from urbanfit.pipeline import analyze
from urbanfit.render.curb_layer import curb_stretches
from urbanfit.render.document import html_page
from urbanfit.render.executive import (
    caveats,
    executive_summary,
    figure_text,
    method_notes,
    ranges_blocks,
)
from urbanfit.render.figures import render_figures
from urbanfit.render.labels import LABELS, fmt_figure, row_label
from urbanfit.render.report import report_html, report_markdown
from urbanfit.render.static_map import _path
from urbanfit.results import AnalysisResult

TOWN = Path(__file__).parent / "data" / "town.osm"
NUMBER = r"-?\d{1,3}(,\d{3})*"
WHOLE = rf"([a-z][\w ]* )?{NUMBER}( \({NUMBER}\N{{EN DASH}}{NUMBER}\))?|n/a"
"""A whole number, maybe named (a breakdown) or followed by its (low-high) range."""
LABELLED_SECTIONS = ("network", "lots", "buildings", "parking", "congestion", "fit", "index")


@pytest.fixture(scope="module")
def town() -> AnalysisResult:
    return analyze("", osm_file=TOWN)


def _summary_keys(summary: dict[str, Any]) -> Iterator[str]:
    """Every figure key of the summary's sections, per scenario and per vehicle class too."""
    for name in LABELLED_SECTIONS:
        section = summary.get(name) or {}
        for key, value in section.items():
            if key in ("scenarios", "classes"):  # figures per scenario id, per vehicle class
                yield from (k for figures in value.values() for k in figures)
            else:
                yield key
    yield from (k for k in summary["data_quality"] if k != "tags")


def _executive(page: str) -> str:
    start = page.index("<h2>Executive summary</h2>")
    return page[start : page.index('<hr class="page-break">', start)]


def test_every_figure_key_of_helsinki_has_a_label(helsinki: AnalysisResult) -> None:
    keys = set(_summary_keys(helsinki.summary))
    assert len(keys) > 100  # every section ran, congestion included
    assert sorted(keys - set(LABELS)) == []
    page = report_html(helsinki)
    # no machine key is left as a row label ("curb m2 per vehicle", "spaces gained pct")
    assert "<td>Curb area per parked vehicle (m²)</td>" in page
    assert "<td>Spaces gained (%)</td>" in page
    assert "<td>curb m2 per vehicle</td>" not in page
    assert "<td>spaces gained pct</td>" not in page


def test_counts_print_as_whole_numbers(helsinki: AnalysisResult) -> None:
    # a space count is never fractional: 15.44 -> 15, 1234.6 -> 1,235 (rounded, thousands comma)
    assert fmt_figure("total_spaces", 15.44) == "15"
    assert fmt_figure("spaces_gained", 1234.6) == "1,235"
    assert fmt_figure("spaces_gained_pct", 15.44) == "15.44"  # a percentage keeps decimals
    assert fmt_figure("by_kind_count", {"surface": 28.0, "multi_storey": 2}) == (
        "surface 28, multi storey 2"
    )
    page = report_html(helsinki)
    # the ranges table (when the summary has one) ends each row with its unit and the
    # parameters varied: only its low, central and high cells are figures
    start = page.find("<h3>Ranges</h3>")
    ranges = page[start : page.index("<h2>", start)] if start >= 0 else ""
    body = page.replace(ranges, "") if ranges else page
    counts = [text for key, (text, unit, whole) in LABELS.items() if whole]
    for label in counts:
        row = rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>"
        cells = [c for r in re.findall(row, body) for c in re.findall(r"<td>([^<]*)</td>", r)]
        cells += [
            c for r in re.findall(row, ranges) for c in re.findall(r"<td>([^<]*)</td>", r)[:3]
        ]
        kinds = {html.escape(words) for words in KIND_WORDS.values()}
        for cell in (c for c in cells if c not in kinds):  # the key figures' "rests on" column
            for part in cell.split(", "):  # a breakdown: "surface 28, underground 8"
                assert re.fullmatch(WHOLE, part), (label, cell)
    # the congestion trips, 12,591.3 vehicles/h in the summary, read as a whole number
    assert (
        "<td>Trips in the peak hour, before the demand multiplier (vehicles/h)</td><td>12,591</td>"
        in page
    )


def test_executive_summary_quotes_the_headline_and_fits_the_first_page(
    helsinki: AnalysisResult,
) -> None:
    page = report_html(helsinki)
    first = _executive(page)
    for line in helsinki.summary["headlines"]:
        assert f"<li>{html.escape(line)}</li>" in first
    # 855 spaces gained at 100 % kei: 2,973 - 2,118 (test_report reads both from the summary),
    # rest on a rule where curb is estimated; the mapped floor leads the table, from the city
    assert "<td>Spaces gained over the full-size fleet</td><td>855" in first  # (low-high) if known
    assert "a rule applied to this city&#x27;s data</td>" in first
    floor = "<td>Spaces gained on mapped curb and lots (the floor)</td>"
    assert first.index(floor) < first.index("<td>Spaces gained over the full-size fleet</td>")
    assert "<h3>What was mapped and what was estimated</h3>" in first
    # the biggest caveat: curb estimation is on by default; 5.96 km of untagged curb is
    # estimated as parked
    caveat = "<p>Curb estimation: 5.96 km of untagged curb is estimated as parallel parking"
    assert f"<h3>Biggest caveat</h3>\n{caveat}" in first
    assert page.index("<h2>Executive summary</h2>") < page.index("<h2>Parking</h2>")
    markdown = report_markdown(helsinki)
    assert "## Executive summary" in markdown
    # page 1 (the brief) says the per-car constant once, before the findings at each share
    brief = markdown.split("\n---\n")[0]
    assert brief.count(helsinki.summary["headlines"][0]) == 1
    assert brief.index(helsinki.summary["headlines"][0]) < brief.index("## At 25 % kei")


def test_executive_summary_shows_ranges_when_the_summary_has_them(
    helsinki: AnalysisResult,
) -> None:
    ranges = {"parking.spaces_gained": {"low": 512, "central": 774, "high": 903.4}}
    summary = {**helsinki.summary, "ranges": ranges}
    page = html_page(executive_summary(summary), ("x",))
    # central (low-high), each a whole number of spaces: 903.4 -> 903
    assert "<td>Spaces gained over the full-size fleet</td><td>774 (512\N{EN DASH}903)</td>" in page
    # summary.json's ranges: a list of rows naming their figure, null where undefined
    rows = [
        {"figure": "land_freed_ha", "low": 0.25, "central": 0.397, "high": 0.45, "unit": "ha",
         "basis": "stall sizes"},
        {"figure": "city_score", "low": None, "central": None, "high": None, "unit": "points",
         "basis": "weights"},
    ]  # fmt: skip
    page = html_page(
        executive_summary({**helsinki.summary, "ranges": rows}) + ranges_blocks({"ranges": rows}),
        ("x",),
    )
    land = "<td>Lot land freed for the same cars (ha)</td><td>0.397 (0.25\N{EN DASH}0.45)</td>"
    assert land in page
    # no range known: the central figure alone, as read from the summary
    score = helsinki.summary["index"]["city_score"]
    assert f"<td>Urban Fit index (points of 100)</td><td>{score:.2f}</td>" in page
    table = "<td>Lot land freed for the same cars</td><td>0.25</td><td>0.397</td><td>0.45</td>"
    assert f"{table}<td>ha</td><td>stall sizes</td>" in page
    assert "<td>Urban Fit index</td><td>n/a</td><td>n/a</td><td>n/a</td>" in page


def test_method_notes_say_what_ran(helsinki: AnalysisResult) -> None:
    notes = ["".join(note) for note in method_notes(helsinki.summary)]
    assert any("curb estimation was on" in note for note in notes)  # the default
    # with the estimate's error measured on the Portland survey (EstimateErrorParams: precision
    # 0.390 -> 39 %, recall 0.926 -> 93 %, spaces ratio 2.29), quoted once, not Helsinki's
    assert any(
        "downtown Portland, Oregon: 39 % of the curb it calls parked is parkable, it finds 93 % "
        "of the parkable curb, and it puts 2.29x the spaces" in note
        for note in notes
    )
    assert not any("Helsinki with its curb tags hidden" in note for note in notes)
    estimated_off = {**helsinki.summary["parking"], "curb_inferred_km": 0.0}
    off = ["".join(n) for n in method_notes({**helsinki.summary, "parking": estimated_off})]
    assert any("curb estimation was off" in note for note in off)
    assert any(note.startswith("Congestion: a static user-equilibrium") for note in notes)
    assert any("converged to the relative-gap target" in note for note in notes)
    inferred = {**helsinki.summary["parking"], "curb_inferred_km": 4.5}
    without = {k: v for k, v in helsinki.summary.items() if k != "congestion"}
    notes = ["".join(note) for note in method_notes({**without, "parking": inferred})]
    assert any("curb estimation was on: 4.50 km of untagged curb" in note for note in notes)
    assert "Congestion: not modelled in this run (see Notes for why, if any)." in notes
    first = "".join(caveats({**without, "parking": inferred})[0])
    assert first.startswith("Curb estimation: 4.50 km of untagged curb is estimated")
    # a network with no km above V/C 0.9 at the baseline is uncongested: said so (Helsinki's
    # baseline demand is scaled to a congested TTI, so it is set to 0 here)
    congestion = helsinki.summary["congestion"]
    base = {**congestion["scenarios"]["kei000"], "share_km_vc_over_0_9": 0.0}
    calm = {**congestion, "scenarios": {**congestion["scenarios"], "kei000": base}}
    said = ["".join(c) for c in caveats({**helsinki.summary, "congestion": calm})]
    assert any(c.startswith("Uncongested network") for c in said)
    assert not any(c.startswith("Uncongested network") for c in map("".join, caveats(without)))


def test_running_header_escapes_a_hostile_city_name(town: AnalysisResult) -> None:
    hostile = '</style><script>alert(1)</script> "x" \\ é'
    summary = {**town.summary, "city": {**town.summary["city"], "name": hostile}}
    page = report_html(dataclasses.replace(town, summary=summary))
    style = page[page.index("<style>") : page.index("</style>") + len("</style>")]
    assert style.count("</style>") == 1  # the name cannot close the style sheet
    assert "<script" not in page
    # every character but letters, digits and spaces as a 6-digit CSS escape and the space
    # that ends it: "<" is "\00003c "
    assert r"@top-left { content: " in style
    assert r"\00003c \00002f style\00003e " in style
    assert r"\0000e9 " in style  # é
    assert row_label("curb_m2_per_vehicle") == "Curb area per parked vehicle (m²)"


def test_street_map_draws_each_gain_class_in_its_colour(helsinki: AnalysisResult) -> None:
    # two lines become one path of 2 + 3 points with one NaN row between them
    x, y = _path([LineString([(0, 0), (1, 0)]), LineString([(5, 5), (6, 6), (7, 7)])])
    assert x.tolist()[:2] == [0, 1] and math.isnan(x[2]) and x.tolist()[3:] == [5, 6, 7]
    assert y.tolist()[3:] == [5, 6, 7]
    png = render_figures(helsinki.summary, result=helsinki)["street_map"]
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    colours = Counter(map(tuple, pixels.tolist()))
    # Drawn as the web map draws the curb (the curb layer's stretches and bins): at 100 % kei
    # Helsinki's curb has stretches in the top gain class (#2D1E6B), the one below it
    # (#2B4C8C) and with no space gained (#555555); lots in taupe (#5C4B3B)
    bins = dict(curb_stretches(helsinki.parking, helsinki.scenarios).gain_bins)
    assert set(bins.values()) >= {"#2D1E6B", "#2B4C8C", "#555555"}
    for colour in ((0x2D, 0x1E, 0x6B), (0x2B, 0x4C, 0x8C), (0x55, 0x55, 0x55), (0x5C, 0x4B, 0x3B)):
        assert colours[colour] > 50, colour


def test_the_kei_curve_is_a_table_of_levels_and_kei_shares(helsinki: AnalysisResult) -> None:
    levels = helsinki.summary["congestion"]["kei_curve"]["levels"]
    page = report_html(helsinki)
    assert "levels low:" not in page  # the nested summary is not dumped into one cell
    # one row per level and kei share: 3 levels x 4 shares on Helsinki
    assert list(levels) == ["low", "target", "high"]
    for name, level in levels.items():
        lead = f"<td>{name} (TTI {fmt_figure('tti', level['baseline_tti'])})</td>"
        assert page.count(lead) == 4
    # the target level's 100 % kei row carries the same figures as the per-scenario table
    top = levels["target"]["scenarios"]["kei100"]
    per_scenario = helsinki.summary["congestion"]["scenarios"]["kei100"]
    assert top["delay_change_pct"] == pytest.approx(per_scenario["delay_veh_h_change_pct"])
    cells = (
        fmt_figure("delay_veh_h", top["delay_veh_h"]),
        fmt_figure("delay_veh_h_change", top["delay_change_veh_h"]),
        fmt_figure("delay_veh_h_change_pct", top["delay_change_pct"]),
    )
    assert "<td>100 % kei</td><td>" + "</td><td>".join(cells) + "</td>" in page
    # the baseline is the reference of each level, not a change the solver must resolve
    assert page.count("<td>(baseline)</td>") == 3


def test_a_negative_range_reads_low_to_high_not_two_signs(helsinki: AnalysisResult) -> None:
    delay = next(r for r in helsinki.summary["ranges"] if r["figure"] == "delay_veh_h_change_pct")
    assert delay["low"] < 0  # a reduction: "-32.03 to -27.18", never "-32.03–-27.18"
    page = _executive(report_html(helsinki))
    low, high = (fmt_figure("delay_veh_h_change_pct", delay[k]) for k in ("low", "high"))
    assert f"({low} to {high})" in page
    assert "–-" not in page


def test_a_range_without_spread_is_not_quoted() -> None:
    # Seattle: the delay change is -36.55 % at every level, so low = central = high
    span = {"low": -36.551, "central": -36.552, "high": -36.549}
    summary = {"ranges": [{"figure": "delay_veh_h_change_pct", **span}]}
    assert figure_text(summary, "congestion", "delay_veh_h_change_pct", -36.552) == "-36.55"
    summary["ranges"][0]["low"] = -40.0  # a spread: quoted low to high
    assert figure_text(summary, "congestion", "delay_veh_h_change_pct", -36.552) == (
        "-36.55 (-40 to -36.55)"
    )


def test_the_lots_table_names_unnamed_lots_by_their_nearest_street(
    helsinki: AnalysisResult,
) -> None:
    markdown = report_markdown(helsinki, {})
    table = markdown[markdown.index("### Lots gaining the most spaces") :].split("\n\n")[1]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    # Helsinki's lots carry no name tag: each is named by the street nearest its centre; the
    # underground lot with its capacity tag of 400 (548 kei, 148 gained) gains the most
    assert rows[0][0] == "| unnamed lot by Fabianinkatu"
    assert rows[0][2:4] == ["capacity tag in OSM", "400"]
    assert all(row[0].startswith("| unnamed lot by ") for row in rows)
    assert not any("model_surface" in line for line in table.splitlines())


def test_the_estimated_curb_caveat_quotes_the_error_measured_on_a_us_survey() -> None:
    # EstimateErrorParams: precision 0.390 -> 39 %, recall 0.926 -> 93 %, spaces ratio 2.29
    from urbanfit.parameters import Parameters, assumptions_table

    summary = {
        "parking": {"curb_unknown_km": 9.1, "curb_parsed_km": 32.0, "curb_inferred_km": 5.28},
        "assumptions": assumptions_table(Parameters()),
    }
    first = caveats(summary)[0][0]
    assert first.startswith("Curb estimation: 5.28 km of untagged curb is estimated")
    assert (
        "39 % of the curb it calls parked is parkable, it finds 93 % of the parkable curb, and "
        "it puts 2.29x the spaces the surveyed curb holds" in first
    )
    assert "no survey behind it" not in first
