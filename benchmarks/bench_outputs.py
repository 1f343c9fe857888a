"""Output benchmark: seconds per output writer against the analysis they write, as a ratio.

Run: ``python benchmarks/bench_outputs.py [CITY ...] [--congestion] [--repeat 2]`` where each
CITY is ``helsinki`` (the bundled extract) or an OSM file (e.g.
``../shared/data/osm/san-bernardino-csusb.osm``); by default Helsinki.

Each city is analysed once (without the congestion model unless ``--congestion``), then its
outputs are written ``--repeat`` times into a temporary folder through
`urbanfit.render.export.write_outputs`; printed per writer (summary, tables = CSV,
layers = GeoPackage, report = figures + report.html/.md, map) is the fastest of the repeats,
and the writing / analysis ratio. The first write in a process also pays for importing the
render stack (matplotlib, folium), as a CLI run does; it is reported separately.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cities", nargs="*", default=["helsinki"])
    parser.add_argument("--congestion", action="store_true", help="run the congestion model")
    parser.add_argument("--repeat", type=int, default=2, help="writes per city (best is kept)")
    args = parser.parse_args()
    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")
    logging.basicConfig(level=logging.WARNING)
    from urbanfit import pipeline  # noqa: PLC0415
    from urbanfit.render.export import write_outputs  # noqa: PLC0415

    for city in args.cities:
        started = time.perf_counter()
        if city == "helsinki":
            result = pipeline.analyze("helsinki", run_congestion=args.congestion)
        else:
            path = Path(city)
            result = pipeline.analyze(
                path.name.split(".")[0],
                osm_file=path,
                name=path.name.split(".")[0],
                run_congestion=args.congestion,
            )
        analysis = time.perf_counter() - started
        runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                timings: dict[str, float] = {}
                write_outputs(result, Path(folder), timings=timings)
                runs.append(timings)
        best = {name: min(run[name] for run in runs) for name in runs[0]}
        first = sum(runs[0].values())
        writing = sum(best.values())
        print(
            f"\n{city}: {len(result.streets):,} street edges, analysis {analysis:.2f} s "
            f"({'with' if args.congestion else 'without'} congestion)"
        )
        for name, seconds in best.items():
            print(f"  write {name:<10}{seconds:>8.2f} s")
        print(
            f"  writing     {writing:>8.2f} s (first write, with imports: {first:.2f} s); "
            f"writing / analysis = {writing / analysis:.2f}"
        )


if __name__ == "__main__":
    main()
