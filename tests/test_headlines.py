"""Headline sentences: what they say when a figure is missing, tiny, large or a constant."""

from __future__ import annotations

import dataclasses

import pytest

from urbanfit.summary import headlines
from urbanfit.vehicles import ScenarioSet, load_vehicles, scenarios


def _runs() -> ScenarioSet:
    return scenarios(load_vehicles(), kei_shares=(0.0, 1.0))


def _parking(lots: int, lot_area_ha: float) -> dict[str, object]:
    last = {
        "spaces_gained": 439.0,
        "spaces_gained_pct": 36.25,
        "land_freed_ha": 0.0,
        "land_freed_pct_of_lot_area": None,
    }
    return {
        "lots_count": lots,
        "lot_land_area_ha": lot_area_ha,
        "scenarios": {"kei000": {"total_spaces": 1211.0}, "kei100": last},
    }


def _line(summary: dict[str, object], start: str) -> str:
    return next(line for line in headlines(summary, _runs()) if line.startswith(start))


def test_lot_land_without_lots_or_outlines_says_so_instead_of_quoting_zeros() -> None:
    none = _line({"parking": _parking(0, 0.0)}, "Lot land")
    assert none == "Lot land: no parking lots in the data; the parking figures are the curb's"
    points = _line({"parking": _parking(3, 0.0)}, "Lot land")
    assert "3 parking lots have no outline" in points
    assert "n/a" not in none + points
    assert "0.00 ha" not in none + points
    one = _line({"parking": _parking(1, 0.0)}, "Lot land")
    assert "1 parking lot has no outline" in one
    # with outlines the land figure is quoted: 0.34 ha freed of 0.76 ha is 44.7 %
    parking = _parking(39, 0.76)
    parking["scenarios"]["kei100"] |= {"land_freed_ha": 0.34, "land_freed_pct_of_lot_area": 44.7}  # type: ignore[index]
    # (three significant figures)
    assert _line({"parking": parking}, "Lot land") == (
        "Lot land freed at 100 % kei for the same cars: 0.340 ha of the 0.760 ha of mapped lots"
    )
    # in US units, acres first: 3,400 m2 / 4,046.8564224 = 0.840 acres; 7,600 m2 -> 1.88
    us = _line({"parking": parking, "units": {"display": "us"}}, "Lot land")
    assert us == (
        "Lot land freed at 100 % kei for the same cars: 0.840 acres (0.340 ha) of the "
        "1.88 acres (0.760 ha) of mapped lots"
    )


def _congestion(base_delay: float, delay: float) -> dict[str, object]:
    return {
        "kei_curve": {"delay_floor_share_of_vht": 0.01},
        "scenarios": {
            "kei000": {
                "delay_veh_h": base_delay,
                "vht_veh_h": 20_000.0,
                "queue_storage_veh": 891.36,
            },
            "kei100": {
                "delay_veh_h": delay,
                "delay_veh_h_change_pct": 100.0 * (delay / base_delay - 1.0),
                "queue_storage_veh": 1152.06,
                "queue_storage_veh_change": 260.70,
                "queue_storage_veh_change_pct": 29.248,
            },
        },
    }


def test_delay_figures_are_written_out_never_in_exponent_form() -> None:
    # Columbus: 839 veh-h against 1,197; (839.2 / 1197.4 - 1) = -29.9 %
    line = _line({"congestion": _congestion(1197.4, 839.2)}, "Peak-hour delay")
    assert "839 veh-h vs 1,197 with a full-size fleet (-29.9 %)" in line
    assert "e+" not in line
    # a small network: 0.63 veh-h of delay in 20,000 veh-h travelled is under the 1 % floor;
    # up to three significant figures, not rounded to "0.00" nor written 3.5e-03
    small = _line({"congestion": _congestion(0.63, 0.0035)}, "Peak-hour delay")
    assert "full-size fleet 0.63 veh-h of delay" in small
    assert "20,000 veh-h travelled; 0.0035 veh-h at 100 % kei" in small


def test_queue_storage_quotes_the_citys_vehicles_and_calls_the_percentage_the_fleets() -> None:
    line = _line({"congestion": _congestion(1197.4, 839.2)}, "Queue storage")
    # 1,152.06 vehicles at 100 % kei, 260.70 more than 891.36: +29.2 %
    assert "1,152 vehicles fit" in line
    assert "261 more than the 891 of a full-size fleet" in line
    assert "(+29.2 %: the percentage is the fleets' lengths, the same in every city)" in line


def test_parking_leads_with_the_mapped_floor_then_the_estimated_curb() -> None:
    # Columbus-like: 439 spaces gained, 400 of them on estimated curb: at least 39 on mapped
    # curb and lots, up to 439 with the 95.0 km of usable estimated curb
    parking = _parking(0, 0.0)
    parking |= {"curb_mapped_usable_km": 2.04, "curb_estimated_usable_km": 95.0}
    parking["scenarios"]["kei000"] |= {"total_spaces": 859_115.0}  # type: ignore[index]
    parking["scenarios"]["kei100"] |= {"curb_spaces_gained_estimated": 400.0}  # type: ignore[index]
    line = _line({"parking": parking}, "Parking")
    assert line == (
        "Parking at 100 % kei: at least 39 more spaces on mapped curb (2.04 km usable) and lots; "
        "up to 439 with 95.0 km of usable curb estimated where OSM has no parking tags (+36.2 % "
        "of a full-size fleet's 859,115; the range includes the estimate's error measured on a "
        "real curb survey)"
    )
    # Nagoya-like: every space gained is on estimated curb: no floor to quote
    parking["scenarios"]["kei100"]["curb_spaces_gained_estimated"] = 439.0  # type: ignore[index]
    assert _line({"parking": parking}, "Parking").startswith(
        "Parking at 100 % kei: no spaces gained on mapped curb or lots; up to 439 with 95.0 km"
    )
    parking["scenarios"]["kei100"]["curb_spaces_gained_estimated"] = 0.0  # type: ignore[index]
    assert _line({"parking": parking}, "Parking") == (  # all mapped: no "up to"
        "Parking at 100 % kei: 439 more spaces on mapped curb (2.04 km usable) and lots "
        "(+36.2 % of a full-size fleet's 859,115)"
    )


def test_the_per_car_constants_are_said_once_before_the_citys_figures() -> None:
    # kei 3.40 + 1.0 = 4.40 m against the US on-road fleet's mean pitch; its ratio less 1 is
    # the gain on the same curb; lot figures only where the city has lot land
    from urbanfit.figures import model_constants
    from urbanfit.parameters import Parameters

    catalog = load_vehicles()
    runs = _runs()
    constants = model_constants(catalog, runs, Parameters())
    fleet = constants["curb_pitch_fleet_m"].value
    assert constants["curb_pitch_kei_m"].value == pytest.approx(4.40)
    assert constants["curb_gain_on_same_curb_pct"].value == pytest.approx(100 * (fleet / 4.40 - 1))
    # one 24 ft aisle: 2.7432 x (5.4864 + 3.6576) = 25.08 m2 against 2.0 x (3.6 + 3.6576) =
    # 14.52 m2 -> 1.7281; freed 0.83 x (1 - 1 / 1.7281) = 34.97 %
    assert constants["lot_kei_ratio"].value == pytest.approx(25.08382 / 14.5152, rel=1e-5)
    assert constants["lot_land_freed_pct"].value == pytest.approx(
        83 * (1 - 14.5152 / 25.08382), rel=1e-5
    )
    assert {f.kind for f in constants.values()} == {"model"}
    figures = {k: dataclasses.asdict(v) for k, v in constants.items()}
    lines = headlines({"parking": _parking(3, 0.5), "figures": figures}, runs)
    assert lines[0].startswith(
        f"Per car, the same in every city: a kei car needs 4.40 m of curb where the full-size "
        f"fleet's average car needs {fleet:.2f} m, so "
    )
    # in US units: 4.40 / 0.3048 = 14.4 ft; the stall areas in sq ft (25.08 m2 = 270 sq ft)
    us = headlines(
        {"parking": _parking(3, 0.5), "figures": figures, "units": {"display": "us"}}, runs
    )
    assert us[0].startswith("Per car, the same in every city: a kei car needs 14.4 ft (4.40 m)")
    assert "where a full-size one takes 270 sq ft (25.1 m²)" in us[0]
    assert "1.73x the stalls on one 24 ft aisle, up to 1.98x on Japan's kei aisle" in lines[0]
    assert sum("the same in every city" in line for line in lines) == 1  # no congestion here
    assert lines[1].startswith("Parking at 100 % kei: ")
    no_lots = headlines({"parking": _parking(0, 0.0), "figures": figures}, runs)[0]
    assert "in a lot" not in no_lots


def test_a_delay_change_from_one_congested_level_says_its_range_leaves_demand_out() -> None:
    summary = {"congestion": _congestion(1197.4, 839.2)}
    curve = summary["congestion"]["kei_curve"]  # type: ignore[index]
    curve["levels"] = {"target": {"uncongested": False}}
    one = _line(summary, "Peak-hour delay")
    assert one.endswith(
        "(-29.9 %; one congested demand level assigned, so the range leaves demand out)"
    )
    # low uncongested, target and high congested: two levels give the range, no note
    curve["levels"] = {
        "low": {"uncongested": True},
        "target": {"uncongested": False},
        "high": {"uncongested": False},
    }
    assert _line(summary, "Peak-hour delay").endswith("(-29.9 %)")
