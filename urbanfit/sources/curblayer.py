"""Read a curb inventory from any vector layer GDAL opens, with a TOML file naming its fields.

A city's blockface layer (GeoPackage, shapefile, GeoJSON, CSV with a ``WKT`` column...) has
its own field names; the mapping file says which field means what::

    [fields]
    parking = "PARK_ALLOWED"   # required: parking allowed on this piece (yes/no, 1/0, true/false)
    side = "SIDE"              # optional: left / right of the line's drawing direction;
                               #   without it the side is where the line lies off the street
    spaces = "SPACES"          # optional: counted spaces (the baseline where given)
    days = "DAYS"              # optional: days the parking rule holds, e.g. "mo-fr", "sa,su"
    start = "FROM"             # optional: HH:MM the rule starts (with `end`)
    end = "TO"                 # optional: HH:MM the rule ends

    [layer]
    name = "blockfaces"        # optional: the layer of a multi-layer file
    crs = "EPSG:2913"          # optional: the CRS when the file names none

Rows come out in the shape of `urbanfit.sources.curblr.CURBLR_COLUMNS` (activity ``parking``
or ``no parking``), so matching and the rule in force are shared.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from urbanfit.errors import ConfigError, SourceError
from urbanfit.sources.curbjson import clock_minutes
from urbanfit.sources.curblr import CURBLR_COLUMNS
from urbanfit.sources.layers import read_layer

__all__ = ["read_curb_layer"]

_FIELDS = ("parking", "side", "spaces", "days", "start", "end")
_YES = {"yes", "y", "true", "t", "1", "parking", "allowed"}
_NO = {"no", "n", "false", "f", "0", "no parking", "prohibited", ""}
_DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def _mapping(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the curb field mapping {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"the curb field mapping {path.name} is not TOML: {error}") from None
    fields = data.get("fields")
    if not isinstance(fields, dict) or "parking" not in fields:
        raise ConfigError(
            f"the curb field mapping {path.name} needs a [fields] table naming at least 'parking'"
        )
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"the curb field mapping {path.name} names an unknown key {unknown[0]!r} "
            f"(known: {', '.join(_FIELDS)})"
        )
    return data


def _days(text: Any, where: str, path: Path) -> list[int]:
    """Read ``mo-fr``, ``sa,su`` or ``mo,we-fr`` into day numbers (0 = Monday)."""
    out: set[int] = set()
    for part in str(text).lower().replace(" ", "").split(","):
        ends = part.split("-")
        if not part or len(ends) > 2 or any(e[:2] not in _DAYS for e in ends):
            raise SourceError(f"{path.name}: {where} has days {text!r}, expected e.g. 'mo-fr'")
        first, last = _DAYS.index(ends[0][:2]), _DAYS.index(ends[-1][:2])
        wrapped = [*range(first, 7), *range(last + 1)]
        out.update(range(first, last + 1) if first <= last else wrapped)
    return sorted(out)


def _yes(values: pd.Series, path: Path, field: str) -> np.ndarray:
    text = values.astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(_YES | _NO)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceError(
            f"{path.name}: feature {first} has {field} = {values.iloc[first]!r}, expected "
            "yes/no, true/false or 1/0"
        )
    return text.isin(_YES).to_numpy(dtype=bool)


def _span(
    record: pd.Series, fields: dict[str, str], where: str, path: Path
) -> list[dict[str, Any]]:
    """Build the time span of one piece's rule from its days, start and end fields."""
    days = _days(record[fields["days"]], where, path) if "days" in fields else list(range(7))
    clock = {
        key: clock_minutes(record[fields[key]], path, "curb layer", where)
        for key in ("start", "end")
        if key in fields
    }
    window = (clock.get("start", 0), clock.get("end", 24 * 60))
    return [{"days": days, "windows": [window], "dated": False, "designated": []}]


def _sha256(path: Path) -> str:
    """Hash a file, or every file of a folder source (a file geodatabase) in name order."""
    digest = hashlib.sha256()
    for part in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if part.is_file():
            digest.update(part.read_bytes())
    return digest.hexdigest()


def read_curb_layer(path: Path, mapping: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a vector layer of curb pieces through a field mapping (see the module docstring).

    Returns
    -------
    rows, provenance
        `urbanfit.sources.curblr.CURBLR_COLUMNS` in EPSG:4326, one row per piece; and
        ``file``, ``format``, ``sha256``, ``features_read``, ``mapping``.

    Raises
    ------
    SourceError
        The file cannot be opened, is empty, has no CRS (and the mapping gives none), lacks a
        mapped field (the available ones are listed), or holds a value that cannot be read.
    ConfigError
        The mapping file is missing, not TOML, or names an unknown key.
    """
    path, mapping = Path(path), Path(mapping)
    spec = _mapping(mapping)
    fields: dict[str, str] = {k: str(v) for k, v in spec["fields"].items()}
    layer_spec = spec.get("layer") or {}
    given_crs = None
    if "crs" in layer_spec:
        try:
            given_crs = CRS.from_user_input(layer_spec["crs"])
        except CRSError as error:
            raise ConfigError(f"{mapping.name}: crs {layer_spec['crs']!r}: {error}") from None
    frame = read_layer(
        path,
        what="the curb layer",
        fields=tuple(fields.values()),
        layer=layer_spec.get("name"),
        crs=given_crs,
        crs_hint=f"give one as crs in the [layer] table of {mapping.name}",
    )
    types = shapely.get_type_id(frame.geometry.to_numpy())
    if not np.isin(types, [1, 3]).all():  # LineString or Polygon
        first = int(np.flatnonzero(~np.isin(types, [1, 3]))[0])
        raise SourceError(
            f"the curb layer {path.name}: feature {first} is not a line or polygon along the curb"
        )
    lonlat = frame.to_crs(4326)
    xy = shapely.get_coordinates(lonlat.geometry.to_numpy())
    if not np.isfinite(xy).all() or np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90:
        raise SourceError(
            f"the curb layer {path.name} does not lie on the globe in its CRS "
            f"({frame.crs.to_string()}): is the CRS right?"
        )
    n = len(frame)
    parks = _yes(frame[fields["parking"]], path, fields["parking"])
    side = (
        frame[fields["side"]].astype("string").str.strip().str.lower().to_numpy(dtype="object")
        if "side" in fields
        else np.full(n, None, dtype="object")
    )
    wrong = [s for s in side if s not in ("left", "right", None)]
    if wrong:
        raise SourceError(f"{path.name}: a side is {wrong[0]!r}, expected left or right")
    timed = bool({"days", "start", "end"} & set(fields))
    spans = [_span(frame.iloc[i], fields, f"feature {i}", path) if timed else [] for i in range(n)]
    spaces = (
        pd.to_numeric(frame[fields["spaces"]], errors="coerce").to_numpy(dtype="float64")
        if "spaces" in fields
        else np.full(n, np.nan)
    )
    rows = gpd.GeoDataFrame(
        {
            "feature": np.arange(n),
            "ref_id": [str(i) for i in range(n)],
            "side_of_street": side,
            "start_m": np.nan,
            "end_m": np.nan,
            "activity": np.where(parks, "parking", "no parking").astype("object"),
            "category": np.where(parks, "parking", "no parking").astype("object"),
            "priority": 0.0,
            "user_classes": None,
            "max_stay_min": np.nan,
            "time_spans": spans,
            "spaces": np.where(parks, spaces, np.nan),
        },
        geometry=lonlat.geometry.to_numpy(),
        crs=4326,
    )
    provenance = {
        "file": str(path),
        "format": f"GDAL layer ({pyogrio.read_info(path, layer=layer_spec.get('name'))['driver']})",
        "sha256": _sha256(path),
        "features_read": n,
        "mapping": str(mapping),
        "authority": None,
        "time_zone": None,
    }
    return rows[list(CURBLR_COLUMNS)], provenance
