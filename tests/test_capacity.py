"""PCE, jam density and link capacity at the default parameters, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from urbanfit.errors import ModelError
from urbanfit.models.congestion import (
    fleet_jam_density_veh_per_km,
    fleet_pce,
    jam_density_veh_per_km,
    lanes_per_direction,
    link_capacity_pcu_h,
    pce,
    pce_table,
    saturation_headway_s,
)
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import load_vehicles

# Defaults: reaction time 1.0 s, min gap 2.0 m, discharge speed 28 km/h = 7.7778 m/s,
# reference car 4.9 m.
# reference headway = 1.0 + (4.9 + 2.0) / 7.7778 = 1.0 + 0.88714 = 1.88714 s


def test_kei_car_headway_and_pce_by_hand() -> None:
    kei = load_vehicles().profile("kei_car")
    # kei car: 1.0 + (3.40 + 2.0) / 7.7778 = 1.0 + 0.69429 = 1.69429 s
    assert saturation_headway_s(kei.length_m) == pytest.approx(1.69429, abs=1e-5)
    # PCE = 1.69429 / 1.88714 = 0.89781
    assert pce(kei.length_m) == pytest.approx(0.89781, abs=1e-5)
    # jam density = 1000 / (3.40 + 2.0) = 185.19 veh/lane-km
    assert jam_density_veh_per_km(kei.length_m) == pytest.approx(185.185, abs=1e-3)


def test_full_size_pickup_headway_and_pce_by_hand() -> None:
    pickup = load_vehicles().profile("fullsize_pickup")
    # pickup: 1.0 + (5.89 + 2.0) / 7.7778 = 1.0 + 1.01443 = 2.01443 s
    assert saturation_headway_s(pickup.length_m) == pytest.approx(2.01443, abs=1e-5)
    # PCE = 2.01443 / 1.88714 = 1.06745
    assert pce(pickup.length_m) == pytest.approx(1.06745, abs=1e-5)
    # jam density = 1000 / 7.89 = 126.74 veh/lane-km
    assert jam_density_veh_per_km(pickup.length_m) == pytest.approx(126.743, abs=1e-3)


def test_reference_car_is_one_pce_and_reproduces_hcm_saturation_flow() -> None:
    params = CapacityParams()
    assert pce(params.reference_length_m) == pytest.approx(1.0)
    # 3600 / 1.88714 s = 1907.7 veh/h, within 1 % of HCM's 1,900 pc/h/ln
    assert 3600 / saturation_headway_s(params.reference_length_m) == pytest.approx(1900, rel=0.01)


def test_pce_table_matches_the_scalar_functions() -> None:
    catalog = load_vehicles()
    table = pce_table(catalog)
    assert table.loc["kei_truck", "pce"] == pytest.approx(0.89781, abs=1e-5)
    assert table.loc["fullsize_pickup", "saturation_headway_s"] == pytest.approx(2.01443, abs=1e-5)
    assert (table["pce"] < 1).sum() >= 2  # kei car and truck are below the reference


def test_kei_fleet_mean_pce_and_jam_density() -> None:
    catalog = load_vehicles()
    kei = catalog.fleet("kei_japan").shares  # 0.8 kei car + 0.2 kei truck, both 3.40 m
    assert fleet_pce(kei, catalog) == pytest.approx(0.89781, abs=1e-5)
    assert fleet_jam_density_veh_per_km(kei, catalog) == pytest.approx(185.185, abs=1e-3)
    # 50/50 kei car and pickup: mean spacing (5.40 + 7.89) / 2 = 6.645 m -> 150.49 veh/km
    mix = {"kei_car": 0.5, "fullsize_pickup": 0.5}
    assert fleet_jam_density_veh_per_km(mix, catalog) == pytest.approx(150.489, abs=1e-3)
    # mean PCE (0.89781 + 1.06745) / 2 = 0.98263
    assert fleet_pce(mix, catalog) == pytest.approx(0.98263, abs=1e-5)


def test_fleet_with_unknown_profile_or_bad_shares_is_refused() -> None:
    catalog = load_vehicles()
    with pytest.raises(ModelError, match="unknown"):
        fleet_pce({"tank": 1.0}, catalog)
    with pytest.raises(ModelError, match="sum"):
        fleet_pce({"kei_car": 0.5}, catalog)


def test_lanes_split_per_direction_with_at_least_one() -> None:
    lanes = np.array([4.0, 3.0, 1.0, np.nan, 3.0, np.nan])
    oneway = np.array([False, False, False, False, True, True])
    # two-way 4 -> 2; two-way 3 -> 1; two-way 1 -> 1; two-way unknown -> 1; one-way 3 -> 3;
    # one-way unknown -> 1
    assert lanes_per_direction(lanes, oneway).tolist() == [2.0, 1.0, 1.0, 1.0, 3.0, 1.0]


def test_link_capacity_is_saturation_flow_times_green_share_times_lanes() -> None:
    highway = np.array(["primary", "residential", "motorway_link", "track"], dtype=object)
    lanes = np.array([2.0, 1.0, 1.0, 1.0])
    capacity = link_capacity_pcu_h(highway, lanes)
    # primary 1900 x 0.55 x 2 = 2090; residential 1800 x 0.45 = 810;
    # motorway_link as motorway 2200 x 1.0 = 2200; unknown class 1800 x 0.45 = 810
    assert capacity.tolist() == pytest.approx([2090.0, 810.0, 2200.0, 810.0])


def test_non_positive_length_is_refused() -> None:
    with pytest.raises(ModelError):
        saturation_headway_s(0.0)
