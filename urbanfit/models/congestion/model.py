"""The congestion model's public entry: network, demand, one assignment per fleet scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
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
from urbanfit.models.congestion.calibration import ScaleSearch, solve_scale, travel_time_index
from urbanfit.models.congestion.capacity import (
    fleet_jam_density_veh_per_km,
    fleet_pce,
    link_fleet_pce,
    pce_table,
)
from urbanfit.models.congestion.curve import (
    baseline_summary,
    curve_levels,
    curve_rows,
    curve_summary,
    kei_curve,
)
from urbanfit.models.congestion.demand import Demand, synthetic_demand, zone_cap
from urbanfit.models.congestion.metrics import add_changes, scenario_figures
from urbanfit.models.congestion.network import Network, build_network
from urbanfit.models.congestion.od import user_demand
from urbanfit.parameters.traffic import AssignmentParams, TrafficParams
from urbanfit.results import CongestionResult, tidy
from urbanfit.vehicles import Scenario, ScenarioSet, VehicleCatalog

__all__ = [
    "CONNECTOR_CAPACITY",
    "CongestionResult",
    "assign_demand",
    "class_mode",
    "congestion_model",
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
    eq = solve_equilibrium(
        a,
        b,
        t0,
        cap,
        [demand.trips * (scale * share) for _, _, share in classes],
        pces=[p for _, p, _ in classes],
        names=[name for name, _, _ in classes],
        alpha=params.bpr_alpha,
        beta=params.bpr_beta,
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


class _Runner:
    """Runs assignments of one network and demand, each warm-started from the last."""

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
    ) -> Equilibrium:
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
            max_iter=assignment.large_network_max_iter if self.large else None,
            require_gap=not self.large and rel_gap <= self.gap,
            warm_start=warm,
            scale=scale,
            pce_scale=by_class / mean_pce,
            graphs=self.graphs,
            progress=inner if report is not None else None,
            label=label,
        )
        if eq.solver_flow is not None:
            self.warm = (eq.solver_flow, scale)
        return eq

    def calibrate(self, baseline: Scenario, target: float, *, start: float) -> ScaleSearch:
        """Search the demand multiplier giving the baseline ``target`` TTI (loose gap)."""
        cal = self.params.calibration
        links = self.network.links

        def tti_of(scale: float) -> float:
            eq = self.assign(
                baseline,
                scale,
                rel_gap=max(cal.search_rel_gap, self.gap),
                label=f"baseline demand x{scale:.3g}: ",
                done=2,
                mode="fleet",  # same PCE flows as one class per profile, at less cost
            )
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
            beta=self.params.assignment.bpr_beta,
            tolerance=cal.tti_tolerance,
            max_runs=cal.search_max_runs,
        )

    def scenarios(
        self, scenarios: Sequence[Scenario], scale: float, *, keep_links: bool
    ) -> tuple[dict[str, dict[str, Any]], dict[str, pd.DataFrame]]:
        """
        Run every scenario at demand ``scale``: figure rows and (if asked) link figures.

        Without ``keep_links`` (the other levels of the kei curve) the scenarios run in
        fleet class mode, whose PCE flows equal the per-profile ones up to the gap.
        """
        links = self.network.links
        rows: dict[str, dict[str, Any]] = {}
        blocks: dict[str, pd.DataFrame] = {}
        link_id = np.arange(len(links), dtype="int64")
        for done, scenario in enumerate(scenarios, start=2):
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
            rows[scenario.id] = {
                "label": scenario.label,
                "kei_share": float(scenario.kei_share),
                "mean_pce": fleet_pce(scenario.shares, self.catalog, self.params.capacity),
                **figures,
                "iterations": eq.iterations,
                "restarts": eq.restarts,
                "rel_gap": eq.rel_gap,
                "seconds": eq.seconds,
            }
            if keep_links:
                vc = eq.pce_flow / links["capacity_pcu_h"].to_numpy()
                values = (veh, eq.pce_flow, vc, eq.congested_time)
                blocks[scenario.id] = pd.DataFrame(
                    {"link_id": link_id}
                    | {
                        name: np.asarray(value, dtype=float)
                        for name, value in zip(LINK_FIGURES, values, strict=True)
                    }
                )
            if self.progress is not None:
                self.progress(done + 1, f"congestion: {scenario.label} done")
        return rows, blocks


def congestion_model(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: TrafficParams | None = None,
    od: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> CongestionResult:
    """
    Peak-hour congestion of a city under each fleet scenario.

    Builds the pruned directed network, synthesises demand from buildings (or uses ``od``),
    and runs one multi-class equilibrium assignment per scenario to
    ``params.assignment.scenario_rel_gap``. Demand is in vehicles and is the same in every
    scenario; only the PCE mix changes.

    Parameters
    ----------
    streets, buildings
        City tables (docs/tables.md); ``buildings`` may be None when ``od`` is given.
    catalog
        Vehicle profiles.
    scenarios
        Fleet scenarios, e.g. from `urbanfit.vehicles.scenarios`; the one with kei share 0
        (else the smallest) is the baseline.
    params
        Capacity, demand and assignment parameters.
    od
        Optional user OD table replacing synthetic demand (see `user_demand`).
    progress
        Optional ``(done, total, label)`` callback; ``total`` is 2 + number of scenarios.

    Returns
    -------
    result
        Per-link and per-scenario tables and a summary.
    """
    params = params or TrafficParams()
    total = 2 + len(scenarios)

    def step(done: int, label: str) -> None:
        if progress is not None:
            progress(done, total, label)

    step(0, "congestion: building the network")
    network = build_network(streets, params.capacity, contract=params.assignment.contract)
    step(1, "congestion: demand")
    n_assigned = network.assigned.n_links
    zones_cap = zone_cap(n_assigned, params.demand)
    if od is not None:
        demand = user_demand(od, network, params.demand)
    elif buildings is None:
        raise ModelError("give buildings or an OD table for the congestion model")
    else:
        capped = dataclasses.replace(params.demand, max_zones=zones_cap)
        demand = synthetic_demand(buildings, network, capped)
    step(2, "congestion: assignment")
    table = pce_table(catalog, params.capacity)
    mode, why = class_mode(params.assignment, n_assigned)
    gap, gap_why = scenario_gap(params.assignment, n_assigned)
    large = n_assigned > params.assignment.large_network_links
    baseline = scenarios.baseline
    run = _Runner(
        network,
        demand,
        catalog=catalog,
        table=table,
        mode=mode,
        params=params,
        gap=gap,
        large=large,
    )
    run.progress = step if progress is not None else None
    cal = params.calibration
    levels = curve_levels(cal, user_od=od is not None, n_links=n_assigned)
    scale, search = 1.0, None
    if od is None:
        search = run.calibrate(baseline, levels[0][1], start=1.0)
        scale = search.scale
    rows, blocks = run.scenarios(scenarios, scale, keep_links=True)
    frame = add_changes(pd.DataFrame.from_dict(rows, orient="index"), baseline.id)
    frame.index.name = "scenario"
    parts = [curve_rows(levels[0], scale, frame, baseline.id, error_factor=cal.gap_error_factor)]
    beta = params.assignment.bpr_beta
    for level in levels[1:]:
        guess = scale * ((level[1] - 1.0) / (levels[0][1] - 1.0)) ** (1.0 / beta)
        other = run.calibrate(baseline, level[1], start=guess)
        level_rows, _ = run.scenarios(scenarios, other.scale, keep_links=False)
        level_frame = add_changes(pd.DataFrame.from_dict(level_rows, orient="index"), baseline.id)
        parts.append(
            curve_rows(
                level, other.scale, level_frame, baseline.id, error_factor=cal.gap_error_factor
            )
        )
    curve = kei_curve(parts, cal)
    base_vc = blocks[baseline.id]["vc"].to_numpy()
    for block in blocks.values():
        block["vc_change"] = block["vc"].to_numpy() - base_vc
    links = gpd.GeoDataFrame(
        network.links.reset_index(drop=True).assign(link_id=np.arange(len(network.links))),
        geometry="geometry",
        crs=streets.crs,
    )
    summary = _summary(network, demand, frame, baseline.id, params)
    summary.update(
        class_mode=mode,
        class_mode_reason=why,
        zone_cap=zones_cap if od is None else None,
        rel_gap_target=gap,
        rel_gap_reason=gap_why,
        baseline_demand=baseline_summary(
            levels[0],
            scale,
            search,
            float(frame["tti"].to_numpy()[frame.index.get_loc(baseline.id)]),
        ),
        kei_curve=curve_summary(curve, cal, n_assigned),
    )
    worst = float(frame["rel_gap"].max())
    summary["converged"] = bool(worst <= gap)
    if not summary["converged"]:
        summary["convergence_note"] = (
            f"on this large network the assignment stopped at "
            f"{params.assignment.large_network_max_iter} iterations with relative gap up to "
            f"{worst:.2g} (target {gap:g}); scenario differences of a few tenths of a percent "
            "are within solver tolerance"
        )
    return CongestionResult(
        links=links,
        link_flows=tidy(blocks, key="link_id"),
        scenarios=frame,
        summary=summary,
        zones=demand.zones,
        pce=table,
        curve=curve,
    )


def _summary(
    network: Network, demand: Demand, frame: pd.DataFrame, baseline: str, params: TrafficParams
) -> dict[str, Any]:
    keep = (
        "kei_share",
        "mean_pce",
        "vht_veh_h",
        "vkt_veh_km",
        "delay_veh_h",
        "mean_speed_kmh",
        "tti",
        "share_km_vc_over_0_9",
        "share_km_vc_over_1_0",
        "jam_density_veh_per_lane_km",
        "queue_storage_veh",
        "iterations",
        "restarts",
        "rel_gap",
        "vht_veh_h_change_pct",
        "delay_veh_h_change",
        "delay_veh_h_change_pct",
        "mean_speed_kmh_change_pct",
        "share_km_vc_over_1_0_change",
        "queue_storage_veh_change",
        "queue_storage_veh_change_pct",
    )
    per = {
        sid: {k: _plain(row[k]) for k in keep if k in row.index} for sid, row in frame.iterrows()
    }
    return {
        "demand_source": demand.source,
        **demand.figures(),
        "h3_resolution": demand.h3_resolution,
        "network_links": len(network.links),
        "network_nodes": network.n_nodes,
        "network_km": float(network.links["length_m"].sum() / 1000.0),
        "network_prep_links": {k: int(v) for k, v in network.report.items()},
        "assigned_links": network.assigned.n_links,
        "contracted": bool(network.contract),
        "rel_gap_target": params.assignment.scenario_rel_gap,
        "baseline_scenario": str(baseline),
        "scenarios": per,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    value = float(value)
    return value if np.isfinite(value) else None
