"""Scale benchmark: synthetic cities of 10k, 100k (and 500k) edges through the full pipeline.

Run: ``python benchmarks/bench_scale.py [--sizes 10000,100000] [--no-congestion]
[--both] [--tracemalloc] [--algorithm bfw|cfw] [--work DIR]``. Add 500000 to ``--sizes`` to
run the large city.

Each size runs in a fresh Python process (so peak memory is its own): the synthetic city is
written with `synthetic_city.write_city` (cached in ``--work``), then `urbanfit.pipeline.analyze`
and `urbanfit.render.export.write_outputs` run on it. Stages are timed from the pipeline's own
progress callbacks, with ``read_file`` and ``build_city`` wrapped to split reading from table
building: read, build tables, parking, congestion, fit + index (and the summary), then each
writer (summary, tables, report, map). Peak memory per stage is the highest resident set size
sampled every 20 ms during the stage (psutil); the process-wide peak is
``resource.getrusage(RUSAGE_SELF).ru_maxrss``. ``--tracemalloc`` also reports the peak of
Python-allocated memory per stage (slower). Each stage also gives its process CPU seconds
(all threads), which a busy shared machine changes far less than wall time; the load average
before and after each run says how busy the machine was. With congestion, the iterations,
relative gap reached and seconds of every scenario assignment and calibration run follow.
``--both`` runs each size with and without the congestion model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


class Stages:
    """Wall time and peak memory per named stage; a stage lasts until the next one starts."""

    def __init__(self, *, trace: bool) -> None:
        import psutil  # noqa: PLC0415

        self.process = psutil.Process()
        self.trace = trace
        self.rows: list[dict[str, Any]] = []
        self.name: str | None = None
        self.started = 0.0
        self.cpu = 0.0
        self.peak = 0
        self.stop = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def start(self, name: str) -> None:
        """End the current stage (if another) and start ``name``."""
        if name == self.name:
            return
        self.end()
        self.name = name
        self.peak = self.process.memory_info().rss
        if self.trace:
            tracemalloc.reset_peak()
        self.started = time.perf_counter()
        self.cpu = time.process_time()

    def end(self) -> None:
        """Record the current stage."""
        if self.name is None:
            return
        seconds = time.perf_counter() - self.started
        self.peak = max(self.peak, self.process.memory_info().rss)
        row = {
            "stage": self.name,
            "seconds": seconds,
            "cpu_seconds": time.process_time() - self.cpu,
            "peak_rss_mb": self.peak / 2**20,
        }
        if self.trace:
            row["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        self.rows.append(row)
        self.name = None

    def close(self) -> None:
        """End the last stage and the sampler."""
        self.end()
        self.stop.set()
        self.sampler.join()


def _stage_of(label: str) -> str:
    """The benchmark stage of a pipeline progress label."""
    if label.startswith("congestion"):
        return "congestion"
    if label.startswith("narrow-street fit") or label == "summarising":
        return "fit + index + summary"
    if label == "parking model":
        return "parking"
    return label


def _timed(stages: Stages, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stages.start(name)
        return function(*args, **kwargs)

    return wrapper


def _with_algorithm(algorithm: str) -> Any:
    from urbanfit.parameters import Parameters  # noqa: PLC0415
    from urbanfit.parameters.traffic import AssignmentParams, TrafficParams  # noqa: PLC0415

    return Parameters(traffic=TrafficParams(assignment=AssignmentParams(algorithm=algorithm)))


def run_one(
    path: Path,
    *,
    out_root: Path,
    congestion: bool,
    trace: bool,
    algorithm: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Analyse ``path`` and write its outputs in this process; return the stage figures."""
    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")
    from urbanfit import pipeline  # noqa: PLC0415
    from urbanfit.render.export import write_outputs  # noqa: PLC0415
    from urbanfit.workers import congestion_workers  # noqa: PLC0415

    if trace:
        tracemalloc.start()
    stages = Stages(trace=trace)
    # split "reading OSM data" into reading the file and building the typed tables
    pipeline.read_file = _timed(stages, "read", pipeline.read_file)  # type: ignore[assignment]
    pipeline.build_city = _timed(stages, "build tables", pipeline.build_city)  # type: ignore[assignment]

    def progress(label: str, _fraction: float) -> None:
        if label not in ("reading OSM data", "done"):
            stages.start(_stage_of(label))

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with pipeline.gc_frozen():  # as the CLI runs
        result = pipeline.analyze(
            "synthetic",
            osm_file=path,
            name=path.name.split(".")[0],
            run_congestion=congestion,
            params=None if algorithm is None else _with_algorithm(algorithm),
            progress=progress,
            workers=congestion_workers(workers=workers),  # as `urbanfit analyze` runs
        )
        folder = write_outputs(
            result, out_root, progress=lambda writer: stages.start(f"write {writer}")
        )
    stages.close()
    total = time.perf_counter() - started
    map_mb = (folder / "map.html").stat().st_size / 1e6
    notes = result.summary.get("notes") or []
    return {
        "file": str(path),
        "streets": len(result.streets),
        "lots": len(result.lots),
        "buildings": len(result.buildings),
        "congestion": congestion and result.congestion is not None,
        "notes": notes,
        "stages": stages.rows,
        "total_seconds": total,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "map_html_mb": map_mb,
        "load_average": [load_before, os.getloadavg()[0]],
        "assignments": _assignments(result.congestion),
    }


def _assignments(congestion: Any) -> dict[str, Any]:
    """Iterations, gap and seconds of each scenario run, and the calibration runs."""
    if congestion is None:
        return {}
    keep = ["iterations", "restarts", "rel_gap", "seconds", "delay_veh_h"]
    keep += ["delay_veh_h_change_pct"]
    scenarios = congestion.scenarios[keep].astype(float).to_dict(orient="index")
    summary = congestion.summary
    curve = congestion.curve
    resolved = []
    if curve is not None:
        cols = ["level", "scenario", "vht_change_veh_h", "solver_error_veh_h", "resolved"]
        resolved = curve[cols].astype({"resolved": bool}).to_dict(orient="records")
    return {
        "scenarios": scenarios,
        "resolved": resolved,
        "calibration": summary.get("baseline_demand", {}).get("search_runs"),
        "assigned_links": summary.get("assigned_links"),
        "zones": summary.get("zones"),
        "class_mode": summary.get("class_mode"),
        "rel_gap_target": summary.get("rel_gap_target"),
    }


def _print(figures: dict[str, Any]) -> None:
    label = "with" if figures["congestion"] else "without"
    print(
        f"\n{figures['streets']:,} street edges, {figures['lots']:,} lots, "
        f"{figures['buildings']:,} buildings — {label} congestion"
    )
    for note in figures["notes"]:
        print(f"  note: {note}")
    traced = any("traced_peak_mb" in row for row in figures["stages"])
    header = f"  {'stage':<24}{'seconds':>9}{'CPU s':>8}{'peak RSS MB':>13}"
    print(header + ("  traced MB" if traced else ""))
    for row in figures["stages"]:
        extra = f"{row['traced_peak_mb']:>11,.0f}" if traced else ""
        print(
            f"  {row['stage']:<24}{row['seconds']:>9.1f}{row['cpu_seconds']:>8.1f}"
            f"{row['peak_rss_mb']:>13,.0f}{extra}"
        )
    print(
        f"  {'total':<24}{figures['total_seconds']:>9.1f}{figures['maxrss_mb']:>13,.0f}"
        f"   (maxrss); map.html {figures['map_html_mb']:.1f} MB"
    )
    before, after = figures["load_average"]
    print(f"  load average (1 min) before / after: {before:.1f} / {after:.1f}")
    runs = figures["assignments"]
    if runs:
        print(
            f"  assignment: {runs['assigned_links']:,} links, {runs['zones']} zones, "
            f"class mode {runs['class_mode']}, gap target {runs['rel_gap_target']:g}"
        )
        for sid, row in runs["scenarios"].items():
            print(
                f"    {sid}: {row['iterations']:.0f} iterations ({row['restarts']:.0f} "
                f"restarts), gap {row['rel_gap']:.2e}, "
                f"{row['seconds']:.1f} s; delay {row['delay_veh_h']:,.1f} veh-h "
                f"({row['delay_veh_h_change_pct']:+.2f} %)"
            )
        print(f"    calibration runs (multiplier, TTI): {runs['calibration']}")
        for row in runs["resolved"]:
            print(
                f"    {row['level']} {row['scenario']}: VHT change {row['vht_change_veh_h']:+,.1f} "
                f"veh-h, error the gap allows {row['solver_error_veh_h']:,.1f} veh-h, "
                f"{'resolved' if row['resolved'] else 'NOT resolved'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="edge counts, comma-separated")
    parser.add_argument("--no-congestion", action="store_true", help="skip the congestion model")
    parser.add_argument("--both", action="store_true", help="run with and without congestion")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python memory")
    parser.add_argument("--work", type=Path, default=Path("/tmp/urbanfit-bench-scale"))
    parser.add_argument("--algorithm", help="AequilibraE algorithm (default: the parameters')")
    parser.add_argument(
        "--workers", type=int, help="processes for the congestion runs (default: as analyze)"
    )
    parser.add_argument(
        "--jitter",
        type=float,
        default=0.0,
        help="move each street node by up to this fraction of a block (0: a perfect grid)",
    )
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: one run
    args = parser.parse_args()

    if args.one is not None:  # the child process: one city, figures as JSON on stdout
        figures = run_one(
            args.one,
            out_root=args.work / "outputs",
            congestion=not args.no_congestion,
            trace=args.tracemalloc,
            algorithm=args.algorithm,
            workers=args.workers,
        )
        print("FIGURES " + json.dumps(figures))
        return

    sys.path.insert(0, str(HERE))
    from synthetic_city import write_city  # noqa: PLC0415

    args.work.mkdir(parents=True, exist_ok=True)
    modes = [True, False] if args.both else [not args.no_congestion]
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        suffix = f"-jitter{args.jitter:g}" if args.jitter else ""
        path = args.work / f"synthetic-{size}{suffix}.osm.pbf"
        if not path.is_file():
            started = time.perf_counter()
            counts = write_city(path, edges=size, jitter=args.jitter)
            print(f"wrote {path.name}: {counts} in {time.perf_counter() - started:.1f} s")
        for congestion in modes:
            command = [sys.executable, __file__, "--one", str(path), "--work", str(args.work)]
            command += [] if congestion else ["--no-congestion"]
            command += ["--tracemalloc"] if args.tracemalloc else []
            command += ["--algorithm", args.algorithm] if args.algorithm else []
            command += ["--workers", str(args.workers)] if args.workers else []
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("FIGURES ")]
            if done.returncode != 0 or not lines:
                print(f"\n{path.name}: failed (exit {done.returncode})\n{done.stderr[-3000:]}")
                continue
            figures = json.loads(lines[-1].removeprefix("FIGURES "))
            figures["requested_edges"] = size
            results.append(figures)
            _print(figures)
    (args.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nfigures saved to {args.work / 'results.json'}")


if __name__ == "__main__":
    main()
