"""City data: the typed tables every model reads (see docs/tables.md).

Tag parsing lives in this package and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from pyproj import CRS

from urbanfit.citydata.features import build_buildings, build_lots
from urbanfit.citydata.streets import build_streets, drivable
from urbanfit.errors import EmptyAreaError, SourceError
from urbanfit.parameters.streets import StreetParams
from urbanfit.sources.raw import Provenance, RawCity

__all__ = ["CityData", "build_city", "drivable"]


@dataclass(frozen=True)
class CityData:
    """One city's typed tables in its projected UTM CRS."""

    name: str
    streets: gpd.GeoDataFrame
    lots: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    crs: CRS
    provenance: Provenance
    quality: dict[str, Any] = field(default_factory=dict)
    points: gpd.GeoDataFrame | None = None  # curb point features (`RawCity.points`), projected


def build_city(raw: RawCity, *, name: str, params: StreetParams | None = None) -> CityData:
    """
    Parse a source's raw frames into typed tables.

    Parameters
    ----------
    raw
        What a source returned.
    name
        Display name of the city.
    params
        Street defaults used where tags are missing.

    Returns
    -------
    city
        The typed tables plus a data-quality record: per tag, how many values were missing,
        standard, recovered from a non-standard form, or invalid (then defaulted and flagged),
        and the source's counts of skipped elements (e.g. ``ways_missing_nodes``).
    """
    params = params or StreetParams()
    if len(raw.edges) == 0 or not drivable(raw.edges).any():
        raise EmptyAreaError(f"{name}: the data holds no drivable streets")
    try:
        crs = raw.edges.estimate_utm_crs()
    except RuntimeError:  # pyproj finds no zone: polar streets (or coordinates off the globe)
        raise SourceError(
            f"{name}: the streets lie outside the UTM zones (80 deg S to 84 deg N) that "
            "urbanfit measures in"
        ) from None
    streets, street_quality = build_streets(raw.edges, crs=crs, params=params)
    lots, lot_quality = build_lots(raw.lots, crs=crs)
    buildings, building_quality = build_buildings(
        raw.buildings, crs=crs, default_levels=params.building_levels
    )
    quality: dict[str, Any] = {
        "tags": {**street_quality, **lot_quality, **building_quality},
        "defaulted_edges": {
            column.removesuffix("_defaulted"): int(streets[column].sum())
            for column in ("lanes_defaulted", "width_defaulted", "speed_defaulted")
        },
        "defaulted_building_levels": int(buildings["levels_defaulted"].sum()),
        **{key: int(count) for key, count in raw.dropped.items()},
    }
    return CityData(
        name=name,
        streets=streets,
        lots=lots,
        buildings=buildings,
        crs=crs,
        provenance=raw.provenance,
        quality=quality,
        points=raw.points.to_crs(crs),
    )
