"""Read Curb Data Specification curb zones (Open Mobility Foundation, Curbs API) as GeoJSON.

A zones file is a FeatureCollection whose features are Curb Zones: ``curb_zone_id``,
``curb_policy_ids``, optional ``num_spaces``, ``parking_angle``, ``street_side``, and a
Polygon (or a LineString along the curb). The Curb Policies they name sit in a top-level
``policies`` member of the collection (the ``/curbs/policies`` answer saved beside the zones)
or inline in a zone's ``policies``: ``curb_policy_id``, ``priority`` (a lower number wins),
``rules`` (``activity``: parking, no parking, loading, unloading, no stopping, travel;
``max_stay``, ``user_classes``) and ``time_spans`` (``days_of_week``: mon..sun,
``time_of_day_start``/``_end``, ``start_date``/``end_date``).

Rows come out in the shape of `urbanfit.sources.curblr.CURBLR_COLUMNS`, so matching and the
rule in force are shared: the side of the street is left to the matching (None here), found
from where the zone lies off the street line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.errors import SourceError
from urbanfit.sources.curbjson import clock_minutes, fail, feature_shape, read_collection
from urbanfit.sources.curblr import CURBLR_COLUMNS

__all__ = ["read_cds_zones"]

_FMT = "Curb Data Specification zones"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ACTIVITIES = {
    "parking": "parking",
    "no parking": "no parking",
    "loading": "loading",
    "unloading": "loading",
    "no stopping": "no standing",
    "travel": "no standing",
}


def _spans(raw: Any, path: Path, where: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise fail(path, _FMT, where, "has time_spans that are not a list")
    spans = []
    for span in raw:
        if not isinstance(span, dict):
            raise fail(path, _FMT, where, "has a time span that is not an object")
        days = span.get("days_of_week", list(_DAYS))
        unknown = [day for day in days if day not in _DAYS]
        if unknown:
            raise fail(path, _FMT, where, f"has an unknown day of week {unknown[0]!r}")
        start = clock_minutes(span.get("time_of_day_start", "00:00"), path, _FMT, where)
        end = clock_minutes(span.get("time_of_day_end", "24:00"), path, _FMT, where)
        spans.append(
            {
                "days": sorted(_DAYS.index(day) for day in days),
                "windows": [(start, end)],
                "dated": bool(span.get("start_date") or span.get("end_date")),
                "designated": [str(span.get("designated_period_except", ""))],
            }
        )
    return spans


def _policies(collection: dict[str, Any], features: list[Any], path: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    listed = list(collection.get("policies") or [])
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            listed += feature["properties"].get("policies") or []
    for number, policy in enumerate(listed):
        if not isinstance(policy, dict) or "curb_policy_id" not in policy:
            raise fail(path, _FMT, f"policy {number}", "has no curb_policy_id")
        found[str(policy["curb_policy_id"])] = policy
    return found


def _rows(
    feature: dict[str, Any], number: int, path: Path, policies: dict[str, Any]
) -> list[dict[str, Any]]:
    where = f"zone {number}"
    shape = feature_shape(feature, path, _FMT, where, ("Polygon", "LineString"))
    zone = feature["properties"]
    ids = zone.get("curb_policy_ids")
    if not isinstance(ids, list) or not ids:
        raise fail(path, _FMT, where, "has no curb_policy_ids")
    missing = [str(i) for i in ids if str(i) not in policies]
    if missing:
        raise fail(path, _FMT, where, f"names policies not in the file: {', '.join(missing[:3])}")
    spaces = zone.get("num_spaces")
    if spaces is not None and (not isinstance(spaces, int) or spaces < 0):
        raise fail(path, _FMT, where, f"has num_spaces {spaces!r}, expected a whole number")
    rows = []
    for policy_id in ids:
        policy = policies[str(policy_id)]
        place = f"{where} (policy {policy_id})"
        priority = policy.get("priority")
        if isinstance(priority, bool) or not isinstance(priority, (int, float)):
            raise fail(path, _FMT, place, f"has priority {priority!r}, expected a number")
        rules = policy.get("rules")
        if not isinstance(rules, list) or not rules:
            raise fail(path, _FMT, place, "has no rules")
        spans = _spans(policy.get("time_spans"), path, place)
        for rule in rules:
            activity = rule.get("activity") if isinstance(rule, dict) else None
            if activity not in _ACTIVITIES:
                raise fail(path, _FMT, place, f"has an unknown activity {activity!r}")
            classes = sorted(str(c) for c in rule.get("user_classes") or [])
            rows.append(
                {
                    "feature": number,
                    "ref_id": str(zone.get("curb_zone_id", number)),
                    "side_of_street": None,
                    "start_m": np.nan,
                    "end_m": np.nan,
                    "activity": _ACTIVITIES[activity],
                    "category": activity,
                    "priority": float(priority),
                    "user_classes": ";".join(classes) or None,
                    "max_stay_min": float(rule.get("max_stay", np.nan)),
                    "time_spans": spans,
                    "spaces": float(spaces) if spaces is not None else np.nan,
                    "geometry": shape,
                }
            )
    return rows


def read_cds_zones(path: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read CDS curb zones (with their policies) into one row per (zone, policy rule).

    Parameters
    ----------
    path
        A GeoJSON FeatureCollection of Curb Zones with a ``policies`` member (or policies
        inline in each zone).

    Returns
    -------
    rows, provenance
        `urbanfit.sources.curblr.CURBLR_COLUMNS` in EPSG:4326 (``side_of_street`` None,
        ``priority`` the policy's, ``spaces`` the zone's ``num_spaces``, NaN when not given);
        and ``file``, ``format``, ``sha256``, ``features_read``.

    Raises
    ------
    SourceError
        One sentence naming the file and the first malformed zone or policy (a policy id a
        zone names and the file lacks included).
    """
    path = Path(path)
    collection, features, sha256 = read_collection(path, _FMT)
    policies = _policies(collection, features, path)
    rows = [row for n, f in enumerate(features) for row in _rows(f, n, path, policies)]
    if not rows:
        raise SourceError(f"the curb inventory {path.name} has no zone with a rule")
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
    provenance = {
        "file": str(path),
        "format": "Curb Data Specification zones",
        "sha256": sha256,
        "features_read": len(features),
        "authority": None,
        "time_zone": None,
    }
    return frame[list(CURBLR_COLUMNS)], provenance
