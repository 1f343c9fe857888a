"""Time the congestion model on a synthetic grid city, stage by stage.

Run: ``python benchmarks/bench_congestion.py [--size 115] [--segments 4] [--spacing 150]
[--class-mode profile|fleet] [--algorithm bfw|cfw] [--no-contract] [--floor-area 6000]
[--kei-shares 0,0.25,0.5,1]``.

``--segments 4`` splits every grid street into 4 edges through degree-2 nodes, like the
unsimplified graphs pyrosm and OSMnx build from OSM (one edge per pair of consecutive nodes).
Prints, per stage (grid, network, demand, each scenario's assignment), the wall time and the
process peak RSS so far (``resource.getrusage`` maxrss), then the scenario figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from typing import Any

from urbanfit.models.congestion import congestion_model
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import AssignmentParams, DemandParams, TrafficParams
from urbanfit.vehicles import load_vehicles, scenarios


def _rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


class _Stages:
    """Records wall time and peak RSS at each progress step of the model."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.rows: list[tuple[str, float, float]] = []
        self.stage = "grid city"

    def mark(self, next_stage: str) -> None:
        now = time.perf_counter()
        self.rows.append((self.stage, now - self.last, _rss_mib()))
        print(
            f"  {self.stage}: {now - self.last:.1f} s, peak RSS {_rss_mib():,.0f} MiB", flush=True
        )
        self.last, self.stage = now, next_stage

    def progress(self, done: int, total: int, label: str) -> None:
        if "iteration" in label:
            return
        if label == "congestion: demand":
            self.mark("demand")
        elif label == "congestion: assignment":
            self.mark("assignment 1")
        elif label.endswith(" done"):
            self.mark(f"assignment {done - 1}" if done < total else "result tables")
        elif label == "congestion: building the network":
            self.mark("network")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=115, help="grid junctions per side")
    parser.add_argument("--spacing", type=float, default=150.0, help="block size, m")
    parser.add_argument("--segments", type=int, default=1, help="edges per grid street")
    parser.add_argument("--floor-area", type=float, default=6000.0, help="mean m2 per block")
    parser.add_argument("--max-zones", type=int, default=None, help="H3 zone cap")
    parser.add_argument("--class-mode", default="fleet", choices=["profile", "fleet"])
    parser.add_argument("--algorithm", default=None, help="AequilibraE algorithm (default: params)")
    parser.add_argument("--no-contract", action="store_true", help="assign on every link")
    parser.add_argument("--rel-gap", type=float, default=None, help="scenario relative gap")
    parser.add_argument("--kei-shares", default="0,0.25,0.5,1", help="comma-separated")
    args = parser.parse_args()

    stages = _Stages()
    started = time.perf_counter()
    streets, buildings = grid_city(
        args.size,
        args.size,
        spacing_m=args.spacing,
        floor_area_m2=args.floor_area,
        spurs=20,
        segments=args.segments,
    )
    print(f"streets: {len(streets):,} edges; buildings: {len(buildings):,}")
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=tuple(float(x) for x in args.kei_shares.split(",")))
    demand = DemandParams() if args.max_zones is None else DemandParams(max_zones=args.max_zones)
    options: dict[str, Any] = {"class_mode": args.class_mode, "contract": not args.no_contract}
    if args.rel_gap is not None:
        options["scenario_rel_gap"] = args.rel_gap
    if args.algorithm is not None:
        options["algorithm"] = args.algorithm
    assignment = AssignmentParams(**options)
    params = TrafficParams(demand=demand, assignment=assignment)
    result = congestion_model(
        streets, buildings, catalog, runs, params=params, progress=stages.progress
    )
    stages.mark("done")
    elapsed = time.perf_counter() - started

    s = result.summary
    print(
        f"network: {s['network_links']:,} directed links, {s['network_nodes']:,} nodes; "
        f"assigned on {s['assigned_links']:,} links ({'contracted' if s['contracted'] else 'full'})"
    )
    print(
        f"demand: {s['zones']} zones (H3 res {s['h3_resolution']}, cap {s['zone_cap']}), "
        f"{s['trips_veh_per_h']:,.0f} veh/h"
    )
    print(f"class mode: {s['class_mode']} ({s['class_mode_reason']}); gap {s['rel_gap_target']:g}")
    for sid, row in result.scenarios.iterrows():
        print(
            f"  {sid}: {int(row['iterations'])} iterations, gap {row['rel_gap']:.2e}, "
            f"{row['seconds']:.1f} s; VHT {row['vht_veh_h']:,.1f} veh-h, delay "
            f"{row['delay_veh_h']:,.2f} veh-h ({row['delay_veh_h_change_pct']:+.3f} %), "
            f"V/C>1 {row['share_km_vc_over_1_0'] * 100:.2f} % of km"
        )
    congestion = sum(seconds for name, seconds, _ in stages.rows if name != "grid city")
    print(f"congestion_model: {congestion:.1f} s; with the grid: {elapsed:.1f} s")
    print(f"peak RSS of the process (getrusage): {_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
