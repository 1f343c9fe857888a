"""Local OSM files (.osm, .osm.bz2, .osm.gz, .osm.pbf) through pyosmium, in one or two passes.

The main pass streams the file once: every node location goes into osmium's location index
(in C++), and only elements carrying a key of interest reach Python: point lots, crossings,
bus stops and hydrants; street, driveway, lot and building ways; parking and building
multipolygon relations. A way's geometry is built in C++ (osmium's WKB factory, from the
index), kept as bytes and decoded at the end with numpy in one go, so Python never touches a
way's coordinates one by one; only street and driveway ways have their node ids read. Nothing
but the tags urbanfit uses is kept, looked up by key.

A second pass, only when needed, reads just the ways (by id, filtered in C++) that outline
those multipolygons, or whose nodes were not in the index yet: in an unsorted file (or a JOSM
save) a way may come before its nodes, so the order of the file does not matter; a way whose
nodes are still missing then is skipped and counted.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import logging
import math
import re
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import osmium
import osmium.filter
import osmium.geom
import pandas as pd
import shapely

from urbanfit.errors import SourceError
from urbanfit.osmkeys import BUILDING_KEYS, DRIVE_HIGHWAYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS
from urbanfit.sources.raw import (
    BUILDING_COLUMNS,
    EDGE_COLUMNS,
    LOT_COLUMNS,
    POINT_COLUMNS,
    Provenance,
    RawCity,
    clip,
    conform,
)

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
_STREET_TAGS = (*STREET_KEYS, *PARKING_KEYS)
_NODE_KEYS = ("amenity", "highway", "crossing", "public_transport", "emergency")
_WAY_KEYS = ("highway", "amenity", "building")
_RELATION_KEYS = frozenset((*LOT_KEYS, *BUILDING_KEYS))
_DELETED = re.compile(rb"<(node|way|relation)\b[^>]*?\baction\s*=\s*[\"']delete[\"'][^>]*>")
# one pass over the file: (entity kinds, C++ filter) -> the objects that pass
_Stream = Callable[[osmium.osm.osm_entity_bits, Any], Iterator[Any]]
_ID = re.compile(rb"\sid\s*=\s*[\"'](-?\d+)[\"']")
_NEGATIVE_NODE = re.compile(rb"<node\b[^>]*?\sid\s*=\s*[\"']-\d+[\"'][^>]*>")
_ATTRIBUTE = re.compile(rb"\s(id|lat|lon)\s*=\s*[\"']([^\"']*)[\"']")
_WKB = osmium.geom.WKBFactory()  # hex WKB; every node kept, so coordinates match node ids
_EVERY_NODE = osmium.geom.use_nodes.ALL
_WKB_HEADER = 9  # byte order (1), geometry type (4), point count (4); then x, y per point


def file_format(path: Path) -> str | None:
    """Return the osmium format name of an OSM file from its suffix (None if not OSM)."""
    name = path.name.lower()
    return next((fmt for suffix, fmt in _FORMATS if name.endswith(suffix)), None)


class _Tags:
    """Rows of a few tag columns, stored sparsely (only the cells that are set)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._column = {key: at for at, key in enumerate(keys)}
        self._values: dict[str, str] = {}  # one string object per distinct value
        self._cells: list[dict[int, str]] = [{} for _ in keys]
        self.rows = 0

    def add(self, tags: Any) -> None:
        """
        Append a row from a mapping's ``get`` (an osmium tag list, or a dict).

        Looking up each wanted key (in C++ for osmium) costs less than walking the tags; the
        lookups stop once every tag the element has is found.
        """
        row, left, get, shared = self.rows, len(tags), tags.get, self._values.setdefault
        for key, cells in zip(self.keys, self._cells, strict=True):
            if left == 0:
                break
            value = get(key)
            if value is not None:
                cells[row] = shared(value, value)
                left -= 1
        self.rows += 1

    def frame(self, take: np.ndarray | None = None) -> dict[str, np.ndarray]:
        columns = {}
        for key, cells in zip(self.keys, self._cells, strict=True):
            values = np.full(self.rows, None, dtype=object)
            if cells:
                values[np.fromiter(cells, dtype=np.int64, count=len(cells))] = list(cells.values())
            columns[key] = values if take is None else values[take]
        return columns


class _Lines:
    """WKB line strings kept as one byte buffer (no Python object per line), decoded at once."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._sizes = array("q")

    def add(self, line: str) -> None:
        """Append a hex-WKB line string (as osmium's and shapely's factories write it)."""
        data = bytes.fromhex(line)
        self._data += data
        self._sizes.append((len(data) - _WKB_HEADER) // 16)

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """Return every line's points as (x, y) rows, and the number of points per line."""
        sizes = np.frombuffer(self._sizes, dtype=np.int64)
        data = np.frombuffer(self._data, dtype=np.uint8)
        starts = np.cumsum(_WKB_HEADER + 16 * sizes) - (_WKB_HEADER + 16 * sizes)
        point = np.ones(len(data), dtype=bool)
        point[(starts[:, None] + np.arange(_WKB_HEADER)).ravel()] = False
        # both factories write the machine's byte order: 1 little-endian, 0 big-endian
        order = "<f8" if len(data) == 0 or data[0] == 1 else ">f8"
        return data[point].view(order).reshape(-1, 2), sizes


@dataclass
class _Features:
    """Polygons or points of one kind (lots or buildings) with their tags."""

    keys: tuple[str, ...]
    ids: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    shapes: list[Any] = field(default_factory=list)  # None (a ring), [(x, y)], or geometry
    rings: _Lines = field(default_factory=_Lines)  # closed ways, in row order
    outlines: set[int] = field(default_factory=set)  # ways a relation of this kind replaces
    tags: _Tags = field(init=False)

    def __post_init__(self) -> None:
        self.tags = _Tags(self.keys)

    def add(self, osm_id: int, osm_type: str, shape: Any, tags: Any) -> None:
        """Add a row; ``shape`` is hex WKB (a closed way), [(x, y)] (a node) or a geometry."""
        self.ids.append(osm_id)
        self.types.append(osm_type)
        if isinstance(shape, str):
            self.rings.add(shape)
            shape = None
        self.shapes.append(shape)
        self.tags.add(tags)

    def frame(self, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
        geometry = _geometries(self.shapes, self.rings)
        ids = np.array(self.ids, dtype=np.int64)
        types = np.array(self.types, dtype=object)
        # the first of elements with a duplicate type and id wins, as for ways
        unique = ~pd.DataFrame({"t": types, "i": ids}).duplicated().to_numpy()
        unique &= ~((types == "way") & np.isin(ids, list(self.outlines)))
        data = {"osm_id": ids, "osm_type": types} | self.tags.frame()
        return _typed({k: v[unique] for k, v in data.items()}, geometry[unique], columns)


def _geometries(shapes: list[Any], rings: _Lines) -> np.ndarray:
    """Rings (rows whose shape is None) to polygons, [(x, y)] to points; geometries kept."""
    geometry = np.empty(len(shapes), dtype=object)
    kind = np.array([0 if s is None else 1 if isinstance(s, list) else 2 for s in shapes])
    ring, point, other = (np.flatnonzero(kind == k) for k in (0, 1, 2))
    if len(ring):
        xy, sizes = rings.coordinates()
        indices = np.repeat(np.arange(len(sizes)), sizes)
        geometry[ring] = shapely.polygons(shapely.linearrings(xy, indices=indices))
    if len(point):
        geometry[point] = shapely.points([shapes[at][0] for at in point])
    for at in other:
        geometry[at] = shapes[at]
    return geometry


@dataclass
class _Reading:
    """Everything kept while streaming one file."""

    bbox: tuple[float, float, float, float] | None
    deleted: dict[str, set[int]]
    negative: dict[int, tuple[float, float]]  # locations of nodes with negative ids
    street_ids: array[int] = field(default_factory=lambda: array("q"))
    street_sizes: array[int] = field(default_factory=lambda: array("q"))
    street_refs: array[int] = field(default_factory=lambda: array("q"))
    street_lines: _Lines = field(default_factory=_Lines)
    street_tags: _Tags = field(default_factory=lambda: _Tags(_STREET_TAGS))
    lots: _Features = field(default_factory=lambda: _Features(LOT_KEYS))
    buildings: _Features = field(default_factory=lambda: _Features(BUILDING_KEYS))
    points: list[tuple[int, str, str, int, float, float]] = field(default_factory=list)
    driveway_refs: dict[int, tuple[int, float, float]] = field(default_factory=dict)
    relations: list[tuple[int, tuple[tuple[str, str], ...], list[tuple[int, bool]]]] = field(
        default_factory=list
    )
    member_lines: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    retry: set[int] = field(default_factory=set)  # ways to read again once all nodes are in
    missing_nodes: int = 0
    incomplete_relations: int = 0
    newest: dt.datetime | None = None

    def stamp(self, obj: Any) -> None:
        stamp = obj.timestamp
        if stamp.year > 1970 and (self.newest is None or stamp > self.newest):
            self.newest = stamp

    def outside(self, xy: Any) -> bool:
        """Whether no point of ``xy`` (pairs, or an (n, 2) array) lies in the bbox."""
        if self.bbox is None:
            return False
        west, south, east, north = self.bbox
        x, y = np.asarray(xy, dtype=np.float64).reshape(-1, 2).T
        return not bool(np.any((west <= x) & (x <= east) & (south <= y) & (y <= north)))


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
        deleted, negative = ({}, {}) if fmt == "pbf" else _scan_xml(path, fmt)
        reading = _Reading(bbox=bbox, deleted=deleted, negative=negative)
        with _location_index(path, node_index) as locations:
            stream = partial(_stream, path, fmt, locations)
            _main_pass(stream, reading)
            _way_pass(stream, reading)
    except (RuntimeError, ValueError, OSError, EOFError, KeyError, UnicodeError) as error:
        raise SourceError(f"cannot read {path.name} as {what} ({_brief(error)})") from None
    raw = _assemble(
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


def _scan_xml(path: Path, fmt: str) -> tuple[dict[str, set[int]], dict[int, tuple[float, float]]]:
    """
    Read what libosmium does not give from an XML file's text.

    Returns the ids of the elements an editor's save marks ``action='delete'`` (libosmium
    ignores the attribute), and the locations of nodes with negative ids (new in an editor,
    never uploaded), which pyosmium's location index does not store.
    """
    opener: Any = {"osm.bz2": bz2.open, "osm.gz": gzip.open}.get(fmt, open)
    deleted: dict[str, set[int]] = {"node": set(), "way": set(), "relation": set()}
    negative: dict[int, tuple[float, float]] = {}
    tail = b""
    with opener(path, "rb") as stream:
        for chunk in _chunks(stream):
            text = tail + chunk
            if b"action" in text:
                for match in _DELETED.finditer(text):
                    number = _ID.search(match.group(0))
                    if number:
                        deleted[match.group(1).decode()].add(int(number.group(1)))
            if b"-" in text:
                for match in _NEGATIVE_NODE.finditer(text):
                    attributes = dict(_ATTRIBUTE.findall(match.group(0)))
                    try:
                        lon, lat = float(attributes[b"lon"]), float(attributes[b"lat"])
                    except (KeyError, ValueError):
                        continue
                    if math.isfinite(lon) and math.isfinite(lat):
                        negative[int(attributes[b"id"])] = (lon, lat)
            tail = text[-4096:]
    return {kind: ids for kind, ids in deleted.items() if ids}, negative


def _chunks(stream: IO[bytes], size: int = 1 << 22) -> Iterable[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _point_kinds(tags: Any) -> list[str]:
    highway = tags.get("highway")
    kinds = []
    if highway == "crossing" or tags.get("crossing", "no") != "no":
        kinds.append("crossing")
    if highway == "bus_stop" or tags.get("public_transport") == "platform":
        kinds.append("bus_stop")
    if tags.get("emergency") == "fire_hydrant":
        kinds.append("fire_hydrant")
    return kinds


def _main_pass(stream: _Stream, reading: _Reading) -> None:
    """Read every element with a key of interest, in file order."""
    keep = osmium.filter.KeyFilter(*_NODE_KEYS, *_WAY_KEYS)
    for obj in stream(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION, keep):
        if obj.is_node():
            _node(obj, reading)
        elif obj.is_way():
            _way(obj, reading, last_try=False)
        elif obj.is_relation():
            _relation(obj, reading)


def _node(obj: Any, reading: _Reading) -> None:
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


def _relation(obj: Any, reading: _Reading) -> None:
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


def _coordinates(obj: Any, reading: _Reading) -> list[tuple[float, float]] | None:
    """Return the way's (lon, lat) per node, or None when a node is missing or deleted."""
    try:
        xy = [(node.lon, node.lat) for node in obj.nodes]
    except osmium.InvalidLocationError:
        if not reading.negative:
            return None
        found = [
            (node.lon, node.lat) if node.location.valid() else reading.negative.get(node.ref)
            for node in obj.nodes
        ]
        if any(at is None for at in found):
            return None
        xy = [at for at in found if at is not None]
    deleted_nodes = reading.deleted.get("node")
    if deleted_nodes and any(node.ref in deleted_nodes for node in obj.nodes):
        return None
    return xy


def _line(way: Any, reading: _Reading) -> str | None:
    """
    Return the way's line as hex WKB, built in C++; None when a node is missing or deleted.

    Nodes with negative ids (an editor's new ones) are not in osmium's index: a way using one
    is built from their locations read from the text (editor files only, small by nature).
    """
    try:
        line = _WKB.create_linestring(way, _EVERY_NODE)
    except osmium.InvalidLocationError:
        xy = _coordinates(way, reading) if reading.negative else None
        if xy is None:
            return None
        line = shapely.to_wkb(shapely.linestrings(xy), hex=True)
    deleted_nodes = reading.deleted.get("node")
    if deleted_nodes and any(node.ref in deleted_nodes for node in way.nodes):
        return None
    return str(line)


def _way(way: Any, reading: _Reading, *, last_try: bool) -> None:
    """
    Keep a street, driveway, lot or building way.

    A way whose node locations are not (yet) known is left for the second pass when this is
    not its ``last_try``: in an unsorted file its nodes may come after it.
    """
    if way.id in reading.deleted.get("way", ()):
        return
    tags = way.tags
    highway = tags.get("highway") or ""
    street = highway.split(";")[0].strip() in DRIVE_HIGHWAYS
    driveway = highway == "service" and tags.get("service") == "driveway"
    lot = tags.get("amenity") == "parking"
    building = tags.get("building") is not None
    if not (street or driveway or lot or building):
        return
    size = len(way.nodes)
    line = _line(way, reading) if size >= 2 else None
    if line is None:
        if last_try or size < 2:
            reading.missing_nodes += 1
        else:
            reading.retry.add(way.id)
        return
    xy = shapely.get_coordinates(shapely.from_wkb(line)) if reading.bbox or driveway else None
    if xy is not None and reading.outside(xy):
        return
    reading.stamp(way)
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


def _way_pass(stream: _Stream, reading: _Reading) -> None:
    """
    Read again the ways the main pass could not place, and those outlining multipolygons.

    Every node location is in the index by now, so what is still missing is missing.
    """
    members = {ref for _, _, ways in reading.relations for ref, _ in ways}
    members -= reading.deleted.get("way", set())
    wanted = members | reading.retry
    if not wanted:
        return
    # osmium's id filter takes no negative (editor-new) ids: then every way comes to Python,
    # which only happens for editor files, small by nature
    keep = osmium.filter.IdFilter(wanted) if min(wanted) >= 0 else None
    for way in stream(osmium.osm.WAY, keep):
        if way.id in reading.retry:
            _way(way, reading, last_try=True)
        if way.id in members:
            xy = _coordinates(way, reading)
            if xy is not None and len(xy) >= 2:
                reading.member_lines.setdefault(way.id, xy)


def _area(lines: list[list[tuple[float, float]]]) -> shapely.Geometry:
    """Return the polygons the lines enclose (empty when there are none)."""
    if not lines:
        return shapely.Polygon()
    return shapely.build_area(shapely.multilinestrings([shapely.linestrings(xy) for xy in lines]))


def _relation_areas(reading: _Reading) -> None:
    """
    Parking and building multipolygons from their member ways.

    The outer rings' area minus the inner rings' (a member without a role counts as outer).
    A relation with a member way that is not in the file (or lacks nodes) is skipped and
    counted, like a way with missing nodes. A closed way that outlines such a relation and
    carries the same feature tag is the same feature: the relation replaces it.
    """
    outlines: dict[str, set[int]] = {"lots": set(), "buildings": set()}
    for osm_id, tags, ways in reading.relations:
        if any(ref not in reading.member_lines for ref, _ in ways):
            reading.incomplete_relations += 1
            continue
        outer, inner = (
            _area([reading.member_lines[ref] for ref, hole in ways if hole is want])
            for want in (False, True)
        )
        area = outer.difference(inner) if not inner.is_empty else outer
        if area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        if reading.outside(shapely.get_coordinates(area).tolist()):
            continue
        keys = dict(tags)
        outline = {ref for ref, hole in ways if not hole}
        if keys.get("amenity") == "parking":
            reading.lots.add(osm_id, "relation", area, keys)
            outlines["lots"] |= outline
        if "building" in keys:
            reading.buildings.add(osm_id, "relation", area, keys)
            outlines["buildings"] |= outline
    reading.lots.outlines = outlines["lots"]
    reading.buildings.outlines = outlines["buildings"]


def _typed(
    frame: dict[str, np.ndarray], geometry: np.ndarray, columns: tuple[str, ...]
) -> gpd.GeoDataFrame:
    """
    Lay the frame out as `urbanfit.sources.raw.conform` does, directly (faster).

    Tag values (arrays, one per column) are already str or None here, so only the layout is
    set: ``columns`` in order, ids as int64, text as object with None for missing.
    """
    rows = len(geometry)
    if rows == 0:
        return conform(None, columns)
    index = pd.RangeIndex(rows)
    data = {
        column: pd.Series(np.asarray(frame[column], dtype=np.int64), index=index)
        if column in ("osm_id", "u", "v", "node")
        else pd.Series(np.asarray(frame[column], dtype=object), index=index)  # as `conform`
        if column == "osm_type"
        else pd.Series(
            np.asarray(frame[column], dtype=object), index=index, dtype=object, copy=False
        )
        for column in columns
    }
    # copy=False (here and above): the tag columns are not copied, nor joined into one block
    return gpd.GeoDataFrame(data, geometry=geometry, crs=4326, copy=False)


def _edges(reading: _Reading) -> gpd.GeoDataFrame:
    """One edge per pair of consecutive nodes of each street way, in drawing order."""
    ids = np.frombuffer(reading.street_ids, dtype=np.int64)
    sizes = np.frombuffer(reading.street_sizes, dtype=np.int64)
    first = ~pd.Series(ids).duplicated().to_numpy()  # duplicate way ids: the first wins
    refs = np.frombuffer(reading.street_refs, dtype=np.int64)
    xy, _ = reading.street_lines.coordinates()
    reading.street_lines = _Lines()  # xy is a copy: let the buffer go
    way_of_node = np.repeat(np.arange(len(ids)), sizes)
    # a segment starts at every node but the last of its way
    starts = np.flatnonzero(np.diff(way_of_node, append=-1) == 0)
    way = way_of_node[starts]
    u, v = refs[starts], refs[starts + 1]
    keep = first[way] & (u != v)  # a node repeated in a row is not a segment
    starts, way, u, v = starts[keep], way[keep], u[keep], v[keep]
    lines = shapely.linestrings(np.stack([xy[starts], xy[starts + 1]], axis=1))
    data = {"osm_id": ids[way], "u": u, "v": v} | reading.street_tags.frame(way)
    reading.street_tags = _Tags(_STREET_TAGS)
    return _typed(data, lines, EDGE_COLUMNS)


def _points(reading: _Reading, street_nodes: np.ndarray) -> gpd.GeoDataFrame:
    """Crossings, bus stops, hydrants, and driveway nodes shared with a street."""
    rows = list(reading.points)
    for ref, (way_id, x, y) in reading.driveway_refs.items():
        rows.append((way_id, "way", "driveway", ref, x, y))
    frame = pd.DataFrame(rows, columns=["osm_id", "osm_type", "kind", "node", "x", "y"])
    driveway = frame["kind"].eq("driveway").to_numpy()
    joined = np.isin(frame["node"].to_numpy(dtype=np.int64), street_nodes)
    frame = frame[~driveway | joined].drop_duplicates(["osm_type", "osm_id", "kind", "node"])
    frame = frame.sort_values(["kind", "node", "osm_id"], kind="stable")
    geometry = shapely.points(frame[["x", "y"]].to_numpy(dtype=np.float64).reshape(-1, 2))
    return conform(gpd.GeoDataFrame(frame, geometry=geometry, crs=4326), POINT_COLUMNS)


def _assemble(reading: _Reading, *, kind: str, description: str) -> RawCity:
    _relation_areas(reading)
    # each table's source is let go once the table is built, to keep the peak down
    buildings = reading.buildings.frame(BUILDING_COLUMNS)
    reading.buildings = _Features(BUILDING_KEYS)
    lots = reading.lots.frame(LOT_COLUMNS)
    reading.lots = _Features(LOT_KEYS)
    edges = _edges(reading)
    street_nodes = np.union1d(edges["u"].to_numpy(), edges["v"].to_numpy())
    newest = reading.newest.astimezone(dt.UTC).date().isoformat() if reading.newest else None
    return RawCity(
        edges=edges,
        lots=lots,
        buildings=buildings,
        points=_points(reading, street_nodes),
        provenance=Provenance(kind=kind, description=description, data_date=newest),
        dropped={
            "ways_missing_nodes": reading.missing_nodes,
            "relations_incomplete": reading.incomplete_relations,
        },
    )
