"""Read a CurbLR feed (specification 1.1): one raw row per regulation of a located curb piece.

CurbLR (https://github.com/curblr/curblr-spec) is a GeoJSON FeatureCollection whose features
are curb pieces located along a SharedStreets reference: ``properties.location`` gives
``shstRefId``, ``sideOfStreet`` (``left``/``right`` of the reference's direction) and
``shstLocationStart``/``shstLocationEnd`` (metres along it), and the feature's line geometry
runs from start to end, so its drawing direction is the reference's. Each feature carries
``regulations``: a ``rule`` (``activity``: parking, no parking, standing, no standing,
loading, no loading; ``priorityCategory``; ``maxStay``), ``userClasses`` and ``timeSpans``
(days of week, times of day, effective dates, designated periods).

The reader checks the shape and nothing else: which regulation applies when, and where the
piece lies on the street graph, are decided in `urbanfit.citydata.inventory`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.errors import SourceError
from urbanfit.sources.curbjson import clock_minutes, fail, feature_shape, read_collection

__all__ = ["ACTIVITIES", "CURBLR_COLUMNS", "read_curblr"]

ACTIVITIES = ("parking", "no parking", "standing", "no standing", "loading", "no loading")
CURBLR_COLUMNS = (
    "feature",
    "ref_id",
    "side_of_street",
    "start_m",
    "end_m",
    "activity",
    "category",
    "priority",
    "user_classes",
    "max_stay_min",
    "time_spans",
    "spaces",
    "geometry",
)
_DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


_FMT = "CurbLR"


def _fail(path: Path, where: str, what: str) -> SourceError:
    return fail(path, _FMT, where, what)


def _minutes(text: Any, path: Path, where: str) -> int:
    return clock_minutes(text, path, _FMT, where)


def _spans(raw: Any, path: Path, where: str) -> list[dict[str, Any]]:
    """Check the time spans and give each as days (0 = Monday), minute windows and dates."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(path, where, "has timeSpans that are not a list")
    spans = []
    for span in raw:
        if not isinstance(span, dict):
            raise _fail(path, where, "has a time span that is not an object")
        days = span.get("daysOfWeek", {}).get("days", list(_DAYS))
        unknown = [day for day in days if day not in _DAYS]
        if unknown:
            raise _fail(path, where, f"has an unknown day of week {unknown[0]!r}")
        windows = [
            (_minutes(t.get("from"), path, where), _minutes(t.get("to"), path, where))
            for t in span.get("timesOfDay", [{"from": "00:00", "to": "24:00"}])
        ]
        spans.append(
            {
                "days": sorted(_DAYS.index(day) for day in days),
                "windows": windows,
                "dated": bool(span.get("effectiveDates")),
                "designated": [p.get("apply", "") for p in span.get("designatedPeriods", [])],
            }
        )
    return spans


def _number(value: Any, path: Path, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise _fail(path, where, f"has {name} {value!r}, expected a number of metres")
    return float(value)


def _rows(feature: Any, number: int, path: Path, hierarchy: list[str]) -> list[dict[str, Any]]:
    where = f"feature {number}"
    line = feature_shape(feature, path, _FMT, where, ("LineString",))
    location = feature["properties"].get("location")
    if not isinstance(location, dict):
        raise _fail(path, where, "has no location")
    side = location.get("sideOfStreet")
    if side not in ("left", "right"):
        raise _fail(path, where, f"has sideOfStreet {side!r}, expected 'left' or 'right'")
    start = _number(location.get("shstLocationStart"), path, where, "shstLocationStart")
    end = _number(location.get("shstLocationEnd"), path, where, "shstLocationEnd")
    if end < start:
        raise _fail(path, where, f"ends ({end} m) before it starts ({start} m)")
    regulations = feature["properties"].get("regulations")
    if not isinstance(regulations, list) or not regulations:
        raise _fail(path, where, "has no regulations")
    rows = []
    for regulation in regulations:
        rule = regulation.get("rule") if isinstance(regulation, dict) else None
        if not isinstance(rule, dict):
            raise _fail(path, where, "has a regulation without a rule")
        activity = rule.get("activity")
        if activity not in ACTIVITIES:
            raise _fail(path, where, f"has an unknown activity {activity!r}")
        category = rule.get("priorityCategory")
        classes = sorted(
            {c for u in regulation.get("userClasses") or [] for c in u.get("classes", [])}
        )
        rows.append(
            {
                "feature": number,
                "ref_id": str(location.get("shstRefId", "")),
                "side_of_street": side,
                "start_m": start,
                "end_m": end,
                "activity": activity,
                "category": category,
                "priority": hierarchy.index(category) if category in hierarchy else len(hierarchy),
                "user_classes": ";".join(classes) or None,
                "max_stay_min": float(rule.get("maxStay", np.nan)),
                "time_spans": _spans(regulation.get("timeSpans"), path, where),
                "spaces": np.nan,  # CurbLR counts no spaces
                "geometry": line,
            }
        )
    return rows


def read_curblr(path: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a CurbLR 1.1 feed into one row per (curb piece, regulation).

    Parameters
    ----------
    path
        A CurbLR ``.json`` / ``.geojson`` file.

    Returns
    -------
    rows, provenance
        `CURBLR_COLUMNS` in EPSG:4326: ``feature`` (the feature's position in the file),
        ``ref_id``, ``side_of_street``, ``start_m``/``end_m`` (metres along the reference),
        ``activity``, ``category`` (priority category), ``priority`` (its rank in the
        manifest's ``priorityHierarchy``, 0 first; the list's length when unranked),
        ``user_classes`` (``;``-joined, None for everyone), ``max_stay_min``, ``time_spans``
        (list of ``{"days": [0..6], "windows": [(from_min, to_min)], "dated": bool,
        "designated": [...]}``; empty = always), ``spaces`` (NaN: CurbLR counts none); and
        the provenance: ``file``, ``sha256``,
        ``features_read``, ``authority``, ``time_zone``.

    Raises
    ------
    SourceError
        One sentence naming the file and the first malformed part.
    """
    path = Path(path)
    feed, features, sha256 = read_collection(path, _FMT)
    manifest: dict[str, Any] = feed["manifest"] if isinstance(feed.get("manifest"), dict) else {}
    hierarchy = [str(c) for c in manifest.get("priorityHierarchy") or []]
    rows = [row for n, f in enumerate(features) for row in _rows(f, n, path, hierarchy)]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
    provenance = {
        "file": str(path),
        "format": "CurbLR " + str(manifest.get("curblrVersion", "(version not given)")),
        "sha256": sha256,
        "features_read": len(features),
        "authority": (manifest.get("authority") or {}).get("name"),
        "time_zone": manifest.get("timeZone"),
    }
    return frame[list(CURBLR_COLUMNS)], provenance
