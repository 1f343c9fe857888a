"""Traffic counts from a CSV file or a point layer: where, which direction, how many an hour."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.errors import SourceError
from urbanfit.models.congestion.counts import COMPASS
from urbanfit.sources.layers import input_record, read_layer

__all__ = ["read_counts"]

_DIRECTIONS = ("forward", "backward", "both", *COMPASS)
_COUNT_COLUMNS = ("vehicles_per_hour", "count", "volume")


def read_counts(path: Path) -> pd.DataFrame:
    """
    Read hourly traffic counts.

    Parameters
    ----------
    path
        A CSV file with a header row, or any point layer GDAL reads (GeoPackage, GeoJSON,
        shapefile; it must say its CRS). Columns: the hourly count (``vehicles_per_hour``,
        ``count`` or ``volume``, vehicles in the peak hour); where it was taken, as an OSM
        ``way_id``, a point (``lon``, ``lat`` in a CSV, the geometry in a layer) or both;
        optional ``direction`` (``forward`` or ``backward`` along the way as drawn, ``both``
        (the default), or ``NB``, ``EB``, ``SB``, ``WB``) and ``count_id``.

    Returns
    -------
    counts
        ``count_id``, ``vehicles_per_hour``, ``way_id`` (nullable integer), ``lon``, ``lat``
        (NaN where not given) and ``direction``.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"counts file not found: {path}")
    frame = _read(path)
    if frame.empty:
        raise SourceError(f"counts file {path.name} holds no counts")
    column = next((c for c in _COUNT_COLUMNS if c in frame.columns), None)
    if column is None:
        raise SourceError(
            f"counts file {path.name} needs a column of hourly counts: one of "
            f"{', '.join(_COUNT_COLUMNS)} (its columns: {', '.join(map(str, frame.columns))})"
        )
    value = pd.to_numeric(frame[column], errors="coerce")
    bad = ~(np.isfinite(value) & (value >= 0))
    if bad.any():
        raise SourceError(
            f"counts file {path.name}, row {int(np.flatnonzero(bad)[0]) + 1}: the count "
            f"{frame[column].iloc[int(np.flatnonzero(bad)[0])]!r} is not a number of vehicles"
        )
    way = (
        pd.to_numeric(frame["way_id"], errors="coerce").astype("Int64")
        if "way_id" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    )
    lon = pd.to_numeric(frame.get("lon", np.nan), errors="coerce")
    lat = pd.to_numeric(frame.get("lat", np.nan), errors="coerce")
    lon = pd.Series(np.broadcast_to(lon, len(frame)), index=frame.index, dtype=float)
    lat = pd.Series(np.broadcast_to(lat, len(frame)), index=frame.index, dtype=float)
    out_of_range = (lon.abs() > 180) | (lat.abs() > 90)
    if out_of_range.any():
        at = int(np.flatnonzero(out_of_range)[0])
        raise SourceError(
            f"counts file {path.name}, row {at + 1}: lon {lon.iloc[at]:g}, lat {lat.iloc[at]:g} "
            "is not a place on Earth (lon -180 to 180, lat -90 to 90)"
        )
    nowhere = way.isna() & (lon.isna() | lat.isna())
    if nowhere.any():
        raise SourceError(
            f"counts file {path.name}, row {int(np.flatnonzero(nowhere)[0]) + 1}: give the "
            "count's way_id or its lon and lat"
        )
    direction = (
        frame["direction"].astype(str).str.strip()
        if "direction" in frame.columns
        else pd.Series("both", index=frame.index)
    )
    direction = direction.where(~direction.str.upper().isin(list(COMPASS)), direction.str.upper())
    direction = direction.where(direction.isin(list(COMPASS)), direction.str.lower())
    wrong = ~direction.isin(_DIRECTIONS)
    if wrong.any():
        raise SourceError(
            f"counts file {path.name}, row {int(np.flatnonzero(wrong)[0]) + 1}: direction "
            f"{direction[wrong].iloc[0]!r} is not one of {', '.join(_DIRECTIONS)}"
        )
    ids = (
        frame["count_id"].astype(str)
        if "count_id" in frame.columns
        else pd.Series([f"row {i + 1}" for i in range(len(frame))], index=frame.index)
    )
    counts = pd.DataFrame(
        {
            "count_id": ids.to_numpy(),
            "vehicles_per_hour": value.to_numpy(dtype=float),
            "way_id": way.to_numpy(),
            "lon": lon.to_numpy(),
            "lat": lat.to_numpy(),
            "direction": direction.to_numpy(),
        }
    )
    counts.attrs["inputs"] = [input_record(path, kind="traffic counts", features=len(counts))]
    return counts


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".csv", ".txt"):
        try:
            return pd.read_csv(path)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
            raise SourceError(f"cannot read counts file {path.name}: {error}") from None
        except pd.errors.EmptyDataError:
            raise SourceError(f"counts file {path.name} is empty") from None
    layer = read_layer(path, what="counts layer")
    points = gpd.GeoSeries(shapely.point_on_surface(layer.geometry.to_numpy()), crs=layer.crs)
    points = points.to_crs(4326)
    frame = pd.DataFrame(layer.drop(columns="geometry"))
    return frame.assign(lon=points.x.to_numpy(), lat=points.y.to_numpy())
