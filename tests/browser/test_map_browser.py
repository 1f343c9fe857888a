"""map.html in a real headless Chromium: it loads, its layers hold the town, OSM text never runs.

Needs Debian's chromium, the npm packages in ``web/`` and the ``playwright`` package; all three
are installed by ``.ci/install-browser``. Without them these tests skip, unless
``URBANFIT_REQUIRE_BROWSER=1`` makes a missing piece a failure (as CI does).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cdn_assets import NODE_MODULES, STUBS, is_tile, local_file
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
CURB = "Curb parking: spaces gained at 100 % kei"
CONGESTION = "Congestion: V/C change at 100 % kei"
HEXES = "Urban Fit index at 100 % kei (hexagons)"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

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


def _unavailable(reason: str) -> None:
    if os.environ.get("URBANFIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (and URBANFIT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def web_assets() -> Path:
    """The npm packages that stand in for folium's CDNs."""
    if not NODE_MODULES.is_dir():
        _unavailable(f"{NODE_MODULES} is missing: run .ci/install-browser")
    return NODE_MODULES


@pytest.fixture(scope="module")
def chromium(web_assets: Path) -> Iterator[Browser]:
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
    """map.html of the test town, written by the CLI (mapped curbs only: the counts below
    were checked in a browser before the curb estimate was on by default)."""
    out = tmp_path_factory.mktemp("browser")
    args = ["analyze", "--osm-file", str(TOWN), "--name", "town", "--no-infer-curb"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
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
    elif (path := local_file(url)) is not None:
        route.fulfill(path=path)
    elif url in STUBS:
        route.fulfill(body=f"/* stub: {STUBS[url]} */", content_type="text/css")
    else:
        # Offline by design: tiles (and anything unexpected, which assert_clean reports).
        opened.blocked.append(url)
        route.abort("blockedbyclient")


def _record_console(message: ConsoleMessage, opened: MapPage) -> None:
    if message.type != "error":
        return
    if "ERR_BLOCKED_BY_CLIENT" in message.text and is_tile(message.location.get("url", "")):
        return  # a tile we blocked on purpose; any other failure counts
    opened.console_errors.append(f"{message.text} at {message.location}")


@pytest.fixture
def map_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:
    """The town's map.html, loaded from disk with its CDN assets served locally."""
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    opened = MapPage(page)
    page.route("**/*", lambda route: _serve(route, opened))
    page.on("console", lambda message: _record_console(message, opened))
    page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    page.on("dialog", lambda d: (opened.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.goto(town_map.as_uri(), wait_until="load")
    page.wait_for_function(f"() => window.L && {JS_MAP} && {JS_MAP}._loaded")
    yield opened
    context.close()


def test_every_cdn_asset_the_map_references_is_served_locally(
    web_assets: Path, town_map: Path
) -> None:
    urls = set(re.findall(r'(?:src|href)="(https://[^"]+)"', town_map.read_text()))
    assert len(urls) >= 10  # leaflet, jquery, bootstrap, font awesome, markers, fullscreen
    missing = sorted(u for u in urls if local_file(u) is None and u not in STUBS)
    assert missing == [], "new CDN versions: update tests/browser/web/package.json"


def test_map_initialises_with_its_libraries_and_no_console_errors(map_page: MapPage) -> None:
    versions = map_page.page.evaluate(
        "() => ({leaflet: L.version, jquery: jQuery.fn.jquery,"
        " bootstrap: bootstrap.Tooltip.VERSION, fullscreen: typeof L.Control.FullScreen})"
    )
    assert versions == {
        "leaflet": "1.9.3",
        "jquery": "3.7.1",
        "bootstrap": "5.2.2",
        "fullscreen": "function",
    }
    page = map_page.page
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.locator("#urbanfit-title").inner_text().startswith("urbanfit: town")
    map_page.assert_clean()
    assert any(is_tile(url) for url in map_page.blocked)  # the tile filter was exercised


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
        # one-way streets), so no street qualifies.
        CONGESTION: {"ticked": False, "onMap": False, "features": 2, "drawn": 0},
        HEXES: {"ticked": False, "onMap": False, "features": 1, "drawn": 0},
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
    # across 44.21 m: 2 -> 4 rows x floor(66.77 / 2.7432) = 24 stalls = 96. Kei modules
    # (2 x 3.6 m + 5.5 m = 12.7 m) across 66.77 m: 5 -> 10 rows x floor(44.21 / 2.0) = 22 = 220.
    # The capacity tag (60) is the full-size figure; kei scales it: floor(60 x 220 / 96) = 137.
    assert popup.evaluate(JS_ROWS) == {
        "Lot": "Market Lot",
        "Kind": "surface",
        "Capacity tag": "60",
        "Stalls, full-size": "60",
        "Stalls, kei": "137",
        "Figure from": "tag_capacity",
        "Model stalls, full-size": "96",
        "Model stalls, kei": "220",
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
    tooltip = map_page.page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible")
    rows = tooltip.evaluate(JS_ROWS)
    assert rows["Street"] == HOSTILE_NAME
    assert rows["Class"] == "tertiary"
    assert tooltip.locator("img").count() == 0
    assert map_page.page.locator("img[src='x']").count() == 0
    map_page.assert_clean()  # includes: no alert() dialog fired


def test_a_screenshot_of_the_map_is_saved(map_page: MapPage, tmp_path: Path) -> None:
    shot = tmp_path / "town-map.png"
    map_page.page.screenshot(path=shot)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000  # a 1200 x 800 page with map, controls and layers
    map_page.assert_clean()
