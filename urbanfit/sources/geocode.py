"""The one geocoder: a place name -> its boundary, through Nominatim (OSMnx, cached on disk).

Both the Overpass path (`urbanfit.sources.overpass`) and the regional-extract path
(`urbanfit.sources.extract`) call `geocode_place`.
"""

from __future__ import annotations

import dataclasses

import osmnx as ox
from shapely.geometry.base import BaseGeometry

from urbanfit.errors import UnknownCityError
from urbanfit.sources.web import OverpassConfig, call_service

__all__ = ["Place", "geocode_place"]


@dataclasses.dataclass(frozen=True)
class Place:
    """A geocoded place: its boundary (EPSG:4326) and Nominatim's full name for it."""

    query: str
    boundary: BaseGeometry
    display_name: str


def geocode_place(place: str, *, config: OverpassConfig | None = None) -> Place:
    """
    Geocode a place name to its boundary polygon through Nominatim.

    Parameters
    ----------
    place
        A place name, e.g. ``"Portland, Oregon, USA"``.
    config
        The Nominatim endpoint (``URBANFIT_NOMINATIM_URL``), the cache folder and limits.

    Returns
    -------
    place
        The boundary and Nominatim's display name (``"Portland, Multnomah County, ..."``).

    Raises
    ------
    UnknownCityError
        No place has that name, or it is a point without a boundary.
    NetworkUnavailableError, ServiceError
        Nominatim cannot be reached or answered with an error (the message names it).
    """
    config = config or OverpassConfig()

    def lookup() -> Place:
        try:
            found = ox.geocode_to_gdf(str(place))
        except ox._errors.InsufficientResponseError:
            raise UnknownCityError(
                f"no place called {place!r} was found; `urbanfit cities` lists the presets"
            ) from None
        except TypeError:
            raise UnknownCityError(
                f"{place!r} is not an area with a boundary; try a city name or a --bbox"
            ) from None
        display = found["display_name"].iloc[0] if "display_name" in found else place
        return Place(query=place, boundary=found.geometry.iloc[0], display_name=str(display))

    return call_service(config, "Nominatim", lookup)
