"""Pick the reader of a curb inventory: a mapped GDAL layer, CDS curb zones or CurbLR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd

from urbanfit.sources.cds import read_cds_zones
from urbanfit.sources.curblayer import read_curb_layer
from urbanfit.sources.curblr import read_curblr

__all__ = ["read_curb_inventory"]


def _is_cds(path: Path) -> bool:
    """Tell whether the first feature names Curb Data Specification zone fields."""
    try:
        collection = json.loads(Path(path).read_bytes())
        first = collection["features"][0]["properties"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False  # the CurbLR reader says what is wrong with the file
    return isinstance(first, dict) and ("curb_zone_id" in first or "curb_policy_ids" in first)


def read_curb_inventory(
    path: Path, *, mapping: Path | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a curb inventory: a mapped GDAL layer, CDS zones or a CurbLR feed.

    With a field `mapping` the file is any vector layer (`read_curb_layer`); without, CDS
    curb zones (`read_cds_zones`) or a CurbLR feed (`read_curblr`), told apart by content.
    """
    if mapping is not None:
        return read_curb_layer(path, mapping)
    return read_cds_zones(path) if _is_cds(path) else read_curblr(path)
