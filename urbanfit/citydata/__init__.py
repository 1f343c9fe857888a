"""City data: the typed tables every model reads (see docs/tables.md).

Tag parsing lives in this package and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from pyproj import CRS

from urbanfit.citydata.curb import curb_sides
from urbanfit.citydata.features import build_buildings, build_lots
from urbanfit.citydata.schema import validate_tables
from urbanfit.citydata.streets import build_streets, drivable
from urbanfit.citydata.width import WIDTH_SOURCES, estimate_widths
from urbanfit.errors import EmptyAreaError, SourceError
from urbanfit.parameters.streets import StreetParams
from urbanfit.sources.raw import Provenance, RawCity

__all__ = ["CityData", "build_city", "drivable", "validate_tables"]


@dataclass(frozen=True)
class CityData:
    """
    One city's typed tables in its projected UTM CRS (docs/tables.md).

    ``curb`` holds two rows per street edge (left, right): the curb-parking tags parsed into
    one row per side (`urbanfit.citydata.curb.curb_sides`). It is the only curb source today;
    a city's own curb inventory would be turned into the same table.
    """

    name: str
    streets: gpd.GeoDataFrame
    lots: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    curb: gpd.GeoDataFrame
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

    Raises
    ------
    EmptyAreaError
        No drivable street in the data.
    TableError
        A table breaks the contract of docs/tables.md (a bug in a source or parser).
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
    widths = estimate_widths(streets, buildings, params=params)
    streets["width_m"] = widths["width_m"]
    at = streets.columns.get_loc("width_m") + 1
    for offset, column in enumerate(("width_low_m", "width_high_m", "width_source")):
        streets.insert(at + offset, column, widths[column])
    quality: dict[str, Any] = {
        "tags": {**street_quality, **lot_quality, **building_quality},
        "defaulted_edges": {
            column.removesuffix("_defaulted"): int(streets[column].sum())
            for column in ("lanes_defaulted", "width_defaulted", "speed_defaulted")
        },
        "defaulted_building_levels": int(buildings["levels_defaulted"].sum()),
        "width_sources": {
            source: int((streets["width_source"] == source).sum()) for source in WIDTH_SOURCES
        },
        **{key: int(count) for key, count in raw.dropped.items()},
    }
    city = CityData(
        name=name,
        streets=streets,
        lots=lots,
        buildings=buildings,
        curb=curb_sides(streets, offset_m=params.curb_side_offset_m),
        crs=crs,
        provenance=raw.provenance,
        quality=quality,
        points=raw.points.to_crs(crs),
    )
    validate_tables(city)
    return city
