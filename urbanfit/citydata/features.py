"""Raw parking features and buildings -> the typed `lots` and `buildings` tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from urbanfit.citydata.tagvalues import parse_count, quality_counts

__all__ = ["build_buildings", "build_lots"]

_KIND = {
    "surface": "surface",
    "multi-storey": "multi-storey",
    "multistorey": "multi-storey",
    "multi_storey": "multi-storey",
    "underground": "underground",
    "rooftop": "rooftop",
    "street_side": "street_side",
    "lane": "street_side",
    "on_kerb": "street_side",
    "half_on_kerb": "street_side",
    "layby": "street_side",
}

_RESIDENTIAL = (
    "residential", "apartments", "house", "detached", "semidetached_house", "terrace",
    "dormitory", "bungalow", "farm", "cabin", "houseboat", "static_caravan",
)  # fmt: skip
_COMMERCIAL = (
    "commercial", "retail", "office", "supermarket", "hotel", "kiosk", "industrial",
    "warehouse", "civic", "government", "public", "hospital", "school", "university",
    "college", "kindergarten",
)  # fmt: skip


def _polygonal(geometry: gpd.GeoSeries) -> np.ndarray:
    return geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()


def build_lots(
    raw: gpd.GeoDataFrame, *, crs: CRS
) -> tuple[gpd.GeoDataFrame, dict[str, dict[str, int]]]:
    """
    Type the ``amenity=parking`` features.

    Parameters
    ----------
    raw
        Raw lot frame in EPSG:4326.
    crs
        The city's projected CRS.

    Returns
    -------
    lots, quality
        The `lots` table and quality counts of the ``capacity`` and levels tags.
    """
    raw = raw[raw.geometry.notna()].reset_index(drop=True)
    geometry = gpd.GeoSeries(raw.geometry, crs=4326).to_crs(crs)
    polygonal = _polygonal(geometry)
    keep = polygonal | (geometry.geom_type == "Point").to_numpy()
    raw, geometry, polygonal = raw[keep], geometry[keep], polygonal[keep]
    parking = raw["parking"].astype("string").str.strip().str.lower()
    kind = parking.map(_KIND).astype("object")
    kind = kind.where(parking.isna() | kind.notna(), "other")
    kind = kind.where(kind.notna(), np.where(polygonal, "surface", "other"))
    capacity, capacity_q = parse_count(raw["capacity"])
    levels = pd.Series(np.nan, index=raw.index)
    levels_q = pd.Series("missing", index=raw.index, dtype="object")
    for key in ("building:levels", "levels", "parking:levels"):  # most specific last
        value, quality = parse_count(raw[key])
        levels = value.where(value.notna(), levels)
        levels_q = quality.where(raw[key].notna(), levels_q)
    lots = gpd.GeoDataFrame(
        {
            "lot_id": np.arange(len(raw), dtype="int64"),
            "osm_id": raw["osm_id"].to_numpy(dtype="int64"),
            "osm_type": raw["osm_type"].astype("object").to_numpy(),
            "name": raw["name"].astype("object").where(raw["name"].notna(), None).to_numpy(),
            "parking": raw["parking"].astype("object").to_numpy(),
            "kind": kind.to_numpy(),
            "levels": levels.to_numpy(dtype="float64"),
            "capacity": capacity.to_numpy(dtype="float64"),
            "access": raw["access"].astype("object").to_numpy(),
            "area_m2": np.where(polygonal, shapely.area(geometry.to_numpy()), 0.0),
            "is_point": ~polygonal,
        },
        geometry=geometry.to_numpy(),
        crs=crs,
    )
    return lots, {"capacity": quality_counts(capacity_q), "lot_levels": quality_counts(levels_q)}


def build_buildings(
    raw: gpd.GeoDataFrame, *, crs: CRS, default_levels: float
) -> tuple[gpd.GeoDataFrame, dict[str, dict[str, int]]]:
    """
    Type the buildings: footprint, levels and a coarse use class.

    Parameters
    ----------
    raw
        Raw building frame in EPSG:4326.
    crs
        The city's projected CRS.
    default_levels
        Levels assumed where ``building:levels`` is missing or unreadable (flagged).

    Returns
    -------
    buildings, quality
        The `buildings` table and quality counts of ``building:levels``.
    """
    raw = raw[raw.geometry.notna()].reset_index(drop=True)
    geometry = gpd.GeoSeries(raw.geometry, crs=4326).to_crs(crs)
    keep = _polygonal(geometry)
    raw, geometry = raw[keep].reset_index(drop=True), geometry[keep].reset_index(drop=True)
    building = raw["building"].astype("string").str.strip().str.lower()
    commercial = (
        building.isin(_COMMERCIAL).fillna(value=False).astype(bool)
        | raw["shop"].notna()
        | raw["amenity"].notna()
    )
    residential = building.isin(_RESIDENTIAL).fillna(value=False).astype(bool)
    use = np.where(residential, "residential", np.where(commercial, "commercial", "other"))
    levels, levels_q = parse_count(raw["building:levels"])
    levels = levels.where(levels > 0)
    footprint = shapely.area(geometry.to_numpy())
    filled = levels.fillna(default_levels).to_numpy(dtype="float64")
    buildings = gpd.GeoDataFrame(
        {
            "building_id": np.arange(len(raw), dtype="int64"),
            "osm_id": raw["osm_id"].to_numpy(dtype="int64"),
            "use": use,
            "levels": filled,
            "levels_defaulted": levels.isna().to_numpy(),
            "footprint_m2": footprint,
            "floor_area_m2": footprint * filled,
        },
        geometry=geometry.to_numpy(),
        crs=crs,
    )
    return buildings, {"building_levels": quality_counts(levels_q)}
