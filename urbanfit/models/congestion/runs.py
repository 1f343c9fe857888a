"""Assignment runs of the congestion model: one demand on one network, and a chain of them.

`assign_demand` assigns a demand on a network, one traffic class per vehicle profile (or one
for the fleet); the settings a run takes (threads, class mode, scenario gap, classes) are
chosen here; `Runner` runs the assignments of one network and demand, each warm-started from
its ``warm`` flows, for the demand calibration and the fleet scenarios (`schedule` sends
them out as independent tasks).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.congestion.assignment import (
    Equilibrium,
    GraphCache,
    Progress,
    solve_equilibrium,
)
from urbanfit.models.congestion.calibration import (
    ScaleSearch,
    predicted_scale,
    solve_scale,
    travel_time_index,
)
from urbanfit.models.congestion.capacity import (
    fleet_jam_density_veh_per_km,
    fleet_pce,
    link_fleet_pce,
)
from urbanfit.models.congestion.demand import Demand
from urbanfit.models.congestion.metrics import scenario_figures
from urbanfit.models.congestion.network import Network
from urbanfit.models.congestion.vdf import first_slope, link_factor, vdf_parameters
from urbanfit.parameters.traffic import AssignmentParams, TrafficParams
from urbanfit.vehicles import Scenario, VehicleCatalog

__all__ = [
    "CONNECTOR_CAPACITY",
    "Runner",
    "assign_demand",
    "class_mode",
    "scenario_gap",
]

CONNECTOR_CAPACITY = 1e9
"""Capacity of centroid connectors (PCE/h): large enough never to delay."""

FloatArray = npt.NDArray[np.float64]

LINK_FIGURES = ("flow_veh_h", "pce_flow", "vc", "time_min")


def assign_demand(
    network: Network,
    demand: Demand,
    classes: Sequence[tuple[str, float, float]],
    *,
    params: AssignmentParams | None = None,
    connector_time_min: float = 1e-3,
    rel_gap: float | None = None,
    max_iter: int | None = None,
    require_gap: bool = True,
    warm_start: FloatArray | None = None,
    scale: float = 1.0,
    pce_scale: np.ndarray | None = None,
    graphs: GraphCache | None = None,
    progress: Progress | None = None,
    label: str = "",
) -> Equilibrium:
    """
    Assign a demand on a network, one traffic class per ``(name, pce, share)``.

    Zone ``z`` becomes AequilibraE centroid ``z + 1``, network node ``i`` node ``Z + 1 + i``;
    connectors run both ways with a tiny time and a capacity that never binds. The
    assignment runs on ``network.assigned`` (the contracted links) and its results are
    expanded back to every link of ``network.links``. ``rel_gap`` and ``max_iter`` default
    to ``params``; with ``require_gap=False`` a run that stops at ``max_iter`` above the gap
    is kept (its reached gap is in the result) instead of raising `ModelError`.
    ``scale`` multiplies every trip; ``warm_start`` is an earlier run's ``solver_flow`` on
    these links for trips of the same pattern, already multiplied by the ratio of the scales
    (see `solve_equilibrium`). ``pce_scale`` (one value per link of ``network.links``) is the
    fleet's mean PCE on the link's road class over the fleet's overall mean PCE: each link's
    capacity is divided by it (exact when every class splits like the fleet, as at the
    equilibrium where all classes see the same costs), and the returned PCE flows are
    multiplied by it. ``graphs`` lets runs on this network share one prepared graph.

    Returns
    -------
    equilibrium
        Arrays aligned with ``network.links`` (connectors dropped).
    """
    params = params or AssignmentParams()
    zones = len(demand.zones)
    links = network.assigned
    conn = demand.connectors
    offset = zones + 1
    zone_id = conn["zone"].to_numpy() + 1
    node_id = conn["node"].to_numpy() + offset
    a = np.concatenate([links.a + offset, zone_id, node_id])
    b = np.concatenate([links.b + offset, node_id, zone_id])
    t0 = np.concatenate([links.free_flow_min, np.full(2 * len(conn), connector_time_min)])
    link_scale = np.ones(links.n_links)
    if pce_scale is not None:  # links of one contracted chain share their road class's scale
        link_scale[links.link_map] = np.asarray(pce_scale, dtype=float)
    cap = np.concatenate(
        [links.capacity_pcu_h / link_scale, np.full(2 * len(conn), CONNECTOR_CAPACITY)]
    )
    vdf, alpha, beta = vdf_parameters(params)
    eq = solve_equilibrium(
        a,
        b,
        t0,
        cap,
        [demand.trips * (scale * share) for _, _, share in classes],
        pces=[p for _, p, _ in classes],
        names=[name for name, _, _ in classes],
        alpha=alpha,
        beta=beta,
        vdf=vdf,
        algorithm=params.algorithm,
        rel_gap=params.rel_gap if rel_gap is None else rel_gap,
        max_iter=params.max_iter if max_iter is None else max_iter,
        require_gap=require_gap,
        warm_start=None if warm_start is None else [warm_start * s for _, _, s in classes],
        block_centroid_flows=True,
        cores=_threads(params, zones, links.n_links),
        conservation_tolerance=params.conservation_tolerance,
        stall_patience=params.stall_patience,
        graphs=graphs,
        progress=progress,
        label=label,
    )
    n = links.n_links
    return dataclasses.replace(
        eq,
        class_flows=links.expand(eq.class_flows[:n]),
        pce_flow=links.expand(eq.pce_flow[:n] * link_scale),
        congested_time=links.expand_time(
            eq.congested_time[:n], network.links["free_flow_min"].to_numpy()
        ),
    )


def _threads(params: AssignmentParams, zones: int, n_links: int) -> int:
    """AequilibraE threads: ``params.cores``, or 1 on a small network when that is 0."""
    if params.cores == 0 and zones * n_links < params.one_thread_below:
        return 1
    return params.cores


def class_mode(params: AssignmentParams, n_links: int) -> tuple[str, str]:
    """
    Choose the class mode for a network of ``n_links`` assigned links, and say why.

    ``"profile"`` becomes ``"fleet"`` above ``params.fleet_above_links`` links: the PCE
    flows are the same (every class sees the same costs) at a fraction of the time.
    """
    mode = params.class_mode
    if mode not in ("profile", "fleet"):
        raise ModelError(f"class_mode must be 'profile' or 'fleet', got {mode!r}")
    if mode == "fleet":
        return mode, "fleet class mode requested"
    if n_links > params.fleet_above_links:
        return "fleet", (
            f"{n_links:,} assigned links > {params.fleet_above_links:,}: one class with the "
            "fleet-mean PCE instead of one per profile (same PCE flows, less time)"
        )
    return mode, "one class per vehicle profile"


def scenario_gap(params: AssignmentParams, n_links: int) -> tuple[float, str]:
    """
    Choose the relative gap of the scenario runs for ``n_links`` assigned links, and say why.

    ``params.scenario_rel_gap`` unless the network has more than
    ``params.large_network_links`` links; then ``params.large_network_rel_gap``.
    """
    if n_links > params.large_network_links:
        gap = params.large_network_rel_gap
        return gap, (
            f"{n_links:,} assigned links > {params.large_network_links:,}: scenarios run to "
            f"relative gap {gap:g}; differences below about 0.1 % are within solver tolerance"
        )
    return params.scenario_rel_gap, "scenario relative gap for reported differences"


def _classes(
    scenario: Scenario, pce: pd.Series, mean_pce: float, mode: str
) -> list[tuple[str, float, float]]:
    if mode == "fleet":
        return [("fleet", mean_pce, 1.0)]
    shares = {p: float(w) for p, w in scenario.shares.items() if w > 0}
    return [(p, float(pce[p]), w) for p, w in sorted(shares.items())]


class Runner:
    """
    Runs assignments of one network and demand, each warm-started from ``warm``.

    ``warm`` is the flows and demand scale of a run; every run of `assign` replaces it with
    its own, so a calibration search goes on from its last step.
    """

    def __init__(
        self,
        network: Network,
        demand: Demand,
        *,
        catalog: VehicleCatalog,
        table: pd.DataFrame,
        mode: str,
        params: TrafficParams,
        gap: float,
        large: bool,
    ) -> None:
        self.network, self.demand, self.catalog = network, demand, catalog
        self.table, self.mode, self.params = table, mode, params
        self.gap, self.large = gap, large
        self.warm: tuple[FloatArray, float] | None = None
        self.graphs = GraphCache()
        self.progress: Callable[[int, str], None] | None = None

    def assign(
        self,
        scenario: Scenario,
        scale: float,
        *,
        rel_gap: float,
        label: str,
        done: int,
        mode: str | None = None,
        max_iter: int | None = None,
    ) -> Equilibrium:
        """Assign ``scenario`` at demand ``scale``, warm-started from the last run's flows."""
        mean_pce = fleet_pce(scenario.shares, self.catalog, self.params.capacity)
        classes = _classes(scenario, self.table["pce"], mean_pce, mode or self.mode)
        by_class = link_fleet_pce(
            self.network.links["highway"], scenario.shares, self.catalog, self.params.capacity
        )
        warm = None if self.warm is None else self.warm[0] * (scale / self.warm[1])
        report = self.progress

        def inner(_d: int, _t: int, text: str) -> None:
            if report is not None:
                report(done, text)

        assignment = self.params.assignment
        eq = assign_demand(
            self.network,
            self.demand,
            classes,
            params=assignment,
            connector_time_min=self.params.demand.connector_time_min,
            rel_gap=rel_gap,
            max_iter=max_iter or (assignment.large_network_max_iter if self.large else None),
            require_gap=False,  # a near miss is judged below
            warm_start=warm,
            scale=scale,
            pce_scale=by_class / mean_pce,
            graphs=self.graphs,
            progress=inner if report is not None else None,
            label=label,
        )
        if eq.solver_flow is not None:
            self.warm = (eq.solver_flow, scale)
        accept = max(rel_gap, self.params.evidence.accept_rel_gap)
        if not self.large and rel_gap <= self.gap and not eq.rel_gap <= accept:
            raise ModelError(
                f"assignment {label}did not reach relative gap {rel_gap:g} in "
                f"{eq.iterations:,} iterations (reached {eq.rel_gap:.3g}, more than the "
                f"{accept:g} whose figures are still reported); give it more iterations "
                f"with --max-iter (now {assignment.max_iter:,}) or loosen the target with --gap"
            )
        return eq

    def search_run(self, baseline: Scenario, scale: float, *, label: str) -> Equilibrium:
        """
        One run of a demand search: the baseline at ``scale``, in fleet class mode.

        The gap is the search's loose one (or the scenarios' own, if looser): a search
        step needs the demand's level, not its last digits; fleet mode gives the same PCE
        flows as one class per profile, at less cost.
        """
        return self.assign(
            baseline,
            scale,
            rel_gap=max(self.params.calibration.search_rel_gap, self.gap),
            label=label,
            done=2,
            mode="fleet",
        )

    def first_guess(self, baseline: Scenario, target: float) -> float:
        """
        Give the demand multiplier the search starts from: fixed free-flow routes at ``target``.

        One all-or-nothing load of the baseline at multiplier 1 (free-flow routes, fleet
        class mode), then `predicted_scale`; the load is the next run's warm start.
        """
        eq = self.assign(
            baseline, 1.0, rel_gap=1.0, label="free-flow routes: ", done=2, mode="fleet", max_iter=1
        )
        links = self.network.links
        name, alpha, beta = vdf_parameters(self.params.assignment)
        return predicted_scale(
            links["length_m"],
            eq.class_flows.sum(axis=1),
            eq.pce_flow / links["capacity_pcu_h"].to_numpy(),
            lambda vc: link_factor(name, vc, alpha, beta),
            target,
        )

    def calibrate(self, baseline: Scenario, target: float, *, start: float) -> ScaleSearch:
        """Search the demand multiplier giving the baseline ``target`` TTI (loose gap)."""
        cal = self.params.calibration
        links = self.network.links

        def tti_of(scale: float) -> float:
            eq = self.search_run(baseline, scale, label=f"baseline demand x{scale:.3g}: ")
            return travel_time_index(
                links["length_m"],
                eq.class_flows.sum(axis=1),
                eq.congested_time,
                links["free_flow_min"],
            )

        return solve_scale(
            tti_of,
            target,
            start=start,
            beta=first_slope(*vdf_parameters(self.params.assignment)),
            tolerance=cal.tti_tolerance,
            max_runs=cal.search_max_runs,
        )

    def scenario(
        self, scenario: Scenario, scale: float, *, keep_links: bool, done: int = 2
    ) -> tuple[dict[str, Any], pd.DataFrame | None]:
        """
        Run one scenario at demand ``scale``: its figure row and (if asked) link figures.

        Without ``keep_links`` (the other levels of the kei curve) the scenario runs in
        fleet class mode, whose PCE flows equal the per-profile ones up to the gap.
        """
        links = self.network.links
        eq = self.assign(
            scenario,
            scale,
            rel_gap=self.gap,
            label=f"{scenario.label}: ",
            done=done,
            mode=None if keep_links else "fleet",
        )
        veh = eq.class_flows.sum(axis=1)
        jam = fleet_jam_density_veh_per_km(scenario.shares, self.catalog, self.params.capacity)
        figures = scenario_figures(
            links,
            veh_flow=veh,
            pce_flow=eq.pce_flow,
            time_min=eq.congested_time,
            jam_density_veh_per_lane_km=jam,
        )
        row = {
            "label": scenario.label,
            "kei_share": float(scenario.kei_share),
            "mean_pce": fleet_pce(scenario.shares, self.catalog, self.params.capacity),
            **figures,
            "iterations": eq.iterations,
            "restarts": eq.restarts,
            "rel_gap": eq.rel_gap,
            "seconds": eq.seconds,
        }
        if not keep_links:
            return row, None
        vc = eq.pce_flow / links["capacity_pcu_h"].to_numpy()
        values = (veh, eq.pce_flow, vc, eq.congested_time)
        block = pd.DataFrame(
            {"link_id": np.arange(len(links), dtype="int64")}
            | {
                name: np.asarray(value, dtype=float)
                for name, value in zip(LINK_FIGURES, values, strict=True)
            }
        )
        return row, block
