"""A named place or bounding box through OSMnx and the Overpass API, cached on disk."""

from __future__ import annotations

import logging

import networkx as nx
import osmnx as ox
from pyproj import Geod
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from urbanfit.bbox import box_area_km2, check_bbox
from urbanfit.errors import EmptyAreaError, SourceError
from urbanfit.sources._osmnx import (
    BUILDING_TAGS,
    LOT_TAGS,
    edges_from_graph,
    features_frame,
)
from urbanfit.sources.geocode import geocode_place
from urbanfit.sources.raw import Provenance, RawCity
from urbanfit.sources.web import OverpassConfig, call_service, default_cache_dir

__all__ = ["OverpassConfig", "area_km2", "default_cache_dir", "fetch_overpass"]

log = logging.getLogger(__name__)

_GEOD = Geod(ellps="WGS84")


def area_km2(area: BaseGeometry) -> float:
    """Geodesic area of a WGS 84 polygon on the WGS 84 ellipsoid, in km²."""
    return abs(float(_GEOD.geometry_area_perimeter(area)[0])) / 1e6


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
    boundary = _boundary(place, bbox, config)

    def streets() -> nx.MultiDiGraph:
        try:
            return ox.graph_from_polygon(
                boundary, network_type="drive", simplify=False, retain_all=True
            )
        except ox._errors.InsufficientResponseError:
            raise EmptyAreaError("OpenStreetMap has no drivable streets there") from None
        except ValueError as error:
            if "graph" in str(error).lower() or "no nodes" in str(error).lower():
                raise EmptyAreaError("OpenStreetMap has no drivable streets there") from None
            raise

    graph = call_service(config, "Overpass", streets)
    lots = call_service(
        config,
        "Overpass",
        lambda: features_frame(lambda: ox.features_from_polygon(boundary, LOT_TAGS), "lots"),
    )
    buildings = call_service(
        config,
        "Overpass",
        lambda: features_frame(
            lambda: ox.features_from_polygon(boundary, BUILDING_TAGS), "buildings"
        ),
    )
    what = place if place else f"bbox {bbox}"
    provenance = Provenance(kind="overpass", description=f"{what} via {config.overpass_url}")
    return RawCity(
        edges=edges_from_graph(graph),
        lots=lots,
        buildings=buildings,
        provenance=provenance,
        boundary=boundary,
    )


def _boundary(
    place: str | None, bbox: tuple[float, float, float, float] | None, config: OverpassConfig
) -> BaseGeometry:
    """Return the area to fetch (the box, or the place's boundary); refuse one above the cap."""
    if bbox is not None:
        checked = check_bbox(bbox)
        area, size = box(*checked), box_area_km2(checked)
        what = "the --bbox"
    else:
        area = geocode_place(str(place), config=config).boundary
        size, what = area_km2(area), repr(place)
    cap = config.limits.max_area_km2
    if size > cap:
        raise SourceError(
            f"{what} covers {size:,.0f} km², more than Overpass is asked for at once "
            f"({cap:,.0f} km²); use --source extract (a regional extract, clipped), or a "
            "smaller area"
        )
    return area
