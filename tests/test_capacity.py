"""PCE, jam density and link capacity at the default parameters, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from urbanfit.errors import ModelError
from urbanfit.models.congestion import (
    capacity_gain_table,
    discharge_speed_kmh,
    fleet_jam_density_veh_per_km,
    fleet_pce,
    jam_density_veh_per_km,
    lanes_per_direction,
    link_capacity_pcu_h,
    link_fleet_pce,
    pce,
    pce_table,
    saturation_headway_s,
)
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import load_vehicles

# Defaults: reaction time 1.0 s, min gap 2.0 m, reference car 4.9 m. Urban classes are
# calibrated on HCM's 1,900 pc/h/ln: reference headway 3600 / 1900 = 1.894737 s, so the
# discharge speed is (4.9 + 2.0) / (1.894737 - 1.0) = 6.9 / 0.894737 = 7.711765 m/s
# = 27.76 km/h.


def test_kei_car_headway_and_pce_by_hand() -> None:
    kei = load_vehicles().profile("kei_car")
    # kei car: 1.0 + (3.40 + 2.0) / 7.711765 = 1.0 + 0.700229 = 1.700229 s
    assert saturation_headway_s(kei.length_m) == pytest.approx(1.700229, abs=1e-6)
    # PCE = 1.700229 / 1.894737 = 0.897343
    assert pce(kei.length_m) == pytest.approx(0.897343, abs=1e-6)
    # jam density = 1000 / (3.40 + 2.0) = 185.19 veh/lane-km
    assert jam_density_veh_per_km(kei.length_m) == pytest.approx(185.185, abs=1e-3)


def test_full_size_pickup_headway_and_pce_by_hand() -> None:
    pickup = load_vehicles().profile("fullsize_pickup")
    # pickup: 1.0 + (5.89 + 2.0) / 7.711765 = 1.0 + 1.023112 = 2.023112 s
    assert saturation_headway_s(pickup.length_m) == pytest.approx(2.023112, abs=1e-6)
    # PCE = 2.023112 / 1.894737 = 1.067754
    assert pce(pickup.length_m) == pytest.approx(1.067754, abs=1e-6)
    # jam density = 1000 / 7.89 = 126.74 veh/lane-km
    assert jam_density_veh_per_km(pickup.length_m) == pytest.approx(126.743, abs=1e-3)


def test_reference_car_reproduces_the_hcm_base_capacity_of_each_class() -> None:
    params = CapacityParams()
    assert pce(params.reference_length_m) == pytest.approx(1.0)
    # signalised streets: HCM base saturation flow 1,900 pc/h/ln, discharge at 27.76 km/h
    assert 3600 / saturation_headway_s(params.reference_length_m) == pytest.approx(1900.0)
    assert discharge_speed_kmh("primary") == pytest.approx(27.7624, abs=1e-4)
    # motorways: HCM basic freeway base capacity 2,400 pc/h/ln -> headway 1.5 s,
    # speed 6.9 / (1.5 - 1.0) = 13.8 m/s = 49.68 km/h
    motorway = saturation_headway_s(params.reference_length_m, highway="motorway")
    assert 3600 / motorway == pytest.approx(2400.0)
    assert discharge_speed_kmh("motorway_link") == pytest.approx(49.68)


def test_capacity_gain_at_100_percent_kei_is_smaller_on_motorways() -> None:
    gains = capacity_gain_table(load_vehicles())
    # us_new_sales mean length 0.13 x 4.63 + 0.13 x 4.92 + 0.41 x 4.60 + 0.17 x 5.35
    # + 0.16 x 5.89 = 4.9794 m; kei mix 3.40 m. Headways are linear in length, so a fleet's
    # mean headway is the headway of its mean length.
    # motorway (13.8 m/s): (1 + 6.9794 / 13.8) / (1 + 5.4 / 13.8) = 1.505754 / 1.391304
    #   = 1.08226 -> +8.2 %, near Wasielewski's (1981) ~8 % on freeways
    assert gains.loc["motorway", "capacity_gain_pct"] == pytest.approx(8.226, abs=1e-3)
    # signalised (7.711765 m/s): (1 + 6.9794 / 7.711765) / (1 + 5.4 / 7.711765)
    #   = 1.905033 / 1.700229 = 1.12046 -> +12.0 %, within Steuart and Shin's (1978) up to ~15 %
    assert gains.loc["primary", "capacity_gain_pct"] == pytest.approx(12.046, abs=1e-3)
    assert gains.loc["residential", "capacity_gain_pct"] == pytest.approx(12.046, abs=1e-3)
    # trunk (2,000 pc/h/ln -> 1.8 s, 6.9 / 0.8 = 8.625 m/s):
    #   (1 + 6.9794 / 8.625) / (1 + 5.4 / 8.625) = 1.809206 / 1.626087 = 1.11261
    assert gains.loc["trunk", "capacity_gain_pct"] == pytest.approx(11.261, abs=1e-3)


def test_link_pce_follows_the_link_road_class() -> None:
    catalog = load_vehicles()
    kei = catalog.fleet("kei_japan").shares
    pces = link_fleet_pce(np.array(["motorway_link", "primary", "track"]), kei, catalog)
    # motorway: (1 + 5.4 / 13.8) / 1.5 = 1.391304 / 1.5 = 0.927536; primary 0.897343;
    # an unknown class takes the '*' (signalised) calibration
    assert pces.tolist() == pytest.approx([0.927536, 0.897343, 0.897343], abs=1e-6)


def test_pce_table_matches_the_scalar_functions() -> None:
    catalog = load_vehicles()
    table = pce_table(catalog)
    assert table.loc["kei_truck", "pce"] == pytest.approx(0.897343, abs=1e-6)
    assert table.loc["fullsize_pickup", "saturation_headway_s"] == pytest.approx(2.023112, abs=1e-6)
    assert (table["pce"] < 1).sum() >= 2  # kei car and truck are below the reference


def test_kei_fleet_mean_pce_and_jam_density() -> None:
    catalog = load_vehicles()
    kei = catalog.fleet("kei_japan").shares  # 0.8 kei car + 0.2 kei truck, both 3.40 m
    assert fleet_pce(kei, catalog) == pytest.approx(0.897343, abs=1e-6)
    assert fleet_jam_density_veh_per_km(kei, catalog) == pytest.approx(185.185, abs=1e-3)
    # 50/50 kei car and pickup: mean spacing (5.40 + 7.89) / 2 = 6.645 m -> 150.49 veh/km
    mix = {"kei_car": 0.5, "fullsize_pickup": 0.5}
    assert fleet_jam_density_veh_per_km(mix, catalog) == pytest.approx(150.489, abs=1e-3)
    # mean PCE (0.897343 + 1.067754) / 2 = 0.982548
    assert fleet_pce(mix, catalog) == pytest.approx(0.982548, abs=1e-6)


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
    # motorway_link as motorway 2400 x 1.0 = 2400; unknown class 1800 x 0.45 = 810
    assert capacity.tolist() == pytest.approx([2090.0, 810.0, 2400.0, 810.0])


def test_non_positive_length_is_refused() -> None:
    with pytest.raises(ModelError):
        saturation_headway_s(0.0)
