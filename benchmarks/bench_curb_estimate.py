"""Validate the curb estimate: hide the mapped curb tags, predict them, print the scores.

Run: ``python benchmarks/bench_curb_estimate.py [--data ../shared/data/osm]``.

For the bundled Helsinki extract and each ``.osm`` / ``.osm.pbf`` file of ``--data`` (a file
that fails to load is listed with its error; a file with under 1 km of mapped curb is listed
as too sparse to score), every side tagged parking or no parking has its tags hidden and is
predicted by `urbanfit.models.parking.estimate.estimate_curb`
(`urbanfit.models.parking.validation.validate_curb_estimate`). Printed: sides and km scored,
precision and recall of "parking on this side" (by side length), and baseline-fleet spaces per
km mapped vs estimated with the relative error (also on the sides both call parked, which
isolates the count from the where).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from urbanfit import load_city
from urbanfit.errors import UrbanfitError
from urbanfit.models.parking.validation import validate_curb_estimate
from urbanfit.vehicles import load_vehicles, scenarios


def _score(label: str, city_args: tuple[str, Path | None]) -> None:
    started = time.perf_counter()
    try:
        _, city = load_city(city_args[0], osm_file=city_args[1])
    except UrbanfitError as error:
        print(f"{label}: not loaded ({error})")
        return
    catalog = load_vehicles(None)
    runs = scenarios(catalog)
    scores = validate_curb_estimate(city.streets, city.curb, city.lots, catalog, runs)
    if scores["km"] < 1.0:
        print(f"{label}: {scores['km']:.2f} km of mapped curb, too sparse to score")
        return

    def pct(value: float | int | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f} %"

    print(
        f"{label}: {scores['sides_count']} sides, {scores['km']:.1f} km scored "
        f"({scores['mapped_parking_km']:.1f} km mapped parking, "
        f"{scores['estimated_parking_km']:.1f} km estimated parking); "
        f"precision {pct(scores['precision_share'])}, recall {pct(scores['recall_share'])}; "
        f"baseline spaces/km mapped {scores['mapped_spaces_per_km']:.1f}, estimated "
        f"{scores['estimated_spaces_per_km']:.1f} "
        f"(relative error {pct(scores['spaces_per_km_rel_error'])}; on sides both mapped and "
        f"estimated as parking {pct(scores['parked_spaces_rel_error'])}); "
        f"{time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/osm"))
    args = parser.parse_args()
    _score("helsinki (bundled)", ("helsinki", None))
    if args.data.is_dir():
        for path in sorted(args.data.iterdir()):
            if path.name.endswith((".osm", ".osm.pbf", ".osm.bz2", ".osm.gz")):
                _score(path.name, ("", path))


if __name__ == "__main__":
    main()
