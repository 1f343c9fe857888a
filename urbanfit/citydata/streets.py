"""Raw drive-network edges -> the typed `streets` table (see docs/tables.md)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from urbanfit.citydata.tagvalues import (
    parse_count,
    parse_length_m,
    parse_maxspeed_kmh,
    parse_oneway,
    quality_counts,
)
from urbanfit.errors import SourceError
from urbanfit.osmkeys import ACCESS_KEYS, BUS_LANE_KEYS, DRIVE_HIGHWAYS, PARKING_KEYS
from urbanfit.parameters.streets import StreetParams

__all__ = ["build_streets", "class_value", "drivable"]

_CLOSED = ("no", "private")
_EXCLUDED_SERVICE = ("parking", "parking_aisle", "driveway", "private", "emergency_access")


def drivable(edges: pd.DataFrame) -> pd.Series:
    """
    Which raw edges belong to the drive network, whatever the source.

    A way is kept when its first ``highway`` value is a drive class, it is not an area, and the
    most specific access tag it carries (motorcar, motor_vehicle, vehicle, access) does not
    close it (``no`` or ``private``, also within a list such as ``private;delivery``).

    Parameters
    ----------
    edges
        Raw edge frame with the street tag columns.

    Returns
    -------
    keep
        Bool per row.
    """
    highway = edges["highway"].astype("string").str.split(";").str[0].str.strip()
    keep = highway.isin(DRIVE_HIGHWAYS).fillna(value=False).astype(bool)
    keep &= ~edges["area"].astype("string").eq("yes").fillna(value=False).astype(bool)
    service = edges["service"].astype("string")
    keep &= ~service.isin(_EXCLUDED_SERVICE).fillna(value=False).astype(bool)
    decisive = pd.Series(pd.NA, index=edges.index, dtype="string")
    for key in reversed(ACCESS_KEYS):  # least specific first; more specific keys overwrite
        value = edges[key].astype("string")
        decisive = value.where(value.notna(), decisive)
    closed_value = "|".join(_CLOSED)
    closed = decisive.str.contains(rf"(?:^|;)\s*(?:{closed_value})\s*(?:;|$)", regex=True)
    return keep & ~closed.fillna(value=False).astype(bool)


def class_value(classes: pd.Series, table: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Look each highway class up in a ``(class, value)`` table, ``"*"`` the fallback."""
    values = dict(table)
    fallback = values.get("*", np.nan)
    return classes.map(values).fillna(fallback).to_numpy(dtype="float64")


def build_streets(
    edges: gpd.GeoDataFrame, *, crs: CRS, params: StreetParams
) -> tuple[gpd.GeoDataFrame, dict[str, dict[str, int]]]:
    """
    Type the raw edges: parse tags, default the gaps (flagged), project to ``crs``.

    ``width_m`` is the tag here, NaN where untagged; `urbanfit.citydata.width` fills it.

    Parameters
    ----------
    edges
        Raw edge frame in EPSG:4326 (`urbanfit.sources.RawCity.edges`).
    crs
        The city's projected CRS.
    params
        Class defaults for lanes, widths and speeds.

    Returns
    -------
    streets, quality
        The `streets` table and, per parsed tag, counts of missing / ok / recovered / invalid.
    """
    raw = edges[drivable(edges)].reset_index(drop=True)
    highway = raw["highway"].astype("string").str.split(";").str[0].str.strip()
    classes = highway.astype("object")

    implied = highway.isin(["motorway"]).fillna(value=False).astype(bool) | raw["junction"].isin(
        ["roundabout", "circular"]
    )
    direction, oneway_q = parse_oneway(raw["oneway"], implied=implied)
    oneway = direction.to_numpy() != 0

    lanes_tag, lanes_q = parse_count(raw["lanes"])
    lanes_tag = lanes_tag.where(lanes_tag > 0)
    lanes_default = np.where(
        oneway,
        class_value(classes, params.lanes_one_way),
        class_value(classes, params.lanes_two_way),
    )
    lanes = lanes_tag.fillna(pd.Series(lanes_default, index=raw.index))

    width_tag, width_q = parse_length_m(raw["width"])
    est_width, _ = parse_length_m(raw["est_width"])
    width_tag = width_tag.fillna(est_width).where(lambda w: w > 0)

    speed_tag, speed_q = parse_maxspeed_kmh(
        raw["maxspeed"], zones=dict(params.zone_speeds_kmh), mph_to_kmh=params.mph_to_kmh
    )
    speed = speed_tag.fillna(pd.Series(class_value(classes, params.speed_kmh), index=raw.index))

    geometry = gpd.GeoSeries(raw.geometry, crs=4326).to_crs(crs)
    if not np.isfinite(shapely.get_coordinates(geometry.to_numpy())).all():
        # transverse Mercator cannot reach 90 deg of longitude from its meridian
        raise SourceError(
            "the streets span too much of the globe to measure in one UTM zone "
            f"(longitudes {raw.total_bounds[0]:.3f} to {raw.total_bounds[2]:.3f}); "
            "analyse one city or region at a time"
        )
    backwards = direction.to_numpy() == -1
    geom = geometry.to_numpy()
    geom[backwards] = shapely.reverse(geom[backwards])
    u = np.where(backwards, raw["v"].to_numpy(), raw["u"].to_numpy())
    v = np.where(backwards, raw["u"].to_numpy(), raw["v"].to_numpy())

    ends = np.concatenate([u, v])
    node_ids, degree = np.unique(ends, return_counts=True)
    deg_u = degree[np.searchsorted(node_ids, u)] if len(u) else np.array([], dtype=int)
    deg_v = degree[np.searchsorted(node_ids, v)] if len(v) else np.array([], dtype=int)

    # parking:left/right and busway:left/right are relative to the way's drawing direction:
    # turning a way round swaps its sides.
    by_side = (*PARKING_KEYS, *BUS_LANE_KEYS)
    parking = {key: raw[key].to_numpy(dtype="object") for key in by_side}
    for key in by_side:
        if ":left" in key:
            twin = key.replace(":left", ":right")
            left, right = parking[key], parking[twin]
            parking[key] = np.where(backwards, right, left)
            parking[twin] = np.where(backwards, left, right)

    name = raw["name"].astype("object").where(raw["name"].notna(), None)
    streets = gpd.GeoDataFrame(
        {
            "edge_id": np.arange(len(raw), dtype="int64"),
            "osm_id": raw["osm_id"].to_numpy(dtype="int64"),
            "u": u.astype("int64"),
            "v": v.astype("int64"),
            "u_junction": deg_u != 2,
            "v_junction": deg_v != 2,
            "name": name.to_numpy(),
            "highway": classes.to_numpy(),
            "length_m": shapely.length(geom),
            "lanes": lanes.to_numpy(dtype="float64"),
            "width_m": width_tag.to_numpy(dtype="float64"),  # estimated in citydata.width
            "speed_kmh": speed.to_numpy(dtype="float64"),
            "oneway": oneway,
            "lanes_defaulted": lanes_tag.isna().to_numpy(),
            "width_defaulted": width_tag.isna().to_numpy(),
            "speed_defaulted": speed_tag.isna().to_numpy(),
            **parking,
        },
        geometry=geom,
        crs=crs,
    )
    # A source-independent row order: by way, then by (travel-direction) end nodes.
    streets = streets.sort_values(["osm_id", "u", "v"], kind="stable").reset_index(drop=True)
    streets["edge_id"] = np.arange(len(streets), dtype="int64")
    quality = {
        "lanes": quality_counts(lanes_q),
        "width": quality_counts(width_q),
        "maxspeed": quality_counts(speed_q),
        "oneway": quality_counts(oneway_q),
    }
    return streets, quality
