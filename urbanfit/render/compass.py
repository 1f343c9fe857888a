"""Curb sides named by the compass ("north side") rather than by a way's drawing direction."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.render.labels import code_words

__all__ = ["compass_sides", "side_words"]

_POINTS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)


def compass_sides(lines: gpd.GeoSeries, side: pd.Series) -> pd.Series:
    """
    Name each curb side by the compass point it faces: ``"north side"``, ``"south-east side"``.

    A side is ``left`` or ``right`` of its line as the line is drawn (first point to last).
    The line's overall direction is the chord from its first to its last point; the left side
    faces that direction turned 90 degrees anticlockwise, the right side 90 degrees clockwise,
    and the facing is rounded to the nearest of eight compass points.

    Parameters
    ----------
    lines
        One line per side, drawn in the street's direction; in a projected CRS (or degrees,
        where east-west steps are scaled by the cosine of the latitude).
    side
        ``left`` / ``right`` per line (aligned by position with ``lines``).

    Returns
    -------
    words
        Index of ``side``; None where the line has no length (a closed loop) or the side is
        neither left nor right.
    """
    geometry = lines.to_numpy()
    start = shapely.get_coordinates(shapely.get_point(geometry, 0))
    end = shapely.get_coordinates(shapely.get_point(geometry, -1))
    dx, dy = (end - start).T
    if lines.crs is not None and lines.crs.is_geographic:
        dx = dx * np.cos(np.radians((start[:, 1] + end[:, 1]) / 2))
    codes = side.to_numpy(dtype="object")
    turn = np.where(codes == "left", 1.0, np.where(codes == "right", -1.0, np.nan))
    # the facing: (dx, dy) turned a quarter anticlockwise for the left side, (-dy, dx)
    east, north = -dy * turn, dx * turn
    bearing = np.degrees(np.arctan2(east, north)) % 360.0  # clockwise from north
    known = np.isfinite(bearing) & (np.hypot(dx, dy) > 0)
    point = np.round(np.nan_to_num(bearing) / 45.0).astype("int64") % len(_POINTS)
    words = np.array([f"{p} side" for p in _POINTS], dtype="object")[point]
    return pd.Series(np.where(known, words, None), index=side.index, dtype="object")


def side_words(sides: gpd.GeoDataFrame) -> pd.Series:
    """
    Name each curb side of a sides table (``side``, geometry) for a person: by the compass.

    A side whose line gives no direction (a closed loop) keeps its left/right words.
    """
    return compass_sides(sides.geometry, sides["side"]).fillna(code_words("side", sides["side"]))
