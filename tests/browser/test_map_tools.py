"""The map's tools in headless Chromium, offline: the kei-share switch, the street search,
totals for a dragged box and the download of the visible layers.

Same town, page and rules as test_map_browser.py (whose fixtures these tests share): no
network, no script errors, OSM text never runs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_map_browser import (  # noqa: F401  (fixtures, used by name)
    CONGESTION,
    CURB,
    HEXES,
    HOSTILE_NAME,
    JS_LEGEND,
    JS_MAP,
    JS_ROWS,
    MapPage,
    _open,
    chromium,
    town_map,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CURB_50 = "Curb parking"  # the curb layer's name holds no share: its legend follows it
CONGESTION_50 = "Congestion: V/C change at 50 % kei"
HEXES_50 = "Urban Fit index at 50 % kei (hexagons)"
SPACES = "Spaces on this stretch, today → kei share shown"
PER_100M = "Spaces per 100 m of this stretch, today → shown"
LOT_SPACES = "Spaces, full-size fleet → kei share shown"

# Open the tooltip of the curb run whose figures start with `prefix` (its `_s`), and return
# its rows and its drawn colour.
JS_CURB_TOOLTIP = f"""prefix => {{
  const map = {JS_MAP};
  const leaves = layer => layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
  const geo = urbanfitScenarioLayers[0].geo;  // the curb layer: the first drawn
  const run = leaves(geo).find(f => String(f.feature.properties._s).startsWith(prefix));
  run.fire('mouseover', {{latlng: run.getCenter()}}, true);  // as a pointer over it does
  const rows = [...geo.getTooltip().getElement().querySelectorAll('tr')].map(row => [
    row.querySelector('th').textContent.trim(), row.querySelector('td').textContent.trim(),
  ]);
  run.fire('mouseout', {{}}, true);
  return {{rows: Object.fromEntries(rows), colour: run.options.color}};
}}"""

# Page position of a latitude / longitude.
JS_PIXEL = f"""([lat, lng]) => {{
  const map = {JS_MAP};
  const box = map.getContainer().getBoundingClientRect();
  const point = map.latLngToContainerPoint([lat, lng]);
  return [box.left + point.x, box.top + point.y];
}}"""


@pytest.fixture
def map_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:  # noqa: F811
    """The town's map.html, loaded from disk with no network, in a 1200 x 800 window."""
    yield from _open(chromium, town_map, {"width": 1200, "height": 800})


def _choose(opened: MapPage, label: str) -> None:
    opened.page.locator("#urbanfit-scenarios label", has_text=label).click()


def _overlay_names(opened: MapPage) -> list[str]:
    labels = opened.page.locator(".leaflet-control-layers-overlays label")
    return [name.strip() for name in labels.all_inner_texts()]


def test_the_switch_offers_every_kei_share_of_the_run(map_page: MapPage) -> None:
    # the CLI's default shares: 0, 25, 50 and 100 % kei; the map opens on the headline (100 %)
    switch = map_page.page.locator("#urbanfit-scenarios label")
    assert switch.all_inner_texts() == [
        "kei share 0 %",
        "kei share 25 %",
        "kei share 50 %",
        "kei share 100 %",
    ]
    checked = map_page.page.locator("input[name=urbanfit-scenario]:checked")
    assert checked.get_attribute("value") == "3"
    map_page.assert_clean()


def test_switching_to_50_percent_rewrites_a_curb_tooltip_and_its_colour(
    map_page: MapPage,
) -> None:
    # A stretch of the eastern Main Street edge holds 16 full-size vehicles and 22 kei (the
    # model's whole spaces, floor(usable / pitch)); at 50 % kei it holds 18. Per 100 m of its
    # 111.275 m: 16 / 111.275 x 100 = 14.38 -> "14.4" today, 22 -> 19.77 -> "19.8" and
    # 18 -> 16.18 -> "16.2"; gained 5.39 -> 5.4 and 1.80 -> 1.8.
    # The gain bins are quartiles of every share's rounded gains on the town's 6 stretches
    # (3 figures, each twice): 0.9 x4, 1.8 x4, 2.7 x2, 5.4 x6, 11.8 x2 at positions 4.25,
    # 8.5, 12.75 of 18: 1.8, 2.7, 5.4. So 5.4 is in "5.4 or more" (#2D1E6B) and 1.8 in
    # "1.8 - 2.7" (#1F6E8C). Today's supply bins are quartiles of 14.4, 15.3, 29.9 (each
    # twice): 14.6, 15.3, 26.2; 14.4 is below 14.6 (#B8590B).
    expected = {  # the radio clicked (none: as the map opens) -> the tooltip and colour
        None: ("100 % kei", "16 → 22", "14.4 → 19.8", "#2D1E6B"),
        "kei share 50 %": ("50 % kei", "16 → 18", "14.4 → 16.2", "#1F6E8C"),
        "kei share 0 %": ("0 % kei", "16", "14.4", "#B8590B"),  # today's figures alone
    }
    for choice, figures in expected.items():
        if choice is not None:
            _choose(map_page, choice)
        run = map_page.page.evaluate(JS_CURB_TOOLTIP, "16,")
        rows = run["rows"]
        assert (rows["Kei share shown"], rows[SPACES], rows[PER_100M], run["colour"]) == figures
    map_page.assert_clean()


def test_switching_renames_the_scenario_layers_and_their_legend(map_page: MapPage) -> None:
    _choose(map_page, "kei share 50 %")
    # the base layers first, then the thematic layers' one radio list
    assert _overlay_names(map_page) == [
        "Streets by class",
        "Parking lots",
        CURB_50,
        CONGESTION_50,
        HEXES_50,
        "Safety: pedestrian risk per crash",
    ]
    assert map_page.page.evaluate(JS_LEGEND) == [
        "Streets (width by class)",
        "Curb spaces gained at 50 % kei",
        "Off-street parking",
    ]
    # the renamed layers still switch: "None" takes the thematic layer off
    overlay = map_page.page.locator(".leaflet-control-layers-overlays label")
    map_page.page.locator("#urbanfit-layer-none").click()
    assert map_page.overlays()[CURB_50]["onMap"] is False
    overlay.filter(has_text=CONGESTION_50).locator("input").check()
    assert map_page.overlays()[CONGESTION_50]["onMap"] is True
    assert CONGESTION not in _overlay_names(map_page)
    assert HEXES not in _overlay_names(map_page)
    map_page.assert_clean()


# The Urban Fit score each hexagon shows (its tooltip row) and its drawn colour.
JS_HEX_SCORES = """() => {
  const leaves = layer => layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
  const index = urbanfitScenarioLayers.find(e => 'score' in e.spec.shown).geo;
  return leaves(index).map(h => [h.feature.properties.score, h.options.color]);
}"""


def test_switching_to_the_baseline_scores_every_hexagon_zero(map_page: MapPage) -> None:
    # At 0 % kei nothing changes: no curb space gained (parking part 0), no V/C change
    # (congestion part 0) and the fit part is the kei share (0) x its points: the town's one
    # hexagon scores 0, in the lowest bin ("below 20 points", #C94B8A).
    opened = map_page.page.evaluate(JS_HEX_SCORES)
    assert len(opened) == 1
    assert float(opened[0][0]) > 0  # at 100 % kei the curb gains (5.4 and 11.8 per 100 m)
    _choose(map_page, "kei share 0 %")
    assert map_page.page.evaluate(JS_HEX_SCORES) == [["0", "#C94B8A"]]
    map_page.assert_clean()


def test_the_market_lot_popup_shows_the_chosen_kei_share(map_page: MapPage) -> None:
    # A mixed fleet shares the lot by area: 1 / (0.5 / 60 + 0.5 / 103) = 75.83 -> 75 vehicles
    # at 50 % kei (60 full-size stalls, the capacity tag; 103 kei stalls, see the popup test
    # in test_map_browser.py).
    _choose(map_page, "kei share 50 %")
    lot = map_page.feature_at("name", "Market Lot")
    map_page.page.mouse.click(lot["x"], lot["y"])
    popup = map_page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    rows = popup.evaluate(JS_ROWS)
    assert rows["Kei share shown"] == "50 % kei"
    assert rows[LOT_SPACES] == "60 → 75"
    assert rows["Figure from"] == "capacity tag in OSM"
    map_page.assert_clean()


def test_the_search_finds_a_street_and_the_map_shows_all_of_it(map_page: MapPage) -> None:
    page = map_page.page
    page.evaluate(f"() => {JS_MAP}.setView([0.02, 3.02], 16, {{animate: false}})")  # elsewhere
    page.locator("#urbanfit-search").fill("lane")
    results = page.locator("#urbanfit-search-results button")
    assert results.all_inner_texts() == ["Back Lane"]
    results.first.click()
    # Back Lane runs from (0.0010, 3.0020) to (0.0020, 3.0020)
    shown = page.evaluate(
        f"() => {JS_MAP}.getBounds().contains(L.latLngBounds([0.001, 3.002], [0.002, 3.002]))"
    )
    assert shown is True
    assert (
        page.locator("#urbanfit-search-status").inner_text() == "Showing Back Lane (1 mapped way)"
    )
    map_page.assert_clean()


def test_the_search_lists_a_hostile_name_as_text(map_page: MapPage) -> None:
    page = map_page.page
    page.locator("#urbanfit-search").fill("<img")
    results = page.locator("#urbanfit-search-results button")
    assert results.all_inner_texts() == [HOSTILE_NAME]
    results.first.click()
    assert page.locator("#urbanfit-search-status").inner_text() == (
        f"Showing {HOSTILE_NAME} (1 mapped way)"
    )
    assert page.locator("#urbanfit-tools img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    page.locator("#urbanfit-search").fill("no such street")
    assert page.locator("#urbanfit-search-results").inner_text() == (
        "No street of that name on this map"
    )
    map_page.assert_clean()


def _drag_box(opened: MapPage, corner: tuple[float, float], other: tuple[float, float]) -> None:
    page = opened.page
    page.locator("#urbanfit-select-area").click()
    x0, y0 = page.evaluate(JS_PIXEL, list(corner))
    x1, y1 = page.evaluate(JS_PIXEL, list(other))
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
    page.mouse.move(x1, y1)
    page.mouse.up()


def _totals(opened: MapPage) -> list[str]:
    return opened.page.locator("#urbanfit-area-totals > div").all_inner_texts()


def test_a_dragged_box_sums_the_features_whose_centre_lies_inside(map_page: MapPage) -> None:
    page = map_page.page
    # zoom out one step so the box sits clear of the panels
    page.evaluate(
        f"() => {JS_MAP}.setView([0.001, 3.0012], {JS_MAP}.getZoom() - 1, {{animate: false}})"
    )
    # The box: latitude 0.0012 - 0.0019, longitude 3.0005 - 3.0024. Centres inside: Back Lane
    # (0.0015, 3.0020); the Market Lot (0.0015, 3.0015); the curb run on the east side of the
    # northern Cross Street edge (about 0.0015, 3.0010). Outside: Main Street and its curb
    # (latitude 0.0010), Cross Street, a single way centred at (0.0010, 3.0010), its
    # southern curb run (about 0.0005) and the underground lot (0.0005, 3.0015).
    # Back Lane is 0.001 degree of latitude: on Leaflet's sphere (R = 6,371 km)
    # 6,371,000 x 0.001 x pi / 180 = 111.19 m = 0.11 km. The curb run parks 33 full-size
    # vehicles and 46 kei (its tooltip's figures); the lot 60 and 103 (see the lot popup).
    _drag_box(map_page, (0.0012, 3.0024), (0.0019, 3.0005))
    assert _totals(map_page) == [
        "Sums over the features whose centre lies in the box:",
        "Streets: 1 mapped ways, 0.11 km (measured along the map's lines)",
        "Curb parking, mapped: 1 stretches, 33 → 46 spaces (full-size fleet → 100 % kei)",
        "Curb parking, estimated: 0 stretches, 0 → 0 spaces",
        "Parking lots: 1 lots, 60 → 103 spaces (full-size fleet → 100 % kei)",
    ]
    # at 50 % kei: the lot 1 / (0.5 / 60 + 0.5 / 103) = 75.83 -> 75; the run 39 (its tooltip)
    _choose(map_page, "kei share 50 %")
    assert _totals(map_page)[2:] == [
        "Curb parking, mapped: 1 stretches, 33 → 39 spaces (full-size fleet → 50 % kei)",
        "Curb parking, estimated: 0 stretches, 0 → 0 spaces",
        "Parking lots: 1 lots, 60 → 75 spaces (full-size fleet → 50 % kei)",
    ]
    # the drag panned nothing and opened no popup
    assert page.locator(".leaflet-popup").count() == 0
    map_page.assert_clean()


def _download(opened: MapPage, button: str) -> str:
    with opened.page.expect_download() as info:
        opened.page.locator(button).click()
    path = info.value.path()
    return Path(path).read_text(encoding="utf-8")


def test_the_download_saves_the_visible_layers_as_geojson(map_page: MapPage) -> None:
    # On at first: 3 street ways, 6 curb runs and 2 lots = 11 features
    data: dict[str, Any] = json.loads(_download(map_page, "#urbanfit-download-geojson"))
    assert data["type"] == "FeatureCollection"
    layers = [f["properties"]["Layer"] for f in data["features"]]
    assert {name: layers.count(name) for name in set(layers)} == {
        "Streets by class": 3,
        CURB: 6,
        "Parking lots": 2,
    }
    # the hostile name is plain text in the data, and no internal property leaks
    names = {f["properties"].get("Street") for f in data["features"]}
    assert HOSTILE_NAME in names
    # the CSV's human headers and numbers: the Market Lot's spaces today and at 100 % kei
    lot = next(
        f["properties"] for f in data["features"] if f["properties"].get("Lot") == "Market Lot"
    )
    assert (lot["Spaces (today)"], lot["Spaces (100 % kei)"]) == (60, 103)
    assert not any(key.startswith("_") for f in data["features"] for key in f["properties"])
    # with the streets off and the congestion layer (2 lines) on, in the curb's place (one
    # thematic layer at a time): 2 + 2
    overlay = map_page.page.locator(".leaflet-control-layers-overlays label")
    overlay.filter(has_text="Streets by class").locator("input").uncheck()
    overlay.filter(has_text=CONGESTION).locator("input").check()
    map_page.page.wait_for_timeout(50)
    data = json.loads(_download(map_page, "#urbanfit-download-geojson"))
    assert len(data["features"]) == 2 + 2
    map_page.assert_clean()


def test_the_download_saves_the_visible_layers_as_csv(map_page: MapPage) -> None:
    rows = list(csv.DictReader(io.StringIO(_download(map_page, "#urbanfit-download-csv"))))
    assert len(rows) == 3 + 6 + 2
    assert [row["Layer"] for row in rows].count("Parking lots") == 2
    # human headers, and each figure a number in a column of its own
    lot = next(row for row in rows if row["Lot"] == "Market Lot")
    assert lot["Spaces (today)"] == "60"
    assert lot["Spaces (100 % kei)"] == "103"
    curb = next(
        row
        for row in rows
        if row["Layer"] == CURB and row["Spaces on this stretch (today)"] == "16"
    )
    assert curb["Spaces on this stretch (100 % kei)"] == "22"
    assert curb["Spaces per 100 m of this stretch (100 % kei)"] == "19.8"
    assert curb["Estimated (no parking tags)"] == "0"
    # every column but the words (names, classes, sources) holds numbers, or nothing where a
    # figure is missing, under a human header (no internal key such as `area` or `_s`)
    words = {"Layer", "Street", "Class", "One-way", "Side", "Parking", "Figure from", "Lot", "Kind"}
    assert not any("_" in header or header.islower() for header in rows[0])
    for header in set(rows[0]) - words:
        for row in rows:
            if row[header] != "":
                float(row[header])  # raises on text such as "24,400 sq ft (2,270 m²)"
    # the lot's area a number under its unit (the town is not in the US: metric): the Market
    # Lot's outline, 0.0004° of latitude x 0.0006° of longitude at the equator, 110,574 m and
    # 111,320 m a degree: 44.2 m x 66.8 m = 2,954 m2 = 0.295 ha (UTM's scale 0.9996 aside)
    assert float(lot["Lot area (ha)"]) == pytest.approx(0.2954, abs=0.0005)
    assert lot["Capacity tag in OSM"] == "60"
    # the Market Lot's centre: (0.0013 + 0.0017) / 2 = 0.0015, (3.0012 + 3.0018) / 2 = 3.0015
    assert (lot["Centre latitude"], lot["Centre longitude"]) == ("0.00150", "3.00150")
    map_page.assert_clean()
