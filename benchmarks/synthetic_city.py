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
from typing import Any

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


def write_city(
    path: Path, *, edges: int, segments: int = 3, seed: int = 0, jitter: float = 0.0
) -> dict[str, int]:
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
    jitter
        Each street node moves by up to this fraction of a block side in x and in y
        (uniformly at random, its own seed), so that block sides differ in length as in a
        real city's grid; 0 keeps the perfect grid, where many routes tie exactly.

    Returns
    -------
    counts
        ``edges``, ``ways``, ``nodes``, ``lots``, ``buildings``, ``grid`` (intersections a side).
    """
    rng = np.random.default_rng(seed)
    shift = np.random.default_rng(seed + 1)  # the tag mix stays the same with any jitter
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
                    dx, dy = shift.uniform(-jitter, jitter, 2) * step if jitter else (0.0, 0.0)
                    writer.add_node(
                        mutable.Node(
                            id=nid(row, col),
                            location=(LON0 + (col + dx) * dlon, lat + dy * dlat),
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
    parser.add_argument("--jitter", type=float, default=0.0, help="node shift, block fraction")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = write_city(
        args.out, edges=args.edges, segments=args.segments, seed=args.seed, jitter=args.jitter
    )
    seconds = time.perf_counter() - started
    size_mb = args.out.stat().st_size / 1e6
    print(f"{args.out}: {counts} ({size_mb:.1f} MB, {seconds:.1f} s)")


if __name__ == "__main__":
    main()


# --- a regional extract: most nodes are not on streets ---------------------------------------


def _opl_meta(count: int = 4096, seed: int = 1) -> list[str]:
    """
    OPL metadata like real data's: versions, changesets, users, edit times over 2012-2024.

    The newest time is the synthetic data date, 2024-05-01.
    """
    rng = np.random.default_rng(seed)
    span = STAMP - dt.datetime(2012, 1, 1, tzinfo=dt.UTC)
    seconds = rng.integers(0, int(span.total_seconds()), count)
    seconds[0] = 0
    users = rng.integers(1, 20_000, count)
    return [
        f"v{rng.integers(1, 6)} c{rng.integers(1, 150_000_000)} "
        f"t{(STAMP - dt.timedelta(seconds=int(s))).strftime('%Y-%m-%dT%H:%M:%SZ')} "
        f"i{u} umapper{u}"
        for s, u in zip(seconds, users, strict=True)
    ]


_META = _opl_meta()
# per block: 4 buildings (6 corners each), one landuse or natural polygon (40 nodes, no key
# urbanfit reads), one footway (8 nodes), 3 points of interest; one block in 12 a parking lot
_BUILDING_SLOTS = ((0.1, 0.1), (0.55, 0.1), (0.1, 0.55), (0.55, 0.55))
_LAND = ("landuse=grass", "natural=wood", "leisure=park", "landuse=residential")
_POI = ("amenity=bench", "highway=street_lamp", "shop=bakery", "natural=tree", "")


def _opl_nodes(ids: np.ndarray, x: np.ndarray, y: np.ndarray, tags: list[str] | None) -> str:
    """OPL lines of nodes (ids ascending), tags as OPL ``k=v`` lists ('' for none)."""
    tags = tags if tags is not None else [""] * len(ids)
    meta = [_META[i % len(_META)] for i in (ids * 2654435761 >> 7).tolist()]
    return "".join(
        f"n{i} {m} T{t} x{a:.7f} y{b:.7f}\n"
        for i, m, t, a, b in zip(ids.tolist(), meta, tags, x.tolist(), y.tolist(), strict=True)
    )


def _opl_way(way_id: int, nodes: Any, tags: str) -> str:
    meta = _META[(way_id * 2654435761 >> 7) % len(_META)]
    return f"w{way_id} {meta} T{tags} N{','.join(f'n{n}' for n in nodes)}\n"


def write_region(path: Path, *, blocks: int, seed: int = 0) -> dict[str, int]:
    """
    Write a synthetic regional extract of ``blocks`` x ``blocks`` city blocks (110 m) as PBF.

    Like a real regional extract, most of it is what urbanfit does not read: per block, next
    to its share of the street grid (3 way segments a block side, as `write_city`), 4
    buildings of 6 corners, a landuse/natural polygon of 40 nodes, a footway of 8 nodes and 3
    points of interest (benches, street lamps, shops, trees, untagged); one block in 3 has a
    crossing, one in 10 a bus stop, one in 5 a hydrant, one in 12 a parking lot. Coordinates
    carry a random jitter so that the file compresses like real data (about 6 bytes a node).
    The elements are written as OPL text and converted to PBF by osmium (`osmium.SimpleWriter`
    as the handler of `osmium.apply`), in C++; ``path`` is overwritten.

    Returns
    -------
    counts
        ``nodes``, ``ways``, ``edges`` (drivable), ``buildings``, ``lots``.
    """
    rng = np.random.default_rng(seed)
    step = 3
    size = blocks * step + 1  # street-grid points per line
    dlat = BLOCK_M / 111_320.0
    dlon = BLOCK_M / (111_320.0 * math.cos(math.radians(LAT0)))
    counts = {"nodes": 0, "ways": 0, "edges": 0, "buildings": 0, "lots": 0}
    path.unlink(missing_ok=True)
    parts = [path.with_name(f"{path.name}.{k}.opl") for k in range(4)]
    try:
        with parts[0].open("w") as out:  # street nodes: ids 1 + row * size + col
            for row in range(size):
                cols = np.arange(size) if row % step == 0 else np.arange(0, size, step)
                ids = 1 + row * size + cols
                x = LON0 + cols * dlon / step
                y = np.full(len(cols), LAT0 + row * dlat / step)
                out.write(_opl_nodes(ids, x, y, None))
                counts["nodes"] += len(ids)
        with parts[1].open("w") as nodes, parts[3].open("w") as ways:
            next_node, next_way = size * size + 1, 1_000_000_000
            for bi in range(blocks):
                nodes_text, ways_text, next_node, next_way = _region_row(
                    rng,
                    bi,
                    blocks=blocks,
                    span=(dlon, dlat),
                    next_node=next_node,
                    next_way=next_way,
                    counts=counts,
                )
                nodes.write(nodes_text)
                ways.write(ways_text)
        with parts[2].open("w") as out:
            way_id = 1
            for horizontal in (True, False):
                for line in range(blocks + 1):
                    way_id = _region_streets(
                        rng,
                        out,
                        line=line,
                        horizontal=horizontal,
                        size=size,
                        way_id=way_id,
                        counts=counts,
                    )
        opl = path.with_name(f"{path.name}.opl")
        with opl.open("wb") as whole:
            for part in parts:
                with part.open("rb") as piece:
                    while chunk := piece.read(1 << 24):
                        whole.write(chunk)
                part.unlink()
        writer = osmium.SimpleWriter(str(path), overwrite=True)
        try:
            osmium.apply(str(opl), writer)
        finally:
            writer.close()
            opl.unlink()
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return counts


def _ring_xy(
    corner: np.ndarray, span: tuple[float, float], fractions: np.ndarray, jitter: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of rings, one per block: ``fractions`` (k, 2) of the block plus jitter (n, k, 2)."""
    fx = fractions[None, :, 0] + jitter[..., 0]
    fy = fractions[None, :, 1] + jitter[..., 1]
    return corner[:, None, 0] + fx * span[0], corner[:, None, 1] + fy * span[1]


def _region_row(
    rng: np.random.Generator,
    bi: int,
    *,
    blocks: int,
    span: tuple[float, float],
    next_node: int,
    next_way: int,
    counts: dict[str, int],
) -> tuple[str, str, int, int]:
    """OPL nodes and ways of one row of blocks (everything but the streets)."""
    corner = np.stack(
        [LON0 + np.arange(blocks) * span[0], np.full(blocks, LAT0 + bi * span[1])], axis=1
    )
    angle = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    shapes = []  # (fractions (k, 2), tags per block, closed)
    house = np.array([[0, 0], [0.2, 0], [0.35, 0], [0.35, 0.3], [0.2, 0.3], [0, 0.3]])
    uses = rng.choice(["house", "residential", "apartments", "retail", "yes"], (blocks, 4))
    levels = rng.integers(1, 9, (blocks, 4))
    has_levels = rng.random((blocks, 4)) < 0.6
    for slot, (x0, y0) in enumerate(_BUILDING_SLOTS):
        tags = [
            f"building={uses[b, slot]}" + (f",building:levels={levels[b, slot]}" if lv else "")
            for b, lv in enumerate(has_levels[:, slot])
        ]
        shapes.append((house + np.array([x0, y0]), tags, True))
    land = rng.integers(0, len(_LAND), blocks)
    shapes.append(
        (
            np.stack([0.5 + 0.06 * np.cos(angle), 0.5 + 0.06 * np.sin(angle)], axis=1),
            [_LAND[k] for k in land],
            True,
        )
    )
    shapes.append((np.stack([np.linspace(0.05, 0.95, 8), np.full(8, 0.47)], axis=1), None, False))
    lot = rng.integers(0, 12, blocks) == 0
    node_text, way_text = [], []
    for fractions, tags, closed in shapes:
        k = len(fractions)
        x, y = _ring_xy(corner, span, fractions, rng.normal(0, 0.004, (blocks, k, 2)))
        ids = next_node + np.arange(blocks * k).reshape(blocks, k)
        next_node += blocks * k
        node_text.append(_opl_nodes(ids.ravel(), x.ravel(), y.ravel(), None))
        for b in range(blocks):
            ring = [*ids[b].tolist(), int(ids[b, 0])] if closed else ids[b].tolist()
            way_text.append(_opl_way(next_way, ring, tags[b] if tags else "highway=footway"))
            next_way += 1
        counts["nodes"] += blocks * k
        counts["ways"] += blocks
        counts["buildings"] += blocks if tags and tags[0].startswith("building") else 0
    # parking lots (one block in 12), 4 corners + closing node
    at = np.flatnonzero(lot)
    if len(at):
        frac = np.array([[0.12, 0.4], [0.45, 0.4], [0.45, 0.52], [0.12, 0.52]])
        x, y = _ring_xy(corner[at], span, frac, rng.normal(0, 0.002, (len(at), 4, 2)))
        ids = next_node + np.arange(len(at) * 4).reshape(len(at), 4)
        next_node += len(at) * 4
        node_text.append(_opl_nodes(ids.ravel(), x.ravel(), y.ravel(), None))
        for ring in ids.tolist():
            way_text.append(_opl_way(next_way, [*ring, ring[0]], "amenity=parking"))
            next_way += 1
        counts["nodes"] += len(at) * 4
        counts["ways"] += len(at)
        counts["lots"] += len(at)
    # points of interest: 3 a block, and the curb features urbanfit reads
    poi = [_POI[k] for k in rng.integers(0, len(_POI), blocks * 3)]
    draw = rng.random((blocks, 3))
    for b in range(blocks):
        if draw[b, 0] < 1 / 3:
            poi[3 * b] = "highway=crossing"
        if draw[b, 1] < 1 / 10:
            poi[3 * b + 1] = "highway=bus_stop"
        if draw[b, 2] < 1 / 5:
            poi[3 * b + 2] = "emergency=fire_hydrant"
    x, y = _ring_xy(corner, span, np.array([[0.02, 0.3], [0.3, 0.02], [0.98, 0.7]]),
                    rng.normal(0, 0.002, (blocks, 3, 2)))  # fmt: skip
    ids = next_node + np.arange(blocks * 3)
    next_node += blocks * 3
    node_text.append(_opl_nodes(ids, x.ravel(), y.ravel(), poi))
    counts["nodes"] += blocks * 3
    return "".join(node_text), "".join(way_text), next_node, next_way


def _region_streets(
    rng: np.random.Generator,
    out: Any,
    *,
    line: int,
    horizontal: bool,
    size: int,
    way_id: int,
    counts: dict[str, int],
) -> int:
    """Write one street line's ways (1 to 4 block sides each) as OPL; the next way id."""
    step = 3
    highway, extra = _highway(line)
    along = np.arange(size)
    nodes = (1 + line * step * size + along) if horizontal else (1 + along * size + line * step)
    name = f"{'Row' if horizontal else 'Col'}%20%{line}"
    at = 0
    while at < size - 1:
        end = min(size - 1, at + int(rng.integers(1, 5)) * step)
        tags = {"highway": highway, "name": name, **extra}
        if highway != "primary" and rng.random() < 0.35:
            tags.update(_CURB[int(rng.integers(0, len(_CURB)))])
        text = ",".join(f"{k}={v.replace(' ', '%20%')}" for k, v in tags.items())
        out.write(_opl_way(way_id, nodes[at : end + 1].tolist(), text))
        counts["edges"] += end - at
        counts["ways"] += 1
        way_id += 1
        at = end
    return way_id
