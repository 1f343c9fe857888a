"""The Urban Mobility Report table: which area a run is in, and the TTI target it gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from urbanfit.cities import load_preset
from urbanfit.errors import ModelError
from urbanfit.models.congestion.tti import (
    choose_urban_area,
    find_urban_area,
    size_class_tti,
    tti_target,
)
from urbanfit.parameters.calibration import CalibrationParams

# Values from the table in urbanfit/parameters/umr.py (2002 report, data year 2000).


@pytest.mark.parametrize(
    ("name", "area", "tti"),
    [
        ("Seattle", "Seattle-Everett WA", 1.45),
        ("Philadelphia, Pennsylvania", "Philadelphia PA-NJ", 1.28),
        ("baltimore-downtown", "Baltimore MD", 1.29),
        ("portland-central.osm.pbf", "Portland-Vancouver OR-WA", 1.40),
        ("Columbus, OH", "Columbus OH", 1.19),
    ],
)
def test_the_five_areas_take_their_published_tti(name: str, area: str, tti: float) -> None:
    assert find_urban_area(name) == area
    params = dataclasses.replace(CalibrationParams(), urban_area=find_urban_area(name))
    target = tti_target(params)
    assert target.value == tti
    assert target.urban_area == area
    assert target.size_class is None
    assert target.year == 2000


def test_an_unlisted_area_takes_its_size_class_mean() -> None:
    # the ten areas of 3 million or more: 1.41 + 1.90 + 1.47 + 1.28 + 1.59 + 1.34 + 1.33
    # + 1.46 + 1.38 + 1.45 = 14.61 -> 1.461; medium (500k-1M): Memphis 1.21, Providence 1.21
    assert size_class_tti("very_large") == (pytest.approx(1.461), 10)
    assert size_class_tti("medium") == (pytest.approx(1.21), 2)
    # the 30 large areas (1-3 million) sum to 38.41: 38.41 / 30 = 1.280333
    target = tti_target(CalibrationParams())
    assert target.value == pytest.approx(1.280333, abs=1e-6)
    assert (target.urban_area, target.size_class) == (None, "large")
    with pytest.raises(ModelError, match="no 'small' urban area"):
        size_class_tti("small")


def test_a_given_number_wins_over_the_table() -> None:
    params = CalibrationParams(target_tti=1.15, urban_area="Seattle-Everett WA")
    assert tti_target(params).value == 1.15


def test_choice_order_option_then_preset_then_name() -> None:
    assert choose_urban_area(given="Columbus, OH", preset_area=None, names=["x"]) == (
        "Columbus OH",
        "--urban-area",
    )
    portland = load_preset(str(Path(__file__).parents[1] / "cities" / "portland-downtown.toml"))
    assert portland is not None
    assert choose_urban_area(given=None, preset_area=portland.urban_area, names=[]) == (
        "Portland-Vancouver OR-WA",
        "the preset's urban_area",
    )
    assert choose_urban_area(given=None, preset_area=None, names=["seattle-roosevelt"])[0] == (
        "Seattle-Everett WA"
    )
    # Helsinki is no US urban area: no name matching, the size class applies
    area, basis = choose_urban_area(
        given=None, preset_area=None, names=["Helsinki (centre)"], country="FI"
    )
    assert area is None
    assert basis == "a city outside the US (FI), which no UMR edition covers"
    helsinki = dataclasses.replace(CalibrationParams(), urban_area_basis=basis)
    assert tti_target(helsinki).source.endswith(f"as a stand-in: {basis}")
    with pytest.raises(ModelError, match="not in the"):
        choose_urban_area(given="Springfield", preset_area=None, names=[])
