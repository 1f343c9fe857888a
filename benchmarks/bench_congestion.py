"""Time the congestion model on a synthetic grid city (>= 50,000 directed links, >= 400 zones).

Run: ``python benchmarks/bench_congestion.py [--size 115] [--class-mode profile|fleet]
[--floor-area 5000] [--kei-shares 0,0.25,0.5,1]``.
Prints stage times, the peak Python heap (tracemalloc) and the process peak RSS (getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

from urbanfit.models.congestion import build_network, congestion_model, synthetic_demand
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import AssignmentParams, DemandParams, TrafficParams
from urbanfit.vehicles import load_vehicles, scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=115, help="grid nodes per side")
    parser.add_argument("--spacing", type=float, default=150.0, help="block size, m")
    parser.add_argument("--floor-area", type=float, default=6000.0, help="mean m2 per block")
    parser.add_argument("--max-zones", type=int, default=1000, help="H3 zone cap")
    parser.add_argument("--class-mode", default="profile", choices=["profile", "fleet"])
    parser.add_argument("--kei-shares", default="0,0.25,0.5,1", help="comma-separated")
    parser.add_argument("--no-tracemalloc", action="store_true", help="time without tracing")
    args = parser.parse_args()

    streets, buildings = grid_city(
        args.size, args.size, spacing_m=args.spacing, floor_area_m2=args.floor_area, spurs=20
    )
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=tuple(float(x) for x in args.kei_shares.split(",")))
    params = TrafficParams(
        demand=DemandParams(max_zones=args.max_zones),
        assignment=AssignmentParams(class_mode=args.class_mode),
    )

    started = time.perf_counter()
    network = build_network(streets, params.capacity)
    t_network = time.perf_counter() - started
    started = time.perf_counter()
    demand = synthetic_demand(buildings, network, params.demand)
    t_demand = time.perf_counter() - started
    print(f"streets: {len(streets):,} edges; buildings: {len(buildings):,}")
    print(
        f"network: {len(network.links):,} directed links, {network.n_nodes:,} nodes "
        f"({t_network:.2f} s)"
    )
    print(
        f"demand: {len(demand.zones)} zones (H3 res {demand.h3_resolution}), "
        f"{demand.trips.sum():,.0f} veh/h, {demand.ipf_iterations} Furness iterations "
        f"({t_demand:.2f} s)"
    )

    def progress(done: int, total: int, label: str) -> None:
        if "iteration" not in label:
            print(f"  [{done}/{total}] {label}", flush=True)

    if not args.no_tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    result = congestion_model(streets, buildings, catalog, runs, params=params, progress=progress)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / 1024 / (1024 if sys.platform == "darwin" else 1)

    table = result.scenarios
    print(
        f"class mode: {args.class_mode}; relative gap target {params.assignment.scenario_rel_gap:g}"
    )
    for sid, row in table.iterrows():
        print(
            f"  {sid}: {int(row['iterations'])} iterations, gap {row['rel_gap']:.2e}, "
            f"{row['seconds']:.1f} s; VHT {row['vht_veh_h']:,.0f} veh-h, delay "
            f"{row['delay_veh_h']:,.0f} veh-h ({row['delay_veh_h_change_pct']:+.2f} %), "
            f"V/C>1 {row['share_km_vc_over_1_0'] * 100:.2f} % of km"
        )
    print(
        f"congestion_model total: {elapsed:.1f} s (tracemalloc "
        f"{'on' if not args.no_tracemalloc else 'off'})"
    )
    if peak:
        print(f"peak Python heap (tracemalloc): {peak / 2**20:,.0f} MiB")
    print(f"peak RSS of the process (getrusage): {rss_mb:,.0f} MiB")


if __name__ == "__main__":
    main()
