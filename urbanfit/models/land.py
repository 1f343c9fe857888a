"""The land price that values freed lot land: the user's, else the county's, else none (pure).

A price the user gives wins. Without one, the study area's centre is looked up in the published
county table (`urbanfit.parameters.council.COUNTY_LAND_PRICES`); where no county holds it, lot
land is shown as acres and homes only. The county prices are of land under single-family homes,
a lower bound for downtown commercial land: the note says so wherever the price is used.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
from shapely.geometry import box

from urbanfit.parameters.council import CountyLandPrice, ValueParams

__all__ = ["choose_land_price", "county_at"]


def county_at(lon: float, lat: float, table: tuple[CountyLandPrice, ...]) -> CountyLandPrice | None:
    """
    Find the county whose extent holds a point.

    Parameters
    ----------
    lon, lat
        The point in degrees (WGS 84).
    table
        County prices with their extents.

    Returns
    -------
    county
        The first row whose bounding box holds the point, or None.
    """
    for row in table:
        west, south, east, north = row.bbox
        if west <= lon <= east and south <= lat <= north:
            return row
    return None


def _centre(streets: gpd.GeoDataFrame) -> tuple[float, float] | None:
    """Return the centre of the streets' bounding box in degrees (None: no streets or CRS)."""
    if not len(streets) or streets.crs is None:
        return None
    centre = gpd.GeoSeries([box(*streets.total_bounds).centroid], crs=streets.crs).to_crs(4326)
    return float(centre.x.iloc[0]), float(centre.y.iloc[0])


def choose_land_price(
    streets: gpd.GeoDataFrame, params: ValueParams
) -> tuple[ValueParams, str | None]:
    """
    Choose the land price for a study area and say where it comes from.

    Parameters
    ----------
    streets
        The city's streets (any projected CRS): their extent's centre places the study area.
    params
        Value parameters: the user's ``land_usd_per_acre`` (if any) and the county table.

    Returns
    -------
    params, basis
        The parameters with the chosen price and its ends set, and one sentence on where the
        price comes from (None when there is no price: the value model says so itself).
    """
    if params.land_usd_per_acre:
        return params, (
            f"Land priced at the given ${params.land_usd_per_acre:,.0f} an acre (a user value)"
        )
    centre = _centre(streets)
    county = None if centre is None else county_at(*centre, params.county_land_prices)
    if county is None:
        return params, None
    chosen = dataclasses.replace(
        params,
        land_usd_per_acre=county.usd_per_acre,
        land_usd_per_acre_low=county.low,
        land_usd_per_acre_high=county.high,
    )
    return chosen, (
        f"Land priced at ${county.usd_per_acre:,.0f} an acre ({county.low:,.0f}-"
        f"{county.high:,.0f}), the published {county.year} price of single-family residential "
        f"land in {county.county} (the study area's centre lies in it): a lower bound for "
        f"downtown commercial land, in {county.year} dollars; source: {county.source}; give "
        "land_usd_per_acre in the adoption file's [values] to use another price"
    )
