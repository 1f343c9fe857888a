"""Network figures of one assignment, and their change against the baseline scenario."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.models.congestion.calibration import travel_time_index

__all__ = ["CHANGE_FIGURES", "add_changes", "delay_concentration", "scenario_figures"]

CHANGE_FIGURES = (
    "vht_veh_h",
    "vkt_veh_km",
    "delay_veh_h",
    "mean_speed_kmh",
    "share_km_vc_over_0_9",
    "share_km_vc_over_1_0",
    "pce_flow_km",
    "queue_storage_veh",
)
"""Figures whose change against the baseline is reported."""


def scenario_figures(
    links: pd.DataFrame,
    *,
    veh_flow: npt.ArrayLike,
    pce_flow: npt.ArrayLike,
    time_min: npt.ArrayLike,
    jam_density_veh_per_lane_km: float,
) -> dict[str, float]:
    """
    Figures of one peak-hour assignment over the network links (connectors excluded).

    Parameters
    ----------
    links
        One row per directed link: ``length_m``, ``lanes_dir``, ``capacity_pcu_h``,
        ``free_flow_min``.
    veh_flow, pce_flow
        Vehicles and passenger-car units per hour on each link.
    time_min
        Congested travel time per link, minutes.
    jam_density_veh_per_lane_km
        Vehicles per lane-km of the scenario's fleet in a standing queue.

    Returns
    -------
    figures
        ``vht_veh_h`` (vehicle-hours per peak hour), ``vkt_veh_km``, ``delay_veh_h``
        (vehicle-hours above free-flow time), ``mean_speed_kmh`` (vkt / vht),
        ``share_km_vc_over_0_9`` and ``share_km_vc_over_1_0`` (share of directed link-km
        with V/C above 0.9 / 1.0), ``pce_flow_km`` (PCE-km), ``max_vc``, ``tti`` (Travel Time
        Index: vehicle-km-weighted congested over free-flow time), ``lane_km``,
        ``jam_density_veh_per_lane_km`` and ``queue_storage_veh`` (vehicles the network's
        lanes hold at jam density).
    """
    km = links["length_m"].to_numpy(dtype=float) / 1000.0
    lanes = links["lanes_dir"].to_numpy(dtype=float)
    veh = np.asarray(veh_flow, dtype=float)
    pcu = np.asarray(pce_flow, dtype=float)
    t = np.asarray(time_min, dtype=float)
    t0 = links["free_flow_min"].to_numpy(dtype=float)
    vc = pcu / links["capacity_pcu_h"].to_numpy(dtype=float)
    vht = float(np.sum(veh * t) / 60.0)
    vkt = float(np.sum(veh * km))
    total_km = float(km.sum())
    lane_km = float(np.sum(km * lanes))
    return {
        "vht_veh_h": vht,
        "vkt_veh_km": vkt,
        "delay_veh_h": float(np.sum(veh * (t - t0)) / 60.0),
        "mean_speed_kmh": vkt / vht if vht > 0 else float("nan"),
        "share_km_vc_over_0_9": float(km[vc > 0.9].sum() / total_km) if total_km else 0.0,
        "share_km_vc_over_1_0": float(km[vc > 1.0].sum() / total_km) if total_km else 0.0,
        "pce_flow_km": float(np.sum(pcu * km)),
        "max_vc": float(vc.max(initial=0.0)),
        "tti": travel_time_index(km, veh, t, t0),
        "lane_km": lane_km,
        "jam_density_veh_per_lane_km": float(jam_density_veh_per_lane_km),
        "queue_storage_veh": lane_km * float(jam_density_veh_per_lane_km),
    }


def add_changes(table: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """
    Add ``<figure>_change`` and ``<figure>_change_pct`` columns against a baseline row.

    Parameters
    ----------
    table
        One row per scenario (indexed by scenario id) with the `CHANGE_FIGURES` columns.
    baseline
        Index of the baseline row.

    Returns
    -------
    table
        A copy with the change columns; percentages are NaN where the baseline is 0.
    """
    out = table.copy()
    for name in CHANGE_FIGURES:
        if name not in table.columns:
            continue
        ref = float(table[name].to_numpy(dtype=float)[table.index.get_loc(baseline)])
        out[f"{name}_change"] = table[name] - ref
        out[f"{name}_change_pct"] = (table[name] - ref) / ref * 100.0 if ref != 0 else float("nan")
    return out


def delay_concentration(
    *,
    veh_flow: npt.ArrayLike,
    time_min: npt.ArrayLike,
    free_flow_min: npt.ArrayLike,
    vc: npt.ArrayLike,
    length_m: npt.ArrayLike,
    names: npt.ArrayLike,
    top: int = 5,
) -> dict[str, float | dict[str, float]]:
    """
    How concentrated the delay of one assignment is: on overloaded links, and by street.

    Parameters
    ----------
    veh_flow, time_min, free_flow_min, vc, length_m
        Per directed link: vehicles per hour, congested and free-flow minutes, V/C, metres.
    names
        Street name per link (missing names are grouped as ``"(unnamed)"``).
    top
        How many streets to list.

    Returns
    -------
    figures
        ``delay_share_vc_over_1`` (share of the delay, vehicle-hours above free-flow time, on
        links with V/C above 1; NaN without delay), ``km_share_vc_over_1`` (their share of
        link length), ``max_vc``, and ``delay_top_streets_veh_h``: the ``top`` street names
        carrying the most delay, with their delay (veh-h per peak hour).
    """
    veh = np.asarray(veh_flow, dtype=float)
    delay = veh * (np.asarray(time_min, dtype=float) - np.asarray(free_flow_min, dtype=float))
    delay = np.clip(delay, 0.0, None) / 60.0
    ratio = np.asarray(vc, dtype=float)
    km = np.asarray(length_m, dtype=float)
    over = ratio > 1.0
    total = float(delay.sum())
    street = pd.Series(np.asarray(names, dtype=object)).fillna("(unnamed)").astype(str)
    street = street.where(street.str.strip() != "", "(unnamed)")
    by_street = pd.Series(delay).groupby(street.to_numpy()).sum().nlargest(top)
    return {
        "delay_share_vc_over_1": float(delay[over].sum() / total) if total > 0 else float("nan"),
        "km_share_vc_over_1": float(km[over].sum() / km.sum()) if km.sum() > 0 else 0.0,
        "max_vc": float(ratio.max(initial=0.0)),
        "delay_top_streets_veh_h": {str(k): float(v) for k, v in by_street.items() if v > 0},
    }
