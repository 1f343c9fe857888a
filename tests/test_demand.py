"""Trip ends, gravity distribution (Furness) and user OD tables, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import building_table

from urbanfit.errors import ModelError
from urbanfit.models.congestion import (
    build_network,
    building_trip_ends,
    furness,
    h3_zones,
    synthetic_demand,
    user_demand,
    zone_costs,
)
from urbanfit.models.congestion.external import external_split
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import DemandParams


def test_furness_two_by_two_solved_by_hand() -> None:
    # O = (100, 50), D = (60, 90), f = [[1, .5], [.5, 1]].
    # Row/column sums fix T = [[x, 100 - x], [60 - x, x - 10]]; the gravity form keeps the
    # odds ratio T11 T22 / (T12 T21) = f11 f22 / (f12 f21) = 4:
    # x (x - 10) = 4 (100 - x)(60 - x)  ->  x^2 - 210 x + 8000 = 0  ->  x = 50 (or 160 > 60).
    trips, iterations = furness([100.0, 50.0], [60.0, 90.0], [[1.0, 0.5], [0.5, 1.0]])
    assert trips == pytest.approx(np.array([[50.0, 50.0], [10.0, 40.0]]), abs=1e-5)
    assert iterations > 1


def test_furness_row_and_column_sums_match_the_given_totals() -> None:
    rng = np.random.default_rng(3)
    o = rng.uniform(10, 100, 6)
    d = rng.uniform(10, 100, 6)
    d *= o.sum() / d.sum()  # balanced totals: nothing is rescaled inside
    f = np.exp(-0.1 * rng.uniform(1, 30, (6, 6)))
    trips, _ = furness(o, d, f, tolerance=1e-10)
    assert trips.sum(axis=1) == pytest.approx(o, rel=1e-8)
    assert trips.sum(axis=0) == pytest.approx(d, rel=1e-8)


def test_furness_refuses_unbalanced_totals_instead_of_dropping_trip_ends() -> None:
    # 150 productions, 120 attractions: 30 trip ends would have to vanish
    with pytest.raises(ModelError, match="differ"):
        furness([100.0, 50.0], [60.0, 60.0], np.ones((2, 2)))


def test_three_zone_study_area_balanced_on_paper() -> None:
    # Zone 1 (homes): 100 trips out, 20 in; zone 2 (offices): 10 out, 50 in.
    # P = 110, A = 70, external share 0.25: internal = 0.75 x min(110, 70) = 52.5;
    # outbound 110 - 52.5 = 57.5, inbound 70 - 52.5 = 17.5. Every trip end is kept.
    split = external_split(110.0, 70.0, 0.25)
    assert (split.outbound, split.inbound, split.internal) == pytest.approx((57.5, 17.5, 52.5))
    assert split.total == pytest.approx(127.5)  # 110 + 17.5 = 70 + 57.5
    # the external zone (third) produces the inbound and attracts the outbound trips
    o = [100.0, 10.0, split.inbound]
    d = [20.0, 50.0, split.outbound]
    f = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.2], [0.2, 0.2, 0.0]])  # no external-external
    trips, _ = furness(o, d, f, tolerance=1e-12)
    assert trips.sum(axis=1) == pytest.approx(o, rel=1e-9)
    assert trips.sum(axis=0) == pytest.approx(d, rel=1e-9)
    assert trips[:2, 2].sum() == pytest.approx(57.5)  # leaving the study area
    assert trips[2, :2].sum() == pytest.approx(17.5)  # entering it
    assert trips[:2, :2].sum() == pytest.approx(52.5)
    # balanced ends: P = A = 50, share 0.2 -> internal 40, 10 leave and 10 enter
    even = external_split(50.0, 50.0, 0.2)
    assert (even.outbound, even.inbound, even.internal) == pytest.approx((10.0, 10.0, 40.0))


def test_furness_fails_loudly_when_a_zone_reaches_nobody() -> None:
    f = np.array([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ModelError):
        furness([10.0, 10.0], [10.0, 10.0], f, max_iter=50)


def test_building_trip_ends_by_hand() -> None:
    b = building_table(
        {"use": "residential", "floor_area_m2": 800.0},
        {"use": "commercial", "floor_area_m2": 1000.0},
        {"use": "other", "floor_area_m2": 1000.0},
    )
    ends = building_trip_ends(b)
    # residential: 800 m2 / 80 = 10 dwellings x 0.36 = 3.6 trips; 74 % out = 2.664, in 0.936
    # commercial: 1000 m2 = 10.7639 ksqft x 1.16 = 12.486 trips; 14 % out = 1.748, in 10.738
    # other: 10.7639 ksqft x 0.70 = 7.535 trips; 12 % out = 0.904, in 6.631
    assert ends["productions"].tolist() == pytest.approx([2.664, 1.748, 0.904], abs=1e-3)
    assert ends["attractions"].tolist() == pytest.approx([0.936, 10.738, 6.631], abs=1e-3)


def test_h3_zones_keep_every_trip_end() -> None:
    _, buildings = grid_city(12, 12, spacing_m=300.0)
    zones, resolution = h3_zones(buildings, DemandParams(min_zones=1))
    ends = building_trip_ends(buildings)
    assert resolution == DemandParams().h3_resolution
    assert zones["productions"].sum() == pytest.approx(ends["productions"].sum())
    assert zones["attractions"].sum() == pytest.approx(ends["attractions"].sum())
    assert zones["zone"].is_unique and len(zones) > 1


def test_h3_zones_refine_when_there_are_too_few() -> None:
    # a 3.3 km x 3.3 km grid covers only a few resolution-8 cells (0.74 km2 each)
    _, buildings = grid_city(12, 12, spacing_m=300.0)
    coarse, _ = h3_zones(buildings, DemandParams(min_zones=1))
    zones, resolution = h3_zones(buildings, DemandParams(min_zones=len(coarse) + 1))
    assert resolution > DemandParams().h3_resolution
    assert len(zones) > len(coarse)


def test_h3_zones_coarsen_when_there_are_too_many() -> None:
    _, buildings = grid_city(12, 12, spacing_m=300.0)
    zones, resolution = h3_zones(buildings, DemandParams(h3_resolution=10, max_zones=5))
    assert len(zones) <= 5
    assert resolution < 10


def test_zone_costs_follow_the_street_grid() -> None:
    streets, _ = grid_city(5, 1, spacing_m=500.0)  # row 0 is a 2 km primary street, 50 km/h
    network = build_network(streets)
    west = int(np.argmin(network.node_xy[:, 0]))
    east = int(np.argmax(network.node_xy[:, 0]))
    connectors = pd.DataFrame({"zone": [0, 1], "node": [west, east], "distance_m": [0.0, 0.0]})
    costs = zone_costs(network, connectors, 2)
    # 2000 m at 50 km/h = 2.4 min each way; intrazonal = half the nearest = 1.2 min
    assert costs == pytest.approx(np.array([[1.2, 2.4], [2.4, 1.2]]), abs=1e-6)


def test_synthetic_demand_keeps_every_trip_end() -> None:
    streets, buildings = grid_city(12, 12, spacing_m=300.0)
    network = build_network(streets)
    demand = synthetic_demand(buildings, network)
    assert demand.source == "synthetic"
    zones = demand.zones
    assert demand.trips.sum(axis=1) == pytest.approx(zones["productions"], rel=1e-6)
    assert demand.trips.sum(axis=0) == pytest.approx(zones["attractions"], rel=1e-6)
    # the buildings' trip ends all appear: internal zones carry every production/attraction
    ends = building_trip_ends(buildings)
    inside = zones["kind"] == "internal"
    assert zones.loc[inside, "productions"].sum() == pytest.approx(ends["productions"].sum())
    assert zones.loc[inside, "attractions"].sum() == pytest.approx(ends["attractions"].sum())
    figures = demand.figures()
    assert figures["external_zones"] > 0
    split = demand.split
    assert split is not None
    assert figures["outbound_external_trips_veh_per_h"] == pytest.approx(split.outbound, rel=1e-6)
    assert figures["inbound_external_trips_veh_per_h"] == pytest.approx(split.inbound, rel=1e-6)
    assert figures["trips_veh_per_h"] == pytest.approx(
        figures["assigned_trips_veh_per_h"] + figures["intrazonal_trips_veh_per_h"]
    )
    # external zones sit at major-road boundary nodes, one connector each, no trips between
    external = np.flatnonzero(~inside.to_numpy())
    assert demand.trips[np.ix_(external, external)].sum() == 0.0
    nodes = demand.connectors.loc[demand.connectors["zone"].isin(external), "node"]
    assert len(nodes) == len(external)
    assert set(demand.connectors["zone"]) == set(range(len(zones)))


def test_user_od_replaces_synthetic_demand() -> None:
    streets, _ = grid_city(6, 6, spacing_m=200.0)
    network = build_network(streets)
    od = pd.DataFrame(
        {
            "origin": ["a", "a", "b", "a"],
            "destination": ["b", "c", "c", "b"],
            "trips": [100.0, 50.0, 25.0, 10.0],
            "origin_x": [385_000.0, 385_000.0, 386_000.0, 385_000.0],
            "origin_y": [6_672_000.0] * 4,
            "destination_x": [386_000.0, 385_500.0, 385_500.0, 386_000.0],
            "destination_y": [6_672_000.0, 6_673_000.0, 6_673_000.0, 6_672_000.0],
        }
    )
    demand = user_demand(od, network)
    assert demand.zones["zone"].tolist() == ["a", "b", "c"]
    # repeated pair a -> b is summed: 100 + 10
    assert demand.trips.tolist() == [[0.0, 110.0, 50.0], [0.0, 0.0, 25.0], [0.0, 0.0, 0.0]]
    with pytest.raises(ModelError, match="origin_x"):
        user_demand(od.drop(columns=["origin_x"]), network)


def test_od_zone_points_far_outside_the_study_area_are_refused() -> None:
    # a 6 x 6 grid at 200 m from (385,000, 6,672,000): streets span x and y up to +1,000 m
    streets, _ = grid_city(6, 6, spacing_m=200.0)
    network = build_network(streets)
    od = pd.DataFrame(
        {
            "origin": ["a", "a"],
            "destination": ["b", "far"],
            "trips": [10.0, 5.0],
            "origin_x": [385_000.0, 385_000.0],
            "origin_y": [6_672_000.0, 6_672_000.0],
            # zone b is 4 km east of the grid's east edge (within 5 km); "far" is 50 km north
            "destination_x": [390_000.0, 385_500.0],
            "destination_y": [6_672_500.0, 6_723_000.0],
        }
    )
    # far: 6,723,000 - 6,673,000 = 50,000 m beyond the north edge = 50.0 km
    with pytest.raises(ModelError, match=r"1 OD zone point\(s\).*'far' 50\.0 km beyond"):
        user_demand(od, network)
    demand = user_demand(od[od["destination"] == "b"], network)
    assert demand.zones["zone"].tolist() == ["a", "b"]
