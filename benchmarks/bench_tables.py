"""Time the city-table validator on a 100,000-edge street table.

Run: ``python benchmarks/bench_tables.py [--edges 100000] [--repeat 20]``.
The table is bundled Helsinki's ``streets`` (1,500 edges, every contract column with its real
dtypes and tag columns) repeated to ``--edges`` rows with fresh edge ids. Prints the best
wall-clock time over the repeats of the full check, of a model-sized check (the columns the
fit model reads) and of `validate_tables` on the whole city.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

import urbanfit
from urbanfit.citydata.schema import validate_table, validate_tables

_FIT_COLUMNS = ("edge_id", "osm_id", "name", "highway", "length_m", "width_m", "oneway")


def _best_ms(run: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    """Build the table, time the checks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edges", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    _, city = urbanfit.load_city("helsinki")
    copies = -(-args.edges // len(city.streets))
    streets = pd.concat([city.streets] * copies, ignore_index=True).iloc[: args.edges]
    streets["edge_id"] = np.arange(len(streets), dtype="int64")
    big = dataclasses.replace(city, streets=streets)
    print(f"streets: {len(streets):,} edges, {streets.shape[1]} columns")
    full = _best_ms(lambda: validate_table("streets", streets, crs=city.crs), args.repeat)
    print(f"validate_table('streets'), every column: {full:.1f} ms")
    fit = _best_ms(lambda: validate_table("streets", streets, columns=_FIT_COLUMNS), args.repeat)
    print(f"validate_table('streets'), the {len(_FIT_COLUMNS)} fit columns: {fit:.1f} ms")
    whole = _best_ms(lambda: validate_tables(big), args.repeat)
    print(f"validate_tables(city) with these streets: {whole:.1f} ms")


if __name__ == "__main__":
    main()
