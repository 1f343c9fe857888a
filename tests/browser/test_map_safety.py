"""The map's Safety layer in headless Chromium, offline: the kei share switch recolours a street.

Uses the Chromium fixture and page helpers of test_map_browser.py (same skips and rules: no
network, no script errors).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_map_browser import (  # noqa: F401  (chromium: a fixture)
    JS_MAP,
    JS_ROWS,
    TOWN,
    MapPage,
    _open,
    chromium,
)
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.render.palette import NO_CHANGE, SAFETY_COLOURS

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The Safety layer's feature of one street: its drawn colour, and its centre on the page.
JS_SAFETY_STREET = f"""async name => {{
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const map = {JS_MAP};
  const entry = urbanfitScenarioLayers.find(e => e.spec.shown.ped_fewer);
  let found = null;
  entry.geo.eachLayer(l => {{ if (l.feature.properties.name === name) found = l; }});
  const latlngs = found.getLatLngs();
  const centre = L.LineUtil.polylineCenter(latlngs, map.options.crs);
  const box = map.getContainer().getBoundingClientRect();
  const point = map.latLngToContainerPoint(centre);
  return {{colour: found.options.color, x: box.left + point.x, y: box.top + point.y}};
}}"""


@pytest.fixture(scope="module")
def town_safety(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test town's map.html at 0, 25, 50 and 100 % kei (no congestion)."""
    out = tmp_path_factory.mktemp("safety")
    args = ["analyze", "--osm-file", str(TOWN), "--name", "town", "--no-congestion"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "town" / "map.html"


@pytest.fixture
def safety_page(chromium: Browser, town_safety: Path) -> Iterator[MapPage]:  # noqa: F811
    """The town's map in a 1200 x 800 window."""
    yield from _open(chromium, town_safety, {"width": 1200, "height": 800})


def _hover(opened: MapPage, name: str) -> tuple[str, dict[str, Any]]:
    """The street's colour in the Safety layer and the rows of its tooltip."""
    street = opened.page.evaluate(JS_SAFETY_STREET, name)
    tooltip = opened.page.locator(".leaflet-tooltip.urbanfit-details")
    # off the street first, so that the last share's tooltip closes
    opened.page.mouse.move(street["x"] + 60, street["y"] + 60, steps=4)
    tooltip.wait_for(state="hidden")
    # Leaflet's canvas renderer ignores mouse moves within 32 ms of the last one it handled
    opened.page.wait_for_timeout(100)
    opened.page.mouse.move(street["x"], street["y"], steps=4)
    # and once more after that window, in case a busy machine delivered the last step inside it
    opened.page.wait_for_timeout(100)
    opened.page.mouse.move(street["x"] + 0.5, street["y"])
    tooltip.wait_for(state="visible")
    return street["colour"], tooltip.evaluate(JS_ROWS)


def test_choosing_safety_and_switching_the_share_recolours_a_street(
    safety_page: MapPage,
) -> None:
    page = safety_page.page
    page.locator("#urbanfit-title > summary").click()  # folded: it covers Back Lane when open
    page.locator(".leaflet-control-layers-overlays label", has_text="Safety").click()
    colours, rows = {}, {}
    for share in ("0 %", "25 %", "100 %"):
        page.locator("#urbanfit-scenarios label", has_text=f"kei share {share}").click()
        colours[share], rows[share] = _hover(safety_page, "Back Lane")
        assert rows[share]["Kei share shown"] == f"{share} kei"
        assert rows[share]["Street"] == "Back Lane"
    # today: nothing to compare, the "no change" grey; a kei share: a teal, darker at 100 %
    assert colours["0 %"] == NO_CHANGE
    assert colours["25 %"] in SAFETY_COLOURS and colours["100 %"] in SAFETY_COLOURS
    assert SAFETY_COLOURS.index(colours["100 %"]) > SAFETY_COLOURS.index(colours["25 %"])
    # the 25 % fleet is 3/4 today's and 1/4 the kei mix, so its risk per crash lies a quarter
    # of the way: a quarter as many fewer deaths per 100 struck (to the shown decimal)
    fewer = {s: float(rows[s]["Fewer killed per 100 struck"]) for s in ("25 %", "100 %")}
    assert fewer["100 %"] > 0
    assert fewer["25 %"] == pytest.approx(fewer["100 %"] / 4, abs=0.06)
    today, shown = (float(v) for v in rows["100 %"][_RISK].split(" → "))
    assert today - shown == pytest.approx(fewer["100 %"], abs=0.11)
    # the kei driver's figure per two-vehicle crash: none today, higher among today's heavier
    # fleet at 25 % than among kei cars at 100 %
    kei = {s: rows[s][_KEI] for s in rows}
    assert kei["0 %"] == "unknown"
    assert float(kei["25 %"]) > float(kei["100 %"])
    legend = page.locator("#urbanfit-legend .urbanfit-legend-block:visible").all_inner_texts()
    assert any("not crash counts" in block for block in legend)
    assert any(block.startswith("Pedestrian deaths per 100 struck, fewer at") for block in legend)
    safety_page.assert_clean()


_RISK = "Pedestrians killed per 100 struck, today → shown"
_KEI = (
    "A kei driver's death risk per two-vehicle crash, % above today's average driver "
    "(below 0: lower; the fleet mix's, the same on every street)"
)
