"""Bounding boxes typed by a user: ``(west, south, east, north)`` in degrees, checked once."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pyproj import Geod

from urbanfit.errors import ConfigError

__all__ = ["box_area_km2", "check_bbox"]

_WGS84 = Geod(ellps="WGS84")


def check_bbox(
    values: Sequence[object], *, origin: str = "--bbox"
) -> tuple[float, float, float, float]:
    """
    Check a bounding box and return it as four floats.

    Parameters
    ----------
    values
        ``(west, south, east, north)``: longitudes in [-180, 180], latitudes in [-90, 90] degrees,
        west < east and south < north (a box across the antimeridian is not supported).
    origin
        Where the box came from, for the message (``"--bbox"``, ``"preset x.toml: bbox"``).

    Returns
    -------
    bbox
        ``(west, south, east, north)``.

    Raises
    ------
    ConfigError
        Not four finite numbers, out of range, or empty.
    """
    shape = f"{origin} must be four numbers west,south,east,north in degrees"
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(values) != 4 or len(numbers) != 4:
        raise ConfigError(f"{shape}, got {list(values)!r}")
    west, south, east, north = (float(v) for v in numbers)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ConfigError(f"{shape}, got {list(values)!r}")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ConfigError(
            f"{origin}: longitudes must lie in [-180, 180], got {west:g} and {east:g}"
        )
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise ConfigError(f"{origin}: latitudes must lie in [-90, 90], got {south:g} and {north:g}")
    if not (west < east and south < north):
        raise ConfigError(
            f"{origin} must be west,south,east,north with west < east and south < north, "
            f"got {west:g},{south:g},{east:g},{north:g}"
        )
    return (west, south, east, north)


def _authalic(lat_deg: float) -> float:
    """Return q(lat), the latitude term of the ellipsoid's area from the equator to ``lat_deg``."""
    e = math.sqrt(_WGS84.es)
    s = math.sin(math.radians(lat_deg))
    return s / (1 - _WGS84.es * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)


def box_area_km2(bbox: tuple[float, float, float, float]) -> float:
    """
    Return the area of a longitude-latitude box on the WGS 84 ellipsoid, in km².

    The box is bounded by two meridians and two parallels (what Overpass is asked for), so
    its area is exact for any size: b² x width in radians x (q(north) - q(south)) / 2, with
    q(lat) = sin(lat) / (1 - e² sin²(lat)) + artanh(e sin(lat)) / e, the area of an
    ellipsoidal zone (the q of the authalic latitude in Snyder, Map Projections: A Working
    Manual, USGS Professional Paper 1395, 1987, chapter 3, over 1 - e²). A polygon through
    the four corners would not do: its edges are geodesics, not parallels, and the corners
    of a box 360 degrees wide coincide.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in degrees, checked by `check_bbox`.

    Returns
    -------
    area
        km²; the whole Earth is about 510 million.
    """
    west, south, east, north = bbox
    width = math.radians(east - west)
    return _WGS84.b**2 * width * (_authalic(north) - _authalic(south)) / 2 / 1e6
