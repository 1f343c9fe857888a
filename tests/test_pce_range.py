"""The measured end of the PCE range, and the delay change it gives."""

from __future__ import annotations

import math

import pytest

from urbanfit.models.congestion.capacity import fleet_pce
from urbanfit.models.congestion.pce_range import (
    delay_elasticity,
    measured_delay_change_pct,
    measured_fleet_pce,
)
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import load_vehicles, scenarios


def test_pce_range_ends_for_a_large_suv_and_a_kei_car() -> None:
    catalog = load_vehicles()
    params = CapacityParams()
    # physics end: 1.0 + (5.35 + 2.0) / 7.711765 = 1.953089 s over 1.894737 s = 1.030797
    assert fleet_pce({"fullsize_suv": 1.0}, catalog) == pytest.approx(1.030797, abs=1e-6)
    # measured end: Kockelman & Shabih (2000), large SUV 1.41
    assert measured_fleet_pce({"fullsize_suv": 1.0}, catalog, params) == 1.41
    # kei: no measurement, both ends length-only physics 0.897343
    assert measured_fleet_pce({"kei_car": 1.0}, catalog, params) == pytest.approx(0.897343)


def test_delay_elasticity_of_a_fourth_power_is_four() -> None:
    rows = {
        "base": {"mean_pce": 1.0, "delay_veh_h": 100.0},
        "half": {"mean_pce": 0.95, "delay_veh_h": 100.0 * 0.95**4},
        "all": {"mean_pce": 0.9, "delay_veh_h": 100.0 * 0.9**4},
    }
    assert delay_elasticity(rows, "base") == pytest.approx(4.0)
    assert delay_elasticity({"base": rows["base"]}, "base") is None


def test_measured_end_delay_change_by_hand() -> None:
    catalog = load_vehicles()
    params = CapacityParams()
    runs = scenarios(catalog, base_fleet="us_new_sales", kei_shares=(0.0, 1.0))
    base = runs.baseline.shares
    # US new sales at the measured end: the physics mean plus 0.17 x (1.41 - 1.030797)
    physics = fleet_pce(base, catalog)
    assert measured_fleet_pce(base, catalog, params) == pytest.approx(
        physics + 0.17 * (1.41 - 1.030797), abs=1e-6
    )
    kei = fleet_pce(runs.headline.shares, catalog)
    rows = {
        runs.baseline.id: {"mean_pce": physics, "delay_veh_h": 100.0},
        runs.headline.id: {"mean_pce": kei, "delay_veh_h": 100.0 * (kei / physics) ** 3},
    }
    change, basis = measured_delay_change_pct({"scenarios": rows}, runs, catalog, params)
    ratio = kei / measured_fleet_pce(base, catalog, params)
    assert change == pytest.approx((ratio**3 - 1.0) * 100.0)
    assert change < ((kei / physics) ** 3 - 1.0) * 100.0  # the measured end cuts more delay
    assert "elasticity to mean PCE (3.00)" in basis
    assert math.isfinite(change)
