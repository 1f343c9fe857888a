"""Validate the curb estimate: on a real curb survey, and with the mapped curb tags hidden.

Run: ``python benchmarks/bench_curb_estimate.py [--data ../shared/data/osm]
[--curb ../shared/data/curb/portland-downtown-west.curblr.json]
[--curb-osm ../shared/data/osm/portland-central.osm.pbf] [--curb-time "weekday 12:00"]``.

1. Survey truth: the CurbLR survey ``--curb`` is matched to the curb sides of ``--curb-osm``
   (`urbanfit.inventory.apply_curb_inventory`); on the sides it covers the estimate runs with
   the OSM curb tags and the survey hidden, and is scored metre by metre
   (`urbanfit.models.parking.selfcheck`): precision and recall of "parking allowed here" by
   length, and baseline-fleet spaces per km (whole vehicles per unbroken parkable stretch at
   the parallel pitch) surveyed vs estimated; then the share of the surveyed length each
   rule in force takes (parking, no standing, loading, transit standing...).
2. Tags hidden: for the bundled Helsinki extract and each ``.osm`` / ``.osm.pbf`` file of
   ``--data`` (a file that fails to load is listed with its error; a file with under 1 km of
   mapped curb is listed as too sparse to score), every side tagged parking or no parking
   has its tags hidden and is predicted by `urbanfit.models.parking.estimate.estimate_curb`
   (`urbanfit.models.parking.validation.validate_curb_estimate`, curb point features
   included). Printed: sides and km scored, precision and recall (by side length), and
   baseline-fleet spaces per km mapped vs estimated with the relative error (also on the
   sides both call parked, which isolates the count from the where).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from urbanfit import load_city
from urbanfit.errors import UrbanfitError
from urbanfit.inventory import apply_curb_inventory
from urbanfit.models.parking.validation import validate_curb_estimate
from urbanfit.vehicles import load_vehicles, scenarios


def _pct(value: float | int | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def _survey(curb: Path, osm: Path, when: str) -> None:
    started = time.perf_counter()
    try:
        _, city = load_city("", osm_file=osm)
        catalog = load_vehicles(None)
        _, check = apply_curb_inventory(
            city, curb, catalog=catalog, scenarios=scenarios(catalog), curb_time=when
        )
    except UrbanfitError as error:
        print(f"survey {curb.name}: not scored ({error})")
        return
    record, scores = check.summary, check.summary["self_check"]
    print(
        f"survey {curb.name} on {osm.name} at {record['curb_time']}: "
        f"{record['features_matched_count']} of {record['features_read_count']} pieces on a "
        f"street ({record['km_unmatched']:.2f} km unmatched); {scores['sides_count']} sides, "
        f"{scores['km']:.2f} km surveyed ({scores['surveyed_parking_km']:.2f} km parking, "
        f"{scores['estimated_parking_km']:.2f} km estimated parking); "
        f"precision {_pct(scores['precision_share'])}, recall {_pct(scores['recall_share'])}; "
        f"spaces/km surveyed {scores['surveyed_spaces_per_km']:.1f}, estimated "
        f"{scores['estimated_spaces_per_km']:.1f} "
        f"(relative error {_pct(scores['spaces_per_km_rel_error'])}); "
        f"{record['sides_partly_covered_count']} sides partly covered, left out; "
        f"{time.perf_counter() - started:.1f} s"
    )
    segments = check.segments
    metres = (segments["end_m"] - segments["start_m"]).groupby(segments["activity"]).sum()
    shares = ", ".join(
        f"{activity} {100 * m / metres.sum():.0f} %"
        for activity, m in metres.sort_values(ascending=False).items()
    )
    print(f"  surveyed curb by the rule in force then (share of length): {shares}")


def _score(label: str, city_args: tuple[str, Path | None]) -> None:
    started = time.perf_counter()
    try:
        _, city = load_city(city_args[0], osm_file=city_args[1])
    except UrbanfitError as error:
        print(f"{label}: not loaded ({error})")
        return
    catalog = load_vehicles(None)
    runs = scenarios(catalog)
    scores = validate_curb_estimate(
        city.streets, city.curb, city.lots, catalog, runs, points=city.points
    )
    if scores["km"] < 1.0:
        print(f"{label}: {scores['km']:.2f} km of mapped curb, too sparse to score")
        return
    print(
        f"{label}: {scores['sides_count']} sides, {scores['km']:.1f} km scored "
        f"({scores['mapped_parking_km']:.1f} km mapped parking, "
        f"{scores['estimated_parking_km']:.1f} km estimated parking); "
        f"precision {_pct(scores['precision_share'])}, recall {_pct(scores['recall_share'])}; "
        f"baseline spaces/km mapped {scores['mapped_spaces_per_km']:.1f}, estimated "
        f"{scores['estimated_spaces_per_km']:.1f} "
        f"(relative error {_pct(scores['spaces_per_km_rel_error'])}; on sides both mapped and "
        f"estimated as parking {_pct(scores['parked_spaces_rel_error'])}); "
        f"{time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/osm"))
    parser.add_argument(
        "--curb", type=Path, default=Path("../shared/data/curb/portland-downtown-west.curblr.json")
    )
    parser.add_argument(
        "--curb-osm", type=Path, default=Path("../shared/data/osm/portland-central.osm.pbf")
    )
    parser.add_argument("--curb-time", default="weekday 12:00")
    args = parser.parse_args()
    if args.curb.is_file() and args.curb_osm.is_file():
        _survey(args.curb, args.curb_osm, args.curb_time)
    _score("helsinki (bundled)", ("helsinki", None))
    if args.data.is_dir():
        for path in sorted(args.data.iterdir()):
            if path.name.endswith((".osm", ".osm.pbf", ".osm.bz2", ".osm.gz")):
                _score(path.name, ("", path))


if __name__ == "__main__":
    main()
