"""Display units by hand: the exact NIST definitions, three significant figures, the US rule.

Definitions (NIST SP 811, Appendix B.8; NIST Handbook 44, Appendix C): 1 ft = 0.3048 m,
1 mi = 5,280 ft = 1,609.344 m, 1 acre = 43,560 sq ft = 4,046.8564224 m2, all exact.
"""

from __future__ import annotations

import math

import pytest

from urbanfit.errors import ConfigError
from urbanfit.parameters import Parameters, assumptions_table
from urbanfit.parameters.units import UnitParams
from urbanfit.units import (
    area_m2,
    check_units,
    choose_units,
    hectares,
    in_units,
    kilometres,
    metres,
    sig,
)


def test_the_definitions_are_the_exact_nist_ones() -> None:
    units = UnitParams()
    assert units.mile_m == 5280 * units.foot_m  # 5,280 x 0.3048 = 1,609.344 exactly
    assert units.mile_m / 1000 == 1.609344
    assert units.acre_m2 == pytest.approx(43_560 * units.foot_m**2, abs=1e-9)
    # the report lists them with their source, like every default
    listed = {row["parameter"]: row for row in assumptions_table(Parameters())}
    assert listed["units.mile_m"]["value"] == "1609.344"
    assert "NIST" in listed["units.acre_m2"]["source"]


def test_one_mile_one_acre_and_one_foot_read_back_exactly() -> None:
    assert kilometres(1.609344, "us") == "1.00 mi (1.61 km)"
    assert kilometres(1.609344, "metric") == "1.61 km"
    assert hectares(0.40468564224, "us") == "1.00 acres (0.405 ha)"  # 4,046.856 m2 / 10,000
    assert metres(0.3048, "us") == "1.00 ft (0.305 m)"
    assert area_m2(0.09290304, "us") == "1.00 sq ft (0.0929 m²)"  # 0.3048² m2


def test_the_planner_examples() -> None:
    assert kilometres(20.0, "us") == "12.4 mi (20.0 km)"  # 20 / 1.609344 = 12.43
    assert metres(3.45, "us") == "11.3 ft (3.45 m)"  # 3.45 / 0.3048 = 11.32
    assert hectares(1.23, "us") == "3.04 acres (1.23 ha)"  # 12,300 / 4,046.856 = 3.039
    assert area_m2(12.5, "us") == "135 sq ft (12.5 m²)"  # 12.5 / 0.09290304 = 134.5
    assert area_m2(12.5, "metric") == "12.5 m²"
    # a length of a km or more reads in miles; an area of an acre or more in acres
    assert metres(1609.344, "us") == "1.00 mi (1.61 km)"
    assert area_m2(40_468.564224, "us") == "10.0 acres (4.05 ha)"


def test_three_significant_figures_never_more() -> None:
    assert sig(1234.5) == "1,230"
    assert sig(9.996) == "10.0"  # rounds up into the next decade: still three figures
    assert sig(0.0109) == "0.0109"
    assert sig(0.0) == "0"
    # a range's ends take the central figure's decimals: not 0.0109, the false precision
    assert kilometres(0.205, "metric", low=0.0109, high=0.811) == "0.205 (0.011–0.811) km"
    # in miles: 0.205 / 1.609344 = 0.1274, 0.0109 -> 0.0068 -> 0.007, 0.811 -> 0.5039
    assert kilometres(0.205, "us", low=0.0109, high=0.811) == "0.127 (0.007–0.504) mi (0.205 km)"
    # a range that reads the same at that precision is not quoted
    assert kilometres(20.0, "metric", low=19.99, high=20.01) == "20.0 km"
    assert kilometres(None, "us") == "n/a"
    # Helsinki's narrow streets: a low end of 0.00004 km at three decimals reads 0, not 0.000
    assert kilometres(0.205, "metric", low=0.00004, high=0.811) == "0.205 (0–0.811) km"
    assert kilometres(0.0, "us") == "0 mi"  # nothing to convert: no "(0 km)" beside


def test_bad_units_are_one_sentence() -> None:
    with pytest.raises(ConfigError, match=r"^--units must be 'us' or 'metric', got 'furlongs'$"):
        check_units("furlongs")
    assert check_units("US") == "us"
    assert check_units(None) is None


@pytest.mark.parametrize(
    ("lonlat", "expected"),
    [
        ((-83.00, 39.96), "us"),  # Columbus, Ohio
        ((-122.31, 47.68), "us"),  # Seattle
        ((-117.32, 34.18), "us"),  # San Bernardino
        ((-149.90, 61.22), "us"),  # Anchorage
        ((-157.86, 21.31), "us"),  # Honolulu
        ((24.94, 60.17), "metric"),  # Helsinki
        ((136.90, 35.17), "metric"),  # Nagoya
        ((-79.38, 43.65), "metric"),  # Toronto, across Lake Ontario from New York
        ((-123.12, 49.28), "metric"),  # Vancouver, north of the 49th parallel
        ((-99.13, 19.43), "metric"),  # Mexico City
    ],
)
def test_the_place_decides_without_a_preset(lonlat: tuple[float, float], expected: str) -> None:
    assert choose_units(None, lonlat=lonlat)[0] == expected


def test_the_option_then_the_preset_country_then_the_place() -> None:
    assert choose_units("metric", country="US", lonlat=(-83.0, 39.96)) == ("metric", "--units")
    assert choose_units(None, country="FI", lonlat=(-83.0, 39.96))[0] == "metric"
    assert choose_units(None, country="US") == ("us", "the preset's country (US)")
    assert choose_units(None) == ("metric", "no place to judge by")


def test_columns_convert_to_one_display_unit() -> None:
    # 100 m = 100 / 0.3048 = 328.08 ft; 1 km = 1,000 / 1,609.344 = 0.62137 mi
    # 1 ha = 10,000 / 4,046.8564224 = 2.47105 acres; 50 km/h = 31.069 mph
    # 16 spaces per 100 m = 16 x 0.3048 = 4.877 per 100 ft (100 ft is 30.48 m)
    assert in_units([100.0], "m", "us")[0][0] == pytest.approx(328.084, abs=1e-3)
    assert in_units([1.0], "km", "us") == (pytest.approx([0.621371], abs=1e-6), "mi")
    assert in_units([1.0], "ha", "us") == (pytest.approx([2.471054], abs=1e-6), "acres")
    assert in_units([50.0], "km/h", "us") == (pytest.approx([31.0686], abs=1e-4), "mph")
    assert in_units([16.0], "per 100 m", "us") == (pytest.approx([4.8768]), "per 100 ft")
    # 1 m2 = 1 / 0.3048^2 = 10.7639 sq ft; metric passes unchanged, NaN stays NaN
    assert in_units([1.0], "m2", "us")[0][0] == pytest.approx(10.7639, abs=1e-4)
    values, unit = in_units([3.45, float("nan")], "m", "metric")
    assert (values[0], unit, math.isnan(values[1])) == (3.45, "m", True)
