"""The congestion model's runs one after another and on worker processes: time and flows.

Run: ``python benchmarks/bench_parallel.py helsinki ../shared/data/osm/columbus-ohio.osm.pbf``.

Each city is read once; then `congestion_model` runs serially (``workers=None``) and on
``--workers`` spawned processes (`urbanfit.workers`, forced even below
``parallel_above_links``). Printed per run: wall seconds, CPU seconds of this process and of
the workers, the part before the tasks are sent (network, demand and the target level's
calibration: the serial part) and the task part, and the largest difference in link PCE flow
between the two runs. Timings on a shared machine move with its load, printed alongside.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_run(data: Any, catalog: Any, runs: Any, workers: Any) -> tuple[Any, dict[str, float]]:
    from urbanfit.models.congestion import model  # noqa: PLC0415

    marks: dict[str, float] = {}
    inner = model.run_levels

    def run_levels(*args: Any, **kwargs: Any) -> Any:
        marks["tasks_start"] = time.perf_counter()
        return inner(*args, **kwargs)

    model.run_levels = run_levels  # type: ignore[assignment]
    try:
        wall, cpu = time.perf_counter(), _cpu()
        result = model.congestion_model(
            data.streets, data.buildings, catalog, runs, workers=workers
        )
        end = time.perf_counter()
    finally:
        model.run_levels = inner  # type: ignore[assignment]
    return result, {
        "wall": end - wall,
        "cpu": _cpu() - cpu,
        "serial_part": marks["tasks_start"] - wall,
        "tasks": end - marks["tasks_start"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cities", nargs="+", help="'helsinki' or an OSM file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parallel-only", action="store_true", help="skip the serial run")
    args = parser.parse_args()
    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"

    from urbanfit.pipeline import load_city  # noqa: PLC0415
    from urbanfit.vehicles import load_vehicles, scenarios  # noqa: PLC0415
    from urbanfit.workers import congestion_workers  # noqa: PLC0415

    catalog = load_vehicles()
    runs = scenarios(catalog)
    for city in args.cities:
        path = Path(city)
        _, data = load_city(city, osm_file=path if path.is_file() else None)
        figures = {}
        flows = {}
        modes = [("serial", None)] if not args.parallel_only else []
        modes.append((f"{args.workers} workers", congestion_workers(workers=args.workers)))
        for label, workers in modes:
            load = os.getloadavg()[0]
            result, t = _timed_run(data, catalog, runs, workers)
            figures[label] = t
            flows[label] = result.link_flows["pce_flow"].to_numpy()
            s = result.summary
            iterations = int(result.scenarios["iterations"].sum())
            print(
                f"{data.name} {label}: {s['assigned_links']:,} assigned links, {s['zones']} "
                f"zones, {len(result.curve) if result.curve is not None else 0} scenario runs "
                f"({iterations} iterations at the target level); {t['wall']:.1f} s wall "
                f"({t['serial_part']:.1f} s before the tasks, {t['tasks']:.1f} s of tasks), "
                f"{t['cpu']:.1f} s CPU; load {load:.1f} -> {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{data.name}: largest worker peak RSS so far {worker_mb:.0f} MB", flush=True)
        if args.parallel_only:
            continue
        serial, parallel = flows.values()
        diff = np.abs(serial - parallel)
        print(
            f"{data.name}: largest link PCE-flow difference {diff.max():.3g} pcu/h "
            f"(largest flow {serial.max():.0f}); identical links {np.mean(diff == 0):.1%}; "
            f"speed-up of the tasks {figures['serial']['tasks'] / figures[label]['tasks']:.2f}x,"
            f" of the model {figures['serial']['wall'] / figures[label]['wall']:.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
