"""A regional model's trip table: an OpenMatrix file with its zone layer, as an OD table.

Regional travel models (and the desktop tools planners run them in) keep trips as zone x zone
matrices in OpenMatrix (``.omx``, HDF5) and the zones as polygons in a GIS layer. `read_omx_od`
joins the two into the OD table urbanfit's congestion model already takes (one row per zone
pair with trips, each zone at a point inside its polygon, in WGS 84).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.errors import SourceError
from urbanfit.sources.layers import input_record, read_layer
from urbanfit.sources.od import read_od_csv

__all__ = ["UserOD", "read_omx_od", "read_user_od", "read_zones"]


@dataclass(frozen=True)
class UserOD:
    """
    A user's trips: the OD table, and whether its zones come from a regional model.

    ``external``: zones outside the study area are the model's other zones, entering at the
    boundary, rather than likely wrong coordinates.
    """

    table: pd.DataFrame
    external: bool


def read_user_od(
    path: Path,
    *,
    zones: Path | None = None,
    zone_field: str = "zone_id",
    matrix: str | None = None,
) -> UserOD:
    """
    Read a user's trips: a CSV OD table, or an OpenMatrix file with its zone layer.

    Parameters
    ----------
    path
        ``.csv`` (see `urbanfit.sources.od.read_od_csv`) or ``.omx``.
    zones, zone_field, matrix
        For an ``.omx`` file: the zone layer, its id field, and which matrix.

    Returns
    -------
    od
        The OD table and where its zones come from.
    """
    path = Path(path)
    if path.suffix.lower() != ".omx":
        if zones is not None:
            raise SourceError("--zones goes with an OpenMatrix (.omx) --od file, not a CSV")
        table = read_od_csv(path)
        table.attrs["inputs"] = [input_record(path, kind="trip table", features=len(table))]
        return UserOD(table, external=False)
    if zones is None:
        raise SourceError(
            f"{path.name} is an OpenMatrix file: give its zone polygons with --zones (and "
            "their id field with --zone-id)"
        )
    layer = read_zones(zones, zone_field=zone_field)
    table = read_omx_od(path, layer, matrix=matrix)
    table.attrs["inputs"] = [
        input_record(path, kind="trip table", features=len(table)),
        input_record(zones, kind="trip table zones", features=len(layer)),
    ]
    return UserOD(table, external=True)


def read_zones(path: Path, *, zone_field: str) -> gpd.GeoDataFrame:
    """
    Read zone polygons from any layer GDAL reads, keyed by ``zone_field``.

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON...; it must say its CRS.
    zone_field
        The field holding each zone's id (the ids of the matrix's zone mapping).

    Returns
    -------
    zones
        ``zone`` (id as text) and ``geometry`` (a point inside the zone, WGS 84), one row per
        zone.
    """
    path = Path(path)
    frame = read_layer(path, what="zone layer", fields=(zone_field,))
    ids = frame[zone_field].map(_zone_text)
    if ids.duplicated().any():
        raise SourceError(
            f"zone layer {path.name}: zone id {ids[ids.duplicated()].iloc[0]!r} appears twice"
        )
    valid = frame.geometry.notna() & ~frame.geometry.is_empty
    if not valid.all():
        raise SourceError(f"zone layer {path.name}: zone {ids[~valid].iloc[0]!r} has no geometry")
    points = gpd.GeoSeries(shapely.point_on_surface(frame.geometry.to_numpy()), crs=frame.crs)
    return gpd.GeoDataFrame({"zone": ids.to_numpy()}, geometry=points.to_crs(4326).to_numpy(),
                            crs=4326)  # fmt: skip


def _zone_text(value: object) -> str:
    """Return a zone id as text: 7, 7.0 and "7" are the same zone."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def read_omx_od(path: Path, zones: gpd.GeoDataFrame, *, matrix: str | None = None) -> pd.DataFrame:
    """
    Read one trip matrix of an OpenMatrix file as an OD table at the zones' points.

    Parameters
    ----------
    path
        An ``.omx`` file. Its zone ids come from its first mapping (OMX ``lookup``); a file
        with none numbers its zones 1..n, as most regional models do.
    zones
        From `read_zones`: every zone of the matrix must be there.
    matrix
        Which matrix of the file (the only one by default).

    Returns
    -------
    od
        ``origin``, ``destination``, ``trips`` (the matrix's units, taken as vehicles per
        peak hour), ``origin_lon``, ``origin_lat``, ``destination_lon``, ``destination_lat``;
        one row per pair with trips.
    """
    import openmatrix  # noqa: PLC0415  (pulls in PyTables: only when a matrix is read)

    path = Path(path)
    if not path.exists():
        raise SourceError(f"OMX file not found: {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTables' own warnings on files of older writers
            handle = openmatrix.open_file(str(path), "r")
    except Exception as error:  # PyTables raises HDF5ExtError and friends for non-HDF5 files
        raise SourceError(f"cannot read {path.name} as an OpenMatrix file ({error})") from None
    try:
        names = [str(name) for name in handle.list_matrices()]
        if not names:
            raise SourceError(f"{path.name} holds no matrix")
        if matrix is None:
            if len(names) > 1:
                raise SourceError(
                    f"{path.name} holds {len(names)} matrices ({', '.join(names)}): name one "
                    "with --od-matrix"
                )
            matrix = names[0]
        if matrix not in names:
            raise SourceError(f"{path.name} has no matrix {matrix!r} (it has {', '.join(names)})")
        trips = np.asarray(handle[matrix], dtype=float)
        mappings = handle.list_mappings()
        if mappings:
            lookup = handle.mapping(mappings[0])
            ids = [""] * trips.shape[0]
            for key, at in lookup.items():
                if 0 <= int(at) < len(ids):
                    ids[int(at)] = _zone_text(key)
        else:
            ids = [str(i) for i in range(1, trips.shape[0] + 1)]
    finally:
        handle.close()
    if trips.ndim != 2 or trips.shape[0] != trips.shape[1]:
        raise SourceError(f"{path.name}: matrix {matrix!r} is not square ({trips.shape})")
    if not np.isfinite(trips).all() or (trips < 0).any():
        raise SourceError(f"{path.name}: matrix {matrix!r} holds negative or missing trips")
    known = pd.Index(zones["zone"])
    missing = [zone for zone in ids if zone not in known]
    if missing:
        shown = ", ".join(repr(z) for z in missing[:5])
        raise SourceError(
            f"{len(missing)} zone(s) of {path.name} are not in the zone layer, first "
            f"{shown}: the layer's id field must hold the matrix's zone ids"
        )
    origin, destination = np.nonzero(trips)
    if origin.size == 0:
        raise SourceError(f"{path.name}: matrix {matrix!r} holds no trips")
    at = known.get_indexer(ids)
    lon = shapely.get_x(zones.geometry.to_numpy())[at]
    lat = shapely.get_y(zones.geometry.to_numpy())[at]
    labels = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {
            "origin": labels[origin],
            "destination": labels[destination],
            "trips": trips[origin, destination],
            "origin_lon": lon[origin],
            "origin_lat": lat[origin],
            "destination_lon": lon[destination],
            "destination_lat": lat[destination],
        }
    )
