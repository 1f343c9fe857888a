"""Small city tables for tests, built to the contract of docs/tables.md.

Each builder takes one dict per row. A dict may set any contract column (values are cast to
the contract dtype) and any extra column; the other contract columns get the defaults listed in
the builder's docstring, so the result passes `urbanfit.citydata.schema.validate_table`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.citydata.schema import TABLES
from urbanfit.render.map_encode import decode_features

CRS = "EPSG:32635"  # UTM 35N, Helsinki's zone
ORIGIN = (500_000.0, 6_670_000.0)  # a UTM 35N point near Helsinki

_PANDAS_DTYPE = {"int64": "int64", "float64": "float64", "bool": "bool", "str": "object"}

Defaults = Callable[[int, dict[str, Any], shapely.Geometry], dict[str, Any]]


def _table(
    name: str, rows: tuple[dict[str, Any], ...], geometry: list[Any], defaults: Defaults, crs: Any
) -> gpd.GeoDataFrame:
    filled = [
        {**defaults(i, row, geom), **row}
        for i, (row, geom) in enumerate(zip(rows, geometry, strict=True))
    ]
    data: dict[str, Any] = {}
    for column in TABLES[name]:
        if column.dtype != "geometry":
            values = [row[column.name] for row in filled]
            data[column.name] = pd.Series(values, dtype=_PANDAS_DTYPE[column.dtype])
    extra = [key for row in filled for key in row if key not in data and key != "geometry"]
    for key in dict.fromkeys(extra):
        data[key] = pd.Series([row.get(key) for row in filled])
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)


def street_table(
    *edges: dict[str, Any],
    crs: Any = CRS,
    origin: tuple[float, float] = ORIGIN,
    spacing_m: float = 20.0,
) -> gpd.GeoDataFrame:
    """
    One street per dict, each drawn west to east from ``origin``, ``spacing_m`` apart in y.

    Defaults: a residential two-way street of ``length_m`` 100 m (the geometry's length when a
    dict gives ``geometry``), 2 lanes, 6 m wide, 30 km/h, unnamed, no value defaulted, OSM way
    ``1000 + i``, end nodes ``2 i + 1`` -> ``2 i + 2`` (shared with no other edge, so both ends
    are junctions), no curb-parking tag (every ``PARKING_KEYS`` column None).
    """
    x0, y0 = origin
    geometry = [
        edge["geometry"]
        if "geometry" in edge
        else shapely.LineString(
            [(x0, y0 + spacing_m * i), (x0 + edge.get("length_m", 100.0), y0 + spacing_m * i)]
        )
        for i, edge in enumerate(edges)
    ]

    def defaults(i: int, edge: dict[str, Any], geom: shapely.Geometry) -> dict[str, Any]:
        width = edge.get("width_m", 6.0)
        return {
            **dict.fromkeys(c.name for c in TABLES["streets"] if c.values == "nullable"),
            "edge_id": i,
            "osm_id": 1000 + i,
            "u": 2 * i + 1,
            "v": 2 * i + 2,
            "u_junction": True,
            "v_junction": True,
            "highway": "residential",
            "length_m": shapely.length(geom),
            "lanes": 2.0,
            "width_m": 6.0,
            "width_low_m": width,  # a tagged width is its own range
            "width_high_m": width,
            "width_source": "estimated_class" if edge.get("width_defaulted") else "tag",
            "speed_kmh": 30.0,
            "oneway": False,
            "lanes_defaulted": False,
            "width_defaulted": False,
            "speed_defaulted": False,
        }

    return _table("streets", edges, geometry, defaults, crs)


def lot_table(*lots: dict[str, Any], crs: Any = CRS) -> gpd.GeoDataFrame:
    """
    One parking lot per dict; each dict gives its ``geometry`` (polygon or point).

    Defaults: lot id ``i``, OSM ``way`` (``node`` for a point) ``2000 + i``, kind ``surface``,
    no name, parking, levels, capacity or access tag; ``area_m2`` and ``is_point`` from the
    geometry.
    """
    geometry = [lot["geometry"] for lot in lots]

    def defaults(i: int, _lot: dict[str, Any], geom: shapely.Geometry) -> dict[str, Any]:
        point = shapely.get_type_id(geom) == shapely.GeometryType.POINT
        return {
            **dict.fromkeys(c.name for c in TABLES["lots"] if c.values == "nullable"),
            "lot_id": i,
            "osm_id": 2000 + i,
            "osm_type": "node" if point else "way",
            "kind": "surface",
            "levels": np.nan,
            "capacity": np.nan,
            "area_m2": shapely.area(geom),
            "is_point": point,
        }

    return _table("lots", lots, geometry, defaults, crs)


def building_table(
    *buildings: dict[str, Any],
    crs: Any = CRS,
    origin: tuple[float, float] = ORIGIN,
    spacing_m: float = 50.0,
) -> gpd.GeoDataFrame:
    """
    One building per dict: a 10 m x 10 m square ``spacing_m`` east of the previous one.

    Defaults: building id ``i``, OSM way ``3000 + i``, residential, 1 level (not defaulted),
    ``floor_area_m2`` = footprint x levels; a dict may give ``geometry``.
    """
    x0, y0 = origin
    geometry = [
        building["geometry"]
        if "geometry" in building
        else shapely.box(x0 + spacing_m * i, y0, x0 + spacing_m * i + 10.0, y0 + 10.0)
        for i, building in enumerate(buildings)
    ]

    def defaults(i: int, building: dict[str, Any], geom: shapely.Geometry) -> dict[str, Any]:
        levels = building.get("levels", 1.0)
        return {
            "building_id": i,
            "osm_id": 3000 + i,
            "use": "residential",
            "levels": levels,
            "levels_defaulted": False,
            "footprint_m2": shapely.area(geom),
            "floor_area_m2": shapely.area(geom) * levels,
        }

    return _table("buildings", buildings, geometry, defaults, crs)


def layer_rows(layer: Any) -> list[dict[str, Any]]:
    """Return the features a map layer draws, decoded from the page's packed form."""
    packed = [
        grand.packed
        for child in layer._children.values()
        for grand in child._children.values()
        if hasattr(grand, "packed")
    ]
    (one,) = packed
    return decode_features(one)[0].to_dict(orient="records")
