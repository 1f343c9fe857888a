"""The congestion model's public entry: network, demand, one assignment per fleet scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.congestion.assignment import Equilibrium, Progress, solve_equilibrium
from urbanfit.models.congestion.capacity import (
    fleet_jam_density_veh_per_km,
    fleet_pce,
    link_fleet_pce,
    pce_table,
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
    pce_scale: np.ndarray | None = None,
    progress: Progress | None = None,
    label: str = "",
) -> Equilibrium:
    """
    Assign a demand on a network, one traffic class per ``(name, pce, share)``.

    ``pce_scale`` (one value per link of ``network.links``) is the fleet's mean PCE on the
    link's road class over the mean PCE the classes carry: the link's capacity is divided
    by it, so that ``sum_k pce_k x_k / (c / scale) = (fleet PCE on the link) x vehicles / c``
    (exact when every class splits like the fleet, as at the equilibrium where all classes
    see the same costs), and the returned PCE flows are multiplied by it.

    Zone ``z`` becomes AequilibraE centroid ``z + 1``, network node ``i`` node ``Z + 1 + i``;
    connectors run both ways with a tiny time and a capacity that never binds. The
    assignment runs on ``network.assigned`` (the contracted links) and its results are
    expanded back to every link of ``network.links``. ``rel_gap`` and ``max_iter`` default
    to ``params``; with ``require_gap=False`` a run that stops at ``max_iter`` above the gap
    is kept (its reached gap is in the result) instead of raising `ModelError`.

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
    scale = np.ones(links.n_links)
    if pce_scale is not None:  # links of one contracted chain share their road class's scale
        scale[links.link_map] = np.asarray(pce_scale, dtype=float)
    cap = np.concatenate([links.capacity_pcu_h / scale, np.full(2 * len(conn), CONNECTOR_CAPACITY)])
    eq = solve_equilibrium(
        a,
        b,
        t0,
        cap,
        [demand.trips * share for _, _, share in classes],
        pces=[p for _, p, _ in classes],
        names=[name for name, _, _ in classes],
        alpha=params.bpr_alpha,
        beta=params.bpr_beta,
        algorithm=params.algorithm,
        rel_gap=params.rel_gap if rel_gap is None else rel_gap,
        max_iter=params.max_iter if max_iter is None else max_iter,
        require_gap=require_gap,
        block_centroid_flows=True,
        cores=params.cores,
        conservation_tolerance=params.conservation_tolerance,
        progress=progress,
        label=label,
    )
    n = links.n_links
    return dataclasses.replace(
        eq,
        class_flows=links.expand(eq.class_flows[:n]),
        pce_flow=links.expand(eq.pce_flow[:n] * scale),
        congested_time=links.expand_time(
            eq.congested_time[:n], network.links["free_flow_min"].to_numpy()
        ),
    )


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
        The run's scenarios (`urbanfit.vehicles.scenarios`); its baseline is the 0 % kei one.
    params
        Capacity, demand and assignment parameters.
    od
        Optional user OD table replacing synthetic demand (see `user_demand`).
    progress
        Optional ``(done, total, label)`` callback; ``total`` is 2 + number of scenarios.

    Returns
    -------
    result
        `urbanfit.results.CongestionResult`: static ``links`` and tidy ``link_flows``
        (``link_id``, ``scenario``, ``flow_veh_h``, ``pce_flow``, ``vc``, ``time_min``,
        ``vc_change``), per-scenario ``scenarios`` and a summary.
    """
    params = params or TrafficParams()
    if not scenarios:
        raise ModelError("no scenarios to run")
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
    links = network.links.copy()
    rows: dict[str, dict[str, Any]] = {}
    blocks: dict[str, pd.DataFrame] = {}
    link_id = np.arange(len(links), dtype="int64")
    for done, scenario in enumerate(scenarios, start=2):
        mean_pce = fleet_pce(scenario.shares, catalog, params.capacity)
        classes = _classes(scenario, table["pce"], mean_pce, mode)
        scale = link_fleet_pce(links["highway"], scenario.shares, catalog, params.capacity)

        def inner(_d: int, _t: int, text: str, done: int = done) -> None:
            step(done, text)

        eq = assign_demand(
            network,
            demand,
            classes,
            params=params.assignment,
            connector_time_min=params.demand.connector_time_min,
            rel_gap=gap,
            max_iter=params.assignment.large_network_max_iter if large else None,
            require_gap=not large,
            pce_scale=scale / mean_pce,
            progress=inner if progress is not None else None,
            label=f"{scenario.label}: ",
        )
        veh = eq.class_flows.sum(axis=1)
        jam = fleet_jam_density_veh_per_km(scenario.shares, catalog, params.capacity)
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
            "mean_pce": mean_pce,
            **figures,
            "iterations": eq.iterations,
            "rel_gap": eq.rel_gap,
            "seconds": eq.seconds,
        }
        values = (
            veh,
            eq.pce_flow,
            eq.pce_flow / links["capacity_pcu_h"].to_numpy(),
            eq.congested_time,
        )
        blocks[scenario.id] = pd.DataFrame(
            {"link_id": link_id}
            | {
                name: np.asarray(v, dtype=float)
                for name, v in zip(LINK_FIGURES, values, strict=True)
            }
        )
        step(done + 1, f"congestion: {scenario.label} done")
    baseline = scenarios.baseline.id
    frame = add_changes(pd.DataFrame.from_dict(rows, orient="index"), baseline)
    frame.index.name = "scenario"
    base_vc = blocks[baseline]["vc"].to_numpy()
    for block in blocks.values():
        block["vc_change"] = block["vc"].to_numpy() - base_vc
    links = gpd.GeoDataFrame(
        links.reset_index(drop=True).assign(link_id=link_id), geometry="geometry", crs=streets.crs
    )
    summary = _summary(network, demand, frame, baseline, params)
    summary.update(
        class_mode=mode,
        class_mode_reason=why,
        zone_cap=zones_cap if od is None else None,
        rel_gap_target=gap,
        rel_gap_reason=gap_why,
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
    )


def _summary(
    network: Network, demand: Demand, frame: pd.DataFrame, baseline: str, params: TrafficParams
) -> dict[str, Any]:
    trips = demand.trips
    keep = (
        "kei_share",
        "mean_pce",
        "vht_veh_h",
        "vkt_veh_km",
        "delay_veh_h",
        "mean_speed_kmh",
        "share_km_vc_over_0_9",
        "share_km_vc_over_1_0",
        "jam_density_veh_per_lane_km",
        "queue_storage_veh",
        "iterations",
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
        "zones": len(demand.zones),
        "h3_resolution": demand.h3_resolution,
        "trips_veh_per_h": float(trips.sum()),
        "intrazonal_trips_veh_per_h": float(np.trace(trips)),
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
