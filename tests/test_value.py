"""Value formulas: curb spaces, lot land and delay priced with their ranges."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from urbanfit.models.council import scenario_figures, value_model
from urbanfit.models.land import choose_land_price, county_at
from urbanfit.models.value import (
    Span,
    curb_uses,
    curb_value,
    delay_value,
    land_value,
    span_product,
)
from urbanfit.parameters.council import COUNTY_LAND_PRICES, ValueParams

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


def test_freed_curb_read_as_bike_lane_loading_zones_and_street_trees() -> None:
    uses = curb_uses(Span(1.0, 0.5, 2.0), PARAMS)
    # a freed parking lane (7-9 ft) holds a 5 ft bike lane: 1 km of curb, 1 km of lane
    assert uses["bike_lane_km"] == pytest.approx((1.0, 0.5, 2.0))
    # loading zones of 30 ft = 9.144 m: 1000 / 9.144 = 109.36 a km; 0.5 km -> 54.68; the high
    # end 2 km at 25 ft = 7.62 m -> 2000 / 7.62 = 262.47
    assert uses["loading_zones"] == pytest.approx((109.361, 54.681, 262.467), rel=1e-4)
    # trees every 30 ft: 109.36 a km; low end 0.5 km at 40 ft = 12.192 m -> 41.01; high end
    # 2 km at 25 ft -> 262.47
    assert uses["street_trees"] == pytest.approx((109.361, 41.010, 262.467), rel=1e-4)


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
    # the curb the baseline's cars no longer need, as street trees every 30 ft (9.144 m)
    freed = parking["kei100"]["curb_freed_km"]
    assert figures.loc["kei100", "curb_freed_km"] == pytest.approx(freed)
    assert value["street_trees"] == pytest.approx(freed * 1000 / 9.144, abs=0.01)
    assert helsinki.summary["value"]["scenarios"]["kei100"] == value


def _streets_around(lon: float, lat: float) -> gpd.GeoDataFrame:
    """A 200 m street through a point, in the point's UTM zone."""
    point = gpd.GeoSeries([Point(lon, lat)], crs=4326)
    utm = point.to_crs(point.estimate_utm_crs())
    x, y = float(utm.x.iloc[0]), float(utm.y.iloc[0])
    return gpd.GeoDataFrame(geometry=[LineString([(x - 100, y), (x + 100, y)])], crs=utm.crs)


def test_land_price_is_the_users_else_the_countys_where_the_area_lies_else_none() -> None:
    # Roosevelt, Seattle lies in King County; downtown Portland in Multnomah County
    assert county_at(-122.317, 47.676, COUNTY_LAND_PRICES).county == "King County, WA"
    assert county_at(-122.679, 45.519, COUNTY_LAND_PRICES).county == "Multnomah County, OR"
    assert county_at(-82.999, 39.961, COUNTY_LAND_PRICES) is None  # Columbus: none found
    seattle, note = choose_land_price(_streets_around(-122.317, 47.676), PARAMS)
    assert (seattle.land_usd_per_acre, seattle.land_usd_per_acre_low) == (1.3e6, 1.25e6)
    assert note is not None and "King County, WA" in note and "lower bound" in note
    # 1 ha = 2.4710538 acres x $1.3 million = $3,212,369.94; ends x 1.25 and 1.35 million
    priced = land_value(Span(1.0, 1.0, 1.0), seattle)["land_usd"]
    assert priced == pytest.approx((3_212_369.94, 3_088_817.25, 3_335_922.63))
    helsinki, none = choose_land_price(_streets_around(24.94, 60.17), PARAMS)
    assert helsinki.land_usd_per_acre is None and none is None
    given = dataclasses.replace(PARAMS, land_usd_per_acre=2e6)
    kept, said = choose_land_price(_streets_around(-122.317, 47.676), given)
    assert kept.land_usd_per_acre == 2e6 and said is not None and "user value" in said
