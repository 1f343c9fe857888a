"""The map's views in headless Chromium, offline: one control for the layer and the kei share,
the before/after swipe of today against the chosen share, and the PNG export of the view.

Same town, page and rules as test_map_browser.py (whose fixtures these tests share): no
network, no script errors. Colours are read back from what the screen (or the image) shows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image
from test_map_browser import (  # noqa: F401  (fixtures, used by name)
    CONGESTION,
    CURB,
    JS_LEGEND,
    JS_MAP,
    PNG_SIGNATURE,
    MapPage,
    _open,
    chromium,
    town_map,
)

from urbanfit.render.map_assets import MAP_BACKGROUND
from urbanfit.render.palette import CURB_GAIN_COLOURS, CURB_SUPPLY_COLOURS, NO_CHANGE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Every curb stretch drawn: its colour, and its centre in page pixels with the element the
# page shows there (a canvas when nothing covers it).
JS_CURB_CENTRES = f"""() => {{
  const map = {JS_MAP};
  const box = map.getContainer().getBoundingClientRect();
  return urbanfitScenarioLayers[0].geo.getLayers().map(l => {{
    const p = map.latLngToContainerPoint(l.getCenter());
    const x = box.left + p.x, y = box.top + p.y;
    const hit = document.elementFromPoint(x, y);
    return {{x, y, colour: l.options.color.toUpperCase(), onTop: hit ? hit.tagName : null}};
  }});
}}"""


@pytest.fixture
def map_page(chromium: Browser, town_map: Path) -> Iterator[MapPage]:  # noqa: F811
    """The town's map.html, loaded from disk with no network, in a 1200 x 800 window."""
    yield from _open(chromium, town_map, {"width": 1200, "height": 800})


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a[:3], b[:3], strict=True)) ** 0.5)


def _nearest(pixel: tuple[int, ...], palette: list[str]) -> tuple[str, float]:
    """The palette colour nearest a pixel, and how far it is (RGB units)."""
    return min(((c, _distance(pixel, _rgb(c))) for c in palette), key=lambda cd: cd[1])


# The curb's colours at any share: today's supply bins and the gain bins. A drawn line is
# 0.95 opaque over the background: its pixels lie within 0.05 x |colour - background| of
# its colour, at most 0.05 x 441 = 22 RGB units (441 = the longest RGB distance).
PALETTE = [*CURB_SUPPLY_COLOURS, *CURB_GAIN_COLOURS, NO_CHANGE]
NEAR = 22.0


def _choose(opened: MapPage, label: str) -> None:
    opened.page.locator("#urbanfit-scenarios label", has_text=label).click()


def test_the_layer_and_the_share_are_chosen_in_one_control(map_page: MapPage) -> None:
    page = map_page.page
    control = page.locator(".leaflet-control-layers")
    assert control.count() == 1
    # the share switch and the thematic layers' radio list sit in the same control
    assert control.locator("#urbanfit-scenarios input[type=radio]").count() == 4
    assert page.locator("#urbanfit-tools #urbanfit-scenarios").count() == 0
    kinds = page.evaluate(
        """() => [...document.querySelectorAll(
             '.leaflet-control-layers-overlays label, #urbanfit-layer-none')].map(label => {
             const input = label.querySelector('input');
             return [label.textContent.trim(), input.type, input.name, input.checked];
           })"""
    )
    assert kinds == [
        ["Streets by class", "checkbox", "", True],
        ["Parking lots", "checkbox", "", True],
        [CURB, "radio", "urbanfit-layer", True],
        [CONGESTION, "radio", "urbanfit-layer", False],
        ["Urban Fit index at 100 % kei (hexagons)", "radio", "urbanfit-layer", False],
        ["Safety: pedestrian risk per crash", "radio", "urbanfit-layer", False],
        ["None (streets only)", "radio", "urbanfit-layer", False],
    ]
    # one radio list: congestion replaces the curb, "none" leaves the streets and lots alone
    control.locator("label", has_text=CONGESTION).click()
    assert page.evaluate(JS_LEGEND) == [
        "Streets (width by class)",
        "Off-street parking",
        "V/C change at 100 % kei",
    ]
    page.locator("#urbanfit-layer-none").click()
    assert page.evaluate(JS_LEGEND) == ["Streets (width by class)", "Off-street parking"]
    assert "layer=none" in page.url
    # and the share chosen in the same control is the one in the address
    _choose(map_page, "kei share 25 %")
    assert "share=25" in page.url
    map_page.assert_clean()


def _drag_divider(opened: MapPage, to_x: float) -> None:
    handle = opened.page.locator(".urbanfit-swipe-handle").bounding_box()
    assert handle is not None
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    opened.page.mouse.move(x, y)
    opened.page.mouse.down()
    opened.page.mouse.move(to_x, y, steps=5)
    opened.page.mouse.up()


def _screen(opened: MapPage) -> Image.Image:
    opened.page.wait_for_timeout(100)  # two frames: the clip follows the divider per frame
    return Image.open(io.BytesIO(opened.page.screenshot())).convert("RGB")


def test_the_swipe_shows_today_left_of_the_divider_and_the_share_right_of_it(
    map_page: MapPage,
) -> None:
    page = map_page.page
    _choose(map_page, "kei share 0 %")
    today = [c["colour"] for c in page.evaluate(JS_CURB_CENTRES)]
    _choose(map_page, "kei share 100 %")
    shown = [c["colour"] for c in page.evaluate(JS_CURB_CENTRES)]
    # the town's six mapped stretches: today in the supply bins, at 100 % in the gain bins
    assert set(today) <= set(CURB_SUPPLY_COLOURS) and set(shown) <= {*CURB_GAIN_COLOURS, NO_CHANGE}
    page.locator("#urbanfit-swipe").check()
    assert page.locator("#urbanfit-swipe-divider").is_visible()
    assert "swipe=1" in page.url  # a link reopens the comparison
    # both shares' legends show while comparing
    assert {"Curb parking today (0 % kei)", "Curb spaces gained at 100 % kei"} <= set(
        page.evaluate(JS_LEGEND)
    )
    centres = page.evaluate(JS_CURB_CENTRES)
    # Main Street's west stretches (centres ~190 px west of Cross Street) on the left of a
    # divider 60 px west of Cross Street; its east ones and Cross Street's on the right
    xs = sorted(c["x"] for c in centres)
    divider = (xs[0] + xs[-1]) / 2 - 60
    _drag_divider(map_page, divider)
    screen = _screen(map_page)
    left = right = 0
    for centre, before, after in zip(centres, today, shown, strict=True):
        if centre["onTop"] != "CANVAS" or abs(centre["x"] - divider) < 15:
            continue  # under a panel, or on the divider
        pixel = screen.getpixel((round(centre["x"]), round(centre["y"])))
        colour, distance = _nearest(pixel, PALETTE)  # type: ignore[arg-type]
        assert distance <= NEAR, (centre, pixel)
        if centre["x"] < divider:
            assert colour == before, (centre, pixel)
            left += 1
        else:
            assert colour == after, (centre, pixel)
            right += 1
    assert left >= 2 and right >= 2  # both sides of Main Street west; at least two east
    # the divider moved to the far right: every stretch shows today's colour
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    _drag_divider(map_page, box["x"] + box["width"] - 5)
    screen = _screen(map_page)
    for centre, before in zip(centres, today, strict=True):
        if centre["onTop"] == "CANVAS":
            pixel = screen.getpixel((round(centre["x"]), round(centre["y"])))
            assert _nearest(pixel, PALETTE)[0] == before  # type: ignore[arg-type]
    # off again: the layer draws the chosen share alone, and the tooltips still answer
    page.locator("#urbanfit-swipe").uncheck()
    assert page.locator("#urbanfit-swipe-divider").count() == 0
    assert "swipe=1" not in page.url
    assert [c["colour"] for c in page.evaluate(JS_CURB_CENTRES)] == shown
    map_page.assert_clean()


def _png(opened: MapPage) -> tuple[str, bytes]:
    with opened.page.expect_download() as download:
        opened.page.locator("#urbanfit-export-png").click()
    path = download.value.path()
    return download.value.suggested_filename, Path(path).read_bytes()


def test_the_image_export_saves_the_view_with_its_layers_and_legend(map_page: MapPage) -> None:
    drawn = {c["colour"] for c in map_page.page.evaluate(JS_CURB_CENTRES)}
    name, data = _png(map_page)
    assert name == "town-map.png"
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000  # 1200 x 800 of map, lines and text
    image = Image.open(io.BytesIO(data)).convert("RGB")
    box = map_page.page.locator(".folium-map").bounding_box()
    assert box is not None
    assert image.size == (round(box["width"]), round(box["height"]))
    counts: dict[str, int] = {}
    for n, pixel in image.getcolors(maxcolors=image.size[0] * image.size[1]) or []:
        colour, distance = _nearest(pixel, [*PALETTE, MAP_BACKGROUND, "#222222"])
        if distance <= NEAR:
            counts[colour] = counts.get(colour, 0) + n
    # the background fills most of the image; the text is drawn in #222222
    assert counts[MAP_BACKGROUND] > image.size[0] * image.size[1] / 2
    assert counts["#222222"] > 500
    # every colour the curb layer draws shows on the image: its lines (the town's stretches
    # are 50-110 m long, some 150-350 px at this zoom, 4 px wide) and its legend swatches
    for colour in drawn:
        assert counts.get(colour, 0) > 100, colour
    # with the swipe on, the image is of that view: today's colours left of the line, the
    # share's right of it (a colour counts from 50 pixels on: a legend swatch, 16 x 3 px,
    # does not, and the legend then shows both shares' blocks)
    map_page.page.locator("#urbanfit-swipe").check()
    today = set(CURB_SUPPLY_COLOURS)
    image = Image.open(io.BytesIO(_png(map_page)[1])).convert("RGB")
    left = image.crop((0, 0, image.size[0] // 2 - 5, image.size[1]))
    right = image.crop((image.size[0] // 2 + 5, 0, image.size[0], image.size[1]))
    for half, wanted, unwanted in ((left, today, drawn), (right, drawn, today)):
        seen = {
            colour
            for n, pixel in half.getcolors(maxcolors=half.size[0] * half.size[1]) or []
            for colour, distance in [_nearest(pixel, PALETTE)]
            if distance <= NEAR and n > 50
        }
        assert seen & wanted and not seen & unwanted, (sorted(seen), sorted(wanted))
    map_page.assert_clean()


def test_the_image_export_keeps_the_outline_and_street_names_drawn_without_tiles(
    map_page: MapPage,
) -> None:
    page = map_page.page
    page.locator("#urbanfit-tile-notice").wait_for(state="visible")  # offline: no tiles
    map_box = page.locator(".folium-map").bounding_box()
    outline = page.locator(".urbanfit-study-area").bounding_box()
    label = page.locator(".urbanfit-street-label", has_text="Main Street").first.bounding_box()
    assert map_box is not None and outline is not None and label is not None
    image = Image.open(io.BytesIO(_png(map_page)[1])).convert("RGB")

    def dark(x: float, y: float) -> bool:  # grey ink (#222222 anti-aliased), not a colour
        pixel = image.getpixel((round(x - map_box["x"]), round(y - map_box["y"])))
        assert isinstance(pixel, tuple)
        return max(pixel) < 160 and max(pixel) - min(pixel) < 10

    # the outline's top edge, right of the title box (which covers the left half): dashed
    # 8 px on, 6 off, so about 8 / 14 = 57 % of it is dark; it runs clear of the town's
    # streets but one crossing; more than 40 % allows for the dashes' phase at the ends
    top = outline["y"] + 1
    xs = range(round(outline["x"] + outline["width"] / 2), round(outline["x"] + outline["width"]))
    share = sum(dark(x, top) or dark(x, top + 1) for x in xs) / len(xs)
    assert share > 0.4, share
    # the street's name is written where the page shows it: dark text pixels in its box
    text = sum(
        dark(x, y)
        for x in range(round(label["x"]), round(label["x"] + label["width"]))
        for y in range(round(label["y"]), round(label["y"] + label["height"]))
    )
    assert text > 30, text
    map_page.assert_clean()
