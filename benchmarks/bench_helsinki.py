"""Helsinki end to end against merely importing the dependency stack, in one run.

Run: ``python benchmarks/bench_helsinki.py [--repeat 3] [--out DIR] [--no-congestion]``.

Each repeat starts two fresh Python processes in turn: one that only imports the libraries
an analysis uses (the CLI, the OSM readers, geopandas, AequilibraE, folium, matplotlib ...),
and one that runs ``urbanfit analyze helsinki`` (bundled extract, every model and output).
Prints, for each, the wall time and the CPU time of the child process (user + system, all
threads; a busy shared machine changes it far less than wall time), their medians over the
repeats, the ratio of end to end over import, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What `urbanfit analyze` imports by the time it has written its outputs (the CLI imports the
# heavy libraries lazily, so they are listed here explicitly).
STACK = (
    "urbanfit.cli",
    "urbanfit.pipeline",
    "urbanfit.render.export",
    "numpy",
    "pandas",
    "scipy.spatial",
    "shapely",
    "geopandas",
    "pyogrio",
    "pyproj",
    "h3",
    "osmium",
    "pyrosm",
    "aequilibrae.paths",
    "aequilibrae.matrix",
    "folium",
    "matplotlib.pyplot",
)


def _child(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return its wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each")
    parser.add_argument("--out", type=Path, default=None, help="outputs folder (default: temp)")
    parser.add_argument("--no-congestion", action="store_true", help="skip the congestion model")
    args = parser.parse_args()

    env_python = sys.executable
    code = "import matplotlib; matplotlib.use('Agg'); " + "; ".join(f"import {m}" for m in STACK)
    imports = [env_python, "-c", code]
    out = args.out or Path(tempfile.mkdtemp(prefix="urbanfit-bench-helsinki-"))
    analyze = [env_python, "-m", "urbanfit", "analyze", "helsinki", "--out", str(out)]
    analyze += ["--no-congestion"] if args.no_congestion else []
    load_before = os.getloadavg()[0]
    rows: dict[str, list[tuple[float, float]]] = {"import": [], "analyze": []}
    for k in range(args.repeat):
        rows["import"].append(_child(imports))
        rows["analyze"].append(_child(analyze))
        (iw, ic), (aw, ac) = rows["import"][-1], rows["analyze"][-1]
        print(
            f"run {k + 1}: import {iw:.2f} s wall / {ic:.2f} s CPU; "
            f"analyze helsinki {aw:.2f} s wall / {ac:.2f} s CPU",
            flush=True,
        )
    load_after = os.getloadavg()[0]
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in rows.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in rows.items()}
    print(
        f"median of {args.repeat}: import {wall['import']:.2f} s wall / {cpu['import']:.2f} s "
        f"CPU; analyze {wall['analyze']:.2f} s wall / {cpu['analyze']:.2f} s CPU"
    )
    print(
        f"end to end / import: {wall['analyze'] / wall['import']:.2f}x wall, "
        f"{cpu['analyze'] / cpu['import']:.2f}x CPU"
    )
    print(f"load average (1 min) before / after: {load_before:.1f} / {load_after:.1f}")
    print(f"outputs in {out}")


if __name__ == "__main__":
    main()
