"""The validator on a hand-built TNTP network with the hard cases of the public collection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.errors import ModelError, SourceError
from urbanfit.models.congestion import ValidationReport, solve_equilibrium, validate_assignment
from urbanfit.sources.tntp import read_tntp

# Zones 1 and 2 (first thru node 3: no route passes through a zone); 100 trips 1 -> 2.
# Generalised cost = time + 0.5 x toll + 1.0 x length (header factors).
#   1->3  connector, free-flow time 0, b 0, power 0           cost 0
#   3->4  route A, t0 10, b 1, power 1, c 100                 cost 10 + 0.1 x
#   4->2  t0 2, b 0.5, power 0: constant 2 (1 + 0.5) = 3       cost 3
#   3->6  route B, t0 5, b 1, power 1, c 100, toll 10, len 5   cost 5 + 0.05 x + 5 + 5
#   6->2  connector, free-flow time 0                          cost 0
#   3->5  into node 5, which has no way out (a dead end)       flow 0 in any solution
# Route A costs 13 + 0.1 xA, route B 15 + 0.05 xB, xA + xB = 100:
#   13 + 0.1 xA = 15 + 0.05 (100 - xA)  ->  0.15 xA = 7  ->  xA = 46.667, xB = 53.333,
#   both routes cost 17.667.
# Beckmann objective (integral of the generalised cost):
#   3->4: 10 xA + 0.05 xA^2 = 466.667 + 108.889 = 575.556;  4->2: 3 xA = 140
#   3->6: 15 xB + 0.025 xB^2 = 800 + 71.111 = 871.111;      connectors 0
#   total 1586.667 (= 4760 / 3)
# TSTT (time only): 3->4 46.667 x 14.667 = 684.444; 4->2 3 x 46.667 = 140;
#   3->6 53.333 x 5 (1 + 0.53333) = 408.889; total 1233.333 (= 3700 / 3)
NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 6
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 6
<TOLL FACTOR> 0.5
<DISTANCE FACTOR> 1.0
<END OF METADATA>
~ init term capacity length fft b power speed toll type ;
1 3 1000 0 0 0 0 0 0 1 ;
3 4 100 0 10 1 1 0 0 1 ;
4 2 1000 0 2 0.5 0 0 0 1 ;
3 6 100 5 5 1 1 0 10 1 ;
6 2 1000 0 0 0 0 0 0 1 ;
3 5 100 0 1 0.15 4 0 0 1 ;
"""
TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 100.0
<END OF METADATA>
Origin 1
    2 :   100.0;
Origin 2
"""
XA, XB = 140.0 / 3.0, 160.0 / 3.0
FLOW = f"""From To Volume Cost
1 3 100 0
3 4 {XA!r} 0
4 2 {XA!r} 0
3 6 {XB!r} 0
6 2 {XB!r} 0
3 5 0 0
"""


def _write(folder: Path, net: str = NET, flow: str | None = FLOW) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "Hard_net.tntp").write_text(net)
    (folder / "Hard_trips.tntp").write_text(TRIPS)
    if flow is not None:
        (folder / "Hard_flow.tntp").write_text(flow)
    return folder


def _validate(folder: Path) -> ValidationReport:
    return validate_assignment(read_tntp(folder), rel_gap=1e-6)


def test_reads_toll_and_distance_factors_from_the_header(tmp_path: Path) -> None:
    net = read_tntp(_write(tmp_path / "hard"))
    assert (net.toll_factor, net.distance_factor) == (0.5, 1.0)
    assert net.first_thru_node == 3


def test_hard_links_are_handled_and_the_objective_is_the_generalised_one(
    tmp_path: Path,
) -> None:
    report = _validate(_write(tmp_path / "hard"))
    # best-known figures by hand (see the top of this file)
    assert report.best_objective == pytest.approx(4760.0 / 3.0, rel=1e-9)
    assert report.best_tstt == pytest.approx(3700.0 / 3.0, rel=1e-9)
    assert report.zero_cost_links == 2  # 1->3 and 6->2
    assert report.constant_cost_links == 1  # 4->2 (b 0.5, power 0)
    assert report.dead_end_links == 1  # 3->5
    assert abs(report.objective_rel_error) <= 1e-4
    assert abs(report.tstt_rel_error) <= 5e-4
    assert report.meets_targets
    # flow in = flow out at nodes 3..6: node 3 gets 100 and sends xA + xB + 0
    assert report.worst_imbalance < 1e-6
    assert report.centroid_error < 1e-6


def test_without_the_factors_the_objective_drops_by_their_cost(tmp_path: Path) -> None:
    net = NET.replace("<TOLL FACTOR> 0.5\n", "").replace("<DISTANCE FACTOR> 1.0\n", "")
    report = _validate(_write(tmp_path / "plain", net=net))
    # route B loses its constant 10, so the best-known flows (still those of the generalised
    # cost) give 1586.667 - 10 x 53.333 = 1053.333 and the assignment moves traffic to B:
    # 13 + 0.1 xA = 5 + 0.05 (100 - xA) -> xA = -20 < 0, so everything takes B.
    assert report.best_objective == pytest.approx(4760.0 / 3.0 - 1600.0 / 3.0, rel=1e-9)
    assert report.objective_rel_error < -1e-3  # the published flows are no longer optimal
    assert not report.meets_targets


def test_validate_assignment_through_the_cli(tmp_path: Path) -> None:
    folder = _write(tmp_path / "hard")
    result = CliRunner().invoke(app, ["validate-assignment", str(folder), "--rel-gap", "1e-6"])
    assert result.exit_code == 0, result.output
    assert "worst node imbalance" in result.output
    assert "meets the targets" in result.output


def test_concave_power_and_missing_flows_are_one_message(tmp_path: Path) -> None:
    # b 1 with power 0.5: AequilibraE needs powers >= 1 and the cost would be concave
    bad = _write(tmp_path / "bad", net=NET.replace("3 4 100 0 10 1 1 ", "3 4 100 0 10 1 0.5 "))
    result = CliRunner().invoke(app, ["validate-assignment", str(bad)])
    assert result.exit_code == 2
    assert "power 0.5" in result.output
    assert "Traceback" not in result.output
    bare = _write(tmp_path / "bare", flow=None)
    result = CliRunner().invoke(app, ["validate-assignment", str(bare)])
    assert result.exit_code == 2
    assert "no *_flow.tntp" in result.output


def test_bpr_powers_below_one_are_refused_before_aequilibrae() -> None:
    with pytest.raises(ModelError, match="power must be >= 1"):
        solve_equilibrium(
            [1, 2],
            [2, 1],
            [1.0, 1.0],
            [10.0, 10.0],
            [np.array([[0, 5.0], [0, 0]])],
            pces=[1.0],
            beta=0.0,
        )


def _network(folder: Path, links: list[str], *, zones: int, first_thru: int, trips: str) -> Path:
    """A TNTP folder from link lines ``init term capacity length fft b power`` and flows."""
    folder.mkdir()
    nodes = max(max(int(w) for w in line.split()[:2]) for line in links)
    (folder / "T_net.tntp").write_text(
        f"<NUMBER OF ZONES> {zones}\n<NUMBER OF NODES> {nodes}\n<FIRST THRU NODE> {first_thru}\n"
        f"<NUMBER OF LINKS> {len(links)}\n<END OF METADATA>\n"
        + "".join(f"{' '.join(line.split()[:7])} 0 0 1 ;\n" for line in links)
    )
    (folder / "T_trips.tntp").write_text(f"<NUMBER OF ZONES> {zones}\n<END OF METADATA>\n{trips}")
    (folder / "T_flow.tntp").write_text(
        "From To Volume Cost\n"
        + "".join(f"{line.split()[0]} {line.split()[1]} {line.split()[7]} 0\n" for line in links)
    )
    return folder


def test_parallel_links_pair_with_their_own_flows(tmp_path: Path) -> None:
    # two links 1->3 side by side, then a free connector 3->2; 200 trips 1 -> 2
    #   A: t0 10, b 1, power 1, c 100 -> 10 + 0.1 xA;  B: t0 20, b 1, power 1, c 400 -> 20 + 0.05 xB
    #   10 + 0.1 xA = 20 + 0.05 (200 - xA) -> 0.15 xA = 20 -> xA = 133.333, xB = 66.667,
    #   both cost 23.333.  TSTT = 200 x 23.333 = 4666.667 (= 14000 / 3)
    #   objective: A 10 xA + 0.05 xA^2 = 2222.222, B 20 xB + 0.025 xB^2 = 1444.444 -> 11000 / 3
    xa, xb = 400.0 / 3.0, 200.0 / 3.0
    folder = _network(
        tmp_path / "par",
        [f"1 3 100 0 10 1 1 {xa!r}", f"1 3 400 0 20 1 1 {xb!r}", "3 2 1000 0 0 0 0 200"],
        zones=2,
        first_thru=3,
        trips="Origin 1\n 2 : 200;\n",
    )
    net = read_tntp(folder)
    assert net.best_flows is not None
    assert net.best_flows["volume"].tolist()[:2] == [xa, xb]  # in file order, not merged
    report = validate_assignment(net, rel_gap=1e-5)
    assert report.best_tstt == pytest.approx(14000.0 / 3.0, rel=1e-12)
    assert report.best_objective == pytest.approx(11000.0 / 3.0, rel=1e-12)
    # AequilibraE reads a gap far below the true one here; the recomputed gap is the target
    assert report.checked_gap <= 1e-5
    assert report.meets_targets


THRU_LINKS = [
    "1 2 1000 0 1 0 0 {via_zone}",  # 1 -> zone 2 -> 3: constant 1 + 1 = 2
    "2 3 1000 0 1 0 0 {via_zone}",
    "1 4 100 0 10 0.15 4 {via_node}",  # 1 -> node 4 -> 3: 10 (1 + 0.15 (x/100)^4) twice
    "4 3 100 0 10 0.15 4 {via_node}",
]


@pytest.mark.parametrize(("first_thru", "via_zone", "via_node"), [(4, 0, 100), (1, 100, 0)])
def test_first_thru_node_decides_whether_routes_cross_a_zone(
    tmp_path: Path, first_thru: int, via_zone: float, via_node: float
) -> None:
    # zones 1, 2, 3; 100 trips 1 -> 3.  With <FIRST THRU NODE> 4 nobody may cross zone 2, so
    # all 100 take node 4: each link 10 (1 + 0.15) = 11.5, TSTT 100 x 23 = 2300, objective
    # 2 x (10 x 100 + 10 x 0.15 x 100 / 5 x 1^5) = 2 x 1030 = 2060.  With 1, crossing zone 2
    # costs 2 < 20, so all 100 cross it: TSTT = objective = 200.
    links = [line.format(via_zone=via_zone, via_node=via_node) for line in THRU_LINKS]
    folder = _network(
        tmp_path / "thru", links, zones=3, first_thru=first_thru, trips="Origin 1\n 3 : 100;\n"
    )
    report = validate_assignment(read_tntp(folder), rel_gap=1e-5)
    assert report.best_tstt == pytest.approx(2300.0 if first_thru == 4 else 200.0)
    assert report.best_objective == pytest.approx(2060.0 if first_thru == 4 else 200.0)
    assert report.meets_targets
    # the other header value with the same flows: the published flows are no longer optimal
    other = _network(
        tmp_path / "other", links, zones=3, first_thru=5 - first_thru, trips="Origin 1\n 3 : 100;\n"
    )
    assert not validate_assignment(read_tntp(other), rel_gap=1e-5).meets_targets


def test_a_flow_file_that_misses_a_link_is_one_message(tmp_path: Path) -> None:
    folder = _write(tmp_path / "short", flow=FLOW.replace("3 5 0 0\n", ""))
    with pytest.raises(SourceError, match="5 flows do not match the 6 links"):
        read_tntp(folder)


def test_trips_without_a_route_are_left_out_and_counted(tmp_path: Path) -> None:
    # zones 1, 2, 3; zone 3 has no link at all, and the only way between 1 and 2 is one-way
    # 1 -> 4 -> 2 at a constant 1 per link (b 0).  Trips: 1 -> 2 10 (routable), 3 -> 2 5 and
    # 2 -> 1 7 (no route).  The 10 routable trips cost 2 each: TSTT = objective = 20;
    # 5 + 7 = 12 trips are left out.
    folder = _network(
        tmp_path / "lonely",
        ["1 4 1000 0 1 0 0 10", "4 2 1000 0 1 0 0 10"],
        zones=3,
        first_thru=4,
        trips="Origin 1\n 2 : 10;\nOrigin 2\n 1 : 7;\nOrigin 3\n 2 : 5;\n",
    )
    report = validate_assignment(read_tntp(folder), rel_gap=1e-5)
    assert report.unroutable_trips == 12.0
    assert report.trips == 22.0
    assert report.tstt == pytest.approx(20.0) and report.best_tstt == pytest.approx(20.0)
    assert report.meets_targets
    assert report.centroid_error < 1e-9  # zones 2 and 3 send nothing once those trips are out


@pytest.mark.parametrize(("first_thru", "via_3", "via_4"), [(4, 0, 100), (3, 100, 0)])
def test_nodes_below_the_first_thru_node_are_closed_even_when_not_zones(
    tmp_path: Path, first_thru: int, via_3: float, via_4: float
) -> None:
    # zones 1 and 2, 100 trips 1 -> 2; node 3 (constant 1 + 1) and node 4 (10 (1 + 0.15
    # (x/100)^4) twice) lead from 1 to 2.  <FIRST THRU NODE> 4 closes node 3 though it is no
    # zone: all 100 via node 4, TSTT 2300, objective 2060 (as above).  With 3, node 3 is open
    # and takes everything: TSTT = objective = 200.
    links = [
        f"1 3 1000 0 1 0 0 {via_3}",
        f"3 2 1000 0 1 0 0 {via_3}",
        f"1 4 100 0 10 0.15 4 {via_4}",
        f"4 2 100 0 10 0.15 4 {via_4}",
    ]
    folder = _network(
        tmp_path / "closed", links, zones=2, first_thru=first_thru, trips="Origin 1\n 2 : 100;\n"
    )
    report = validate_assignment(read_tntp(folder), rel_gap=1e-5)
    assert report.zones == 2
    assert report.tstt == pytest.approx(2300.0 if first_thru == 4 else 200.0, rel=1e-4)
    assert report.meets_targets


def test_a_first_thru_node_inside_the_zones_is_one_message(tmp_path: Path) -> None:
    # node 1 closed, zones 2 and 3 open: 1 -> 2 -> 3 (cost 2) beats 1 -> 3 (cost 5)
    links = ["1 2 1000 0 1 0 0 1", "2 3 1000 0 1 0 0 1", "1 3 1000 0 5 0 0 0"]
    folder = _network(tmp_path / "half", links, zones=3, first_thru=2, trips="Origin 1\n 3 : 1;\n")
    with pytest.raises(ModelError, match="through every zone or through none"):
        validate_assignment(read_tntp(folder))


def test_a_link_without_capacity_is_closed(tmp_path: Path) -> None:
    # 1 -> 2 directly has b 0.15 and capacity 0: infinite cost at any flow, so the 10 trips
    # 1 -> 2 take 1 -> 3 -> 2 at a constant 1 + 1: TSTT = objective = 20
    links = ["1 3 1000 0 1 0 0 10", "3 2 1000 0 1 0 0 10", "1 2 0 0 1 0.15 4 0"]
    trips = "Origin 1\n 2 : 10;\n"
    report = validate_assignment(
        read_tntp(_network(tmp_path / "ok", links, zones=2, first_thru=3, trips=trips))
    )
    assert report.closed_links == 1
    assert report.constant_cost_links == 2
    assert report.tstt == pytest.approx(20.0) and report.best_tstt == pytest.approx(20.0)
    assert report.meets_targets
    loaded = [*links[:2], "1 2 0 0 1 0.15 4 2"]
    folder = _network(tmp_path / "bad", loaded, zones=2, first_thru=3, trips=trips)
    with pytest.raises(ModelError, match=r"load link 1->2 \(2\), whose capacity is 0"):
        validate_assignment(read_tntp(folder))


def test_a_network_whose_links_are_all_closed_is_one_message(tmp_path: Path) -> None:
    links = ["1 2 0 0 1 0.15 4 0"]  # b 0.15 and capacity 0: the only link is closed
    folder = _network(tmp_path / "shut", links, zones=2, first_thru=3, trips="Origin 1\n 2 : 1;\n")
    with pytest.raises(ModelError, match="no link can carry flow"):
        validate_assignment(read_tntp(folder))
