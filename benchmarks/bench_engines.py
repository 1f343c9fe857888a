"""Compare two assignment engines on the same networks: AequilibraE bfw and pytraf.

Run: ``python benchmarks/bench_engines.py --tntp ../shared/data/tntp/SiouxFalls``
(add ``--city /tmp/columbus.npz`` for a city network exported with ``--export``).

AequilibraE 1.7.2's bi-conjugate Frank-Wolfe (through `solve_equilibrium`, as urbanfit runs
it) and pytraf's path-based gradient projection solve each network to each target gap from a
cold start, every run in a fresh process (so its peak memory is its own). The gap reported is
measured from the flows each engine returns, with urbanfit's own `relative_gap` (cheapest
routes at the final link costs), never the engine's estimate. On a TNTP network with a
best-known solution the flows are compared with it (TSTT, largest link difference).

A city network is exported from urbanfit's own model: ``--export OUT.npz --osm-file FILE
--scale S`` builds the contracted network and the synthetic demand of FILE as `analyze` does
and multiplies the trips by S (the ``baseline_demand.demand_scale`` of a finished run's
summary.json), one class of PCE 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from urbanfit.models.congestion.routes import relative_gap

GAPS = (1e-4, 1e-5)


def _tntp_case(folder: Path) -> dict[str, Any]:
    """Arrays of one TNTP network (no tolls or distance in the cost: Sioux Falls' kind)."""
    from urbanfit.sources.tntp import read_tntp  # noqa: PLC0415

    net = read_tntp(folder)
    links = net.links
    best = None if net.best_flows is None else net.best_flows["volume"].to_numpy(dtype=float)
    return {
        "name": net.name,
        "a": links["init_node"].to_numpy(dtype=np.int64),
        "b": links["term_node"].to_numpy(dtype=np.int64),
        "t0": links["free_flow_time"].to_numpy(dtype=float),
        "cap": links["capacity"].to_numpy(dtype=float),
        "alpha": links["b"].to_numpy(dtype=float),
        "beta": links["power"].to_numpy(dtype=float),
        "trips": np.asarray(net.trips, dtype=float),
        "block": net.first_thru_node > 1,
        "best": best,
    }


def _city_case(path: Path) -> dict[str, Any]:
    data = np.load(path)
    case = {k: data[k] for k in ("a", "b", "t0", "cap", "alpha", "beta", "trips")}
    return case | {"name": path.stem, "block": True, "best": None}


def _export(out: Path, osm_file: Path, scale: float) -> None:
    """Write the contracted network and demand of ``osm_file`` as urbanfit assigns them."""
    from urbanfit.models.congestion.demand import synthetic_demand, zone_cap  # noqa: PLC0415
    from urbanfit.models.congestion.network import build_network  # noqa: PLC0415
    from urbanfit.parameters import Parameters  # noqa: PLC0415
    from urbanfit.pipeline import load_city  # noqa: PLC0415

    params = Parameters().traffic
    _, data = load_city("", osm_file=osm_file)
    network = build_network(data.streets, params.capacity)
    links = network.assigned
    cap_zones = zone_cap(links.n_links, params.demand)
    demand = synthetic_demand(
        data.buildings, network, dataclasses.replace(params.demand, max_zones=cap_zones)
    )
    zones = len(demand.zones)
    conn = demand.connectors
    offset = zones + 1
    zone_id = conn["zone"].to_numpy() + 1
    node_id = conn["node"].to_numpy() + offset
    n_conn = 2 * len(conn)
    np.savez(
        out,
        a=np.concatenate([links.a + offset, zone_id, node_id]),
        b=np.concatenate([links.b + offset, node_id, zone_id]),
        t0=np.concatenate([links.free_flow_min, np.full(n_conn, 1e-3)]),
        cap=np.concatenate([links.capacity_pcu_h, np.full(n_conn, 1e9)]),
        alpha=np.full(links.n_links + n_conn, params.assignment.bpr_alpha),
        beta=np.full(links.n_links + n_conn, params.assignment.bpr_beta),
        trips=demand.trips * scale,
    )
    print(f"{out}: {links.n_links:,} links + {n_conn:,} connectors, {zones} zones")


def _aequilibrae(case: dict[str, Any], gap: float, threads: int) -> tuple[int, np.ndarray]:
    from urbanfit.models.congestion.assignment import solve_equilibrium  # noqa: PLC0415

    eq = solve_equilibrium(
        case["a"],
        case["b"],
        case["t0"],
        case["cap"],
        [case["trips"]],
        pces=[1.0],
        names=["all"],
        alpha=case["alpha"],
        beta=case["beta"],
        rel_gap=gap,
        max_iter=20_000,
        require_gap=False,
        block_centroid_flows=bool(case["block"]),
        cores=threads,
    )
    return eq.iterations, np.asarray(eq.pce_flow, dtype=float)


def _pytraf(case: dict[str, Any], gap: float, threads: int) -> tuple[int, np.ndarray]:
    import pytraf  # noqa: PLC0415

    a, b, trips = case["a"] - 1, case["b"] - 1, case["trips"]
    n_nodes = int(max(a.max(), b.max()) + 1)
    centroid = np.zeros(n_nodes, dtype=bool)
    if case["block"]:
        centroid[: trips.shape[0]] = True
    network = pytraf.Network(
        n_nodes,
        a,
        b,
        case["t0"],
        case["cap"],
        b=case["alpha"],
        power=case["beta"],
        is_centroid=centroid,
    )
    o, d = np.nonzero(trips)
    keep = o != d
    demand = pytraf.Demand(n_nodes, o[keep], d[keep], trips[o[keep], d[keep]])
    result = network.assign(demand, gap=gap, max_iter=20_000, threads=threads or None)
    return int(result.iterations), np.asarray(result.links.flow, dtype=float)


def _one(case_path: str, engine: str, gap: float, threads: int) -> dict[str, Any]:
    """One engine on one network to one gap, in this process: figures as a dict."""
    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"
    source = Path(case_path)
    case = _city_case(source) if source.suffix == ".npz" else _tntp_case(source)
    solve = _aequilibrae if engine == "aequilibrae" else _pytraf
    wall, cpu = time.perf_counter(), time.process_time()
    iterations, flow = solve(case, gap, threads)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    t = case["t0"] * (1.0 + case["alpha"] * (flow / case["cap"]) ** case["beta"])
    measured = relative_gap(case["a"], case["b"], t, flow, case["trips"], block=case["block"])
    out: dict[str, Any] = {
        "network": case["name"],
        "engine": engine,
        "target": gap,
        "iterations": iterations,
        "gap": measured,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "tstt": float(np.sum(flow * t)),
    }
    best = case["best"]
    if best is not None:
        tb = case["t0"] * (1.0 + case["alpha"] * (best / case["cap"]) ** case["beta"])
        out["tstt_error_pct"] = 100.0 * (out["tstt"] / float(np.sum(best * tb)) - 1.0)
        out["max_flow_diff"] = float(np.max(np.abs(flow - best)))
    np.save(f"/tmp/bench_engines_{case['name']}_{engine}_{gap:g}.npy", flow)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tntp", type=Path, action="append", default=[], help="TNTP folder")
    parser.add_argument("--city", type=Path, action="append", default=[], help="exported .npz")
    parser.add_argument("--gaps", default=",".join(f"{g:g}" for g in GAPS))
    parser.add_argument("--threads", type=int, default=1, help="threads per engine (0: all)")
    parser.add_argument("--engines", default="aequilibrae,pytraf")
    parser.add_argument("--export", type=Path, help="write a city network to this .npz")
    parser.add_argument("--osm-file", type=Path, help="the city of --export")
    parser.add_argument("--scale", type=float, default=1.0, help="trip multiplier of --export")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)  # internal: one run
    args = parser.parse_args()
    if args.one:
        case, engine, gap, threads = args.one
        print(json.dumps(_one(case, engine, float(gap), int(threads))))
        return
    if args.export:
        _export(args.export, args.osm_file, args.scale)
        return
    print(f"load {os.getloadavg()[0]:.1f}, {args.threads} thread(s) per engine")
    for case in [*args.tntp, *args.city]:
        for gap in (float(g) for g in args.gaps.split(",")):
            for engine in args.engines.split(","):
                line = [sys.executable, __file__, "--one", str(case), engine, str(gap)]
                done = subprocess.run(
                    [*line, str(args.threads)], capture_output=True, text=True, check=False
                )
                if done.returncode != 0:
                    print(f"{case} {engine} {gap:g}: failed\n{done.stderr[-2000:]}")
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                extra = ""
                if "tstt_error_pct" in r:
                    extra = (
                        f", TSTT {r['tstt_error_pct']:+.4f} % of best-known, largest link "
                        f"difference {r['max_flow_diff']:.2f} veh/h"
                    )
                print(
                    f"{r['network']} {r['engine']:>11} to {gap:g}: {r['iterations']} "
                    f"iterations, measured gap {r['gap']:.2e}, {r['wall_s']:.2f} s wall, "
                    f"{r['cpu_s']:.2f} s CPU, peak {r['peak_mb']:.0f} MB{extra}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
