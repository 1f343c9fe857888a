"""Write a synthetic city as an ``.osm.pbf`` (osmium) with about a requested number of edges.

Run: ``python benchmarks/synthetic_city.py --edges 100000 --out /tmp/city100k.osm.pbf``.

The city is a square grid of streets 110 m apart around (-122.6, 45.5) (Portland-like
latitude). Like real OSM:

- each block side is split into ``--segments`` way segments by intermediate nodes, and a way
  runs along 1 to 4 block sides before the next way takes over (so ways share end nodes with
  their neighbours and crossing streets meet at shared nodes);
- highway classes are mixed: every 10th line primary (4 lanes, maxspeed 35 mph), every 5th
  secondary (2 lanes), every other tertiary, the rest residential (a fifth of them one-way);
- about 35 % of the non-primary ways carry curb-parking tags (old ``parking:lane:*`` and new
  ``parking:left/right`` schemas, parallel, diagonal, perpendicular and no-parking), about
  40 % carry maxspeed and the larger classes lanes;
- one block in 12 holds a surface ``amenity=parking`` polygon (a few with ``capacity``), one in
  60 a multi-storey one; every other block holds two buildings, 60 % with ``building:levels``.

Edges are counted as pyrosm and `urbanfit` count them: one per pair of consecutive nodes of a
drivable way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from pathlib import Path

import numpy as np
import osmium
from osmium.osm import mutable

LON0, LAT0 = -122.6, 45.5
BLOCK_M = 110.0
STAMP = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)

_CURB = (
    {"parking:lane:both": "parallel"},
    {"parking:lane:left": "parallel", "parking:lane:right": "no_parking"},
    {"parking:lane:both": "diagonal"},
    {"parking:both": "lane", "parking:both:orientation": "parallel"},
    {"parking:right": "lane", "parking:right:orientation": "perpendicular", "parking:left": "no"},
    {"parking:left": "street_side", "parking:left:orientation": "parallel"},
    {"parking:both": "no"},
    {"parking:lane:both": "no_stopping"},
)


def grid_size(edges: int, segments: int) -> int:
    """Intersections per grid side ``n`` so that ``2 n (n - 1) * segments`` is about ``edges``."""
    sides = edges / segments / 2
    return max(2, round((1 + math.sqrt(1 + 4 * sides)) / 2))


def _highway(line: int) -> tuple[str, dict[str, str]]:
    if line % 10 == 0:
        return "primary", {"lanes": "4", "maxspeed": "35 mph"}
    if line % 5 == 0:
        return "secondary", {"lanes": "2"}
    if line % 2 == 0:
        return "tertiary", {}
    return "residential", {}


def _ring(
    writer: osmium.SimpleWriter,
    first_id: int,
    corner: tuple[float, float],
    span: tuple[float, float],
    part: tuple[float, float, float, float],
) -> list[int]:
    """Write the 4 corner nodes of ``part`` (block fractions x0, y0, x1, y1); the closed ring."""
    x0, y0, x1, y1 = part
    ids = []
    for at, (fx, fy) in enumerate(((x0, y0), (x1, y0), (x1, y1), (x0, y1))):
        location = (corner[0] + fx * span[0], corner[1] + fy * span[1])
        node = mutable.Node(id=first_id + at, location=location, version=1, timestamp=STAMP)
        writer.add_node(node)
        ids.append(first_id + at)
    return [*ids, ids[0]]


def write_city(path: Path, *, edges: int, segments: int = 3, seed: int = 0) -> dict[str, int]:
    """
    Write the synthetic city to ``path`` (overwritten).

    Parameters
    ----------
    path
        The ``.osm.pbf`` to write.
    edges
        About how many drivable edges (pairs of consecutive way nodes) the city should have.
    segments
        Way segments per block side (intermediate nodes + 1).
    seed
        Random seed of the tag mix.

    Returns
    -------
    counts
        ``edges``, ``ways``, ``nodes``, ``lots``, ``buildings``, ``grid`` (intersections a side).
    """
    rng = np.random.default_rng(seed)
    n = grid_size(edges, segments)
    step = segments  # node-grid steps per block side
    size = (n - 1) * step + 1  # node-grid points per line
    dlat = BLOCK_M / step / 111_320.0
    dlon = BLOCK_M / step / (111_320.0 * math.cos(math.radians(LAT0)))

    # street nodes: horizontal lines (row r = i * step) hold every point; vertical lines hold
    # the points between rows. Ids: 1 + row * size + col for all points on a street line.
    def nid(row: int, col: int) -> int:
        return 1 + row * size + col

    counts = {"edges": 0, "ways": 0, "nodes": 0, "lots": 0, "buildings": 0, "grid": n}
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for row in range(size):
            on_row = row % step == 0
            lat = LAT0 + row * dlat
            for col in range(size):
                if on_row or col % step == 0:
                    writer.add_node(
                        mutable.Node(
                            id=nid(row, col),
                            location=(LON0 + col * dlon, lat),
                            version=1,
                            timestamp=STAMP,
                        )
                    )
                    counts["nodes"] += 1
        next_node = size * size + 1
        blocks = [(bi, bj) for bi in range(n - 1) for bj in range(n - 1)]
        polygons: list[tuple[int, list[int], dict[str, str]]] = []
        next_way = 10_000_000
        for bi, bj in blocks:
            r0, c0 = bi * step, bj * step
            corner = (LON0 + c0 * dlon, LAT0 + r0 * dlat)
            span = (step * dlon, step * dlat)

            shapes: list[tuple[tuple[float, float, float, float], dict[str, str]]] = []
            k = rng.integers(0, 60)
            if k < 5:  # one block in 12: a surface lot
                tags = {"amenity": "parking", "parking": "surface"}
                if k == 0:
                    tags["capacity"] = str(int(rng.integers(20, 120)))
                shapes.append(((0.15, 0.15, 0.85, 0.6), tags))
                counts["lots"] += 1
            elif k == 5:  # one in 60: a multi-storey garage
                tags = {"amenity": "parking", "parking": "multi-storey", "building:levels": "4"}
                shapes.append(((0.2, 0.2, 0.8, 0.8), tags))
                counts["lots"] += 1
            if (bi + bj) % 2 == 0:
                for x0 in (0.12, 0.55):
                    use = rng.choice(["residential", "apartments", "retail", "office", "house"])
                    tags = {"building": str(use)}
                    if rng.random() < 0.6:
                        tags["building:levels"] = str(int(rng.integers(1, 9)))
                    shapes.append(((x0, 0.65, x0 + 0.33, 0.9), tags))
                    counts["buildings"] += 1
            for part, tags in shapes:
                polygons.append((next_way, _ring(writer, next_node, corner, span, part), tags))
                next_way += 1
                next_node += 4
                counts["nodes"] += 4

        way_id = 1
        for horizontal in (True, False):
            for line in range(n):
                highway, extra = _highway(line)
                nodes_along = [
                    nid(line * step, c) if horizontal else nid(c, line * step) for c in range(size)
                ]
                at = 0
                while at < size - 1:
                    sides = int(rng.integers(1, 5))
                    end = min(size - 1, at + sides * step)
                    tags = {"highway": highway, "name": f"{'Row' if horizontal else 'Col'} {line}"}
                    tags.update(extra)
                    if highway != "primary":
                        if rng.random() < 0.35:
                            tags.update(_CURB[int(rng.integers(0, len(_CURB)))])
                        if rng.random() < 0.4:
                            tags["maxspeed"] = str(rng.choice(["20 mph", "25 mph", "30 mph"]))
                    if highway == "residential" and rng.random() < 0.2:
                        tags["oneway"] = "yes"
                    writer.add_way(
                        mutable.Way(
                            id=way_id,
                            nodes=nodes_along[at : end + 1],
                            tags=tags,
                            version=1,
                            timestamp=STAMP,
                        )
                    )
                    counts["edges"] += end - at
                    counts["ways"] += 1
                    way_id += 1
                    at = end
        for wid, ids, tags in polygons:
            writer.add_way(mutable.Way(id=wid, nodes=ids, tags=tags, version=1, timestamp=STAMP))
    finally:
        writer.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=3, help="way segments per block side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = write_city(args.out, edges=args.edges, segments=args.segments, seed=args.seed)
    seconds = time.perf_counter() - started
    size_mb = args.out.stat().st_size / 1e6
    print(f"{args.out}: {counts} ({size_mb:.1f} MB, {seconds:.1f} s)")


if __name__ == "__main__":
    main()
