"""What the zone rule gives on the synthetic cities: zones, H3 resolution and the run-time cap.

Run: ``python benchmarks/bench_zones.py --sizes 10000,100000,500000``.

The synthetic city of each size (`synthetic_city.write_city`, cached in ``--work`` as
`bench_scale.py` caches it) is read and its network built as `urbanfit analyze` does; the
zones are the H3 cells of its buildings at the resolution the rule picks (see
`DemandParams.h3_resolution`, `zone_link_budget`): resolution 8 (0.74 km2 a zone, the
area rule) unless the cap of ``zone_link_budget / assigned links`` zones is exceeded, in which
case the next coarser resolution is used.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,500000", help="edge counts")
    parser.add_argument("--work", type=Path, default=Path("/tmp/urbanfit-bench-scale"))
    args = parser.parse_args()

    from urbanfit.models.congestion.demand import h3_zones, zone_cap  # noqa: PLC0415
    from urbanfit.models.congestion.network import build_network  # noqa: PLC0415
    from urbanfit.parameters import Parameters  # noqa: PLC0415
    from urbanfit.pipeline import load_city  # noqa: PLC0415

    sys.path.insert(0, str(HERE))
    from synthetic_city import write_city  # noqa: PLC0415

    params = Parameters().traffic
    args.work.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        path = args.work / f"synthetic-{size}.osm.pbf"
        if not path.is_file():
            write_city(path, edges=size)
        started = time.perf_counter()
        _, data = load_city("", osm_file=path, name=f"synthetic-{size}")
        network = build_network(data.streets, params.capacity)
        links = network.assigned.n_links
        cap = zone_cap(links, params.demand)
        demand = dataclasses.replace(params.demand, max_zones=cap)
        buildings = data.buildings.to_crs(network.links.crs)
        uncapped, res0 = h3_zones(buildings, dataclasses.replace(demand, max_zones=10**9))
        zones, res = h3_zones(buildings, demand)
        area_km2 = float(np.ptp(network.node_xy[:, 0]) * np.ptp(network.node_xy[:, 1]) / 1e6)
        print(
            f"{size:,} requested: {len(data.streets):,} street edges, {links:,} assigned "
            f"links, {area_km2:.0f} km2; area rule (resolution {res0}) {len(uncapped)} zones; "
            f"cap {cap} -> resolution {res}, {len(zones)} zones "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
