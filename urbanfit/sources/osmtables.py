"""
Turning what the OSM file reader kept into raw tables.

Holds the accumulators `urbanfit.sources.osmfile` fills while streaming (sparse tag columns,
WKB lines in one byte buffer, lot and building features, and the `Reading` state that holds
them all), and `assemble`, which builds the multipolygons, then the edge, lot, building and
point tables of a `RawCity`.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS
from urbanfit.sources.raw import (
    BUILDING_COLUMNS,
    EDGE_COLUMNS,
    LOT_COLUMNS,
    POINT_COLUMNS,
    Provenance,
    RawCity,
    conform,
)

__all__ = ["Reading", "assemble"]

_STREET_TAGS = (*STREET_KEYS, *PARKING_KEYS)
_WKB_HEADER = 9  # byte order (1), geometry type (4), point count (4); then x, y per point


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
class Reading:
    """Everything kept while streaming one file."""

    bbox: tuple[float, float, float, float] | None
    deleted: dict[str, set[int]]
    # locations of nodes with negative ids, once a pass over the nodes has read them
    negative: dict[int, tuple[float, float]] | None = None
    wants_negative: bool = False  # a way needs a node with a negative id
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
        """Keep ``obj``'s edit time if it is the newest yet (a 1970 time means none is set)."""
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


def _area(lines: list[list[tuple[float, float]]]) -> shapely.Geometry:
    """Return the polygons the lines enclose (empty when there are none)."""
    if not lines:
        return shapely.Polygon()
    return shapely.build_area(shapely.multilinestrings([shapely.linestrings(xy) for xy in lines]))


def _relation_areas(reading: Reading) -> None:
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


def _edges(reading: Reading) -> gpd.GeoDataFrame:
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


def _points(reading: Reading, street_nodes: np.ndarray) -> gpd.GeoDataFrame:
    """Crossings, bus stops, hydrants, platform ends, parking entrances, driveway junctions."""
    rows = list(reading.points)
    for ref, (way_id, x, y) in reading.driveway_refs.items():
        rows.append((way_id, "way", "driveway", ref, x, y))
    frame = pd.DataFrame(rows, columns=["osm_id", "osm_type", "kind", "node", "x", "y"])
    # a driveway way counts where it meets a street; a parking-entrance node where it stands
    driveway = (frame["kind"].eq("driveway") & frame["osm_type"].eq("way")).to_numpy()
    joined = np.isin(frame["node"].to_numpy(dtype=np.int64), street_nodes)
    frame = frame[~driveway | joined]
    frame = frame.drop_duplicates(["osm_type", "osm_id", "kind", "node", "x", "y"])
    frame = frame.sort_values(["kind", "node", "osm_id"], kind="stable")
    geometry = shapely.points(frame[["x", "y"]].to_numpy(dtype=np.float64).reshape(-1, 2))
    return conform(gpd.GeoDataFrame(frame, geometry=geometry, crs=4326), POINT_COLUMNS)


def assemble(reading: Reading, *, kind: str, description: str) -> RawCity:
    """Build the raw tables from what ``reading`` kept, letting its buffers go as it goes."""
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
