"""Headline sentences: what they say when a figure is missing, tiny, large or a constant."""

from __future__ import annotations

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
    assert _line({"parking": parking}, "Lot land") == (
        "Lot land freed at 100 % kei for the same cars: 0.34 ha (44.7 % of lot area)"
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


def test_parking_says_how_much_rests_on_estimated_curbs() -> None:
    # Columbus: 788,810 of the full-size fleet's 859,115 spaces on estimated curbs = 91.8 %
    parking = _parking(0, 0.0)
    parking["scenarios"]["kei000"] |= {
        "total_spaces": 859_115.0,
        "curb_spaces_estimated": 788_810.0,
    }  # type: ignore[index]
    line = _line({"parking": parking}, "Parking")
    assert line.endswith(
        "than the 859,115 of a full-size fleet (+36.2 %); 92 % of those are on curbs estimated "
        "where OSM has no parking tags (an upper bound)"
    )
    parking["scenarios"]["kei000"]["curb_spaces_estimated"] = 0.0  # type: ignore[index]
    assert _line({"parking": parking}, "Parking").endswith("(+36.2 %)")  # all mapped: no note


def test_a_delay_change_from_one_congested_level_says_it_has_no_range() -> None:
    summary = {"congestion": _congestion(1197.4, 839.2)}
    curve = summary["congestion"]["kei_curve"]  # type: ignore[index]
    curve["levels"] = {"target": {"uncongested": False}}
    one = _line(summary, "Peak-hour delay")
    assert one.endswith("(-29.9 %; one congested demand level assigned, so no range)")
    # low uncongested, target and high congested: two levels give the range, no note
    curve["levels"] = {
        "low": {"uncongested": True},
        "target": {"uncongested": False},
        "high": {"uncongested": False},
    }
    assert _line(summary, "Peak-hour delay").endswith("(-29.9 %)")
