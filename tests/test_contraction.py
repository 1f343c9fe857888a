"""Exact network contraction: chains through pass-through nodes become one link."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from urbanfit.errors import ModelError
from urbanfit.models.congestion import (
    assign_demand,
    build_network,
    congestion_model,
    contract_links,
    solve_equilibrium,
    user_demand,
)
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import AssignmentParams, CalibrationParams, TrafficParams
from urbanfit.vehicles import load_vehicles, scenarios

# Two routes from zone 1 to zone 2 (nodes 1..5; zone centroids are nodes 1 and 2).
# Route A is a one-way 3-link chain 1 -> 3 -> 4 -> 2, t0 = 4 + 5 + 2.5 = 11.5 min, c = 1000
# on each link; route B is 1 -> 5 -> 2 with t0 = 34 min and c = 1000 on 1 -> 5. Return links
# 2 -> 1 and 5 -> 1 (tiny times, capacity that never binds) keep every node off the sink
# list. Nodes 3 and 4 have one link in and one out with equal capacity: the chain becomes one
# 11.5-min link. With 3000 PCE/h:
#   x_A = 2000: t_A = 11.5 (1 + 0.15 x 2^4) = 11.5 x 3.4 = 39.1 min
#   x_B = 1000: t_B = 34 (1 + 0.15 x 1^4) = 34 x 1.15 = 39.1 min
# Equal times on both used routes: the user equilibrium, with or without contraction; each
# chain link keeps its own time t0_i x 3.4.
BIG = 1e9
A_NODE = [1, 3, 4, 1, 5, 2, 5]
B_NODE = [3, 4, 2, 5, 2, 1, 1]
FREE_FLOW = [4.0, 5.0, 2.5, 34.0, 0.001, 0.001, 0.001]
CAPACITY = [1000.0, 1000.0, 1000.0, 1000.0, BIG, BIG, BIG]
OD = [np.array([[0.0, 3000.0], [0.0, 0.0]])]


def test_two_route_equilibrium_is_the_same_with_the_chain_contracted() -> None:
    c = contract_links(np.array(A_NODE) - 1, np.array(B_NODE) - 1, FREE_FLOW, CAPACITY)
    # node 5 has two links out (5 -> 2, 5 -> 1): a junction; 3 and 4 are chain nodes
    assert c.kept_nodes.tolist() == [True, True, False, False, True]
    assert c.n_links == 5
    assert c.link_map.tolist() == [0, 0, 0, 1, 2, 3, 4]
    assert (c.a[0], c.b[0]) == (0, 1)
    assert c.free_flow_min[0] == pytest.approx(11.5)
    kw = {"pces": [1.0], "rel_gap": 1e-5, "max_iter": 2000}
    full = solve_equilibrium(A_NODE, B_NODE, FREE_FLOW, CAPACITY, OD, **kw)  # type: ignore[arg-type]
    small = solve_equilibrium(c.a + 1, c.b + 1, c.free_flow_min, c.capacity_pcu_h, OD, **kw)  # type: ignore[arg-type]
    flows = c.expand(small.pce_flow)
    times = c.expand_time(small.congested_time, FREE_FLOW)
    assert flows[:4] == pytest.approx([2000.0, 2000.0, 2000.0, 1000.0], rel=1e-3)
    assert times[:4] == pytest.approx([4.0 * 3.4, 5.0 * 3.4, 2.5 * 3.4, 39.1], rel=1e-3)
    assert full.pce_flow[:4] == pytest.approx([2000.0, 2000.0, 2000.0, 1000.0], rel=1e-3)
    # the same equilibrium; the two runs stop at different iterates within the 1e-5 gap
    assert flows == pytest.approx(full.pce_flow, rel=1e-4, abs=1e-6)
    assert times == pytest.approx(full.congested_time, rel=5e-4)


def test_a_two_way_street_contracts_in_both_directions() -> None:
    # 0 - 1 - 2 - 3, two-way, equal capacity: 0 and 3 are dead ends (kept), 1 and 2 carry
    # the street through. 6 directed links -> 0 -> 3 (t0 1 + 2 + 3) and 3 -> 0.
    a = [0, 1, 2, 1, 2, 3]
    b = [1, 2, 3, 0, 1, 2]
    c = contract_links(a, b, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0], [900.0] * 6)
    assert c.kept_nodes.tolist() == [True, False, False, True]
    assert list(zip(c.a.tolist(), c.b.tolist(), strict=True)) == [(0, 3), (3, 0)]
    assert c.free_flow_min.tolist() == [6.0, 6.0]
    assert c.link_map.tolist() == [0, 0, 0, 1, 1, 1]


def test_a_capacity_change_keeps_its_node() -> None:
    # the same street, but 0 - 1 has 900 PCE/h and 1 - 2 - 3 has 1800: node 1 stays
    a = [0, 1, 2, 1, 2, 3]
    b = [1, 2, 3, 0, 1, 2]
    cap = [900.0, 1800.0, 1800.0, 900.0, 1800.0, 1800.0]
    c = contract_links(a, b, [1.0] * 6, cap)
    assert c.kept_nodes.tolist() == [True, True, False, True]
    assert c.n_links == 4


def test_chains_parallel_to_a_link_keep_one_inner_node() -> None:
    # junctions 0 and 3 joined three ways, all two-way: direct 0 - 3, a chain 0 - 1 - 2 - 3
    # and a chain 0 - 4 - 3. Contracted whole, both chains would repeat the arc 0 -> 3 (and
    # 3 -> 0); each keeps its smallest inner node (1, and 4), the same in both directions.
    pairs = [(0, 3), (0, 1), (1, 2), (2, 3), (0, 4), (4, 3)]
    a = [p for p, _ in pairs] + [q for _, q in pairs]
    b = [q for _, q in pairs] + [p for p, _ in pairs]
    cap = [500.0, 900.0, 900.0, 900.0, 1800.0, 1800.0] * 2
    c = contract_links(a, b, [1.0] * 12, cap)
    assert c.kept_nodes.tolist() == [True, True, False, True, True]
    arcs = list(zip(c.a.tolist(), c.b.tolist(), strict=True))
    assert len(set(arcs)) == len(arcs) == 10  # 1 -> 2 -> 3 and 3 -> 2 -> 1 merged
    assert c.free_flow_min.sum() == pytest.approx(12.0)
    assert c.report["chains_split"] == 4


def test_a_ring_of_pass_through_nodes_is_left_alone() -> None:
    c = contract_links([0, 1, 2], [1, 2, 0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert c.kept_nodes.all() and c.n_links == 3


def _street_grid() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return grid_city(8, 8, spacing_m=200.0, floor_area_m2=30000.0, segments=3, spurs=2)


def test_expansion_keeps_one_row_per_directed_link() -> None:
    streets, buildings = _street_grid()
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    full = build_network(streets, contract=False)
    result = congestion_model(streets, buildings, catalog, runs)
    links = result.links
    assert len(links) == len(full.links)
    assert links["edge_id"].tolist() == full.links["edge_id"].tolist()
    assert links["reversed"].tolist() == full.links["reversed"].tolist()
    assert result.summary["assigned_links"] < len(links) / 2
    assert result.summary["contracted"] is True
    # every inner node of a subdivided street passes its flow straight on
    flow = result.link_figures("kei000")["flow_veh_h"]
    inflow = np.bincount(links["b"], flow, len(full.node_ids))
    outflow = np.bincount(links["a"], flow, len(full.node_ids))
    inner = ~build_network(streets).contraction.kept_nodes  # type: ignore[union-attr]
    assert np.abs(inflow - outflow)[inner].max() < 1e-6 * flow.max()


def test_contracted_and_full_assignments_agree_on_a_subdivided_grid() -> None:
    streets, _ = _street_grid()
    flows = []
    for contract in (True, False):
        network = build_network(streets, contract=contract)
        xy = network.node_xy[network.junctions]
        corners = xy[[int(np.argmin(xy.sum(1))), int(np.argmax(xy.sum(1)))]]
        od = pd.DataFrame(
            {
                "origin": ["sw", "ne"],
                "destination": ["ne", "sw"],
                "trips": [2500.0, 1800.0],
                "origin_x": corners[:, 0],
                "origin_y": corners[:, 1],
                "destination_x": corners[::-1, 0],
                "destination_y": corners[::-1, 1],
            }
        )
        demand = user_demand(od, network)
        # contraction is exact whatever the volume-delay function; BPR reaches 1e-6 here in
        # far fewer iterations than the city runs' conical function
        bpr = AssignmentParams(vdf="bpr")
        eq = assign_demand(network, demand, [("car", 1.0, 1.0)], params=bpr, rel_gap=1e-6)
        flows.append(eq.pce_flow)
    assert len(flows[0]) == len(flows[1])
    assert flows[0] == pytest.approx(flows[1], rel=1e-4, abs=1e-3 * flows[1].max())


def test_helsinki_flows_are_unchanged_by_contraction(helsinki) -> None:  # type: ignore[no-untyped-def]
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    # the same trips on both networks: any baseline TTI is within this tolerance, so the demand
    # search keeps its first multiplier (1) instead of stopping at a slightly different one
    same_demand = CalibrationParams(tti_tolerance=100.0)
    results = [
        congestion_model(
            helsinki.streets,
            helsinki.buildings,
            catalog,
            runs,
            params=TrafficParams(
                assignment=AssignmentParams(contract=contract), calibration=same_demand
            ),
        )
        for contract in (True, False)
    ]
    contracted, full = results
    assert contracted.summary["contracted"] and not full.summary["contracted"]
    assert contracted.summary["assigned_links"] < full.summary["assigned_links"]
    assert len(contracted.links) == len(full.links)
    assert (contracted.links["edge_id"].to_numpy() == full.links["edge_id"].to_numpy()).all()
    # both stop at relative gap 1e-5, each warm-started from its own earlier runs, so they
    # agree to the solver's tolerance, not to rounding: on a fresh machine single links
    # differed by up to 0.14 % of the largest flow; checked here within 1 % of the largest
    # link figure, and network travel time within 0.1 %
    for sid in ("kei000", "kei100"):
        for name in ("flow_veh_h", "vc", "time_min"):
            got = contracted.link_figures(sid)[name].to_numpy()
            want = full.link_figures(sid)[name].to_numpy()
            assert got == pytest.approx(want, rel=1e-2, abs=1e-2 * want.max())
        vht = contracted.scenarios.loc[sid, "vht_veh_h"]
        assert vht == pytest.approx(full.scenarios.loc[sid, "vht_veh_h"], rel=1e-3)


def test_large_networks_run_scenarios_to_the_documented_looser_gap() -> None:
    from urbanfit.models.congestion import scenario_gap
    from urbanfit.parameters.traffic import AssignmentParams

    params = AssignmentParams(large_network_links=100)
    gap, why = scenario_gap(params, 100)  # at the threshold: the reporting gap
    assert gap == params.scenario_rel_gap == 1e-5
    gap, why = scenario_gap(params, 101)
    assert gap == params.large_network_rel_gap == 1e-4
    assert why.startswith("101 assigned links > 100")


def test_a_large_network_that_stops_short_of_the_gap_reports_it_instead_of_failing() -> None:
    streets, buildings = grid_city(8, 8, spacing_m=300.0)
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    # every network counts as large here, and one iteration cannot reach the gap
    tight = AssignmentParams(large_network_links=1, large_network_max_iter=1)
    result = congestion_model(
        streets, buildings, catalog, runs, params=TrafficParams(assignment=tight)
    )
    assert result.summary["rel_gap_target"] == tight.large_network_rel_gap
    assert result.summary["converged"] is False
    assert "stopped at 1 iterations" in result.summary["convergence_note"]
    assert (result.scenarios["iterations"] == 1).all()
    # a network under the threshold must still reach its gap, or fail loudly
    strict = AssignmentParams(max_iter=1)
    with pytest.raises(ModelError, match="did not reach relative gap"):
        congestion_model(streets, buildings, catalog, runs, params=TrafficParams(assignment=strict))
