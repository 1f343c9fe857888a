"""The congestion model's public entry: network, demand, one assignment per fleet scenario."""

from __future__ import annotations

import dataclasses
import math
from contextlib import nullcontext
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from urbanfit.errors import ModelError
from urbanfit.models.congestion.assignment import Progress
from urbanfit.models.congestion.capacity import pce_table
from urbanfit.models.congestion.counts import (
    CountScaling,
    count_fit,
    locate_counts,
    scale_to_counts,
)
from urbanfit.models.congestion.curve import (
    baseline_summary,
    curve_levels,
    curve_rows,
    curve_summary,
    kei_curve,
)
from urbanfit.models.congestion.demand import Demand, synthetic_demand, zone_cap
from urbanfit.models.congestion.evidence import (
    capacity_gain_by_class,
    demand_evidence,
    near_miss_note,
)
from urbanfit.models.congestion.metrics import add_changes, delay_concentration
from urbanfit.models.congestion.network import Network, build_network
from urbanfit.models.congestion.od import user_demand
from urbanfit.models.congestion.runs import Runner, class_mode, scenario_gap
from urbanfit.models.congestion.schedule import WorkersFactory, run_levels
from urbanfit.models.congestion.tti import tti_target
from urbanfit.models.congestion.vdf import vdf_parameters
from urbanfit.parameters.traffic import TrafficParams
from urbanfit.results import CongestionResult, tidy
from urbanfit.vehicles import Scenario, ScenarioSet, VehicleCatalog

__all__ = ["CongestionResult", "congestion_model"]


def congestion_model(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: TrafficParams | None = None,
    od: pd.DataFrame | None = None,
    od_external: bool = False,
    counts: pd.DataFrame | None = None,
    progress: Progress | None = None,
    workers: WorkersFactory | None = None,
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
    od_external
        Zones of ``od`` outside the study area are external zones at its boundary (a
        regional model's matrix), not refused.
    counts
        Optional hourly traffic counts (`urbanfit.sources.counts.read_counts`): the demand is
        scaled to match them instead of a congestion target, and the fit is reported.
    progress
        Optional ``(done, total, label)`` callback; ``total`` is 100.
    workers
        Optional ``(tasks, assigned links) -> context of Workers or None`` (see
        `urbanfit.workers`): where the runs after the target level's calibration go (the
        other levels' calibrations, every scenario at every level). None runs them here, one
        after another; either way each run computes the same flows (see `schedule`).

    Returns
    -------
    result
        Per-link and per-scenario tables and a summary.
    """
    params = params or TrafficParams()
    total = 100  # steps: network 0, demand 1, calibration 2, then the other runs to 100

    def step(done: int, label: str) -> None:
        if progress is not None:
            progress(done, total, label)

    step(0, "congestion: building the network")
    network = build_network(streets, params.capacity, contract=params.assignment.contract)
    step(1, "congestion: demand")
    n_assigned = network.assigned.n_links
    zones_cap = zone_cap(n_assigned, params.demand)
    if od is not None:
        demand = user_demand(od, network, params.demand, outside_as_external=od_external)
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
    run = Runner(
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
    scale, search, located = 1.0, None, None
    if counts is not None:
        located, scaling = _scale_to_counts(run, baseline, counts, streets, params)
        scale = scaling.scale
        levels = [("counts", math.nan, f"scaled to {len(counts)} traffic counts")]
    elif od is None:
        target = levels[0][1]
        search = run.calibrate(baseline, target, start=run.first_guess(baseline, target))
        scale = search.scale
    tasks = len(levels) - 1 + len(levels) * len(scenarios)
    run.progress = None  # from here on runs may be elsewhere: progress counts finished tasks
    with workers(tasks, n_assigned) if workers is not None else nullcontext() as pool:
        runs = run_levels(
            run,
            levels,
            list(scenarios),
            baseline=baseline,
            scale=scale,
            search=search,
            workers=pool,
            done=lambda n, of: step(
                3 + n * (total - 3) // of, f"congestion: {n} of {of} runs done"
            ),
        )
    frame = _frame(runs[0].rows, baseline.id)
    blocks = runs[0].blocks
    error_factor = cal.gap_error_factor
    parts = [
        curve_rows(
            r.level, r.scale, _frame(r.rows, baseline.id), baseline.id, error_factor=error_factor
        )
        for r in runs
    ]
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
        vdf=vdf_parameters(params.assignment)[0].lower(),
    )
    if located is not None:
        veh = blocks[baseline.id]["flow_veh_h"].to_numpy()
        fit_table, fit = count_fit(located, veh, params=params.counts)
        summary["counts"] = {
            **fit,
            "demand_scale": float(scale),
            "scale_runs": [[m, f] for m, f in scaling.runs],
            "scale_converged": bool(scaling.converged),
            "table": fit_table.to_dict(orient="records"),
        }
    summary.update(
        demand_evidence(
            demand.trips,
            source=demand.source,
            scale=scale,
            buildings_count=0 if buildings is None else len(buildings),
            floor_area_m2=0.0 if buildings is None else float(buildings["floor_area_m2"].sum()),
            street_km=float(streets["length_m"].sum()) / 1000.0,
            params=params.evidence,
        ),
        capacity_gain_pct_by_class=capacity_gain_by_class(
            network.links["highway"], baseline, scenarios.headline, catalog, params.capacity
        ),
    )
    if od is None and counts is None:
        summary["baseline_demand"].update(tti_target(cal).figures())
    summary.update(_concentration(network, streets, blocks[baseline.id]))
    worst = float(frame["rel_gap"].max())
    summary["rel_gap_reached"] = worst
    summary["converged"] = bool(worst <= gap)
    if not summary["converged"] and large:
        summary["convergence_note"] = (
            f"on this large network the assignment stopped at "
            f"{params.assignment.large_network_max_iter} iterations with relative gap up to "
            f"{worst:.2g} (target {gap:g}); scenario differences of a few tenths of a percent "
            "are within solver tolerance"
        )
    elif not summary["converged"]:
        summary["convergence_note"] = near_miss_note(worst, gap, params.assignment.max_iter)
    return CongestionResult(
        links=links,
        link_flows=tidy(blocks, key="link_id"),
        scenarios=frame,
        summary=summary,
        zones=demand.zones,
        pce=table,
        curve=curve,
    )


def _scale_to_counts(
    run: Runner,
    baseline: Scenario,
    counts: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    params: TrafficParams,
) -> tuple[pd.DataFrame, CountScaling]:
    """Match the counts to the links and scale the baseline demand to them."""
    links = run.network.links
    points = gpd.GeoSeries(
        shapely.points(counts["lon"].to_numpy(dtype=float), counts["lat"].to_numpy(dtype=float)),
        crs=4326,
    ).to_crs(streets.crs)
    way = streets["osm_id"].to_numpy(dtype=np.int64)[links["edge_id"].to_numpy()]
    located = locate_counts(
        counts.assign(x=points.x.to_numpy(), y=points.y.to_numpy()),
        links,
        way_ids=way,
        node_xy=run.network.node_xy,
        params=params.counts,
    )

    def flows_of(scale: float) -> npt.NDArray[np.float64]:
        eq = run.search_run(baseline, scale, label=f"demand x{scale:.3g} for counts: ")
        return np.asarray(eq.class_flows.sum(axis=1), dtype=float)

    return located, scale_to_counts(flows_of, located, params=params.counts)


def _frame(rows: dict[str, dict[str, Any]], baseline: str) -> pd.DataFrame:
    frame = add_changes(pd.DataFrame.from_dict(rows, orient="index"), baseline)
    frame.index.name = "scenario"
    return frame


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


def _concentration(
    network: Network, streets: gpd.GeoDataFrame, block: pd.DataFrame
) -> dict[str, Any]:
    """Give the baseline's delay concentration (`delay_concentration`) as ``baseline_*`` keys."""
    links = network.links
    names = streets.set_index("edge_id")["name"] if "name" in streets.columns else None
    figures = delay_concentration(
        veh_flow=block["flow_veh_h"].to_numpy(),
        time_min=block["time_min"].to_numpy(),
        free_flow_min=links["free_flow_min"].to_numpy(),
        vc=block["vc"].to_numpy(),
        length_m=links["length_m"].to_numpy(),
        names=(
            names.reindex(links["edge_id"].to_numpy()).to_numpy()
            if names is not None
            else np.full(len(links), None, dtype=object)
        ),
    )
    return {f"baseline_{key}": _plain_map(value) for key, value in figures.items()}


def _plain_map(value: Any) -> Any:
    return {k: _plain(v) for k, v in value.items()} if isinstance(value, dict) else _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    value = float(value)
    return value if np.isfinite(value) else None
