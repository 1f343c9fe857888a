"""A named place or bounding box through OSMnx and the Overpass API, cached on disk."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import osmnx as ox
import requests
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from urbanfit.errors import EmptyAreaError, NetworkUnavailableError, SourceError, UnknownCityError
from urbanfit.sources._osmnx import (
    BUILDING_TAGS,
    LOT_TAGS,
    edges_from_graph,
    features_frame,
    osmnx_settings,
)
from urbanfit.sources.raw import Provenance, RawCity

__all__ = ["OverpassConfig", "default_cache_dir", "fetch_overpass"]

log = logging.getLogger(__name__)

_OFFLINE_HINT = (
    "check the internet connection, or analyse a local extract with --osm-file PATH, "
    "or an offline preset such as `urbanfit analyze helsinki`"
)


def default_cache_dir() -> Path:
    """``$URBANFIT_CACHE``, else ``$XDG_CACHE_HOME/urbanfit``, else ``~/.cache/urbanfit``."""
    if os.environ.get("URBANFIT_CACHE"):
        return Path(os.environ["URBANFIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "urbanfit"


@dataclass(frozen=True)
class OverpassConfig:
    """Endpoints and cache for online fetching; environment variables override the defaults."""

    overpass_url: str = field(
        default_factory=lambda: os.environ.get(
            "URBANFIT_OVERPASS_URL", "https://overpass-api.de/api"
        )
    )
    nominatim_url: str = field(
        default_factory=lambda: os.environ.get(
            "URBANFIT_NOMINATIM_URL", "https://nominatim.openstreetmap.org/"
        )
    )
    cache_dir: Path = field(default_factory=lambda: default_cache_dir() / "overpass")
    timeout_s: float = 180.0


def fetch_overpass(
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    config: OverpassConfig | None = None,
) -> RawCity:
    """
    Fetch a city's drive network, parking features and buildings from Overpass.

    Responses are cached in ``config.cache_dir``; a repeated request is served from the cache.

    Parameters
    ----------
    place
        A place name the Nominatim geocoder resolves to a polygon, e.g. ``"Somerville, MA"``.
    bbox
        ``(west, south, east, north)`` in degrees, instead of a place.
    config
        Endpoints, cache folder and timeout.

    Returns
    -------
    raw
        The city's raw frames.
    """
    config = config or OverpassConfig()
    if (place is None) == (bbox is None):
        raise SourceError("give exactly one of a place name or a bounding box")
    online = "local" not in config.overpass_url and "127.0.0.1" not in config.overpass_url
    settings = {
        "use_cache": True,
        "cache_folder": str(config.cache_dir),
        "overpass_url": config.overpass_url.rstrip("/"),
        "nominatim_url": config.nominatim_url,
        "requests_timeout": config.timeout_s,
        "overpass_rate_limit": online,
        "doh_url_template": ox.settings.doh_url_template if online else None,
    }
    try:
        with osmnx_settings(**settings):
            boundary = _boundary(place, bbox)
            graph = ox.graph_from_polygon(
                boundary, network_type="drive", simplify=False, retain_all=True
            )
            lots = features_frame(lambda: ox.features_from_polygon(boundary, LOT_TAGS), "lots")
            buildings = features_frame(
                lambda: ox.features_from_polygon(boundary, BUILDING_TAGS), "buildings"
            )
    except requests.exceptions.RequestException as error:
        where = config.nominatim_url if place and "nominatim" in str(error).lower() else None
        target = where or config.overpass_url
        raise NetworkUnavailableError(
            f"could not reach {target} ({type(error).__name__}); {_OFFLINE_HINT}"
        ) from None
    except ox._errors.InsufficientResponseError as error:
        raise EmptyAreaError(f"OpenStreetMap has no drivable streets there ({error})") from None
    except ValueError as error:
        if "graph" in str(error).lower() or "no nodes" in str(error).lower():
            raise EmptyAreaError(f"OpenStreetMap has no drivable streets there ({error})") from None
        raise
    what = place if place else f"bbox {bbox}"
    provenance = Provenance(kind="overpass", description=f"{what} via {config.overpass_url}")
    return RawCity(
        edges=edges_from_graph(graph),
        lots=lots,
        buildings=buildings,
        provenance=provenance,
        boundary=boundary,
    )


def _boundary(place: str | None, bbox: tuple[float, float, float, float] | None) -> BaseGeometry:
    if bbox is not None:
        west, south, east, north = bbox
        if not (west < east and south < north):
            raise SourceError(
                f"bbox must be west,south,east,north with west<east, south<north: {bbox}"
            )
        return box(west, south, east, north)
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
    return found.geometry.iloc[0]
