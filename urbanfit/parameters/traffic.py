"""Parameters of the congestion model: capacity physics, synthetic demand and assignment.

Every field is declared with `param(default, unit, source)`. Where a value is a judgement of
ours rather than a published figure, its source says "modelling assumption" and why.
Per-class tables are tuples of ``(highway class, value)`` pairs so the dataclasses stay frozen
and hashable; ``*_link`` classes take their parent class's value and ``"*"`` is the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from urbanfit.parameters.base import param
from urbanfit.parameters.calibration import CalibrationParams
from urbanfit.parameters.counts import CountParams
from urbanfit.parameters.evidence import EvidenceParams

__all__ = [
    "AssignmentParams",
    "CalibrationParams",
    "CapacityParams",
    "DemandParams",
    "TrafficParams",
]


@dataclass(frozen=True)
class CapacityParams:
    """Saturation headways, passenger-car equivalents and link capacities."""

    reaction_time_s: float = param(
        1.0,
        "s",
        "Wave travel time tau of Newell's simplified car-following model (Newell, G. F., 2002, "
        "'A simplified car-following theory: a lower order model', Transportation Research "
        "Part B 36(3), 195-205), where each driver follows the leader's trajectory shifted by "
        "tau in time; about 1 s as estimated from freeway trajectories by Ahn, Cassidy & "
        "Laval (2004), Transportation Research Part B 38(5), 431-440.",
    )
    min_gap_m: float = param(
        2.0,
        "m",
        "Bumper-to-bumper standstill gap s0 of the Intelligent Driver Model (Treiber, Hennecke "
        "& Helbing, 2000, Physical Review E 62, 1805-1824: s0 = 2 m); the jam spacing of a "
        "vehicle is its length plus this gap.",
    )
    headway_base_flow_pc_h_ln: tuple[tuple[str, float], ...] = param(
        (
            ("motorway", 2400.0),
            ("trunk", 2000.0),
            ("*", 1900.0),
        ),
        "pc/h/lane",
        "Base capacity of each road class that the reference car's saturation headway must "
        "reproduce, h = 3600 / base; the class's discharge speed follows (see "
        "`capacity.discharge_speed_kmh`). Motorway: HCM 6th ed. (2016) / 7th ed. (2022) "
        "Chapter 12, basic freeway segments, base capacity 2,200 + 10 (FFS - 50) pc/h/ln, at "
        "most 2,400 pc/h/ln at a free-flow speed of 70 mph or more (the equation for base "
        "capacity in that chapter; exhibit number not checked here). Trunk: the saturation "
        "flow of this class below (a modelling assumption). Every other class: HCM 7th ed. "
        "Chapter 19, base saturation flow rate of a signalised through lane, 1,900 pc/h/ln; "
        "classes whose link capacity is set lower (residential, service...) are lower for "
        "lane width, parking and pedestrians, not for a slower queue discharge, so their "
        "headways are calibrated on the signalised base.",
    )
    reference_length_m: float = param(
        4.9,
        "m",
        "Modelling assumption: length of the passenger car that counts as 1.0 PCE, taken as a "
        "midsize sedan (the Toyota Camry profile, 4.92 m), the kind of car HCM base "
        "conditions describe ('passenger cars only').",
    )
    saturation_flow_pcu_h_lane: tuple[tuple[str, float], ...] = param(
        (
            ("motorway", 2400.0),
            ("trunk", 2000.0),
            ("primary", 1900.0),
            ("secondary", 1900.0),
            ("tertiary", 1900.0),
            ("unclassified", 1800.0),
            ("residential", 1800.0),
            ("living_street", 1200.0),
            ("service", 1200.0),
            ("*", 1800.0),
        ),
        "pc/h/lane",
        "Motorway: HCM 6th ed. (2016) / 7th ed. (2022) Chapter 12, basic freeway segment "
        "base capacity, 2,200 + 10 (FFS - 50) pc/h/ln, 2,400 pc/h/ln at a free-flow speed of "
        "70 mph or more (exhibit number not checked here). "
        "Trunk: modelling assumption between freeway and signalised street. Primary to "
        "tertiary: HCM 7th ed. Chapter 19 base saturation flow rate of a signalised lane, "
        "1,900 pc/h/ln. Unclassified, residential: modelling assumption, HCM base less ~5 % "
        "for narrow lanes and parking manoeuvres (HCM lane-width and parking adjustments). "
        "Living street, service: modelling assumption, shared surface at walking-pace design "
        "speeds. '*': any other class, modelling assumption (the residential value).",
    )
    measured_pce: tuple[tuple[str, float], ...] = param(
        (("fullsize_suv", 1.41),),
        "pc",
        "The measured end of the PCE range: Kockelman, K. M. & Shabih, R. A. (2000), 'Effect "
        "of light-duty trucks on the capacity of signalized intersections', Journal of "
        "Transportation Engineering 126(6), 506-512: from queue-discharge headways at two "
        "signalised intersections in Austin, Texas, a large sport-utility vehicle in through "
        "traffic is 1.41 passenger cars and a van 1.34 (no van profile here). Profiles not "
        "listed keep their length-only PCE at this end (no measured figure was consulted for "
        "them), so the range is narrower than the measurements may warrant.",
    )
    green_share: tuple[tuple[str, float], ...] = param(
        (
            ("motorway", 1.0),
            ("trunk", 0.8),
            ("primary", 0.55),
            ("secondary", 0.5),
            ("tertiary", 0.45),
            ("unclassified", 0.45),
            ("residential", 0.45),
            ("living_street", 0.45),
            ("service", 0.45),
            ("*", 0.45),
        ),
        "-",
        "Effective green-time share g/C that turns saturation flow into lane capacity (HCM 7th "
        "ed. Chapter 19: capacity = saturation flow x g/C). Motorway 1.0: uninterrupted flow. "
        "Modelling assumption for the rest: major arterials get the larger share of a "
        "two-phase cycle (0.55), minor streets less; unsignalised minor streets are given a "
        "comparable share to stand for yielding at junctions; '*' is any other class.",
    )


@dataclass(frozen=True)
class DemandParams:
    """Synthetic peak-hour origin-destination demand from buildings."""

    od_max_outside_m: float = param(
        5000.0,
        "m",
        "Modelling assumption: a user OD zone point may lie at most this far beyond the "
        "bounding box of the study area's streets (a suburb just across the boundary); further "
        "out it is taken for a wrong coordinate (swapped lon/lat, another CRS, another city), "
        "since its centroid connector would be longer than most urban car trips.",
    )
    h3_resolution: int = param(
        8,
        "-",
        "Zones by area: H3 resolution 8 cells (mean area about 0.74 km2 = 0.28 sq mi, edge "
        "about 0.53 km; Uber H3 documentation, table of cell statistics by resolution) lie in "
        "the 0.25-1 sq mi per zone that Florida DOT's guidance recommends for urban traffic "
        "analysis zones (Cambridge Systematics for FDOT Systems Planning Office, 'A "
        "Recommended Approach to Delineating Traffic Analysis Zones in Florida', 2007, "
        "recommendation checklist; it also asks for 1,200-3,000 residents and under 15,000 "
        "person trips per zone). One zone per resolution-8 cell holding buildings; the zone "
        "count is then the built-up area over 0.74 km2, unless `min_zones` or the run-time "
        "cap (`zone_link_budget`) moves the resolution.",
    )
    min_zones: int = param(
        30,
        "-",
        "Modelling assumption: if resolution 8 gives fewer zones than this (a small city "
        "centre), finer H3 resolutions (up to 10, mean area about 0.015 km2) are used, since "
        "with few zones most trips stay inside one zone and never load the network.",
    )
    max_zones: int = param(
        600,
        "-",
        "Modelling assumption: if resolution 8 gives more zones than this, the next coarser "
        "H3 resolution is used, so that assignment time stays bounded on metro-sized areas.",
    )
    zone_link_budget: float = param(
        12e6,
        "zones x links",
        "Modelling assumption for run time: on large networks the zone cap is this budget "
        "divided by the number of assigned (contracted) links, since each assignment "
        "iteration builds one shortest-path tree per zone over every link. Measured here "
        "(2 cores, fleet mode): 34 ms per iteration at 140 zones x 12,300 links, 75-115 ms at "
        "43 zones x 49,700 links; congested grids need 300-550 iterations to gap 1e-4 and "
        "500 to over 2,000 to gap 1e-5. H3 coarsens a whole level (about 7x fewer zones) "
        "when the cap is exceeded.",
    )
    min_zones_cap: int = param(
        100,
        "-",
        "Modelling assumption: the network-size zone cap never goes below this many zones.",
    )
    floor_area_per_dwelling_m2: float = param(
        80.0,
        "m2",
        "Modelling assumption: gross floor area per dwelling, including circulation, used to "
        "turn residential floor area into dwelling units.",
    )
    residential_trips_per_dwelling: float = param(
        0.36,
        "veh trips/dwelling/h",
        "ITE Trip Generation Manual, 10th ed. (2017), land use 221 Multifamily Housing "
        "(Mid-Rise), weekday AM peak hour of adjacent street traffic, average rate per "
        "dwelling unit (US suburban/urban sites; vehicle trips).",
    )
    residential_outbound_share: float = param(
        0.74,
        "-",
        "ITE Trip Generation Manual, 10th ed., land use 221, AM peak hour directional "
        "distribution (about 26 % entering, 74 % exiting).",
    )
    commercial_trips_per_1000_sqft: float = param(
        1.16,
        "veh trips/1000 sq ft/h",
        "ITE Trip Generation Manual, 10th ed., land use 710 General Office Building, weekday "
        "AM peak hour of adjacent street traffic, average rate per 1,000 sq ft gross floor "
        "area; modelling assumption: offices stand in for all commercial floor area.",
    )
    commercial_outbound_share: float = param(
        0.14,
        "-",
        "ITE Trip Generation Manual, 10th ed., land use 710, AM peak hour directional "
        "distribution (about 86 % entering, 14 % exiting).",
    )
    other_trips_per_1000_sqft: float = param(
        0.70,
        "veh trips/1000 sq ft/h",
        "ITE Trip Generation Manual, 10th ed., land use 110 General Light Industrial, weekday "
        "AM peak hour average rate per 1,000 sq ft; modelling assumption: stands in for "
        "buildings of 'other' use.",
    )
    other_outbound_share: float = param(
        0.12,
        "-",
        "ITE Trip Generation Manual, 10th ed., land use 110, AM peak hour directional "
        "distribution (about 88 % entering, 12 % exiting).",
    )
    demand_scale: float = param(
        1.0,
        "-",
        "Modelling assumption: multiplier on all trip rates (e.g. below 1 for cities with a "
        "lower car mode share than the US sites ITE counts come from).",
    )
    gravity_beta_per_min: float = param(
        0.1,
        "1/min",
        "Modelling assumption: negative-exponential deterrence f(t) = exp(-beta t) on "
        "free-flow minutes (Ortuzar & Willumsen, Modelling Transport, 4th ed. 2011, "
        "section 5.2: the exponential form suits urban trips); beta 0.1/min halves the "
        "attraction of a destination every 7 min.",
    )
    ipf_tolerance: float = param(
        1e-8,
        "-",
        "Numerical: Furness iterations stop when row and column totals match to this "
        "relative error.",
    )
    ipf_max_iter: int = param(1000, "-", "Numerical: cap on Furness iterations.")
    connectors_per_zone: int = param(
        3,
        "-",
        "Modelling assumption: each zone centroid is joined to this many nearest network "
        "nodes, so its trips can enter the network at more than one point.",
    )
    connector_time_min: float = param(
        1e-3,
        "min",
        "Numerical: a tiny positive connector time (AequilibraE rejects zero free-flow times).",
    )
    external_trip_share: float = param(
        0.3,
        "-",
        "Modelling assumption: least share of the study area's peak-hour productions (and of "
        "its attractions) whose other end lies outside it, served by external zones on the "
        "boundary. A city-sized area keeps most trips inside, a neighbourhood extract far "
        "fewer; 0.3 is a middle value. Internal trips are (1 - share) x the smaller of the "
        "production and attraction totals; the rest of each kind leaves or enters the area, "
        "so no trip end is dropped.",
    )
    external_classes: tuple[str, ...] = param(
        ("motorway", "trunk", "primary", "secondary", "tertiary"),
        "-",
        "Modelling assumption: roads of these classes (and their _link ramps) that reach the "
        "study area's boundary carry the trips leaving or entering it; if none does, every "
        "class is used.",
    )
    external_boundary_m: float = param(
        60.0,
        "m",
        "Modelling assumption: a network node within this distance of the convex hull of the "
        "network's nodes (or 2 % of the hull's equivalent diameter, if larger) is on the "
        "study area's boundary.",
    )
    external_merge_m: float = param(
        250.0,
        "m",
        "Modelling assumption: boundary nodes closer than this become one external zone (both "
        "carriageways of one road, a ramp pair), kept at the node of largest capacity.",
    )
    max_external_zones: int = param(
        40,
        "-",
        "Modelling assumption for run time: at most this many external zones, the boundary "
        "roads of largest capacity; each external zone's share of external trips is "
        "proportional to the capacity of the boundary links at its node.",
    )


@dataclass(frozen=True)
class AssignmentParams:
    """Static user-equilibrium assignment (AequilibraE, bi-conjugate Frank-Wolfe)."""

    bpr_alpha: float = param(
        0.15,
        "-",
        "US Bureau of Public Roads (1964), Traffic Assignment Manual: t = t0 (1 + alpha "
        "(v/c)^beta), alpha = 0.15.",
    )
    bpr_beta: float = param(
        4.0, "-", "US Bureau of Public Roads (1964), Traffic Assignment Manual: beta = 4."
    )
    vdf: str = param(
        "conical",
        "-",
        "Volume-delay function of city runs: 'conical' (Spiess, H., 1990, 'Conical "
        "volume-delay functions', Transportation Science 24(2), 153-158) or 'bpr' (the BPR "
        "parameters above; the TNTP validation always uses the networks' own BPR). BPR's "
        "(v/c)^4 term grows without bound above capacity, so a static assignment's few links "
        "loaded past capacity (V/C 1.5-2) take most of the delay; the conical function grows "
        "linearly there and has a positive slope at low V/C. Modelling choice.",
    )
    conical_alpha: float = param(
        4.0,
        "-",
        "Steepness alpha of the conical function f(x) = 2 + sqrt(alpha^2 (1 - x)^2 + beta^2) "
        "- alpha (1 - x) - beta, beta = (2 alpha - 1) / (2 alpha - 2), x = V/C: f(0) = 1, "
        "f(1) = 2, f'(1) = alpha. Spiess (1990): alpha plays the role of the exponent of the "
        "BPR form 1 + x^alpha, with which it shares f(1) and f'(1); 4 as BPR's beta.",
    )
    algorithm: str = param(
        "bfw",
        "-",
        "Bi-conjugate Frank-Wolfe (Mitradjieva & Lindberg, 2013, Transportation Science "
        "47(2), 280-293), as implemented in AequilibraE.",
    )
    rel_gap: float = param(
        1e-4,
        "-",
        "Default stopping relative gap of an assignment (DESIGN.md: 1e-4 or better).",
    )
    scenario_rel_gap: float = param(
        1e-5,
        "-",
        "Tighter relative gap for the scenario runs whose differences are reported: at 1e-4 "
        "total travel time can still be off by ~0.07 % (measured on Sioux Falls), as large as "
        "small scenario differences; at 1e-5 Sioux Falls TSTT is within ~0.01 % of the "
        "best-known solution.",
    )
    max_iter: int = param(
        2000,
        "-",
        "Numerical: cap on Frank-Wolfe iterations; the model fails loudly if the gap is not "
        "reached.",
    )
    stall_patience: int = param(
        5,
        "iterations",
        "Numerical, measured: with 'bfw', after this many flat iterations in a row (each "
        "relative gap within 1 % of the one before) the run is started afresh from its "
        "current flows. AequilibraE 1.7.2 caps the bi-conjugate step at 1/sqrt(iteration); on "
        "Helsinki the line search took the cap at every iteration and the gap stayed at "
        "2.6e-4 from iteration 31 to 78 (86 iterations to gap 1e-5). Healthy runs are not "
        "flat: Sioux Falls' gap never stays within 1 % for 5 iterations. 0 never restarts.",
    )
    conservation_tolerance: float = param(
        1e-6,
        "-",
        "Numerical: the largest node imbalance allowed, relative to the largest link flow "
        "(AequilibraE 1.7.2 can violate flow conservation on graphs with dead ends).",
    )
    class_mode: str = param(
        "fleet",
        "-",
        "'fleet' (default): one AequilibraE traffic class carrying the fleet-mean PCE. "
        "'profile': one class per vehicle profile with its own PCE. Every class's trips are "
        "its share of the same OD matrix and every class sees the same link costs, so the "
        "split x_k = share_k x (total flow) of any single-class equilibrium of the total "
        "trips is a multi-class equilibrium with PCE flow sum_k pce_k share_k x = mean PCE x "
        "x; BPR costs rise strictly with PCE flow, so link costs and PCE flows are unique and "
        "both modes give the same PCE flows (test: two-route network solved by hand). "
        "AequilibraE finds paths once per class: 'profile' costs 2-7x the time. Modelling "
        "choice.",
    )
    cores: int = param(
        0,
        "-",
        "Threads for AequilibraE (0: one thread on networks below `one_thread_below`, else "
        "all cores).",
    )
    one_thread_below: float = param(
        1e6,
        "zones x links",
        "Measured (2 cores, 60 iterations): AequilibraE starts a thread pool at every "
        "iteration, which costs more than it gains on small networks: Helsinki (134 zones x "
        "293 links) 1.5-1.8 s on one thread vs 2.4-2.6 s on two, San Bernardino (52 x 1,547) "
        "0.8 vs 1.1 s; Columbus (164 x 38,495, 30 iterations) 9.5 vs 6.3 s and a 100k-edge "
        "grid (100 x 64,353, 40 iterations) 10.6 vs 6.0 s. With cores 0, networks of fewer "
        "zones x assigned links than this run on one thread.",
    )
    large_network_links: int = param(
        20_000,
        "links",
        "Modelling choice: above this many assigned links (after contraction) scenarios run "
        "to `large_network_rel_gap` instead of `scenario_rel_gap`; measured here, a "
        "100k-street-edge grid did not reach 1e-5 within 2,000 iterations (about 230 s per "
        "scenario) but reached 1e-4 in 330-430 iterations (about 30 s).",
    )
    large_network_rel_gap: float = param(
        1e-4,
        "-",
        "DESIGN.md: 1e-4 or better; measured on Sioux Falls, total travel time at 1e-4 is "
        "within about 0.07 % of the best-known solution, so scenario differences smaller "
        "than about 0.1 % are within solver tolerance on large networks (stated in the "
        "summary).",
    )
    large_network_max_iter: int = param(
        500,
        "-",
        "Modelling choice, measured: on a 499k-street-edge synthetic city one scenario took "
        "452 s for 2,000 iterations and still had relative gap 2.6e-4 (target 1e-4); above "
        "`large_network_links` each scenario stops at this many iterations, so four scenarios "
        "fit the 15-minute budget, and the gap reached is reported instead of failing.",
    )
    fleet_above_links: int = param(
        20_000,
        "links",
        "Size rule (run time): with class_mode 'profile', networks of more assigned "
        "(contracted) links than this run in 'fleet' mode, and the summary says so "
        "(class_mode, class_mode_reason). AequilibraE finds paths once per class, so 7 "
        "profile classes cost 5-7x one fleet class (measured on a 52k-link grid); the PCE "
        "flows are the same (see class_mode).",
    )
    contract: bool = param(
        True,
        "-",
        "Exact network contraction before assignment: chains of directed links through nodes "
        "with one way in and one way out per direction (the degree-2 nodes of unsimplified OSM "
        "graphs) become one link when they share capacity and BPR parameters. Links in series "
        "carry the same flow, and t0_1 (1 + a (x/c)^b) + t0_2 (1 + a (x/c)^b) = (t0_1 + t0_2) "
        "(1 + a (x/c)^b), so the equilibrium is unchanged; results are expanded back to every "
        "directed link. Connectors attach only to surviving nodes. Checked: Helsinki link "
        "flows agree with the uncontracted run within 1e-6 relative (tests).",
    )
    # Where the independent runs of one city go (urbanfit.workers): local processes or Dask.
    parallel_above_links: int = param(
        20_000,
        "assigned links",
        "Measured here (2 cores): importing the dependency stack takes about 3 s, which a "
        "spawned worker pays before its first run, while all 21 runs of the Helsinki centre "
        "take 2.8 s in one process. Above this many assigned links (where the model also "
        "runs one congestion level instead of three) the runs after the first level's "
        "calibration go to one process per core; below, they run in the calling process.",
    )
    worker_base_mb: float = param(
        250.0,
        "MB",
        "Measured here: peak resident memory of a spawned worker after importing the "
        "congestion model and assigning a 5-node network, 193 MB; rounded up.",
    )
    worker_mb_per_1000_links: float = param(
        14.0,
        "MB per 1,000 assigned links",
        "Measured here: the peak resident memory of the workers of Columbus (38,495 assigned "
        "links, 164 zones, fleet class) was 694 MB, (694 - 193) / 38.5 = 13.0 MB per 1,000 "
        "links above the base (network tables, demand, AequilibraE graph and results); "
        "rounded up.",
    )
    worker_memory_share: float = param(
        0.8,
        "-",
        "Modelling assumption: local worker processes together may use at most this share "
        "of the memory available when they start; fewer workers are started otherwise.",
    )


@dataclass(frozen=True)
class TrafficParams:
    """All parameter groups of the congestion model."""

    capacity: CapacityParams = field(default_factory=CapacityParams)
    demand: DemandParams = field(default_factory=DemandParams)
    assignment: AssignmentParams = field(default_factory=AssignmentParams)
    calibration: CalibrationParams = field(default_factory=CalibrationParams)
    counts: CountParams = field(default_factory=CountParams)
    evidence: EvidenceParams = field(default_factory=EvidenceParams)
