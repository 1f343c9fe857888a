"""What the curb inventory readers share: the file as a GeoJSON collection, checked shapes.

Every check raises one `SourceError` sentence naming the file, the format and the first part
that is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from urbanfit.errors import SourceError

__all__ = ["clock_minutes", "fail", "feature_shape", "read_collection"]

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)(:[0-5]\d)?$")


def fail(path: Path, fmt: str, where: str, what: str) -> SourceError:
    """Return the error for one malformed part of a curb inventory file."""
    return SourceError(f"{path.name} is not a readable {fmt} file: {where} {what}")


def read_collection(path: Path, fmt: str) -> tuple[dict[str, Any], list[Any], str]:
    """Read a GeoJSON FeatureCollection: the collection, its features and the file's SHA-256.

    Raises
    ------
    SourceError
        The file is missing, empty, not JSON, not a FeatureCollection, has no features, or
        names a CRS other than WGS 84 (GeoJSON's only CRS).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read the curb inventory {path}: {error.strerror}") from None
    if not data.strip():
        raise SourceError(f"the curb inventory {path.name} is empty")
    try:
        collection = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise fail(path, fmt, "the file", f"is not JSON ({error})") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise fail(path, fmt, "the file", "is not a GeoJSON FeatureCollection")
    crs = collection.get("crs")
    if crs is not None:
        name = str((crs.get("properties") or {}).get("name", crs)) if isinstance(crs, dict) else crs
        if not re.search(r"(CRS84|4326)$", str(name)):
            raise fail(path, fmt, "the file", f"is in CRS {name}; GeoJSON curb data must be WGS 84")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise SourceError(f"the curb inventory {path.name} has no features")
    return collection, features, hashlib.sha256(data).hexdigest()


def feature_shape(
    feature: Any, path: Path, fmt: str, where: str, types: tuple[str, ...]
) -> BaseGeometry:
    """Return a feature's geometry, checked to be one of `types` in longitude/latitude."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise fail(path, fmt, where, "has no properties")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in types:
        raise fail(path, fmt, where, f"has no {' or '.join(types)} geometry")
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise fail(path, fmt, where, f"has a broken geometry ({error})") from None
    xy = shapely.get_coordinates(shape)
    if shape.is_empty or len(xy) < 2:
        raise fail(path, fmt, where, "has a geometry with fewer than two points")
    if np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90:
        raise fail(
            path, fmt, where, "has coordinates outside longitude/latitude (GeoJSON is WGS 84)"
        )
    return shape


def clock_minutes(text: Any, path: Path, fmt: str, where: str) -> int:
    """Minutes after midnight of an ``HH:MM`` (or ``HH:MM:SS``) time of day."""
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        raise fail(path, fmt, where, f"has a time of day {text!r}, expected HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))
