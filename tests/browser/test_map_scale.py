"""The metro-scale map rules in a real headless Chromium: a large layer that is off when the
map opens is decoded and built only when first ticked, and then draws every feature.

Uses the Chromium fixture and page helpers of test_map_browser.py (same skips and
``URBANFIT_REQUIRE_BROWSER`` rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_map_browser import HEXES, TOWN, _open, chromium  # noqa: F401  (chromium: a fixture)
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.render import map_base


def test_a_large_layer_off_at_load_is_built_when_first_ticked(
    chromium,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every layer that is off at load counts as large: the index hexagons (the town's one
    # H3 cell) are then built on the first tick, not while the page loads
    monkeypatch.setattr(map_base, "LAZY_FEATURES", 0)
    args = ["analyze", "--osm-file", str(TOWN), "--name", "town", "--no-infer-curb"]
    result = CliRunner().invoke(app, [*args, "--no-congestion", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pages = _open(chromium, tmp_path / "town" / "map.html", {"width": 1200, "height": 800})
    opened = next(pages)
    assert opened.overlays()[HEXES] == {"ticked": False, "onMap": False, "features": 0, "drawn": 0}
    # the layers on at load are built as before: 3 street ways, 6 curb sides, 2 lots
    assert opened.drawn() == {"canvasPaths": 3 + 6 + 2, "markers": 0}
    label = opened.page.locator(".leaflet-control-layers-overlays label", has_text=HEXES)
    label.locator("input").check()
    opened.page.wait_for_timeout(50)  # one thematic layer at a time: the curb leaves
    assert opened.overlays()[HEXES] == {"ticked": True, "onMap": True, "features": 1, "drawn": 1}
    assert opened.drawn() == {"canvasPaths": 3 + 2 + 1, "markers": 0}
    # off ("None" in the thematic layers' radio list) and on again
    opened.page.locator("#urbanfit-layer-none").click()
    assert opened.overlays()[HEXES]["onMap"] is False
    label.locator("input").check()
    assert opened.overlays()[HEXES]["onMap"]  # built once: still one hexagon
    assert opened.overlays()[HEXES]["features"] == 1
    opened.assert_clean()
    next(pages, None)  # close the page
