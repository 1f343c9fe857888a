"""The map's year switch of an adoption timeline, in headless Chromium, offline.

Uses the Chromium fixture and page helpers of test_map_browser.py (same skips and rules: no
network, no script errors).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_map_browser import TOWN, MapPage, _open, chromium  # noqa: F401  (chromium: a fixture)
from typer.testing import CliRunner

from urbanfit.cli import app

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def town_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test town on the fast path, run at 0, 10, 25, 50 and 100 % kei."""
    out = tmp_path_factory.mktemp("years")
    args = ["analyze", "--osm-file", str(TOWN), "--name", "town", "--no-congestion"]
    extra = ["--kei-shares", "0,10,25,50,100", "--adoption", "fast", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return out / "town"


@pytest.fixture
def years_page(chromium: Browser, town_years: Path) -> Iterator[MapPage]:  # noqa: F811
    """The town's map.html with its year switch, in a 1200 x 800 window."""
    yield from _open(chromium, town_years / "map.html", {"width": 1200, "height": 800})


def test_choosing_a_year_shows_its_figures_and_the_nearest_run_share(
    years_page: MapPage, town_years: Path
) -> None:
    summary = json.loads((town_years / "summary.json").read_text(encoding="utf-8"))
    timeline = {int(row["year"]): row for row in summary["adoption"]["timeline"]}
    page = years_page.page
    switch = page.locator("#urbanfit-years select")
    # in the one control of layers and shares, under the share, before the swipe, and still
    # there once the control redraws its list (as Leaflet does when a layer is added)
    page.evaluate("() => urbanfitLayerControl()._update()")
    control = page.locator(".leaflet-control-layers-list")
    ids = control.evaluate("c => [...c.querySelectorAll('[id]')].map(e => e.id)")
    assert ids.index("urbanfit-scenarios") < ids.index("urbanfit-years")
    assert ids.index("urbanfit-years") < ids.index("urbanfit-swipe-row")
    # one choice per timeline year (2026-2060) besides "no year"
    assert switch.locator("option").count() == 1 + len(timeline) == 36
    lines = page.locator("#urbanfit-year-lines")
    assert lines.is_hidden()

    row = timeline[2040]
    share = 100 * row["fleet_kei_share"]
    switch.select_option(label=f"2040 ({share:.1f} % of the fleet kei)")
    text = lines.inner_text()
    assert lines.is_visible()
    assert text.startswith(f"By 2040, on the fast path ({share:.1f} % of the fleet kei")
    assert "interpolated between the run's kei shares" in text
    # the fast path sells at most 35 % kei, so the fleet share lies between 10 and 35 %: the
    # nearest run share is 10 % (under 17.5 %) or 25 %
    nearest = "10 % kei" if share < 17.5 else "25 % kei"
    assert f"the nearest run share, {nearest}" in text
    chosen = page.evaluate("() => urbanfitChosen()")
    assert chosen == (1 if share < 17.5 else 2)
    assert page.locator(f"#urbanfit-scenarios input[value='{chosen}']").is_checked()

    # 2026: nothing sold yet, 0 % of the fleet: the map shows the full-size baseline
    switch.select_option(label="2026 (0.0 % of the fleet kei)")
    assert page.evaluate("() => urbanfitChosen()") == 0
    assert lines.inner_text().startswith("By 2026, on the fast path (0.0 % of the fleet kei")

    # a share chosen by hand ends the year: its lines go, the switch says "no year"
    page.locator("#urbanfit-scenarios label", has_text="50 %").click()
    assert lines.is_hidden()
    assert switch.input_value() == ""
    years_page.assert_clean()
