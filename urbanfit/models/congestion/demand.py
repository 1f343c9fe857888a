"""Peak-hour origin-destination demand synthesised from buildings.

Synthetic demand: each building's floor area times a documented ITE peak-hour trip rate for
its use gives trip ends, split into trips leaving (productions) and arriving (attractions).
Buildings are grouped into H3 zones; external zones on the study area's boundary take the
trips that leave or enter it (see `external`), so every trip end is kept; a doubly-constrained
gravity model on free-flow times between zones (Furness / iterative proportional fitting)
distributes the trips.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from urbanfit.errors import ModelError
from urbanfit.models.congestion.external import ExternalSplit, boundary_nodes, external_split
from urbanfit.models.congestion.network import Network
from urbanfit.parameters.traffic import DemandParams

__all__ = [
    "Demand",
    "building_trip_ends",
    "connect_zones",
    "furness",
    "h3_zones",
    "synthetic_demand",
    "zone_cap",
    "zone_costs",
]

FloatArray = npt.NDArray[np.float64]
SQFT_PER_M2 = 10.763910416709722
_DIJKSTRA_CHUNK = 64


@dataclass(frozen=True)
class Demand:
    """
    Zones and their origin-destination trips.

    Attributes
    ----------
    zones
        Index ``0..Z-1``: ``zone`` (H3 cell, ``ext<node>`` or user id, str), ``kind``
        (``"internal"`` or ``"external"``; external zones come last), ``productions`` and
        ``attractions`` (vehicle trips per hour leaving / arriving), ``geometry`` (the zone
        point that connectors start from).
    trips
        Z x Z vehicle trips per peak hour; the diagonal holds intrazonal trips, which never
        reach the network. Row sums are the productions, column sums the attractions.
    connectors
        ``zone`` (row of ``zones``), ``node`` (compact network node), ``distance_m``.
    source
        ``"synthetic"`` or ``"user"``.
    h3_resolution
        Resolution of the zones (None for user zones).
    ipf_iterations
        Furness iterations of the gravity model (0 for user demand).
    split
        Internal and external trip totals (None for user demand).
    """

    zones: gpd.GeoDataFrame
    trips: FloatArray
    connectors: pd.DataFrame
    source: str
    h3_resolution: int | None = None
    ipf_iterations: int = 0
    split: ExternalSplit | None = None

    def figures(self) -> dict[str, float | int | None]:
        """Trip totals for the summary, veh/h: every trip end accounted for."""
        trips = self.trips
        external = (self.zones["kind"] == "external").to_numpy() if "kind" in self.zones else None
        inside = ~external if external is not None else np.ones(len(trips), dtype=bool)
        out: dict[str, float | int | None] = {
            "zones": int(inside.sum()),
            "external_zones": int((~inside).sum()),
            "productions_veh_per_h": float(self.zones["productions"][inside].sum()),
            "attractions_veh_per_h": float(self.zones["attractions"][inside].sum()),
            "trips_veh_per_h": float(trips.sum()),
            "assigned_trips_veh_per_h": float(trips.sum() - np.trace(trips)),
            "intrazonal_trips_veh_per_h": float(np.trace(trips)),
            "internal_trips_veh_per_h": float(trips[np.ix_(inside, inside)].sum()),
            "outbound_external_trips_veh_per_h": float(trips[np.ix_(inside, ~inside)].sum()),
            "inbound_external_trips_veh_per_h": float(trips[np.ix_(~inside, inside)].sum()),
        }
        return out


def building_trip_ends(
    buildings: gpd.GeoDataFrame, params: DemandParams | None = None
) -> pd.DataFrame:
    """
    Peak-hour vehicle trips leaving and arriving at each building.

    Residential floor area becomes dwellings (``floor_area_per_dwelling_m2``) times the
    per-dwelling rate; commercial and other floor area use rates per 1,000 sq ft. The
    outbound share splits the trip ends.

    Parameters
    ----------
    buildings
        The ``buildings`` table (``use``, ``floor_area_m2``).
    params
        Trip rates and directional splits.

    Returns
    -------
    ends
        Indexed like ``buildings``: ``productions``, ``attractions`` (veh/h).
    """
    for column in ("use", "floor_area_m2"):
        if column not in buildings.columns:
            raise ModelError(f"buildings table lacks column {column!r}")
    params = params or DemandParams()
    area = buildings["floor_area_m2"].to_numpy(dtype=float)
    area = np.where(np.isfinite(area) & (area > 0), area, 0.0)
    use = buildings["use"].astype(str).to_numpy()
    ksqft = area * SQFT_PER_M2 / 1000.0
    residential = use == "residential"
    commercial = use == "commercial"
    trips = (
        np.where(
            residential,
            area / params.floor_area_per_dwelling_m2 * params.residential_trips_per_dwelling,
            np.where(
                commercial,
                ksqft * params.commercial_trips_per_1000_sqft,
                ksqft * params.other_trips_per_1000_sqft,
            ),
        )
        * params.demand_scale
    )
    out_share = np.where(
        residential,
        params.residential_outbound_share,
        np.where(commercial, params.commercial_outbound_share, params.other_outbound_share),
    )
    return pd.DataFrame(
        {"productions": trips * out_share, "attractions": trips * (1.0 - out_share)},
        index=buildings.index,
    )


_FINEST = 10  # H3 resolution 10: mean cell area about 0.015 km2


def _cells(lats: np.ndarray, lons: np.ndarray, resolution: int) -> np.ndarray:
    return np.array(
        [h3.latlng_to_cell(la, lo, resolution) for la, lo in zip(lats, lons, strict=True)]
    )


def h3_zones(
    buildings: gpd.GeoDataFrame, params: DemandParams | None = None
) -> tuple[gpd.GeoDataFrame, int]:
    """
    Group buildings with trips into H3 cells.

    Starts at ``params.h3_resolution``, refines one level at a time (up to resolution 10)
    while there are fewer than ``params.min_zones`` zones, then coarsens one level at a time
    while there are more than ``params.max_zones`` zones.

    Parameters
    ----------
    buildings
        The ``buildings`` table, in a projected CRS.
    params
        Trip rates, H3 resolution and zone cap.

    Returns
    -------
    zones, resolution
        One row per zone with trips: ``zone`` (H3 cell), ``productions``, ``attractions``,
        ``buildings``, ``geometry`` (trip-weighted mean point of its buildings); and the
        H3 resolution used.
    """
    params = params or DemandParams()
    if buildings.crs is None:
        raise ModelError("buildings table has no CRS")
    ends = building_trip_ends(buildings, params)
    weight = (ends["productions"] + ends["attractions"]).to_numpy()
    has = weight > 0
    if not has.any():
        raise ModelError("no building generates trips: no demand to assign")
    points = buildings.geometry[has].centroid
    lonlat = points.to_crs(4326)
    lats, lons = lonlat.y.to_numpy(), lonlat.x.to_numpy()
    resolution = int(params.h3_resolution)
    cells = _cells(lats, lons, resolution)
    while resolution < _FINEST and len(np.unique(cells)) < params.min_zones:
        resolution += 1
        cells = _cells(lats, lons, resolution)
    while resolution > 0 and len(np.unique(cells)) > params.max_zones:
        resolution -= 1
        unique, inverse = np.unique(cells, return_inverse=True)
        cells = np.array([h3.cell_to_parent(c, resolution) for c in unique])[inverse]
    w = weight[has]
    frame = pd.DataFrame(
        {
            "zone": cells,
            "productions": ends["productions"].to_numpy()[has],
            "attractions": ends["attractions"].to_numpy()[has],
            "buildings": 1,
            "wx": points.x.to_numpy() * w,
            "wy": points.y.to_numpy() * w,
            "w": w,
        }
    )
    grouped = frame.groupby("zone", sort=True).sum()
    geometry = shapely.points(grouped["wx"] / grouped["w"], grouped["wy"] / grouped["w"])
    zones = gpd.GeoDataFrame(
        {
            "zone": grouped.index.to_numpy(dtype=object),
            "productions": grouped["productions"].to_numpy(),
            "attractions": grouped["attractions"].to_numpy(),
            "buildings": grouped["buildings"].to_numpy(dtype=np.int64),
        },
        geometry=geometry,
        crs=buildings.crs,
    )
    return zones, resolution


def zone_cap(n_links: int, params: DemandParams | None = None) -> int:
    """
    Largest number of synthetic zones on a network of ``n_links`` assigned links.

    Assignment work per iteration grows with zones x links (one shortest-path tree per zone),
    so the cap is ``params.zone_link_budget / n_links``, at most ``params.max_zones`` and at
    least ``params.min_zones_cap``.
    """
    params = params or DemandParams()
    scaled = int(params.zone_link_budget // max(int(n_links), 1))
    return int(min(params.max_zones, max(params.min_zones_cap, scaled)))


def connect_zones(zone_xy: npt.ArrayLike, network: Network, k: int) -> pd.DataFrame:
    """
    Join each zone point to its ``k`` nearest network nodes that survive contraction.

    Returns
    -------
    connectors
        ``zone`` (row), ``node`` (compact node index), ``distance_m``.
    """
    xy = np.asarray(zone_xy, dtype=float).reshape(-1, 2)
    candidates = network.junctions
    k = max(1, min(int(k), len(candidates)))
    dist, idx = cKDTree(network.node_xy[candidates]).query(xy, k=k)
    dist = np.asarray(dist).reshape(len(xy), k)
    idx = np.asarray(idx).reshape(len(xy), k)
    return pd.DataFrame(
        {
            "zone": np.repeat(np.arange(len(xy)), k),
            "node": candidates[idx.ravel()].astype(np.int64),
            "distance_m": dist.ravel(),
        }
    )


def zone_costs(network: Network, connectors: pd.DataFrame, n_zones: int) -> FloatArray:
    """
    Free-flow minutes between zones over the network (shortest paths, scipy Dijkstra).

    Each zone gets an origin node with links to its connector nodes and a destination node
    with links from them, so no path can pass through a zone. Intrazonal cost is half the
    cheapest cost to another zone.

    Returns
    -------
    costs
        Z x Z minutes; ``inf`` where no path exists.
    """
    n = network.n_nodes
    links = network.assigned  # contracted: same shortest paths between surviving nodes
    zone = connectors["zone"].to_numpy()
    node = connectors["node"].to_numpy()
    origin_node = n + np.arange(n_zones)
    dest_node = n + n_zones + np.arange(n_zones)
    tiny = 1e-9
    rows = np.concatenate([links.a, origin_node[zone], node])
    cols = np.concatenate([links.b, node, dest_node[zone]])
    vals = np.concatenate([links.free_flow_min, np.full(2 * len(zone), tiny)])
    size = n + 2 * n_zones
    graph = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
    out = np.empty((n_zones, n_zones))
    for start in range(0, n_zones, _DIJKSTRA_CHUNK):
        sources = origin_node[start : start + _DIJKSTRA_CHUNK]
        dist = csgraph.dijkstra(graph, directed=True, indices=sources)
        out[start : start + len(sources)] = dist[:, dest_node]
    out = np.maximum(out - 2 * tiny, 0.0)
    np.fill_diagonal(out, np.inf)
    nearest = out.min(axis=1)
    np.fill_diagonal(out, np.where(np.isfinite(nearest), nearest / 2.0, 0.0))
    return out


def furness(
    productions: npt.ArrayLike,
    attractions: npt.ArrayLike,
    deterrence: npt.ArrayLike,
    *,
    tolerance: float = 1e-8,
    max_iter: int = 1000,
) -> tuple[FloatArray, int]:
    """
    Doubly-constrained gravity distribution by Furness (iterative proportional fitting).

    ``T_ij = a_i O_i b_j D_j f_ij`` with balancing factors making row sums equal the
    productions ``O`` and column sums the attractions ``D``. The two totals must already
    agree (see `external_split`): nothing is rescaled, so no trip end is dropped.

    Parameters
    ----------
    productions, attractions
        Trips leaving / arriving per zone (non-negative).
    deterrence
        Z x Z deterrence ``f(cost)``, non-negative.
    tolerance, max_iter
        Stop when row and column sums match to this relative error.

    Returns
    -------
    trips, iterations
        The trip matrix and the number of iterations.

    Raises
    ------
    ModelError
        When the totals differ, or no matrix with these totals exists (a zone with trips
        reaches no partner).
    """
    o = np.asarray(productions, dtype=float)
    d = np.asarray(attractions, dtype=float)
    f = np.asarray(deterrence, dtype=float)
    if (o < 0).any() or (d < 0).any() or (f < 0).any():
        raise ModelError("productions, attractions and deterrence must be non-negative")
    total = o.sum()
    if total <= 0 or d.sum() <= 0:
        raise ModelError("no trips to distribute")
    if abs(d.sum() - total) > tolerance * total:
        raise ModelError(
            f"productions ({total:,.6g}) and attractions ({d.sum():,.6g}) differ: balance them "
            "(external zones) before distributing"
        )
    b = np.ones_like(d)
    a = np.ones_like(o)
    for iteration in range(1, max_iter + 1):
        row = f @ (b * d)
        a = np.divide(1.0, row, out=np.zeros_like(row), where=row > 0)
        col = f.T @ (a * o)
        b = np.divide(1.0, col, out=np.zeros_like(col), where=col > 0)
        trips = (a * o)[:, None] * f * (b * d)[None, :]
        row_err = np.abs(trips.sum(axis=1) - o).max()
        col_err = np.abs(trips.sum(axis=0) - d).max()
        if max(row_err, col_err) <= tolerance * total:
            return trips, iteration
    raise ModelError(
        f"gravity model did not balance in {max_iter} iterations (row error {row_err:.3g}, "
        f"column error {col_err:.3g} trips): some zones cannot reach any partner"
    )


def synthetic_demand(
    buildings: gpd.GeoDataFrame, network: Network, params: DemandParams | None = None
) -> Demand:
    """
    Synthesise peak-hour demand from buildings: H3 zones, trip rates, gravity on free-flow time.

    Parameters
    ----------
    buildings
        The ``buildings`` table (same CRS as the network).
    network
        The prepared network.
    params
        Demand parameters.

    Returns
    -------
    demand
        Zones, the balanced trip matrix and centroid connectors.
    """
    params = params or DemandParams()
    if buildings.empty:
        raise ModelError("no buildings: cannot synthesise demand (give an OD table instead)")
    zones, resolution = h3_zones(buildings.to_crs(network.links.crs), params)
    split = external_split(
        zones["productions"].sum(), zones["attractions"].sum(), params.external_trip_share
    )
    external = boundary_nodes(network, params)
    if split.outbound + split.inbound > 0 and external.empty:
        raise ModelError("the network has no boundary to place external zones on")
    if split.outbound + split.inbound <= 0:
        external = external.iloc[:0]
    n_int, n_ext = len(zones), len(external)
    weight = external["weight"].to_numpy(dtype=float)
    ext_zones = gpd.GeoDataFrame(
        {
            "zone": [f"ext{n}" for n in external["node"]],
            "kind": "external",
            "productions": split.inbound * weight,
            "attractions": split.outbound * weight,
            "buildings": 0,
        },
        geometry=shapely.points(external["x"], external["y"]),
        crs=zones.crs,
    )
    zones = pd.concat([zones.assign(kind="internal"), ext_zones], ignore_index=True)
    zones = gpd.GeoDataFrame(zones, geometry="geometry", crs=ext_zones.crs)
    xy = shapely.get_coordinates(zones.geometry.to_numpy()[:n_int])
    connectors = pd.concat(
        [
            connect_zones(xy, network, params.connectors_per_zone),
            pd.DataFrame(
                {
                    "zone": n_int + np.arange(n_ext),
                    "node": external["node"].to_numpy(dtype=np.int64),
                    "distance_m": 0.0,
                }
            ),
        ],
        ignore_index=True,
    )
    costs = zone_costs(network, connectors, n_int + n_ext)
    deterrence = np.where(np.isfinite(costs), np.exp(-params.gravity_beta_per_min * costs), 0.0)
    deterrence[n_int:, n_int:] = 0.0  # no through trips between external zones
    trips, iterations = furness(
        zones["productions"].to_numpy(),
        zones["attractions"].to_numpy(),
        deterrence,
        tolerance=params.ipf_tolerance,
        max_iter=params.ipf_max_iter,
    )
    return Demand(zones, trips, connectors, "synthetic", resolution, iterations, split)
