"""Figure kinds on real data: a `model` figure is the same in every city, a `city` one is not.

Two different cities run end to end: the bundled Helsinki extract and the Seattle extract of
the shared real data (or, without it, the hand-drawn test town). Every figure marked `model`
must come out equal in both (it is a per-car constant: saying "the same in every city" about
it must be true), and at least one figure marked `city` must differ (else the city adds
nothing the headlines could lead with).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED_DATA

from urbanfit.figures import KINDS
from urbanfit.pipeline import analyze

SEATTLE = SHARED_DATA / "osm" / "seattle-roosevelt.osm"
TOWN = Path(__file__).parent / "data" / "town.osm"


@pytest.fixture(scope="module")
def two_cities() -> tuple[dict[str, Any], dict[str, Any]]:
    other = SEATTLE if SEATTLE.exists() else TOWN
    return (
        analyze("helsinki", kei_shares=(0.0, 1.0)).summary,
        analyze("", osm_file=other, kei_shares=(0.0, 1.0)).summary,
    )


def test_model_figures_are_equal_in_two_cities_and_a_city_figure_differs(
    two_cities: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    first, second = (summary["figures"] for summary in two_cities)
    assert {f["kind"] for f in first.values()} <= set(KINDS)
    # a model figure of a model that did not run in the other city (the drawn town, used
    # without the shared data, has too small a network for congestion) is not compared
    model = sorted(k for k, f in first.items() if f["kind"] == "model" and k in second)
    # the per-car constants are there: curb pitch and its gain, the lot module ratio
    assert {"curb_pitch_kei_m", "curb_gain_on_same_curb_pct", "lot_kei_ratio"} <= set(model)
    for key in model:
        assert second[key]["kind"] == "model", key
        for end in ("value", "low", "high"):
            assert second[key][end] == pytest.approx(first[key][end], rel=1e-9), (key, end)
    city = [k for k, f in first.items() if f["kind"] == "city" and k in second]
    differ = [k for k in city if second[k]["value"] != first[k]["value"]]
    assert "street_km" in differ  # Helsinki's 20.5 km is not the other city's
    assert len(differ) >= 2


def test_kei_pitch_is_4_40_m_and_the_headline_says_it_once(
    two_cities: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    # a kei car: 3.40 m long + the 1.0 m parallel gap = 4.40 m of curb, in every city
    summary = two_cities[0]
    first = summary["figures"]
    assert first["curb_pitch_kei_m"]["value"] == pytest.approx(4.40)
    # the one-aisle lot ratio 25.0838 / 14.5152 = 1.7281, high end the MLIT kei module
    # 25.0838 / 12.7 = 1.9751
    ratio = first["lot_kei_ratio"]
    assert (ratio["value"], ratio["high"]) == pytest.approx((1.72811, 1.97510), rel=1e-4)
    lines = summary["headlines"]
    assert lines[0].startswith("Per car, the same in every city: a kei car needs 4.40 m of curb")
    assert sum("Per car" in line or "4.4 m" in line for line in lines) == 1
    # and then what Helsinki adds, the mapped floor first
    assert lines[1].startswith("Parking at 100 % kei: at least ")
