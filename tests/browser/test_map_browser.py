"""map.html in a real headless Chromium with the network off: it loads from the file alone,
its layers hold the town, the panels fit a phone, OSM text never runs.

Every request that is not for a local file is aborted, as on a laptop with no network: the page
must carry its own libraries, and base-map tiles fail (the map then says so).

Needs Debian's chromium (installed by ``.ci/install-browser``) and the ``playwright`` package.
Without them these tests skip, unless ``URBANFIT_REQUIRE_BROWSER=1`` makes a missing piece a
failure (as CI does). Screenshots go to ``URBANFIT_SCREENSHOTS`` when it names a folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from urbanfit.cli import app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

TOWN = Path(__file__).parents[1] / "data" / "town.osm"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
CURB = "Curb parking"
CONGESTION = "Congestion: V/C change at 100 % kei"
HEXES = "Urban Fit index at 100 % kei (hexagons)"
SAFETY = "Safety: pedestrian risk per crash"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TILE_HOSTS = ("tile.openstreetmap.org",)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
NOTICE = "Base map tiles are unavailable (offline?): the layers are drawn on a plain background."

# The folium map object is a global named after its container's id.
JS_MAP = "window[document.querySelector('.folium-map').id]"

# For each overlay in the layer control: whether it is ticked and on the map, and how many
# features (leaf layers) it holds and draws. The control's checkboxes carry Leaflet's layer id.
JS_OVERLAYS = f"""() => {{
  const map = {JS_MAP};
  const layers = Object.values(window).filter(v => v instanceof L.Layer);
  const leaves = layer => layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
  const out = {{}};
  for (const label of document.querySelectorAll('.leaflet-control-layers-overlays label')) {{
    const input = label.querySelector('input');
    const group = layers.find(l => L.stamp(l) === input.layerId);
    const features = leaves(group);
    out[label.textContent.trim()] = {{
      ticked: input.checked,
      onMap: map.hasLayer(group),
      features: features.length,
      drawn: features.filter(f => map.hasLayer(f)).length,
    }};
  }}
  return out;
}}"""

# What is actually drawn: paths on the canvas renderer (preferCanvas) and marker icons.
JS_DRAWN = f"""() => ({{
  canvasPaths: Object.keys({JS_MAP}._renderer._layers).length,
  markers: document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon').length,
}})"""

# Page position of the centre of the first feature whose property `key` equals `value`, the
# element found there, and the canvas alpha there (after the canvas's pending redraw).
JS_FEATURE_AT = f"""async ([key, value]) => {{
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const map = {JS_MAP};
  const leaves = layer => layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
  const feature = Object.values(window)
    .filter(v => v instanceof L.GeoJSON)
    .flatMap(leaves)
    .find(f => f.feature.properties[key] === value);
  const latlngs = feature.getLatLngs();
  const shape = L.LineUtil.isFlat(latlngs) ? latlngs : latlngs[0];
  const centre = feature instanceof L.Polygon
    ? L.PolyUtil.polygonCenter(shape, map.options.crs)
    : L.LineUtil.polylineCenter(shape, map.options.crs);
  const box = map.getContainer().getBoundingClientRect();
  const point = map.latLngToContainerPoint(centre);
  const x = box.left + point.x, y = box.top + point.y;
  const renderer = map._renderer;
  const scale = L.Browser.retina ? 2 : 1;
  const onCanvas = map.latLngToLayerPoint(centre).subtract(renderer._bounds.min).multiplyBy(scale);
  const alpha = renderer._ctx.getImageData(Math.round(onCanvas.x), Math.round(onCanvas.y), 1, 1)
    .data[3];
  return {{x, y, alpha, element: document.elementFromPoint(x, y).tagName}};
}}"""

# The rows of an open tooltip or popup, as {{header: cell text}}.
JS_ROWS = """element => Object.fromEntries([...element.querySelectorAll('tr')].map(
  row => [row.querySelector('th').textContent.trim(), row.querySelector('td').textContent.trim()]
))"""


def is_tile(url: str) -> bool:
    """Whether a URL is a base-map tile."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host in TILE_HOSTS or host.endswith(tuple(f".{h}" for h in TILE_HOSTS))


def _unavailable(reason: str) -> None:
    if os.environ.get("URBANFIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (and URBANFIT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing: run .ci/install-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def town_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """map.html of the test town, written by the CLI, with mapped curbs only (the counts below
    were checked in a browser before the curb estimate was on by default).

    The town's buildings all fall in one demand zone, so synthetic demand puts no trip on its
    streets; a user OD matrix (100 vehicles/h along Main Street, west to east) gives the
    congestion layer something to draw.
    """
    out = tmp_path_factory.mktemp("browser")
    od = out / "od.csv"
    od.write_text(
        "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"
        "west,east,100,3.0000,0.0010,3.0020,0.0010\n",
        encoding="utf-8",
    )
    args = ["analyze", "--osm-file", str(TOWN), "--name", "town", "--no-infer-curb"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--od", str(od)])
    assert result.exit_code == 0, result.output
    return out / "town" / "map.html"


@dataclass
class MapPage:
    """An opened map, with everything the page said or tried while open."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No script errors, no dialogs, and nothing blocked but map tiles."""
        assert self.page_errors == []
        assert self.console_errors == []
        assert self.dialogs == []
        assert [url for url in self.blocked if not is_tile(url)] == []

    def overlays(self) -> dict[str, dict[str, Any]]:
        """State of each overlay in the layer control, by its name."""
        return self.page.evaluate(JS_OVERLAYS)

    def drawn(self) -> dict[str, int]:
        """Paths on the canvas and marker icons in the page."""
        return self.page.evaluate(JS_DRAWN)

    def feature_at(self, key: str, value: str) -> dict[str, Any]:
        """Where a feature is on the page and whether the canvas shows something there."""
        return self.page.evaluate(JS_FEATURE_AT, [key, value])


def _serve(route: Route, opened: MapPage) -> None:
    url = route.request.url
    if not url.startswith(("http://", "https://")):
        route.continue_()
    else:
        # Offline: tiles fail (the map says so); anything else is a fault assert_clean reports.
        opened.blocked.append(url)
        route.abort("internetdisconnected")


def _record_console(message: ConsoleMessage, opened: MapPage) -> None:
    if message.type != "error":
        return
    if "ERR_INTERNET_DISCONNECTED" in message.text and is_tile(message.location.get("url", "")):
        return  # a tile that cannot load offline; any other failure counts
    opened.console_errors.append(f"{message.text} at {message.location}")


def _open(browser: Browser, path: Path, viewport: dict[str, int]) -> Iterator[MapPage]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    opened = MapPage(page)
    page.route("**/*", lambda route: _serve(route, opened))
    page.on("console", lambda message: _record_console(message, opened))
    page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    page.on("dialog", lambda d: (opened.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(f"() => window.L && {JS_MAP} && {JS_MAP}._loaded")
    yield opened
    context.close()


@pytest.fixture
def map_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:
    """The town's map.html, loaded from disk with no network, in a 1200 x 800 window."""
    yield from _open(chromium, town_map, {"width": 1200, "height": 800})


@pytest.fixture
def phone_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:
    """The same map on a phone-sized (390 x 844) screen."""
    yield from _open(chromium, town_map, PHONE)


@pytest.fixture
def desktop_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:
    """The same map on a 1400 x 900 screen."""
    yield from _open(chromium, town_map, DESKTOP)


def test_the_page_loads_no_script_or_stylesheet_from_the_network(town_map: Path) -> None:
    text = town_map.read_text()
    assert re.findall(r"<script[^>]+src=", text) == []
    assert re.findall(r"<link[^>]+stylesheet", text) == []
    # Leaflet (147 kB) and the fullscreen plugin are inside; jQuery, Bootstrap and Font
    # Awesome, which nothing on the map uses, are not
    assert "Leaflet 1.9.3" in text
    assert "/* leaflet.fullscreen/Control.FullScreen.js */" in text
    assert "jQuery" not in text
    assert "bootstrap" not in text.lower()
    assert "fontawesome" not in text.lower()


def test_map_initialises_offline_with_its_libraries_and_no_console_errors(
    map_page: MapPage,
) -> None:
    versions = map_page.page.evaluate(
        "() => ({leaflet: L.version, jquery: typeof jQuery, bootstrap: typeof bootstrap,"
        " fullscreen: typeof L.Control.FullScreen})"
    )
    assert versions == {
        "leaflet": "1.9.3",
        "jquery": "undefined",
        "bootstrap": "undefined",
        "fullscreen": "function",
    }
    page = map_page.page
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.locator("#urbanfit-title").inner_text().startswith("urbanfit: town")
    map_page.assert_clean()
    # only tiles were asked of the network, and they failed
    assert map_page.blocked != []
    assert all(is_tile(url) for url in map_page.blocked)


def test_with_no_network_every_layer_draws_on_a_plain_background_and_a_notice_shows(
    map_page: MapPage,
) -> None:
    page = map_page.page
    notice = page.locator("#urbanfit-tile-notice")
    notice.wait_for(state="visible")
    assert notice.inner_text() == NOTICE
    assert page.locator(".urbanfit-notice").count() == 1  # once, not once per failed tile
    # openstreetmap-carto's land colour #f2efe9 = rgb(242, 239, 233)
    background = page.evaluate(f"() => getComputedStyle({JS_MAP}.getContainer()).backgroundColor")
    assert background == "rgb(242, 239, 233)"
    # the three layers that are on draw all their features: 3 street ways, 6 curb runs, 2 lots
    drawn = {name: state["drawn"] for name, state in map_page.overlays().items()}
    assert drawn == {
        "Streets by class": 3,
        CURB: 6,
        "Parking lots": 2,
        CONGESTION: 0,
        HEXES: 0,
        SAFETY: 0,
    }
    assert map_page.feature_at("name", "Back Lane")["alpha"] > 0
    assert map_page.feature_at("name", "Market Lot")["alpha"] > 0
    map_page.assert_clean()


def test_each_layer_holds_the_towns_features(map_page: MapPage) -> None:
    # Streets: 5 edges drawn as 3 features, one per OSM way (Main Street, Cross Street, Back
    # Lane), since the pieces of a way show the same values. Curb: 6 sides with parking (both
    # sides of both Main Street edges, the right side of both Cross Street edges), each its
    # own run, as node 2 is a junction. Lots: the Market Lot polygon and the underground lot,
    # a node drawn as a circle.
    assert map_page.overlays() == {
        "Streets by class": {"ticked": True, "onMap": True, "features": 3, "drawn": 3},
        CURB: {"ticked": True, "onMap": True, "features": 6, "drawn": 6},
        "Parking lots": {"ticked": True, "onMap": True, "features": 2, "drawn": 2},
        # Off until ticked. Congestion: the 4 directed links of two-way Main Street (1-2-3),
        # the core the assignment keeps once the one-way spurs are pruned, drawn as one line
        # per direction. Hexes: the town's one H3 cell. No fit layer: every town street is
        # passed by full-size vehicles (two-abreast on two-way Main Street, single file on the
        # one-way streets), so no street qualifies. Safety: the 3 ways again (one speed each).
        CONGESTION: {"ticked": False, "onMap": False, "features": 2, "drawn": 0},
        HEXES: {"ticked": False, "onMap": False, "features": 1, "drawn": 0},
        SAFETY: {"ticked": False, "onMap": False, "features": 3, "drawn": 0},
    }
    assert map_page.drawn() == {"canvasPaths": 3 + 6 + 2, "markers": 0}
    map_page.assert_clean()


def test_unticking_a_layer_hides_it_and_ticking_shows_it_again(map_page: MapPage) -> None:
    page = map_page.page
    streets = page.locator(".leaflet-control-layers-overlays label", has_text="Streets by class")
    lots = page.locator(".leaflet-control-layers-overlays label", has_text="Parking lots")
    assert map_page.feature_at("name", "Back Lane")["alpha"] > 0

    streets.locator("input").uncheck()
    assert map_page.overlays()["Streets by class"] == {
        "ticked": False, "onMap": False, "features": 3, "drawn": 0,
    }  # fmt: skip
    assert map_page.drawn() == {"canvasPaths": 6 + 2, "markers": 0}  # curb sides and lots
    assert map_page.feature_at("name", "Back Lane")["alpha"] == 0  # gone from the canvas

    lots.locator("input").uncheck()
    assert map_page.drawn() == {"canvasPaths": 6, "markers": 0}

    streets.locator("input").check()
    assert map_page.drawn() == {"canvasPaths": 3 + 6, "markers": 0}
    assert map_page.feature_at("name", "Back Lane")["alpha"] > 0
    map_page.assert_clean()


def test_clicking_the_market_lot_opens_a_popup_with_its_capacity(map_page: MapPage) -> None:
    lot = map_page.feature_at("name", "Market Lot")
    assert lot["element"] == "CANVAS", "something covers the Market Lot"
    map_page.page.mouse.click(lot["x"], lot["y"])
    popup = map_page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    # The lot is 66.77 m x 44.21 m. Full-size modules (2 x 18 ft + 24 ft aisle = 18.288 m)
    # across 44.21 m: 2 -> 4 rows x floor(66.77 / 2.7432) = 24 stalls = 96. Kei modules on the
    # same 24 ft aisle (2 x 3.6 m + 7.3152 m = 14.5152 m) across 44.21 m: 3 -> 6 rows x
    # floor(66.77 / 2.0) = 33 = 198. The capacity tag (60) is the full-size figure; kei scales
    # it by the packed ratio 198 / 96 = 2.06, capped at the ratio of the two stalls with half
    # the aisle each, 2.7432 x (5.4864 + 3.6576) / (2.0 x (3.6 + 3.6576)) = 1.72807:
    # floor(60 x 1.72807 = 103.7) = 103. At 100 % kei: 103; the baseline is the tag, 60.
    assert popup.evaluate(JS_ROWS) == {
        "Lot": "Market Lot",
        "Kind": "surface",
        "Capacity tag in OSM": "60",
        "Stalls, Full-size (US stall standard)": "60",
        "Stalls, Kei (Japanese kei stall standard)": "103",
        "Figure from": "capacity tag in OSM",
        "Counted from the outline, Full-size (US stall standard)": "96",
        "Counted from the outline, Kei (Japanese kei stall standard)": "198",
        "Kei share shown": "100 % kei",
        "Spaces, full-size fleet → kei share shown": "60 → 103",
    }
    map_page.assert_clean()


def test_the_hostile_street_name_shows_as_text_and_runs_nothing(map_page: MapPage) -> None:
    # the map holds the escaped name; find Cross Street by it
    street = map_page.feature_at("name", "&lt;img src=x onerror=alert(1)&gt;")
    assert street["element"] == "CANVAS", "something covers Cross Street"
    map_page.page.mouse.move(street["x"] - 30, street["y"] - 30)
    # Leaflet's canvas renderer ignores mouse moves within 32 ms of the last one it handled
    map_page.page.wait_for_timeout(100)
    map_page.page.mouse.move(street["x"], street["y"])
    tooltip = map_page.page.locator(".leaflet-tooltip.urbanfit-details")
    tooltip.wait_for(state="visible")
    rows = tooltip.evaluate(JS_ROWS)
    assert rows["Street"] == HOSTILE_NAME
    assert rows["Class"] == "tertiary"
    assert tooltip.locator("img").count() == 0
    assert map_page.page.locator("img[src='x']").count() == 0
    map_page.assert_clean()  # includes: no alert() dialog fired


# Page boxes of the map's controls and panels, as [left, top, right, bottom]; absent ones left out.
JS_BOXES = """() => {
  const boxes = {};
  for (const [name, selector] of Object.entries({
    title: '#urbanfit-title',
    tools: '#urbanfit-tools',
    layers: '.leaflet-control-layers',
    zoom: '.leaflet-control-zoom',
    fullscreen: '.leaflet-control-zoom-fullscreen',
    legend: '#urbanfit-legend',
    notice: '#urbanfit-tile-notice',
    scale: '.leaflet-control-scale',
  })) {
    const element = document.querySelector(selector);
    if (!element || element.hidden) continue;
    const r = element.getBoundingClientRect();
    boxes[name] = [r.left, r.top, r.right, r.bottom];
  }
  return boxes;
}"""

# Titles of the legend blocks the page shows.
JS_LEGEND = """() => document.querySelector('#urbanfit-legend').hidden ? null : [
  ...document.querySelectorAll('#urbanfit-legend .urbanfit-legend-block')
].filter(block => !block.hidden).map(block => block.querySelector('b').textContent)"""


def _overlapping(boxes: dict[str, list[float]]) -> list[tuple[str, str]]:
    """Pairs of boxes that share any area (touching edges do not count)."""
    names = sorted(boxes)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes[a], boxes[b]
            if min(r1, r2) > max(l1, l2) and min(b1, b2) > max(t1, t2):
                pairs.append((a, b))
    return pairs


def _area(box: list[float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _screenshot(opened: MapPage, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("URBANFIT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / name
    opened.page.screenshot(path=shot)
    assert shot.read_bytes().startswith(PNG_SIGNATURE)
    return shot


def test_the_legend_lists_only_the_layers_that_are_on(map_page: MapPage) -> None:
    page = map_page.page
    legend = page.locator("#urbanfit-legend")
    assert page.evaluate(JS_LEGEND) == [
        "Streets (width by class)",
        "Curb spaces gained at 100 % kei",  # the block of the share shown; no curb estimated
        "Off-street parking",
    ]
    # the town has tertiary Cross Street and residential/unclassified Main Street, Back Lane
    assert legend.locator(".urbanfit-legend-block").first.inner_text().split("\n") == [
        "Streets (width by class)",
        "tertiary",
        "local (residential, unclassified, other)",
    ]
    overlay = page.locator(".leaflet-control-layers-overlays label")
    overlay.filter(has_text=CONGESTION).locator("input").check()
    page.wait_for_timeout(50)  # one thematic layer at a time: the curb leaves after the click
    assert page.evaluate(JS_LEGEND) == [
        "Streets (width by class)",
        "Off-street parking",
        "V/C change at 100 % kei",
    ]
    assert overlay.filter(has_text=CURB).locator("input").is_checked() is False
    for name in ("Streets by class", "Parking lots"):
        overlay.filter(has_text=name).locator("input").uncheck()
    assert page.evaluate(JS_LEGEND) == ["V/C change at 100 % kei"]
    page.locator("#urbanfit-layer-none").click()  # the thematic layers' "none"
    assert page.evaluate(JS_LEGEND) is None  # no layer on: no legend panel at all
    assert legend.is_hidden()
    map_page.assert_clean()


def test_the_title_and_legend_panels_fold_and_unfold(map_page: MapPage) -> None:
    page = map_page.page
    for panel, first_line in (
        ("#urbanfit-title", "urbanfit: town"),
        ("#urbanfit-legend", "Legend"),
    ):
        details = page.locator(panel)
        assert details.evaluate("d => d.open") is True
        unfolded = details.bounding_box()
        details.locator("> summary").click()
        assert details.evaluate("d => d.open") is False
        assert details.inner_text() == first_line
        folded = details.bounding_box()
        assert unfolded is not None
        assert folded is not None
        assert folded["height"] < unfolded["height"] / 2
        details.locator("> summary").click()
        assert details.evaluate("d => d.open") is True
    map_page.assert_clean()


def test_on_a_phone_the_panels_leave_the_map_usable(phone_page: MapPage, tmp_path: Path) -> None:
    page = phone_page.page
    page.locator("#urbanfit-tile-notice").wait_for(state="visible")
    boxes = page.evaluate(JS_BOXES)
    assert set(boxes) == {
        "title", "tools", "layers", "zoom", "fullscreen", "legend", "notice", "scale",
    }  # fmt: skip
    # the fullscreen button sits inside the zoom bar; every other pair must not touch
    overlaps = [pair for pair in _overlapping(boxes) if pair != ("fullscreen", "zoom")]
    assert overlaps == []
    viewport = PHONE["width"] * PHONE["height"]  # 329,160 px²
    assert _area(boxes["legend"]) < 0.35 * viewport
    # folded title and layer list: a heading and an icon, the map below them free
    assert page.locator("#urbanfit-title").evaluate("d => d.open") is False
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    controls = sum(_area(box) for name, box in boxes.items() if name != "fullscreen")
    assert controls < 0.25 * viewport
    shot = _screenshot(phone_page, tmp_path, "map-390x844.png")
    assert shot.stat().st_size > 10_000
    # the layer list opens from its icon (on pointing at it, as Leaflet does), clear of the zoom
    left, top, right, bottom = boxes["layers"]
    page.mouse.move((left + right) / 2, (top + bottom) / 2)
    page.locator(".leaflet-control-layers-expanded").wait_for(state="visible")
    boxes = page.evaluate(JS_BOXES)
    assert ("layers", "zoom") not in _overlapping(boxes)
    phone_page.assert_clean()


def test_on_a_desktop_nothing_overlaps_and_the_legend_needs_no_scrolling(
    desktop_page: MapPage, tmp_path: Path
) -> None:
    page = desktop_page.page
    page.locator("#urbanfit-tile-notice").wait_for(state="visible")
    boxes = page.evaluate(JS_BOXES)
    assert set(boxes) == {
        "title", "tools", "layers", "zoom", "fullscreen", "legend", "notice", "scale",
    }  # fmt: skip
    assert [pair for pair in _overlapping(boxes) if pair != ("fullscreen", "zoom")] == []
    assert page.locator("#urbanfit-title").evaluate("d => d.open") is True
    assert page.locator(".leaflet-control-layers-expanded").count() == 1
    legend = page.locator("#urbanfit-legend")
    assert legend.evaluate("e => e.scrollHeight <= e.clientHeight") is True
    shot = _screenshot(desktop_page, tmp_path, "map-1400x900.png")
    assert shot.stat().st_size > 10_000
    desktop_page.assert_clean()
