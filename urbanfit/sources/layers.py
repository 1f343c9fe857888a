"""A city's own GIS layers, read through GDAL: one reader, one clear error per bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from urbanfit.errors import SourceError

__all__ = ["FEET_TO_M", "input_record", "read_layer", "read_width_layer"]

FEET_TO_M = 0.3048
"""Metres in an international foot."""


def input_record(path: Path, *, kind: str, features: int) -> dict[str, Any]:
    """
    Say where a user's input came from: its kind, file name, SHA-256 and features read.

    Readers attach it to what they return (``DataFrame.attrs["inputs"]``); the run adds
    what matched and lists it in ``summary.json`` ``provenance.inputs`` and the report.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {
        "kind": kind,
        "file": Path(path).name,
        "sha256": digest.hexdigest(),
        "features_read": int(features),
    }


def read_layer(
    path: Path,
    *,
    what: str,
    fields: tuple[str, ...] = (),
    layer: str | None = None,
    crs: CRS | None = None,
    crs_hint: str = "save it with one",
) -> gpd.GeoDataFrame:
    """
    Read any vector layer GDAL reads, refusing what cannot be placed or lacks a field.

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON, FlatGeobuf, CSV with a ``WKT`` column...
    what
        What the layer is, for the messages ("street-width layer").
    fields
        Fields the layer must have.
    layer
        The layer of a multi-layer file (the first one when None).
    crs
        The CRS to take when the file names none (refused without one).
    crs_hint
        Where the user can give the CRS, ending the message when the file names none.

    Returns
    -------
    layer
        The features with a geometry, in the layer's own CRS.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{what} not found: {path}")
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise SourceError(f"cannot read {what} {path.name}: {error}") from None
    if frame.empty:
        raise SourceError(f"{what} {path.name} has no features")
    missing = [name for name in fields if name not in frame.columns]
    if missing:
        have = ", ".join(str(c) for c in frame.columns if c != "geometry")
        raise SourceError(f"{what} {path.name} has no field {missing[0]!r} (its fields: {have})")
    if frame.crs is None:
        if crs is None:
            raise SourceError(f"{what} {path.name} does not say its CRS; {crs_hint}")
        frame = frame.set_crs(crs)
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty]


def read_width_layer(
    path: Path,
    *,
    field: str,
    unit: str = "m",
    bounds_m: tuple[float, float] = (2.0, 60.0),
) -> gpd.GeoDataFrame:
    """
    Read a city's street centrelines with their kerb-to-kerb widths.

    Parameters
    ----------
    path
        A line layer GDAL reads.
    field
        The field holding each street's carriageway width.
    unit
        ``m`` or ``ft``.
    bounds_m
        Plausible widths (`urbanfit.parameters.widthlayer.WidthInventoryParams`): a value
        outside is taken for a wrong field or unit and refused.

    Returns
    -------
    widths
        ``width_m`` and the line geometry, in the layer's CRS; features without a width are
        dropped (a layer may leave some streets unmeasured).
    """
    if unit not in ("m", "ft"):
        raise SourceError(f"width unit must be m or ft, got {unit!r}")
    layer = read_layer(path, what="street-width layer", fields=(field,))
    lines = layer.geometry.geom_type.isin(["LineString", "MultiLineString"])
    if not lines.any():
        raise SourceError(f"street-width layer {Path(path).name} holds no lines")
    width = pd.to_numeric(layer[field], errors="coerce").to_numpy(dtype=float)
    width = width * (FEET_TO_M if unit == "ft" else 1.0)
    keep = lines.to_numpy() & np.isfinite(width)
    low, high = bounds_m
    wrong = keep & ((width < low) | (width > high))
    if wrong.any():
        at = int(np.flatnonzero(wrong)[0])
        raise SourceError(
            f"street-width layer {Path(path).name}: feature {at + 1} gives {width[at]:g} m, "
            f"outside the plausible {low:g}-{high:g} m of a carriageway (is {field!r} the "
            f"width, and in {unit}?)"
        )
    if not keep.any():
        raise SourceError(f"street-width layer {Path(path).name}: no line has a {field!r}")
    widths = gpd.GeoDataFrame(
        {"width_m": width[keep]}, geometry=layer.geometry.to_numpy()[keep], crs=layer.crs
    )
    widths.attrs["inputs"] = [input_record(path, kind="street widths", features=int(keep.sum()))]
    return widths
