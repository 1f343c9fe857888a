"""Value formulas: curb spaces, lot land and delay priced with their ranges."""

from __future__ import annotations

import dataclasses

import pytest

from urbanfit.models.council import scenario_figures, value_model
from urbanfit.models.value import Span, curb_value, delay_value, land_value, span_product
from urbanfit.parameters.council import ValueParams

PARAMS = ValueParams()


def test_curb_spaces_priced_as_surface_and_structured_spaces() -> None:
    values = curb_value(Span(100.0, 80.0, 120.0), PARAMS)
    # surface: 100 x 4,000 = 400,000; ends 80 x 3,000 = 240,000 and 120 x 10,000 = 1,200,000
    assert values["curb_surface_usd"] == pytest.approx((400_000, 240_000, 1_200_000))
    # structured: 100 x 52,000; 80 x 29,000 = 2,320,000; 120 x 99,000 = 11,880,000
    assert values["curb_structured_usd"] == pytest.approx((5_200_000, 2_320_000, 11_880_000))


def test_lot_land_as_acres_homes_and_dollars_only_with_a_price() -> None:
    values = land_value(Span(1.0, 1.0, 1.0), PARAMS)
    # 1 ha = 2.4710538 acres; homes at 30 (15-60) an acre: 74.13 (37.07-148.26)
    assert values["land_freed_acres"] == pytest.approx((2.4710538,) * 3)
    assert values["homes"] == pytest.approx((74.1316, 37.0658, 148.2632), rel=1e-5)
    assert values["land_usd"] == (None, None, None)
    priced = land_value(Span(1.0, 1.0, 1.0), dataclasses.replace(PARAMS, land_usd_per_acre=1e6))
    assert priced["land_usd"].central == pytest.approx(2_471_053.8)


def test_delay_saved_annualised_and_priced() -> None:
    values = delay_value(Span(10.0, 10.0, 20.0), PARAMS)
    # 10 veh-h x 500 h x 1.67 persons = 8,350 person-h; ends 10 x 250 x 1.67 = 4,175 and
    # 20 x 750 x 1.67 = 25,050
    assert values["delay_person_h_per_year"] == pytest.approx((8350, 4175, 25050))
    # x $17.00 = 141,950; ends 4,175 x 11.90 = 49,682.5 and 25,050 x 20.40 = 511,020
    assert values["delay_usd_per_year"] == pytest.approx((141_950, 49_682.5, 511_020))


def test_span_product_takes_the_extremes_over_every_corner() -> None:
    # (-1 in -2..1) x (2 in 1..3): corners -2, -6, 1, 3
    assert span_product(Span(-1.0, -2.0, 1.0), Span(2.0, 1.0, 3.0)) == (-2.0, -6.0, 3.0)
    assert span_product(Span(None, None, None), Span(2.0, 1.0, 3.0)) == (None, None, None)


def test_helsinki_value_rests_on_the_parking_and_congestion_figures(helsinki) -> None:
    figures = scenario_figures(
        helsinki.parking,
        helsinki.congestion,
        helsinki.catalog,
        helsinki.scenarios,
        params=helsinki.params,
        streets=helsinki.streets,
        points=helsinki.city.points,
    )
    parking = helsinki.parking.summary["scenarios"]
    gained = parking["kei100"]["curb_spaces"] - parking["kei000"]["curb_spaces"]
    assert figures.loc["kei100", "curb_spaces_gained"] == gained
    assert figures.loc["kei100", "curb_spaces_gained_low"] <= gained
    assert figures.loc["kei100", "curb_spaces_gained_high"] >= gained
    estimated = parking["kei100"]["curb_spaces_gained_estimated"]
    assert figures.loc["kei100", "curb_gain_estimated_share"] == pytest.approx(estimated / gained)
    delay = helsinki.congestion.summary["scenarios"]
    saved = delay["kei000"]["delay_veh_h"] - delay["kei100"]["delay_veh_h"]
    assert figures.loc["kei100", "delay_saved_veh_h"] == pytest.approx(saved)
    value = value_model(figures, params=PARAMS).summary["scenarios"]["kei100"]
    assert value["curb_structured_usd"] == pytest.approx(gained * 52_000, abs=0.01)
    assert value["delay_usd_per_year"] == pytest.approx(saved * 500 * 1.67 * 17.0, abs=0.01)
    assert helsinki.summary["value"]["scenarios"]["kei100"] == value
