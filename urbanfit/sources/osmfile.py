"""Local OSM files (.osm, .osm.bz2, .osm.gz, .osm.pbf) through pyosmium, in one or two passes.

The main pass streams the file once: every node location goes into osmium's location index
(in C++), and only elements carrying a key of interest reach Python: point lots, crossings,
bus stops, hydrants and parking entrances; street, driveway, lot, building and transit
platform ways; parking and building multipolygon relations. A way's geometry is built in C++
(osmium's WKB factory, from the index), kept as bytes and decoded at the end with numpy in one
go, so Python never touches a way's coordinates one by one; only street and driveway ways have
their node ids read. Nothing but the tags urbanfit uses is kept, looked up by key.

A second pass, only when needed, reads just the ways (by id, filtered in C++) that outline
those multipolygons, or whose nodes were not in the index yet: in an unsorted file (or a JOSM
save) a way may come before its nodes, so the order of the file does not matter; a way whose
nodes are still missing then is skipped and counted. Nodes with negative ids (an editor's new
ones, and some extracts' own) are not stored by osmium's location index: when a way needs one,
a pass over the nodes reads their locations first, in every file format alike.

The state kept while streaming and the table assembly live in `urbanfit.sources.osmtables`;
the pre-scan of an XML file's text in `urbanfit.sources.osmxml`.
"""

from __future__ import annotations

import logging
import tempfile
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import osmium
import osmium.filter
import osmium.geom
import shapely

from urbanfit.errors import SourceError
from urbanfit.osmkeys import BUILDING_KEYS, DRIVE_HIGHWAYS, LOT_KEYS
from urbanfit.sources.osmtables import Reading, assemble
from urbanfit.sources.osmxml import scan_xml
from urbanfit.sources.raw import RawCity, clip

__all__ = ["LARGE_FILE_BYTES", "node_index_for", "read_osm"]

log = logging.getLogger(__name__)

# Above this size the node-location index lives in a temporary file (osmium's
# sparse_file_array) instead of memory (flex_mem), so a regional extract's ~16 bytes per node
# are paged by the kernel rather than held as process memory.
LARGE_FILE_BYTES = 200_000_000

_FORMATS = (
    (".osm.pbf", "pbf"),
    (".pbf", "pbf"),
    (".osm.bz2", "osm.bz2"),
    (".xml.bz2", "osm.bz2"),
    (".osm.gz", "osm.gz"),
    (".xml.gz", "osm.gz"),
    (".osm", "osm"),
    (".xml", "osm"),
)
_NODE_KEYS = ("amenity", "highway", "crossing", "public_transport", "emergency", "railway")
# service roads whose junction with a street is a curb cut: driveways, and parking aisles
# that meet the street directly (a lot entrance)
_DRIVEWAY_SERVICES = ("driveway", "parking_aisle")
_WAY_KEYS = ("highway", "amenity", "building", "public_transport", "railway")
_RELATION_KEYS = frozenset((*LOT_KEYS, *BUILDING_KEYS))
# one pass over the file: (entity kinds, C++ filter) -> the objects that pass
_Stream = Callable[[osmium.osm.osm_entity_bits, Any], Iterator[Any]]
_WKB = osmium.geom.WKBFactory()  # hex WKB; every node kept, so coordinates match node ids
_EVERY_NODE = osmium.geom.use_nodes.ALL


def file_format(path: Path) -> str | None:
    """Return the osmium format name of an OSM file from its suffix (None if not OSM)."""
    name = path.name.lower()
    return next((fmt for suffix, fmt in _FORMATS if name.endswith(suffix)), None)


def read_osm(
    path: Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    kind: str = "file",
    description: str | None = None,
    node_index: str | None = None,
) -> RawCity:
    """
    Read streets, lots, buildings and curb point features from a local OSM file.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file (``.xml`` also accepted).
    bbox
        Optional ``(west, south, east, north)`` in degrees to clip to (see
        `urbanfit.sources.raw.clip`); ways wholly outside it are dropped while reading.
    kind
        Provenance kind (``"file"`` or ``"bundled"``).
    description
        Provenance description; the path by default.
    node_index
        An osmium location-index type (``"flex_mem"``, ``"sparse_file_array"``...); by default
        ``flex_mem`` for files up to `LARGE_FILE_BYTES` and a temporary ``sparse_file_array``
        above.

    Returns
    -------
    raw
        The raw frames. Elements JOSM marks ``action='delete'`` are ignored; ways of interest
        that refer to a node the file lacks are skipped and counted in
        ``raw.dropped["ways_missing_nodes"]``.
    """
    path = Path(path)
    fmt = file_format(path)
    if fmt is None:
        raise SourceError(
            f"cannot read {path.name}: expected an .osm.pbf, .osm, .osm.bz2 or .osm.gz extract"
        )
    what = "an OSM PBF extract" if fmt == "pbf" else "OSM XML"
    try:
        deleted = {} if fmt == "pbf" else scan_xml(path, fmt)
        reading = Reading(bbox=bbox, deleted=deleted)
        with _location_index(path, node_index) as locations:
            stream = partial(_stream, path, fmt, locations)
            _main_pass(stream, reading)
            _way_pass(stream, reading)
    except osmium.InvalidLocationError as error:
        raise SourceError(
            f"cannot read {path.name}: a node's coordinate is out of range or malformed "
            f"({_brief(error)}); latitudes lie in [-90, 90] and longitudes in [-180, 180] degrees"
        ) from None
    except (RuntimeError, ValueError, OSError, EOFError, KeyError, UnicodeError) as error:
        raise SourceError(f"cannot read {path.name} as {what} ({_brief(error)})") from None
    raw = assemble(
        reading, kind=kind, description=description or Path(path).name
    )  # no local folders
    if reading.missing_nodes:
        log.info("%s: %d ways skipped (nodes missing)", path.name, reading.missing_nodes)
    return clip(raw, shapely.box(*bbox)) if bbox else raw


def _brief(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 200 else text[:197] + "..."


def node_index_for(size_bytes: int) -> str:
    """Return the osmium location index `read_osm` uses for a file of ``size_bytes``."""
    return "sparse_file_array" if size_bytes > LARGE_FILE_BYTES else "flex_mem"


@contextmanager
def _location_index(path: Path, node_index: str | None) -> Iterator[osmium.NodeLocationsForWays]:
    kind = node_index or node_index_for(path.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="urbanfit-nodes-") as folder:
        spec = f"{kind},{Path(folder) / 'nodes.idx'}" if kind.endswith("file_array") else kind
        handler = osmium.NodeLocationsForWays(osmium.index.create_map(spec))
        handler.ignore_errors()  # a way's missing node gets an invalid location; counted
        yield handler


def _stream(
    path: Path,
    fmt: str,
    locations: osmium.NodeLocationsForWays,
    entities: osmium.osm.osm_entity_bits,
    keep: Any,
) -> Iterator[Any]:
    """
    Stream one pass: every object through ``locations`` (C++), then ``keep`` (a C++ filter).

    Only what ``keep`` passes reaches Python (everything when it is None).
    """
    processor = osmium.FileProcessor(osmium.io.File(str(path), fmt), entities)
    processor.with_filter(locations)
    yield from processor if keep is None else processor.with_filter(keep)


def _point_kinds(tags: Any) -> list[str]:
    highway = tags.get("highway")
    kinds = []
    if highway == "crossing" or tags.get("crossing", "no") != "no":
        kinds.append("crossing")
    if highway == "bus_stop" or tags.get("public_transport") == "platform":
        kinds.append("bus_stop")
    if tags.get("emergency") == "fire_hydrant":
        kinds.append("fire_hydrant")
    if highway in ("traffic_signals", "stop", "give_way"):
        kinds.append(highway)
    if tags.get("railway") == "level_crossing":
        kinds.append("level_crossing")
    if tags.get("amenity") == "fire_station":
        kinds.append("fire_station")
    if tags.get("amenity") == "parking_entrance":
        kinds.append("driveway")
    return kinds


def _main_pass(stream: _Stream, reading: Reading) -> None:
    """Read every element with a key of interest, in file order."""
    keep = osmium.filter.KeyFilter(*_NODE_KEYS, *_WAY_KEYS)
    for obj in stream(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION, keep):
        if obj.is_node():
            _node(obj, reading)
        elif obj.is_way():
            _way(obj, reading, last_try=False)
        elif obj.is_relation():
            _relation(obj, reading)


def _node(obj: Any, reading: Reading) -> None:
    if obj.id in reading.deleted.get("node", ()) or not obj.location.valid():
        return
    x, y = obj.location.lon, obj.location.lat
    if reading.outside([(x, y)]):
        return
    tags = obj.tags
    kinds = _point_kinds(tags)
    for kind in kinds:
        reading.points.append((obj.id, "node", kind, obj.id, x, y))
    if tags.get("amenity") == "parking":
        reading.lots.add(obj.id, "node", [(x, y)], tags)
    elif not kinds:
        return
    reading.stamp(obj)


def _relation(obj: Any, reading: Reading) -> None:
    tags = obj.tags
    if (
        tags.get("type") == "multipolygon"
        and (tags.get("amenity") == "parking" or tags.get("building") is not None)
        and obj.id not in reading.deleted.get("relation", ())
    ):
        ways = [(m.ref, m.role == "inner") for m in obj.members if m.type == "w"]
        if ways:
            kept = tuple((key, value) for key, value in tags if key in _RELATION_KEYS)
            reading.relations.append((obj.id, kept, ways))
            reading.stamp(obj)


def _coordinates(obj: Any, reading: Reading) -> list[tuple[float, float]] | None:
    """
    Return the way's (lon, lat) per node, or None when a node is missing or deleted.

    A node with a negative id is looked up among the negative-id locations read so far; when
    those have not been read yet, the reading is told to read them (`Reading.wants_negative`).
    """
    try:
        xy = [(node.lon, node.lat) for node in obj.nodes]
    except osmium.InvalidLocationError:
        negative = reading.negative or {}
        found = [
            (node.lon, node.lat) if node.location.valid() else negative.get(node.ref)
            for node in obj.nodes
        ]
        if any(at is None for at in found):
            if reading.negative is None and any(node.ref < 0 for node in obj.nodes):
                reading.wants_negative = True
            return None
        xy = [at for at in found if at is not None]
    deleted_nodes = reading.deleted.get("node")
    if deleted_nodes and any(node.ref in deleted_nodes for node in obj.nodes):
        return None
    return xy


def _line(way: Any, reading: Reading) -> str | None:
    """
    Return the way's line as hex WKB, built in C++; None when a node is missing or deleted.

    Nodes with negative ids are not in osmium's index: a way using one is built from their
    locations once the node pass has read them (see `_coordinates`).
    """
    try:
        line = _WKB.create_linestring(way, _EVERY_NODE)
    except osmium.InvalidLocationError:
        xy = _coordinates(way, reading)
        if xy is None:
            return None
        line = shapely.to_wkb(shapely.linestrings(xy), hex=True)
    deleted_nodes = reading.deleted.get("node")
    if deleted_nodes and any(node.ref in deleted_nodes for node in way.nodes):
        return None
    return str(line)


# a platform is kept as points this far apart at most along its outline (degrees: 11 m of
# latitude), closer than twice CurbParams.platform_clearance_m so its clearances join up
_PLATFORM_STEP_DEG = 1e-4


def _way(way: Any, reading: Reading, *, last_try: bool) -> None:
    """
    Keep a street, driveway, lot, building or transit platform way.

    A platform is kept as points along its outline (kind ``platform``), at most
    `_PLATFORM_STEP_DEG` apart.

    A way whose node locations are not (yet) known is left for the second pass when this is
    not its ``last_try``: in an unsorted file its nodes may come after it.
    """
    if way.id in reading.deleted.get("way", ()):
        return
    tags = way.tags
    highway = tags.get("highway") or ""
    street = highway.split(";")[0].strip() in DRIVE_HIGHWAYS
    driveway = highway == "service" and tags.get("service") in _DRIVEWAY_SERVICES
    lot = tags.get("amenity") == "parking"
    building = tags.get("building") is not None
    platform = "platform" in (tags.get("public_transport"), tags.get("railway"))
    if not (street or driveway or lot or building or platform):
        return
    size = len(way.nodes)
    line = _line(way, reading) if size >= 2 else None
    if line is None:
        if last_try or size < 2:
            reading.missing_nodes += 1
        else:
            reading.retry.add(way.id)
        return
    need_xy = reading.bbox or driveway or platform
    xy = shapely.get_coordinates(shapely.from_wkb(line)) if need_xy else None
    if xy is not None and reading.outside(xy):
        return
    reading.stamp(way)
    if platform and xy is not None:
        dense = shapely.segmentize(shapely.linestrings(xy), _PLATFORM_STEP_DEG)
        for x, y in shapely.get_coordinates(dense).tolist():
            reading.points.append((way.id, "way", "platform", -1, x, y))
    if street or driveway:
        refs = array("q", [node.ref for node in way.nodes])
        if street:
            reading.street_ids.append(way.id)
            reading.street_sizes.append(size)
            reading.street_refs.extend(refs)
            reading.street_lines.add(line)
            reading.street_tags.add(tags)
        if driveway and xy is not None:
            for ref, (x, y) in zip(refs, xy.tolist(), strict=True):
                reading.driveway_refs.setdefault(ref, (way.id, x, y))
    if (lot or building) and size >= 4 and way.is_closed():
        if lot:
            reading.lots.add(way.id, "way", line, tags)
        if building:
            reading.buildings.add(way.id, "way", line, tags)


def _way_pass(stream: _Stream, reading: Reading) -> None:
    """
    Read again the ways the main pass could not place, and those outlining multipolygons.

    Every positive node location is in the index by now, and the negative ones are read
    first when a way of the main pass needed them, so what is still missing is missing.
    """
    members = {ref for _, _, ways in reading.relations for ref, _ in ways}
    members -= reading.deleted.get("way", set())
    if reading.wants_negative:
        _negative_nodes(stream, reading)
    _read_ways(stream, reading, members=members, retry=reading.retry)
    if reading.wants_negative and reading.negative is None:
        # only a multipolygon's outline can find out this late that it needs them
        _negative_nodes(stream, reading)
        _read_ways(stream, reading, members=members - reading.member_lines.keys(), retry=set())


def _read_ways(stream: _Stream, reading: Reading, *, members: set[int], retry: set[int]) -> None:
    wanted = members | retry
    if not wanted:
        return
    # osmium's id filter takes no negative ids: then every way comes to Python
    keep = osmium.filter.IdFilter(wanted) if min(wanted) >= 0 else None
    for way in stream(osmium.osm.WAY, keep):
        if way.id in retry:
            _way(way, reading, last_try=True)
        if way.id in members:
            xy = _coordinates(way, reading)
            if xy is not None and len(xy) >= 2:
                reading.member_lines.setdefault(way.id, xy)


def _negative_nodes(stream: _Stream, reading: Reading) -> None:
    """Read the locations of every node with a negative id (a pass over the nodes)."""
    reading.negative = {
        node.id: (node.location.lon, node.location.lat)
        for node in stream(osmium.osm.NODE, None)
        if node.id < 0 and node.location.valid()
    }
