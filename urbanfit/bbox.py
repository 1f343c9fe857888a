"""Bounding boxes typed by a user: ``(west, south, east, north)`` in degrees, checked once."""

from __future__ import annotations

import math
from collections.abc import Sequence

from urbanfit.errors import ConfigError

__all__ = ["check_bbox"]


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
