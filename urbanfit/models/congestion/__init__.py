"""Congestion model: capacity from vehicle physics, synthetic demand, equilibrium assignment.

Public entry: `congestion_model` (called by the pipeline) and `validate_assignment` (called by the
``validate-assignment`` command). The pieces are public too, for tests and notebooks.
"""

from __future__ import annotations

from urbanfit.models.congestion.assignment import (
    Equilibrium,
    GraphCache,
    Progress,
    solve_equilibrium,
)
from urbanfit.models.congestion.calibration import (
    ScaleSearch,
    solve_scale,
    target_tti,
    travel_time_index,
)
from urbanfit.models.congestion.capacity import (
    ROAD_CLASSES,
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
from urbanfit.models.congestion.contraction import (
    Contraction,
    contract_links,
    identity_contraction,
)
from urbanfit.models.congestion.curve import kei_curve
from urbanfit.models.congestion.demand import (
    Demand,
    building_trip_ends,
    connect_zones,
    furness,
    h3_zones,
    synthetic_demand,
    zone_cap,
    zone_costs,
)
from urbanfit.models.congestion.external import ExternalSplit, boundary_nodes, external_split
from urbanfit.models.congestion.metrics import CHANGE_FIGURES, add_changes, scenario_figures
from urbanfit.models.congestion.model import CongestionResult, congestion_model
from urbanfit.models.congestion.network import (
    Network,
    build_network,
    check_flow_conservation,
    directed_links,
    node_imbalance,
    prune_links,
)
from urbanfit.models.congestion.od import user_demand
from urbanfit.models.congestion.runs import assign_demand, class_mode, scenario_gap
from urbanfit.models.congestion.validation import (
    ValidationReport,
    beckmann_objective,
    validate_assignment,
)

__all__ = [
    "CHANGE_FIGURES",
    "ROAD_CLASSES",
    "CongestionResult",
    "Contraction",
    "Demand",
    "Equilibrium",
    "ExternalSplit",
    "GraphCache",
    "Network",
    "Progress",
    "ScaleSearch",
    "ValidationReport",
    "add_changes",
    "assign_demand",
    "beckmann_objective",
    "boundary_nodes",
    "build_network",
    "building_trip_ends",
    "capacity_gain_table",
    "check_flow_conservation",
    "class_mode",
    "congestion_model",
    "connect_zones",
    "contract_links",
    "directed_links",
    "discharge_speed_kmh",
    "external_split",
    "fleet_jam_density_veh_per_km",
    "fleet_pce",
    "furness",
    "h3_zones",
    "identity_contraction",
    "jam_density_veh_per_km",
    "kei_curve",
    "lanes_per_direction",
    "link_capacity_pcu_h",
    "link_fleet_pce",
    "node_imbalance",
    "pce",
    "pce_table",
    "prune_links",
    "saturation_headway_s",
    "scenario_figures",
    "scenario_gap",
    "solve_equilibrium",
    "solve_scale",
    "synthetic_demand",
    "target_tti",
    "travel_time_index",
    "user_demand",
    "validate_assignment",
    "zone_cap",
    "zone_costs",
]
