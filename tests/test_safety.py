"""Safety trade-off: pedestrian risk on a drawn street, occupant risk from mass ratios."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from urbanfit.models.safety import (
    MPH,
    exposure_points,
    front_class,
    kei_occupant_risk,
    mix_pedestrian_risk,
    occupant_risk,
    pedestrian_death_risk,
)
from urbanfit.parameters.council import TEFFT_2013_DEATH, SafetyParams

PARAMS = SafetyParams()


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_tefft_curve_passes_its_published_points() -> None:
    # Tefft (2013): 10 % at 24.1 mph, 50 % at 40.6 mph, 90 % at 54.6 mph
    speeds = np.array([24.1, 40.6, 54.6]) * MPH
    assert pedestrian_death_risk(speeds, TEFFT_2013_DEATH) == pytest.approx([0.10, 0.50, 0.90])
    # halfway from 24.1 to 32.5 mph (28.3 mph) the log-odds are halfway from logit 0.10 =
    # -2.1972 to logit 0.25 = -1.0986: -1.6479 -> 1 / (1 + e^1.6479) = 0.1614
    assert pedestrian_death_risk(np.array([28.3 * MPH]), TEFFT_2013_DEATH)[0] == pytest.approx(
        0.1614, abs=1e-4
    )


def test_front_classes_of_the_builtin_profiles(catalog) -> None:
    classes = {pid: front_class(p, PARAMS) for pid, p in catalog.profiles.items()}
    # hood edges: sedans 0.71-0.72 m and the kei car 0.74 m <= 30 in (0.762 m); the RAV4-like
    # SUV 0.94 m blunt and the cab-over kei truck 0.95 m (vertical, read as blunt) in 30-40 in;
    # the full-size SUV 1.14 m and pickup 1.17 m over 40 in (1.016 m)
    assert classes == {
        "kei_car": "low",
        "kei_truck": "mid_blunt",
        "compact_car": "low",
        "midsize_sedan": "low",
        "compact_suv": "mid_blunt",
        "fullsize_suv": "tall",
        "fullsize_pickup": "tall",
    }


def test_a_30_mph_street_where_pickups_give_way_to_kei_cars(catalog) -> None:
    # 30 mph on Tefft's curve: 30 - 24.1 = 5.9 of the 8.4 mph to 32.5, so the log-odds are
    # -2.1972 + 0.70238 x 1.0986 = -1.4256 -> risk 0.1938 (the low class, a kei car).
    # A pickup (over 40 in, IIHS: 45 % more likely to kill): -1.4256 + ln 1.45 (0.3716) =
    # -1.0540 -> 0.2585. All pickups to all kei cars: 0.1938 / 0.2585 - 1 = -25.0 %.
    speed = np.array([30.0 * MPH])
    pickups = mix_pedestrian_risk(speed, {"fullsize_pickup": 1.0}, catalog, params=PARAMS)[0]
    kei = mix_pedestrian_risk(speed, {"kei_car": 1.0}, catalog, params=PARAMS)[0]
    assert kei == pytest.approx(_expit(-1.4256), abs=1e-4)
    assert pickups == pytest.approx(_expit(-1.0540), abs=1e-4)
    assert 100 * (kei / pickups - 1) == pytest.approx(-25.0, abs=0.1)
    # a half-and-half mix is the share-weighted mean of the two risks
    half = mix_pedestrian_risk(
        speed, {"fullsize_pickup": 0.5, "kei_car": 0.5}, catalog, params=PARAMS
    )[0]
    assert half == pytest.approx((kei + pickups) / 2)


def test_occupant_risk_from_mass_ratios(catalog) -> None:
    u = PARAMS.mass_exponent  # 3.58
    # equal masses: each driver takes half the speed change: 2 x 0.5^3.58 = 2 x 0.08361
    assert occupant_risk({"compact_car": 1.0}, catalog, u) == pytest.approx(0.16722, rel=1e-3)
    # kei car 850 kg and pickup 2,200 kg: the kei driver's risk ratio (2200/850)^3.58 = 30.1
    mix = {"kei_car": 0.5, "fullsize_pickup": 0.5}
    # pairs: kei-kei and pickup-pickup each 0.25 x 0.16722; mixed 0.5 x [(2200/3050)^3.58 +
    # (850/3050)^3.58] = 0.5 x (0.31048 + 0.01032); total 0.08361 + 0.16040 = 0.24401
    assert occupant_risk(mix, catalog, u) == pytest.approx(0.24401, rel=1e-3)
    # a kei driver: half the crashes with kei (0.08361), half with pickups (0.31048): 0.19705,
    # 2.36 times a driver of the all-compact fleet (0.16722 / 2 = 0.08361 a driver)
    kei = kei_occupant_risk(mix, catalog, u)
    assert kei == pytest.approx(0.19705, rel=1e-3)
    assert kei / 0.08361 == pytest.approx(2.357, abs=0.01)
    assert kei_occupant_risk({"compact_car": 1.0}, catalog, u) is None


def test_exposure_counts_crossings_and_bus_stops_near_each_edge() -> None:
    # two 100 m edges along y = 0 and y = 200; a crossing 5 m from the first, a bus stop 8 m
    # from the second, a hydrant (not exposure) on the first, a crossing 60 m from both
    streets = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(0, 0), (100, 0)]),
            shapely.LineString([(0, 200), (100, 200)]),
        ],
        crs=32635,
    )
    points = gpd.GeoDataFrame(
        {"kind": ["crossing", "bus_stop", "fire_hydrant", "crossing"]},
        geometry=shapely.points([(50, 5), (20, 192), (10, 1), (50, 100)]),
        crs=32635,
    )
    assert list(exposure_points(streets, points, params=PARAMS)) == [1, 1]
    assert list(exposure_points(streets, None, params=PARAMS)) == [0, 0]


def test_helsinki_safety_section(helsinki) -> None:
    safety = helsinki.summary["safety"]
    rows = safety["scenarios"]
    # every street is 30-40 km/h in central Helsinki, so the fleet change is near the drawn
    # street's ratio at those speeds; the baseline mix (33 % over-40-in fronts) loses more
    assert rows["kei000"]["pedestrian_risk_change_pct"] == 0.0
    top = rows["kei100"]
    assert -20.0 < top["pedestrian_risk_change_pct"] < -10.0
    assert top["pedestrian_risk_change_low_pct"] <= top["pedestrian_risk_change_pct"]
    # the occupant figure depends on the fleet mix alone: recompute it from the catalog
    base = helsinki.scenarios.baseline.shares
    mix = helsinki.scenarios.get("kei025").shares
    u = PARAMS.mass_exponent
    expected = 100 * (
        occupant_risk(mix, helsinki.catalog, u) / occupant_risk(base, helsinki.catalog, u) - 1
    )
    assert rows["kei025"]["occupant_risk_change_pct"] == pytest.approx(expected)
    assert rows["kei025"]["kei_driver_risk_ratio"] > 1.5  # a kei among today's fleet
    assert safety["exposure_points_count"] > 100
    edges = helsinki.council["safety"].edges
    assert len(edges) == len(helsinki.streets)
    assert (edges["pedestrian_risk_change_pct"] < 0).all()


def test_safety_model_on_a_drawn_street_of_30_mph(catalog) -> None:
    from urbanfit.models.safety import safety_model
    from urbanfit.vehicles import scenarios

    # one 30 mph street with a crossing on it, one 30 mph street without: the US new-sales mix
    # (26 % low sedans, 41 % compact SUVs in the 30-40 in blunt class, 33 % over 40 in):
    # 0.26 x 0.19379 + 0.41 x 0.23246 + 0.33 x 0.25845 = 0.23098; the kei mix (80 % kei cars,
    # low; 20 % kei trucks, 30-40 in blunt): 0.8 x 0.19379 + 0.2 x 0.23246 = 0.20152;
    # change 0.20152 / 0.23098 - 1 = -12.75 % on both streets, so on the city too
    streets = gpd.GeoDataFrame(
        {
            "edge_id": [0, 1],
            "name": ["Main Street", None],
            "speed_kmh": [30 * MPH, 30 * MPH],
            "length_m": [100.0, 100.0],
            "speed_defaulted": [False, True],
        },
        geometry=[shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(0, 50), (100, 50)])],
        crs=32635,
    )
    points = gpd.GeoDataFrame({"kind": ["crossing"]}, geometry=shapely.points([(50, 2)]), crs=32635)
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    result = safety_model(streets, points, catalog, runs, params=PARAMS)
    assert result.edges["pedestrian_risk_baseline"].to_numpy() == pytest.approx(
        [0.23098] * 2, abs=1e-5
    )
    assert result.edges["pedestrian_risk_change_pct"].to_numpy() == pytest.approx(
        [-12.75] * 2, abs=0.01
    )
    top = result.summary["scenarios"]["kei100"]
    assert top["pedestrian_risk_change_pct"] == pytest.approx(-12.75, abs=0.01)
    assert top["pedestrian_risk_change_length_weighted_pct"] == pytest.approx(-12.75, abs=0.01)
    assert result.summary["exposure_points_count"] == 1
    assert result.summary["speed_defaulted_km"] == 0.1
    # one crossing on one of two 100 m streets: 50.0 % of the length but 1 point, under 20
    assert "mapped near 50.0% of the street length (1 in all)" in result.summary["exposure_note"]
