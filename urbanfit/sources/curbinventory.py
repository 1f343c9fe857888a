"""Pick the reader of a curb inventory file by its content (CurbLR or CDS curb zones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd

from urbanfit.sources.cds import read_cds_zones
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


def read_curb_inventory(path: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a CurbLR feed or CDS curb zones (`read_curblr`, `read_cds_zones`)."""
    return read_cds_zones(path) if _is_cds(path) else read_curblr(path)
