"""The conical volume-delay function by hand, and an equilibrium under it solved on paper."""

from __future__ import annotations

import numpy as np
import pytest

from urbanfit.errors import ModelError
from urbanfit.models.congestion import solve_equilibrium
from urbanfit.models.congestion.metrics import delay_concentration
from urbanfit.models.congestion.vdf import conical_beta, first_slope, link_factor, vdf_parameters
from urbanfit.parameters.traffic import AssignmentParams

# Conical (Spiess 1990) with alpha 4: beta = (2 x 4 - 1) / (2 x 4 - 2) = 7/6.
# f(x) = 2 + sqrt(16 (1 - x)^2 + 49/36) - 4 (1 - x) - 7/6
#   x = 0: 2 + sqrt(16 + 49/36) - 4 - 7/6 = 2 + 25/6 - 4 - 7/6 = 1
#   x = 1: 2 + 7/6 - 0 - 7/6 = 2
#   x = 2: 2 + sqrt(16 + 49/36) + 4 - 7/6 = 2 + 25/6 + 4 - 7/6 = 9
BETA = 7.0 / 6.0


def test_conical_beta_makes_free_flow_time_at_zero_flow() -> None:
    assert conical_beta(4.0) == pytest.approx(BETA)


def test_conical_values_at_vc_0_1_2_match_the_formula() -> None:
    assert link_factor("CONICAL", [0.0, 1.0, 2.0], 4.0, BETA) == pytest.approx([1.0, 2.0, 9.0])


def test_bpr_values_at_vc_0_1_2_match_the_formula() -> None:
    # 1 + 0.15 x^4: 1, 1.15, 1 + 0.15 x 16 = 3.4
    assert link_factor("BPR", [0.0, 1.0, 2.0], 0.15, 4.0) == pytest.approx([1.0, 1.15, 3.4])


def test_first_search_slope_is_the_bpr_power_and_about_2_75_for_conical() -> None:
    assert first_slope("BPR", 0.15, 4.0) == pytest.approx(4.0)
    # conical f(0.5): reserve 4 x 0.5 = 2, sqrt(4 + 49/36) = 2.315407 -> f = 1.148741;
    # slope = ln((2 - 1) / 0.148741) / ln 2 = ln(6.723097) / 0.693147 = 2.749129
    assert first_slope("CONICAL", 4.0, BETA) == pytest.approx(2.749129, abs=1e-6)


def test_city_runs_use_the_conical_function_by_default() -> None:
    assert vdf_parameters(AssignmentParams()) == ("CONICAL", 4.0, pytest.approx(BETA))
    assert vdf_parameters(AssignmentParams(vdf="bpr")) == ("BPR", 0.15, 4.0)
    with pytest.raises(ModelError, match="volume-delay function"):
        vdf_parameters(AssignmentParams(vdf="davidson"))
    with pytest.raises(ModelError, match="alpha > 1"):
        conical_beta(1.0)


def test_two_route_equilibrium_under_the_conical_function_solved_on_paper() -> None:
    # Route A (link 1->3): t0 = 10 min, c = 1000; route B (link 1->4): t0 = 20 min, c = 1000.
    # At equilibrium 10 f(x_A) = 20 f(x_B). Put route B at capacity: f(1) = 2, t_B = 40 min,
    # so f(x_A) = 4. With u = 1 - x: sqrt(16 u^2 + b^2) = 2 + b + 4 u, squared:
    # b^2 - (2 + b)^2 = 8 u (2 + b) -> u = -(1 + b) / (2 (2 + b)) = -(13/6) / (19/3) = -13/38,
    # x_A = 51/38 = 1.342105: x_A = 1342.105 veh/h, x_B = 1000, demand 89000/38 = 2342.105.
    a = [1, 3, 1, 4, 2, 3, 2, 4]
    b = [3, 2, 4, 2, 3, 1, 4, 1]
    t0 = [10.0, 0.001, 20.0, 0.001, 0.001, 0.001, 0.001, 0.001]
    cap = [1000.0, 1e9, 1000.0, 1e9, 1e9, 1e9, 1e9, 1e9]
    demand = np.array([[0.0, 89000.0 / 38.0], [0.0, 0.0]])
    eq = solve_equilibrium(
        a, b, t0, cap, [demand], pces=[1.0], alpha=4.0, beta=BETA, vdf="CONICAL", rel_gap=1e-5
    )
    assert eq.pce_flow[0] == pytest.approx(51000.0 / 38.0, rel=1e-3)
    assert eq.pce_flow[2] == pytest.approx(1000.0, rel=2e-3)
    assert eq.congested_time[0] == pytest.approx(40.0, rel=1e-3)
    assert eq.congested_time[2] == pytest.approx(40.0, rel=1e-3)


def test_delay_concentration_on_three_links_by_hand() -> None:
    # link delays (veh-h): 600 x (3 - 1) / 60 = 20 (V/C 1.2), 300 x (1.5 - 1) / 60 = 2.5,
    # 100 x 0 = 0; share on V/C > 1: 20 / 22.5 = 0.888889; its length 200 of 1000 m = 0.2
    figures = delay_concentration(
        veh_flow=[600.0, 300.0, 100.0],
        time_min=[3.0, 1.5, 1.0],
        free_flow_min=[1.0, 1.0, 1.0],
        vc=[1.2, 0.6, 0.1],
        length_m=[200.0, 300.0, 500.0],
        names=["Main Street", None, "Main Street"],
    )
    assert figures["delay_share_vc_over_1"] == pytest.approx(20.0 / 22.5)
    assert figures["km_share_vc_over_1"] == pytest.approx(0.2)
    assert figures["max_vc"] == pytest.approx(1.2)
    assert figures["delay_top_streets_veh_h"] == pytest.approx(
        {"Main Street": 20.0, "(unnamed)": 2.5}
    )
