"""A user origin-destination table that replaces the synthetic demand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from urbanfit.errors import ModelError
from urbanfit.models.congestion.demand import Demand, connect_zones
from urbanfit.models.congestion.external import boundary_nodes
from urbanfit.models.congestion.network import Network
from urbanfit.odtable import check_od_table
from urbanfit.parameters.traffic import DemandParams

__all__ = ["user_demand"]


def _zone_points(od: pd.DataFrame, crs: object) -> pd.DataFrame:
    for end in ("origin", "destination"):
        if {f"{end}_x", f"{end}_y"} <= set(od.columns):
            continue
        if {f"{end}_lon", f"{end}_lat"} <= set(od.columns):
            continue
        raise ModelError(
            f"OD table needs {end}_x/{end}_y (network CRS) or {end}_lon/{end}_lat columns"
        )
    parts = []
    for end in ("origin", "destination"):
        if {f"{end}_x", f"{end}_y"} <= set(od.columns):
            pts = gpd.GeoSeries(shapely.points(od[f"{end}_x"], od[f"{end}_y"]), crs=crs)
        else:
            pts = gpd.GeoSeries(
                shapely.points(od[f"{end}_lon"], od[f"{end}_lat"]), crs=4326
            ).to_crs(crs)
        parts.append(pd.DataFrame({"zone": od[end].astype(str), "x": pts.x, "y": pts.y}))
    points = pd.concat(parts, ignore_index=True).drop_duplicates("zone").sort_values("zone")
    return points.reset_index(drop=True)


def _check_inside(points: pd.DataFrame, network: Network, limit_m: float) -> None:
    """Refuse zone points further than ``limit_m`` beyond the bounding box of the streets."""
    west, south, east, north = network.links.total_bounds
    x, y = points["x"].to_numpy(dtype=float), points["y"].to_numpy(dtype=float)
    outside = np.hypot(np.maximum.reduce([west - x, x - east, np.zeros_like(x)]),
                       np.maximum.reduce([south - y, y - north, np.zeros_like(y)]))  # fmt: skip
    far = np.flatnonzero(outside > limit_m)
    if far.size:
        worst = far[np.argmax(outside[far])]
        raise ModelError(
            f"{far.size} OD zone point(s) lie far outside the study area, e.g. zone "
            f"{points['zone'].iloc[worst]!r} {outside[worst] / 1000:,.1f} km beyond its streets "
            f"(at most {limit_m / 1000:g} km allowed): check the coordinates (lon/lat order, "
            "CRS) and that the OD file is for this city"
        )


def user_demand(
    od: pd.DataFrame,
    network: Network,
    params: DemandParams | None = None,
    *,
    outside_as_external: bool = False,
) -> Demand:
    """
    Use a user OD table instead of synthetic demand.

    Parameters
    ----------
    od
        One row per origin-destination pair: ``origin``, ``destination`` (zone ids),
        ``trips`` (vehicles in the peak hour), and zone points as ``origin_x``,
        ``origin_y``, ``destination_x``, ``destination_y`` in the network's CRS or
        ``origin_lon``, ``origin_lat``, ``destination_lon``, ``destination_lat`` (WGS 84).
        Every row naming a zone gives it the same point (see `check_od_table`).
    network
        The prepared network.
    params
        Connector settings.
    outside_as_external
        Zones whose point lies outside the study area (the convex hull of the network's
        nodes) become external zones, joined to the nearest node where a major road reaches
        the boundary (`external.boundary_nodes`), as a regional model's zones beyond a city
        are; otherwise a point far outside is refused as a likely wrong coordinate.

    Returns
    -------
    demand
        Zones, the trip matrix (pairs summed) and centroid connectors.
    """
    params = params or DemandParams()
    for column in ("origin", "destination", "trips"):
        if column not in od.columns:
            raise ModelError(f"OD table lacks column {column!r}")
    if od.empty:
        raise ModelError("OD table is empty")
    check_od_table(od, origin="OD table")
    trips = pd.to_numeric(od["trips"], errors="coerce").to_numpy(dtype=float)
    points = _zone_points(od, network.links.crs)
    if not (np.isfinite(points["x"]) & np.isfinite(points["y"])).all():
        raise ModelError("OD zone points must have finite coordinates")
    external = np.zeros(len(points), dtype=bool)
    if outside_as_external:
        hull = shapely.convex_hull(shapely.multipoints(network.node_xy))
        external = ~shapely.covers(hull, shapely.points(points["x"], points["y"]))
        points = pd.concat([points[~external], points[external]], ignore_index=True)
        external = np.sort(external)  # internal zones first, as `Demand` expects
    else:
        _check_inside(points, network, params.od_max_outside_m)
    index = pd.Index(points["zone"])
    oi = index.get_indexer(od["origin"].astype(str))
    di = index.get_indexer(od["destination"].astype(str))
    n = len(index)
    matrix = np.zeros((n, n))
    np.add.at(matrix, (oi, di), trips)
    zones = gpd.GeoDataFrame(
        {
            "zone": points["zone"].to_numpy(dtype=object),
            "kind": np.where(external, "external", "internal"),
            "productions": matrix.sum(axis=1),
            "attractions": matrix.sum(axis=0),
        },
        geometry=shapely.points(points["x"], points["y"]),
        crs=network.links.crs,
    )
    connectors = connect_zones(points[["x", "y"]].to_numpy(), network, params.connectors_per_zone)
    if external.any():
        connectors = _external_connectors(connectors, points, external, network, params)
    return Demand(zones, matrix, connectors, "user")


def _external_connectors(
    connectors: pd.DataFrame,
    points: pd.DataFrame,
    external: npt.NDArray[np.bool_],
    network: Network,
    params: DemandParams,
) -> pd.DataFrame:
    """Join each external zone to the boundary entry nearest to it instead of any node."""
    entries = boundary_nodes(network, params)
    if entries.empty:
        raise ModelError("the study area has no boundary road for the zones outside it")
    rows = np.flatnonzero(external)
    xy = points[["x", "y"]].to_numpy(dtype=float)[rows]
    _, nearest = cKDTree(entries[["x", "y"]].to_numpy(dtype=float)).query(xy)
    node = entries["node"].to_numpy()[nearest]
    inside = connectors[~np.isin(connectors["zone"], rows)]
    # the drive beyond the boundary is outside the study, as for synthetic external zones
    outside = pd.DataFrame({"zone": rows, "node": node.astype(np.int64), "distance_m": 0.0})
    return pd.concat([inside, outside], ignore_index=True)
