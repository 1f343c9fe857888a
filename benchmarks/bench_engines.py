"""Compare two assignment engines on the same networks: AequilibraE bfw and pytraf.

Run: ``python benchmarks/bench_engines.py --tntp ../shared/data/tntp/SiouxFalls``
(add ``--city /tmp/columbus.npz`` for a city network exported with ``--export``; ``--vdf
conical`` runs AequilibraE with urbanfit's conical function instead of the networks' BPR
terms, which pytraf cannot express; ``--conical-fit`` measures how closely BPR terms can).

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

    conical = case.get("vdf") == "CONICAL"
    eq = solve_equilibrium(
        case["a"],
        case["b"],
        case["t0"],
        case["cap"],
        [case["trips"]],
        pces=[1.0],
        names=["all"],
        alpha=case["conical"][0] if conical else case["alpha"],
        beta=case["conical"][1] if conical else case["beta"],
        vdf="CONICAL" if conical else "BPR",
        rel_gap=gap,
        max_iter=20_000,
        require_gap=False,
        block_centroid_flows=bool(case["block"]),
        cores=threads,
    )
    return eq.iterations, np.asarray(eq.pce_flow, dtype=float)


def _pytraf(case: dict[str, Any], gap: float, threads: int) -> tuple[int, np.ndarray]:
    from urbanfit.models.congestion.crosscheck import solve_with_pytraf  # noqa: PLC0415

    result = solve_with_pytraf(
        case["a"],
        case["b"],
        case["t0"],
        case["cap"],
        case["trips"],
        alpha=case["alpha"],
        beta=case["beta"],
        block=bool(case["block"]),
        rel_gap=gap,
        max_iter=20_000,
        threads=threads,
    )
    return result.iterations, result.flow


def _conical_as_bpr_terms() -> None:
    """
    How closely BPR terms can stand for urbanfit's conical function (not at all beyond).

    A link cut into serial pieces of the same capacity, each with its own BPR terms, costs
    ``t0 (1 + sum c_k x^p_k)`` with ``c_k >= 0``: the most pytraf 0.3.1 can express. The
    best such sum (non-negative least squares of the relative error, powers 1-8) is fitted
    to the conical function on V/C from 0 to each upper end; printed: its largest relative
    error there, and its error at 1.5 x the upper end, where the conical function grows
    linearly and any sum of powers faster.
    """
    from scipy.optimize import nnls  # noqa: PLC0415

    from urbanfit.models.congestion.vdf import link_factor, vdf_parameters  # noqa: PLC0415
    from urbanfit.parameters.traffic import AssignmentParams  # noqa: PLC0415

    _, alpha, beta = vdf_parameters(AssignmentParams(vdf="conical"))
    powers = np.arange(1, 9)
    for top in (1.5, 2.0, 3.0):
        x = np.append(np.linspace(0.0, top, 601), 1.5 * top)
        exact = link_factor("CONICAL", x, alpha, beta)
        terms = x[:, None] ** powers
        coef, _ = nnls(terms[:-1] / exact[:-1, None], (exact[:-1] - 1.0) / exact[:-1])
        error = np.abs((1.0 + terms @ coef) / exact - 1.0)
        print(
            f"conical (alpha {alpha:g}) as BPR terms on V/C 0-{top:g}: largest error "
            f"{error[:-1].max():.1%} at V/C {x[error[:-1].argmax()]:.2f}; at V/C "
            f"{1.5 * top:g}: {error[-1]:.0%}"
        )


def _one(case_path: str, engine: str, gap: float, threads: int, vdf: str) -> dict[str, Any]:
    """One engine on one network to one gap, in this process: figures as a dict."""
    from urbanfit.models.congestion.vdf import link_factor, vdf_parameters  # noqa: PLC0415
    from urbanfit.parameters.traffic import AssignmentParams  # noqa: PLC0415

    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"
    source = Path(case_path)
    case = _city_case(source) if source.suffix == ".npz" else _tntp_case(source)
    if vdf == "conical":  # urbanfit's own conical parameters on every link
        name, alpha, beta = vdf_parameters(AssignmentParams(vdf="conical"))
        case |= {"vdf": name, "conical": (alpha, beta), "name": f"{case['name']}-conical"}
    solve = _aequilibrae if engine == "aequilibrae" else _pytraf
    wall, cpu = time.perf_counter(), time.process_time()
    iterations, flow = solve(case, gap, threads)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if vdf == "conical":
        t = case["t0"] * link_factor("CONICAL", flow / case["cap"], *case["conical"])
    else:
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
    best = case["best"] if vdf == "bpr" else None  # best-known solutions are BPR ones
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
    parser.add_argument(
        "--vdf",
        choices=("bpr", "conical"),
        default="bpr",
        help="the networks' own BPR terms, or urbanfit's conical function (AequilibraE only)",
    )
    parser.add_argument("--export", type=Path, help="write a city network to this .npz")
    parser.add_argument("--osm-file", type=Path, help="the city of --export")
    parser.add_argument("--scale", type=float, default=1.0, help="trip multiplier of --export")
    parser.add_argument(
        "--conical-fit", action="store_true", help="how closely BPR terms fit the conical"
    )
    parser.add_argument("--one", nargs=5, help=argparse.SUPPRESS)  # internal: one run
    args = parser.parse_args()
    if args.one:
        case, engine, gap, threads, vdf = args.one
        print(json.dumps(_one(case, engine, float(gap), int(threads), vdf)))
        return
    if args.conical_fit:
        _conical_as_bpr_terms()
        return
    if args.export:
        _export(args.export, args.osm_file, args.scale)
        return
    print(f"load {os.getloadavg()[0]:.1f}, {args.threads} thread(s) per engine")
    for case in [*args.tntp, *args.city]:
        for gap in (float(g) for g in args.gaps.split(",")):
            for engine in args.engines.split(","):
                if engine == "pytraf" and args.vdf == "conical":
                    print(f"{case} pytraf {gap:g}: not run, pytraf 0.3.1 has only BPR delays")
                    continue
                line = [sys.executable, __file__, "--one", str(case), engine, str(gap)]
                done = subprocess.run(
                    [*line, str(args.threads), args.vdf],
                    capture_output=True,
                    text=True,
                    check=False,
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
