"""A user origin-destination matrix from CSV (replaces the synthetic demand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from urbanfit.errors import SourceError
from urbanfit.odtable import check_od_table

__all__ = ["read_od_csv"]

_POINTS = (
    ("origin_lon", "origin_lat", "destination_lon", "destination_lat"),
    ("origin_x", "origin_y", "destination_x", "destination_y"),
)


def read_od_csv(path: Path) -> pd.DataFrame:
    """
    Read an OD table: ``origin, destination, trips`` plus the zone points.

    Parameters
    ----------
    path
        CSV with a header row. Zone points as ``origin_lon, origin_lat, destination_lon,
        destination_lat`` (WGS 84) or ``origin_x, origin_y, destination_x, destination_y``
        (the city's UTM CRS); ``trips`` in vehicles per peak hour.

    Returns
    -------
    od
        The table, checked for its columns and numeric values, and by `check_od_table` for
        its trips (none, or more than roads carry) and zone points (out of range, two for
        one zone).
    """
    try:
        od = pd.read_csv(path)
    except FileNotFoundError:
        raise SourceError(f"OD file not found: {path}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SourceError(f"cannot read OD file {path}: {error}") from None
    missing = [c for c in ("origin", "destination", "trips") if c not in od.columns]
    if missing:
        raise SourceError(f"OD file {path} lacks column(s) {', '.join(missing)}")
    if not any(all(c in od.columns for c in group) for group in _POINTS):
        raise SourceError(
            f"OD file {path} needs zone points: origin_lon, origin_lat, destination_lon, "
            "destination_lat (or origin_x, origin_y, destination_x, destination_y)"
        )
    numeric = ["trips", *[c for group in _POINTS for c in group if c in od.columns]]
    bad = [c for c in numeric if pd.to_numeric(od[c], errors="coerce").isna().any()]
    if bad:
        raise SourceError(f"OD file {path}: non-numeric values in {', '.join(bad)}")
    check_od_table(od, origin=f"OD file {path}")
    return od
