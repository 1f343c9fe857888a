"""Low / central / high ranges of the headline figures, by hand on a one-street city.

The city: one two-way street of 100 m, junctions at both ends, parallel parking on both sides
(on the carriageway), width 6.0 m with an estimated range of 5.0-8.0 m; no lots. Fleets: all
full-size pickups (5.89 m x 2.03 m) against all kei cars (3.40 m x 1.48 m), scenarios 0 % and
100 % kei. Parameter ends (`RangeParams`): parallel gap 0.6-1.5 m around 1.0 m, intersection
clearance 15-25 ft (4.572-7.620 m) around 20 ft (6.096 m).

Curb spaces per side, usable = 100 - 2 x clearance, spaces = floor(usable / (length + gap)):
- central: usable 87.808; kei 87.808 / 4.40 = 19.96 -> 19, pickup 87.808 / 6.89 = 12.74 -> 12;
  gain 7 per side, 14 in all, of a baseline of 24: +58.33 %;
- fewer (gap 1.5, clearance 7.62): usable 84.76; kei 84.76 / 4.90 = 17.30 -> 17, pickup
  84.76 / 7.39 = 11.47 -> 11; gain 12 of 22: +54.55 %;
- more (gap 0.6, clearance 4.572): usable 90.856; kei 90.856 / 4.00 = 22.71 -> 22, pickup
  90.856 / 6.49 = 13.9994 -> 13 (6.49 x 14 = 90.86 > 90.856); gain 18 of 26: +69.23 %.
So spaces gained 14 (12-18), +58.33 % (54.55-69.23 %).

Narrow-street fit (`FitParams`: curb gap 0.3048 m, passing clearance 0.3 m, edge clearance
0.15 m each side): parked widths pickup 2.3348 m, kei 1.7848 m, both sides parked, so free
width is W - 4.6696 with pickups and W - 3.5696 with kei. Needs: pickup single 2.33, two-abreast
4.66; kei single 1.78, two-abreast 3.56. Kei alone passes two-abreast (the two-way street is
kei-only) when W - 3.5696 >= 3.56 and W - 4.6696 < 4.66, i.e. 7.1296 <= W < 9.3296:
W = 6 -> no, W = 5 -> no, W = 8 -> yes. Kei-only km 0 (0-0.1).

Urban Fit index (no congestion: weights parking 4/7, fit 3/7): the parking part is capped at
12 gained per 100 m in every run (14, 12, 18) -> 100. Fit: W = 6 passes kei single file and
not pickups (5.3496 <= 6 < 6.9996) -> 50; W = 5 -> 0; W = 8 -> 100 (two-abreast).
Central 4/7 x 100 + 3/7 x 50 = 550/7 = 78.571; low 400/7 = 57.143; high 100.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import lot_table, street_table

from urbanfit.citydata.curb import curb_sides
from urbanfit.errors import ConfigError
from urbanfit.models.fit import street_fit
from urbanfit.models.index import urban_fit_index
from urbanfit.models.parking import parking_model
from urbanfit.models.ranges import figure_range, headline_ranges, parking_at
from urbanfit.parameters import Parameters, RangeParams, assumptions_table
from urbanfit.results import RANGE_COLUMNS, IndexResult, ParkingResult
from urbanfit.summary import headlines, range_records
from urbanfit.vehicles import ScenarioSet, VehicleCatalog, load_vehicles, scenarios

FLEETS = """
[fleets.pickups]
label = "All full-size pickups"
source = "test: one profile, so pitches are the pickup's"
[fleets.pickups.shares]
fullsize_pickup = 1.0

[fleets.kei_cars]
label = "All kei cars"
source = "test: one profile, so pitches are the kei car's"
[fleets.kei_cars.shares]
kei_car = 1.0
"""


@pytest.fixture
def city(tmp_path: Path) -> tuple[VehicleCatalog, ScenarioSet, pd.DataFrame]:
    path = tmp_path / "fleets.toml"
    path.write_text(FLEETS)
    catalog = load_vehicles(path)
    runs = scenarios(catalog, base_fleet="pickups", kei_fleet="kei_cars", kei_shares=(0.0, 1.0))
    streets = street_table(
        {
            "parking:both": "lane",
            "parking:both:orientation": "parallel",
            "width_low_m": 5.0,
            "width_high_m": 8.0,
            "width_source": "estimated_geometry",
        }
    )
    return catalog, runs, streets


def _run(
    catalog: VehicleCatalog, runs: ScenarioSet, streets: pd.DataFrame, **congestion: Any
) -> tuple[ParkingResult, IndexResult, pd.DataFrame]:
    params = Parameters()
    parking = parking_model(curb_sides(streets), lot_table(), catalog, runs)
    fit = street_fit(streets, parking.sides, catalog, runs)
    index = urban_fit_index(
        streets,
        parking_sides=parking.side_figures(runs.headline.id),
        fit=fit,
        scenario_id=runs.headline.id,
    )
    ranges = headline_ranges(
        streets,
        parking=parking,
        fit=fit,
        index=index,
        catalog=catalog,
        scenarios=runs,
        params=params,
        **congestion,
    )
    return parking, index, ranges


def test_one_street_ranges_by_hand(city: tuple[VehicleCatalog, ScenarioSet, pd.DataFrame]) -> None:
    table = _run(*city)[2].set_index("figure")
    assert tuple(table.reset_index().columns) == RANGE_COLUMNS
    expected = {
        "spaces_gained": (12.0, 14.0, 18.0),
        "spaces_gained_pct": (1200 / 22, 1400 / 24, 1800 / 26),
        "spaces_gained_mapped": (12.0, 14.0, 18.0),  # all on mapped curb
        "curb_spaces_gained_estimated": (0.0, 0.0, 0.0),
        "land_freed_ha": (0.0, 0.0, 0.0),
        "kei_only_km": (0.0, 0.0, 0.1),
        "city_score": (400 / 7, 550 / 7, 100.0),
    }
    assert list(table.index) == list(expected)  # no congestion: no delay row
    for figure, values in expected.items():
        row = table.loc[figure]
        assert (row["low"], row["central"], row["high"]) == pytest.approx(values), figure
    assert table.loc["spaces_gained", "unit"] == "spaces"
    assert "parallel gap 0.6-1.5 m" in table.loc["spaces_gained", "basis"]


def test_estimated_curb_ranges_carry_the_estimates_measured_error(
    city: tuple[VehicleCatalog, ScenarioSet, pd.DataFrame],
) -> None:
    # the same street with its parking tags removed and a class-default width: the estimate
    # parks both sides, so the spaces are those of the tagged street, all estimated.
    # Measured error (EstimateErrorParams): by length precision / recall = 0.390 / 0.926 =
    # 0.4212, by spaces 1 / 2.29 = 0.4367 -> the estimated part is taken at 0.4212-1.
    # spaces gained: low = fewer run 12 x 0.4212 = 5.054, central 14, high = more run 18;
    # the percentage scales numerator and baseline alike: 54.55-69.23 % as before;
    # mapped floor 0 (nothing mapped), estimated part 5.054 (12 x 0.4212)-18
    catalog, runs, _tagged = city
    untagged = street_table({"width_source": "estimated_class"})
    table = _run(catalog, runs, untagged)[2].set_index("figure")
    factor = 0.390 / 0.926
    expected = {
        "spaces_gained": (12 * factor, 14.0, 18.0),
        "spaces_gained_pct": (1200 / 22, 1400 / 24, 1800 / 26),
        "spaces_gained_mapped": (0.0, 0.0, 0.0),
        "curb_spaces_gained_estimated": (12 * factor, 14.0, 18.0),
    }
    for figure, values in expected.items():
        row = table.loc[figure]
        assert (row["low"], row["central"], row["high"]) == pytest.approx(values), figure
    assert "estimated curb x 0.42-1.00" in table.loc["spaces_gained", "basis"]
    assert "precision 0.39, recall 0.93, spaces 2.29x" in table.loc["spaces_gained", "basis"]


def test_parking_at_each_end_by_hand(
    city: tuple[VehicleCatalog, ScenarioSet, pd.DataFrame],
) -> None:
    # per side: fewer 17 kei vs 11 pickups, more 22 vs 13 (see the module docstring)
    catalog, runs, streets = city
    parking = parking_model(curb_sides(streets), lot_table(), catalog, runs)
    for end, kei, pickups in (("fewer", 17.0, 11.0), ("more", 22.0, 13.0)):
        summary, side_spaces = parking_at(parking, catalog, runs, params=Parameters(), end=end)
        spaces = side_spaces.pivot(index="side_id", columns="scenario", values="spaces")
        assert spaces[runs.headline.id].tolist() == [kei, kei]
        assert spaces[runs.baseline.id].tolist() == [pickups, pickups]
        assert summary["scenarios"][runs.headline.id]["spaces_gained"] == 2 * (kei - pickups)


def test_headlines_quote_central_low_and_high(
    city: tuple[VehicleCatalog, ScenarioSet, pd.DataFrame],
) -> None:
    # the index is scored on the whole street (0.1 of 0.1 km), parking known on both sides,
    # the width estimated (not tagged)
    parking, index, ranges = _run(*city)
    summary = {
        "parking": parking.summary,
        "index": index.summary,
        "ranges": range_records(ranges),
    }
    lines = headlines(summary, city[1])
    assert lines[0].startswith("Parking at 100 % kei: 14 (12–18) more spaces on mapped curb ")
    assert "(+58.3 (54.5–69.2) % of a full-size fleet's 24)" in lines[0]
    # no lots: no land figure (nor a range of zeros) is quoted
    assert lines[1] == "Lot land: no parking lots in the data; the parking figures are the curb's"
    assert lines[-1] == (
        "Urban Fit index at 100 % kei: 78.6 (57.1–100.0) of 100 on the 100 % of street length "
        "it can score (of all street length: curb mapped on 100 % (estimated on 0 % more), "
        "width tagged or measured on 0 % (from buildings on 100 % more))"
    )


def test_delay_range_comes_from_the_congested_demand_levels(
    city: tuple[VehicleCatalog, ScenarioSet, pd.DataFrame],
) -> None:
    # kei curve at 100 % kei: target -10 %, low level -2 % but uncongested (left out), high
    # level -25 % -> delay change -10 (-25 to -10); without a curve the range is the figure
    curve = pd.DataFrame(
        {
            "level": ["target", "target", "low", "low", "high", "high"],
            "scenario": ["kei000", "kei100"] * 3,
            "delay_change_pct": [0.0, -10.0, 0.0, -2.0, 0.0, -25.0],
            "uncongested": [False, False, True, True, False, False],
        }
    )
    # baseline delay 100 of 1,000 veh-h travelled: congested (above the 1 % floor)
    congestion = {
        "scenarios": {
            "kei000": {"delay_veh_h": 100.0, "vht_veh_h": 1000.0},
            "kei100": {"delay_veh_h": 90.0, "delay_veh_h_change_pct": -10.0},
        }
    }
    table = _run(*city, congestion_summary=congestion, delay_levels=curve)[2]
    delay = table.set_index("figure").loc["delay_veh_h_change_pct"]
    assert (delay["low"], delay["central"], delay["high"]) == (-25.0, -10.0, -10.0)
    assert delay["basis"] == "demand level: the kei curve's congested levels (target, high)"
    lines = headlines({"congestion": congestion, "ranges": range_records(table)}, city[1])
    assert lines[0] == (
        "Peak-hour delay at 100 % kei: 90 veh-h vs 100 with a full-size fleet "
        "(-10.0 (-25.0 to -10.0) %)"
    )
    # with the scenarios' mean PCEs the measured end of the PCE range joins the range:
    # delay 100 -> 90 as mean PCE 1.0 -> 0.9 is an elasticity of ln 0.9 / ln 0.9 = 1; the
    # measured-PCE fleets' ratio r gives (r - 1) x 100 %, below -10 % (see test_pce_range)
    priced = {
        "scenarios": {
            "kei000": {**congestion["scenarios"]["kei000"], "mean_pce": 1.0},
            "kei100": {**congestion["scenarios"]["kei100"], "mean_pce": 0.9},
        }
    }
    wide = _run(*city, congestion_summary=priced, delay_levels=curve)[2]
    row = wide.set_index("figure").loc["delay_veh_h_change_pct"]
    assert row["low"] == -25.0
    assert row["basis"].endswith("extrapolated with this run's delay elasticity to mean PCE (1.00)")
    alone = _run(*city, congestion_summary=congestion)[2].set_index("figure")
    assert alone.loc["delay_veh_h_change_pct", ["low", "high"]].tolist() == [-10.0, -10.0]
    # a large network's curve runs at the target level only: no demand-level range, and the
    # headline quotes the figure alone rather than "(-10.0 to -10.0)"
    target_only = curve[curve["level"].eq("target")]
    one = _run(*city, congestion_summary=congestion, delay_levels=target_only)[2]
    row = one.set_index("figure").loc["delay_veh_h_change_pct"]
    assert row["basis"].startswith("one congested demand level assigned")
    lines = headlines({"congestion": congestion, "ranges": range_records(one)}, city[1])
    assert lines[0] == (
        "Peak-hour delay at 100 % kei: 90 veh-h vs 100 with a full-size fleet (-10.0 %)"
    )


def test_a_figure_range_spans_central_and_every_end() -> None:
    # central 5 inside 3 and 9 -> (3, 9); central outside the ends widens them; undefined ends
    # are skipped; an undefined central figure has no range
    assert figure_range(5.0, [3.0, 9.0]) == (3.0, 9.0)
    assert figure_range(10.0, [3.0, 9.0]) == (3.0, 10.0)
    assert figure_range(5.0, [None, np.nan, 4.0]) == (4.0, 5.0)
    assert figure_range(None, [1.0, 2.0]) == (None, None)


def test_range_parameters_are_documented_and_checked() -> None:
    rows = {r["parameter"]: r for r in assumptions_table(Parameters())}
    gap = rows["ranges.parallel_gap_high_m"]
    assert (gap["value"], gap["unit"]) == ("1.5", "m")
    # 25 ft = 25 x 0.3048 = 7.62 m
    assert rows["ranges.intersection_clearance_high_m"]["value"] == "7.62"
    with pytest.raises(ConfigError, match="low <= high"):
        RangeParams(parallel_gap_low_m=2.0, parallel_gap_high_m=1.0)
