"""Capacity from traffic-flow physics: saturation headways, PCEs, jam densities, link capacity.

Newell's simplified car-following model (triangular fundamental diagram): a follower copies
its leader's trajectory shifted by a wave travel time ``tau`` and a jam spacing ``d`` (vehicle
length plus standstill gap). A queue discharging at speed ``v`` then passes a point every
``h = tau + d / v`` seconds, so a longer vehicle takes a longer saturation headway. A
profile's passenger-car equivalent is its headway over the reference car's.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.parameters.traffic import CapacityParams
from urbanfit.vehicles import VehicleCatalog

__all__ = [
    "fleet_jam_density_veh_per_km",
    "fleet_pce",
    "jam_density_veh_per_km",
    "lanes_per_direction",
    "link_capacity_pcu_h",
    "pce",
    "pce_table",
    "saturation_headway_s",
]

FloatArray = npt.NDArray[np.float64]


def saturation_headway_s(length_m: float, params: CapacityParams | None = None) -> float:
    """
    Saturation (queue-discharge) headway of a vehicle of the given length.

    ``h = reaction time + (length + min gap) / discharge speed``.

    Parameters
    ----------
    length_m
        Vehicle length in metres.
    params
        Reaction time, minimum gap and discharge speed.

    Returns
    -------
    headway
        Seconds between successive vehicles crossing the stop line.
    """
    params = params or CapacityParams()
    if length_m <= 0:
        raise ModelError(f"vehicle length must be positive, got {length_m}")
    speed_ms = params.discharge_speed_kmh / 3.6
    return params.reaction_time_s + (length_m + params.min_gap_m) / speed_ms


def pce(length_m: float, params: CapacityParams | None = None) -> float:
    """Passenger-car equivalent: the vehicle's saturation headway over the reference car's."""
    params = params or CapacityParams()
    return saturation_headway_s(length_m, params) / saturation_headway_s(
        params.reference_length_m, params
    )


def jam_density_veh_per_km(length_m: float, params: CapacityParams | None = None) -> float:
    """Vehicles per lane-km in a standing queue: ``1000 / (length + min gap)``."""
    params = params or CapacityParams()
    return 1000.0 / (length_m + params.min_gap_m)


def pce_table(catalog: VehicleCatalog, params: CapacityParams | None = None) -> pd.DataFrame:
    """
    Headway, PCE and jam density of every profile of a catalog.

    Parameters
    ----------
    catalog
        Vehicle profiles.
    params
        Capacity physics parameters.

    Returns
    -------
    table
        Indexed by profile id: ``length_m``, ``saturation_headway_s``, ``pce``,
        ``jam_density_veh_per_lane_km``.
    """
    params = params or CapacityParams()
    ids = sorted(catalog.profiles)
    lengths = np.array([catalog.profiles[p].length_m for p in ids], dtype=float)
    speed_ms = params.discharge_speed_kmh / 3.6
    headway = params.reaction_time_s + (lengths + params.min_gap_m) / speed_ms
    return pd.DataFrame(
        {
            "length_m": lengths,
            "saturation_headway_s": headway,
            "pce": headway / saturation_headway_s(params.reference_length_m, params),
            "jam_density_veh_per_lane_km": 1000.0 / (lengths + params.min_gap_m),
        },
        index=pd.Index(ids, name="profile"),
    )


def _check_shares(shares: Mapping[str, float], catalog: VehicleCatalog) -> None:
    missing = sorted(set(shares) - set(catalog.profiles))
    if missing:
        raise ModelError(f"fleet names unknown profiles: {', '.join(missing)}")
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ModelError(f"fleet shares sum to {total:.4f}, not 1")


def fleet_pce(
    shares: Mapping[str, float],
    catalog: VehicleCatalog,
    params: CapacityParams | None = None,
) -> float:
    """Share-weighted mean PCE of a fleet (shares of profiles summing to 1)."""
    params = params or CapacityParams()
    _check_shares(shares, catalog)
    return sum(w * pce(catalog.profiles[p].length_m, params) for p, w in shares.items())


def fleet_jam_density_veh_per_km(
    shares: Mapping[str, float],
    catalog: VehicleCatalog,
    params: CapacityParams | None = None,
) -> float:
    """Vehicles per lane-km in a queue of the fleet: 1000 over the mean jam spacing."""
    _check_shares(shares, catalog)
    # shares sum to 1, so the mean spacing is the mean length plus the gap
    return jam_density_veh_per_km(catalog.mean(shares, "length_m"), params)


def lanes_per_direction(lanes: npt.ArrayLike, oneway: npt.ArrayLike) -> FloatArray:
    """
    Lanes available to each direction of travel.

    One-way streets use all their lanes; two-way streets split them evenly (an odd middle
    lane counts for neither direction). Every direction gets at least one lane; missing
    lane counts count as one lane per direction.
    """
    total = np.asarray(lanes, dtype=float)
    one = np.asarray(oneway, dtype=bool)
    total = np.where(np.isfinite(total) & (total > 0), total, np.where(one, 1.0, 2.0))
    per_dir = np.where(one, np.floor(total), np.floor(total / 2.0))
    return np.maximum(per_dir, 1.0)


def link_capacity_pcu_h(
    highway: npt.ArrayLike,
    lanes_dir: npt.ArrayLike,
    params: CapacityParams | None = None,
) -> FloatArray:
    """
    Capacity of each directed link in passenger-car units per hour.

    ``capacity = base saturation flow(class) x g/C(class) x lanes in this direction``;
    ``*_link`` classes take their parent's values; other classes missing from the tables take
    the ``"*"`` entry.

    Parameters
    ----------
    highway
        OSM highway class per link.
    lanes_dir
        Lanes in the link's direction (see `lanes_per_direction`).
    params
        Per-class saturation flows and green shares.

    Returns
    -------
    capacity
        pc/h per directed link.
    """
    params = params or CapacityParams()
    classes = pd.Series(np.asarray(highway, dtype=object)).astype(str).str.removesuffix("_link")
    sat = _lookup(classes, params.saturation_flow_pcu_h_lane, "saturation flow")
    green = _lookup(classes, params.green_share, "green share")
    return sat * green * np.asarray(lanes_dir, dtype=float)


def _lookup(classes: pd.Series, table: tuple[tuple[str, float], ...], what: str) -> FloatArray:
    values = dict(table)
    if "*" not in values:
        raise ModelError(f"the {what} table needs a '*' fallback entry")
    return np.asarray(classes.map(values).fillna(values["*"]), dtype=np.float64)
