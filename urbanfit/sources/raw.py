"""The raw frames every source produces, before tag parsing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS

__all__ = [
    "EDGE_COLUMNS",
    "POINT_COLUMNS",
    "Provenance",
    "RawCity",
    "clip",
    "conform",
]

EDGE_COLUMNS = ("osm_id", "u", "v", *STREET_KEYS, *PARKING_KEYS)
LOT_COLUMNS = ("osm_id", "osm_type", *LOT_KEYS)
BUILDING_COLUMNS = ("osm_id", "osm_type", *BUILDING_KEYS)
# Curb point features: ``osm_id``/``osm_type`` name the element (the node, or the driveway
# way), ``node`` the node where the feature meets the street network or stands.
POINT_COLUMNS = ("osm_id", "osm_type", "kind", "node")


@dataclass(frozen=True)
class Provenance:
    """Where a city's data came from, for the report."""

    kind: str  # "bundled", "file", "overpass"
    description: str
    data_date: str | None = None  # newest OSM element timestamp (UTC date), when known
    retrieved: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    license: str = "OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class RawCity:
    """
    OSM data of one city as it came from the source (WGS 84, tags as strings).

    ``points`` holds curb point features (`urbanfit.osmkeys.POINT_KINDS`: crossings, bus
    stops, fire hydrants, driveway nodes shared with a street, signals, stop and give-way
    signs, railway level crossings and fire-station nodes); sources that do not fetch them
    leave it empty.
    ``dropped`` counts elements the source skipped, e.g. ``ways_missing_nodes``.
    """

    edges: gpd.GeoDataFrame
    lots: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    provenance: Provenance
    boundary: BaseGeometry | None = None
    points: gpd.GeoDataFrame = field(default_factory=lambda: conform(None, POINT_COLUMNS))
    dropped: dict[str, int] = field(default_factory=dict)


def conform(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """
    Give a source's frame exactly ``columns`` plus ``geometry``, in EPSG:4326.

    Parameters
    ----------
    frame
        What a library returned (may be None or lack columns for tags nobody used).
    columns
        Column names to keep, in order; missing ones are added as all-missing.

    Returns
    -------
    frame
        A GeoDataFrame with object-typed tag columns and integer ``osm_id``.
    """
    if frame is None or len(frame) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in columns:
        if col in frame.columns:
            out[col] = frame[col].to_numpy()
        else:
            out[col] = pd.Series([None] * len(frame), dtype="object")
    for col in columns:
        if col in {"osm_id", "u", "v", "node"}:
            out[col] = pd.to_numeric(out[col]).astype("int64")
        elif col != "osm_type":
            out[col] = _as_text(out[col])
    geometry = gpd.GeoSeries(frame.geometry.to_numpy(), crs=frame.crs or 4326).to_crs(4326)
    return gpd.GeoDataFrame(out, geometry=geometry.to_numpy(), crs=4326)


def _as_text(values: pd.Series) -> pd.Series:
    """Tag values as str or None (lists from OSMnx joined with ';', numbers as text)."""
    obj = values.astype("object")
    mask = obj.notna()
    if not mask.any():
        return pd.Series([None] * len(obj), index=obj.index, dtype="object")

    def text(value: object) -> str:
        if isinstance(value, list | tuple):
            return ";".join(str(v) for v in value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    obj = obj.where(mask, None)
    if pd.api.types.infer_dtype(obj, skipna=True) != "string":
        # Rare (OSMnx lists, numeric tags): convert the tagged cells only.
        obj[mask] = obj[mask].map(text)
    return obj


def clip(raw: RawCity, area: BaseGeometry) -> RawCity:
    """
    Keep what lies inside ``area`` (WGS 84).

    Streets are kept when wholly inside; lots, buildings and points when their representative
    point is inside.

    Parameters
    ----------
    raw
        A city's raw frames.
    area
        The clipping polygon in EPSG:4326.

    Returns
    -------
    clipped
        The same frames, filtered, with ``area`` as the boundary.
    """
    shapely.prepare(area)

    def inside(frame: gpd.GeoDataFrame, *, whole: bool) -> gpd.GeoDataFrame:
        geometry = frame.geometry.to_numpy()
        points = geometry if whole else shapely.point_on_surface(geometry)
        return frame[shapely.contains(area, points)].reset_index(drop=True)

    return RawCity(
        edges=inside(raw.edges, whole=True),
        lots=inside(raw.lots, whole=False),
        buildings=inside(raw.buildings, whole=False),
        provenance=raw.provenance,
        boundary=area,
        points=inside(raw.points, whole=False),
        dropped=raw.dropped,
    )
