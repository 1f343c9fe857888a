"""Safety trade-off: relative fatality risk per crash, pedestrians by street and occupants by mass.

Pure functions: no I/O, no printing.

Method
------
*Pedestrians.* A struck pedestrian's risk of death at impact speed ``v`` is Tefft's curve
``T(v)`` (log-odds linear in speed between its published points). A vehicle's front end shifts
the odds by the IIHS odds ratio of its class (hood leading-edge height and shape), so a profile
kills a struck pedestrian with ``p(v) = expit(logit T(v) + ln OR)``; a fleet mix with
``sum_p share_p p(v)``. The impact speed is the edge's speed (maxspeed or the class default):
no braking is modelled. An edge's change is the mix's risk over the baseline fleet's at that
speed; the city's change weights every edge by its exposure: the crossings and bus stops mapped
within a few metres (length-weighted too, for comparison).

*Occupants.* In a crash of vehicles of masses ``m_i`` and ``m_j``, momentum conservation gives
vehicle ``i`` the speed change ``V m_j / (m_i + m_j)``, and driver fatality risk grows as its
power ``u`` (Evans 2004), so the risk ratio of the two drivers is ``(m_j / m_i)^u``. Pairing
vehicles at random in proportion to their shares, the fleet's occupant risk per two-vehicle crash
is ``sum_ij s_i s_j [(m_j/(m_i+m_j))^u + (m_i/(m_i+m_j))^u]``; the kei driver's is the same sum
over the kei profiles' side only. The closing speed cancels in every ratio, so these figures
depend on the fleet mix alone: the same in every city and on every street.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.parameters.council import SafetyParams
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog, VehicleProfile

__all__ = [
    "MPH",
    "SafetyResult",
    "exposure_points",
    "front_class",
    "kei_occupant_risk",
    "mix_pedestrian_risk",
    "occupant_risk",
    "pedestrian_death_risk",
    "safety_model",
]

MPH = 1.609344
"""Kilometres per mile: speeds in km/h are divided by this for Tefft's curve (mph)."""
EXPOSURE_KINDS = ("crossing", "bus_stop")
"""Point features that count as pedestrian exposure on a street edge."""


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def pedestrian_death_risk(
    speed_kmh: np.ndarray, curve: Sequence[tuple[float, float]]
) -> np.ndarray:
    """
    Risk of death of a struck pedestrian at each impact speed (Tefft's curve).

    Parameters
    ----------
    speed_kmh
        Impact speeds in km/h.
    curve
        ``(mph, probability)`` points, increasing (`SafetyParams.pedestrian_death_mph`).

    Returns
    -------
    risk
        Probabilities: the log-odds are linear in speed between the points and extend along the
        first and last segments beyond them.
    """
    mph = np.asarray(speed_kmh, dtype="float64") / MPH
    x = np.array([v for v, _ in curve], dtype="float64")
    y = _logit(np.array([p for _, p in curve], dtype="float64"))
    logit = np.interp(mph, x, y)
    below, above = mph < x[0], mph > x[-1]
    logit = np.where(below, y[0] + (mph - x[0]) * (y[1] - y[0]) / (x[1] - x[0]), logit)
    logit = np.where(above, y[-1] + (mph - x[-1]) * (y[-1] - y[-2]) / (x[-1] - x[-2]), logit)
    risk: np.ndarray = 1.0 / (1.0 + np.exp(-logit))
    return risk


def front_class(profile: VehicleProfile, params: SafetyParams) -> str | None:
    """
    IIHS front-end class of a profile: ``low``, ``mid_sloped``, ``mid_blunt`` or ``tall``.

    A vertical face (a cab-over without a hood) is read as blunt. None when the profile has no
    hood height.
    """
    if profile.hood_edge_m is None:
        return None
    if profile.hood_edge_m <= params.low_edge_m:
        return "low"
    if profile.hood_edge_m > params.tall_edge_m:
        return "tall"
    return "mid_sloped" if profile.front_shape == "sloped" else "mid_blunt"


def _missing(shares: Mapping[str, float], catalog: VehicleCatalog) -> list[str]:
    return sorted(
        pid
        for pid in shares
        if catalog.profile(pid).curb_mass_kg is None or catalog.profile(pid).hood_edge_m is None
    )


def mix_pedestrian_risk(
    speed_kmh: np.ndarray,
    shares: Mapping[str, float],
    catalog: VehicleCatalog,
    *,
    params: SafetyParams,
    curve: Sequence[tuple[float, float]] | None = None,
) -> np.ndarray:
    """
    Mean risk of death of a pedestrian struck by a vehicle of the mix, at each speed.

    Parameters
    ----------
    speed_kmh
        Impact speeds (km/h).
    shares
        Profile shares of the fleet mix (every profile with a hood height).
    catalog
        Profiles.
    params
        Odds ratios by front class and class bounds.
    curve
        Tefft's points; default ``params.pedestrian_death_mph``.

    Returns
    -------
    risk
        Share-weighted probabilities, one per speed.
    """
    base = _logit(pedestrian_death_risk(speed_kmh, curve or params.pedestrian_death_mph))
    ratios = dict(params.front_odds_ratio)
    total = np.zeros_like(base)
    for pid, share in shares.items():
        klass = front_class(catalog.profile(pid), params)
        if klass is None:
            raise ValueError(f"profile {pid!r} has no hood height")
        total += share / (1.0 + np.exp(-(base + np.log(ratios[klass]))))
    return total


def _pair_terms(
    shares: Mapping[str, float], catalog: VehicleCatalog, exponent: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    ids = list(shares)
    mass = np.array([float(catalog.profile(p).curb_mass_kg or np.nan) for p in ids])
    weight = np.array([float(shares[p]) for p in ids])
    # risk of the driver of row i hit by column j: (m_j / (m_i + m_j))^u
    risk = (mass[None, :] / (mass[:, None] + mass[None, :])) ** exponent
    return risk, weight, ids


def occupant_risk(shares: Mapping[str, float], catalog: VehicleCatalog, exponent: float) -> float:
    """
    Driver fatality risk per two-vehicle crash of a mix, in units of ``V^u`` (relative only).

    Parameters
    ----------
    shares
        Profile shares (every profile with a curb mass).
    catalog
        Profiles.
    exponent
        Evans' ``u``.

    Returns
    -------
    risk
        ``sum_ij s_i s_j [(m_j/(m_i+m_j))^u + (m_i/(m_i+m_j))^u]``: both drivers of a crash.
    """
    risk, weight, _ = _pair_terms(shares, catalog, exponent)
    pair = weight[:, None] * weight[None, :]
    return float((pair * (risk + risk.T)).sum())


def kei_occupant_risk(
    shares: Mapping[str, float], catalog: VehicleCatalog, exponent: float
) -> float | None:
    """
    Fatality risk of a kei driver per two-vehicle crash with a vehicle of the mix (units of V^u).

    Parameters
    ----------
    shares, catalog, exponent
        As for `occupant_risk`.

    Returns
    -------
    risk
        ``sum_k (s_k / S_kei) sum_j s_j (m_j/(m_k+m_j))^u`` over kei profiles ``k``; None when
        the mix holds no kei profile.
    """
    risk, weight, ids = _pair_terms(shares, catalog, exponent)
    kei = np.array([catalog.profile(p).vehicle_class == KEI_CLASS for p in ids])
    if not kei.any():
        return None
    own = weight * kei / (weight * kei).sum()
    return float(own @ risk @ weight)


def exposure_points(
    streets: gpd.GeoDataFrame, points: gpd.GeoDataFrame | None, *, params: SafetyParams
) -> np.ndarray:
    """
    Crossings and bus stops mapped near each street edge: the pedestrian exposure proxy.

    Parameters
    ----------
    streets
        Street edges with line geometry (projected, metres).
    points
        The city's point features (``kind``, point geometry); None or empty: all zero.
    params
        ``exposure_snap_m``: a point counts for its nearest edge within this distance.

    Returns
    -------
    counts
        Points per edge, aligned with ``streets``.
    """
    counts = np.zeros(len(streets), dtype="int64")
    if points is None or not len(points) or not len(streets):
        return counts
    if points.crs is not None and streets.crs is not None and points.crs != streets.crs:
        points = points.to_crs(streets.crs)
    kind = points["kind"].to_numpy(dtype="object")
    geom = points.geometry.to_numpy()[np.isin(kind, EXPOSURE_KINDS)]
    if not len(geom):
        return counts
    tree = shapely.STRtree(streets.geometry.to_numpy())
    _, nearest = tree.query_nearest(geom, max_distance=params.exposure_snap_m, all_matches=False)
    np.add.at(counts, nearest, 1)
    return counts


@dataclass(frozen=True, eq=False)
class SafetyResult:
    """
    What `safety_model` returns.

    Attributes
    ----------
    edges
        One row per street edge: ``edge_id``, ``name``, ``highway``, ``speed_kmh``,
        ``exposure_points``, ``pedestrian_risk_baseline`` (probability of death per crash),
        ``pedestrian_risk_headline`` and ``pedestrian_risk_change_pct`` (headline scenario),
        geometry.
    scenarios
        One row per scenario (column ``scenario``): the city figures and their ranges.
    summary
        City figures, and per scenario under ``summary["scenarios"][id]``.
    edge_risk
        Probability of death of a struck pedestrian per crash on each edge (rows aligned with
        ``edges``), one column per scenario id (Tefft's main curve); no column when withheld.
    """

    edges: gpd.GeoDataFrame
    scenarios: pd.DataFrame
    summary: dict[str, Any]
    edge_risk: pd.DataFrame


def _weighted_change(new: np.ndarray, base: np.ndarray, weight: np.ndarray) -> float | None:
    denominator = float((weight * base).sum())
    if denominator <= 0:
        return None
    return 100.0 * (float((weight * new).sum()) / denominator - 1.0)


def _pct(new: float | None, base: float | None) -> float | None:
    return None if new is None or base is None or base <= 0 else 100.0 * (new / base - 1.0)


def safety_model(
    streets: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame | None,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: SafetyParams,
) -> SafetyResult:
    """
    Relative pedestrian and occupant fatality risk per crash of every scenario's fleet.

    Parameters
    ----------
    streets
        Street edges: ``edge_id``, ``speed_kmh``, ``length_m``, geometry (``name``,
        ``highway`` when present).
    points
        Point features (crossings, bus stops) or None.
    catalog, scenarios
        Profiles and the run's scenarios (the baseline is the comparison).
    params
        Risk curves, odds ratios, mass exponents and the exposure snap distance.

    Returns
    -------
    result
        See `SafetyResult`. Figures of a scenario whose mix holds a profile without curb mass
        or hood height are None, with the reason in ``summary["withheld"]``.
    """
    speed = streets["speed_kmh"].to_numpy(dtype="float64")
    length = streets["length_m"].to_numpy(dtype="float64")
    exposure = exposure_points(streets, points, params=params).astype("float64")
    base_mix = scenarios.baseline.shares
    curves = (params.pedestrian_death_mph, params.pedestrian_death_mph_alt)
    exponents = (params.mass_exponent, params.mass_exponent_low, params.mass_exponent_high)
    rows: dict[str, dict[str, Any]] = {}
    missing = sorted({p for s in scenarios for p in _missing(s.shares, catalog)})
    per_edge: dict[str, np.ndarray] = {}
    for scenario in scenarios:
        row: dict[str, Any] = {"kei_share": scenario.kei_share}
        if not missing:
            by_curve = []
            for curve in curves:
                new = mix_pedestrian_risk(
                    speed, scenario.shares, catalog, params=params, curve=curve
                )
                old = mix_pedestrian_risk(speed, base_mix, catalog, params=params, curve=curve)
                by_curve.append((_weighted_change(new, old, exposure), new, old))
            per_edge[scenario.id] = by_curve[0][1]
            changes = [c for c, _, _ in by_curve if c is not None]
            row["pedestrian_risk_change_pct"] = by_curve[0][0]
            row["pedestrian_risk_change_low_pct"] = min(changes) if changes else None
            row["pedestrian_risk_change_high_pct"] = max(changes) if changes else None
            row["pedestrian_risk_change_length_weighted_pct"] = _weighted_change(
                by_curve[0][1], by_curve[0][2], length
            )
            occupant = [
                _pct(
                    occupant_risk(scenario.shares, catalog, u), occupant_risk(base_mix, catalog, u)
                )
                for u in exponents
            ]
            row["occupant_risk_change_pct"] = occupant[0]
            row["occupant_risk_change_low_pct"] = min(v for v in occupant if v is not None)
            row["occupant_risk_change_high_pct"] = max(v for v in occupant if v is not None)
            kei = [
                (
                    kei_occupant_risk(scenario.shares, catalog, u),
                    occupant_risk(base_mix, catalog, u),
                )
                for u in exponents
            ]
            # a kei driver against the average driver of the full-size fleet (2 drivers a crash)
            ratios = [None if k is None else 2.0 * k / b for k, b in kei]
            row["kei_driver_risk_ratio"] = ratios[0]
            known = [r for r in ratios if r is not None]
            row["kei_driver_risk_ratio_low"] = min(known) if known else None
            row["kei_driver_risk_ratio_high"] = max(known) if known else None
        rows[scenario.id] = row
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario").reset_index()
    top, base = scenarios.headline.id, scenarios.baseline.id
    columns = {
        c: streets[c].to_numpy() for c in ("edge_id", "name", "highway") if c in streets.columns
    }
    edges = gpd.GeoDataFrame(
        {
            **columns,
            "speed_kmh": speed,
            "exposure_points": exposure.astype("int64"),
            "pedestrian_risk_baseline": per_edge.get(base, np.full(len(speed), np.nan)),
            "pedestrian_risk_headline": per_edge.get(top, np.full(len(speed), np.nan)),
        },
        geometry=streets.geometry.to_numpy(),
        crs=streets.crs,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        edges["pedestrian_risk_change_pct"] = 100.0 * (
            edges["pedestrian_risk_headline"] / edges["pedestrian_risk_baseline"] - 1.0
        )
    summary: dict[str, Any] = {
        "exposure_points_count": int(exposure.sum()),
        "exposure_edges_count": int((exposure > 0).sum()),
        "exposure_km": round(float(length[exposure > 0].sum()) / 1000.0, 3),
        "street_km": round(float(length.sum()) / 1000.0, 3),
        "speed_defaulted_km": round(
            float(length[streets["speed_defaulted"].to_numpy(dtype=bool)].sum()) / 1000.0, 3
        )
        if "speed_defaulted" in streets.columns
        else None,
        "exposure_note": _exposure_note(exposure, length, params),
        "withheld": (
            f"profiles without curb mass or hood height: {', '.join(missing)}" if missing else None
        ),
        "scenarios": {sid: {k: _plain(v) for k, v in row.items()} for sid, row in rows.items()},
    }
    edge_risk = pd.DataFrame(per_edge, index=edges.index)
    return SafetyResult(edges=edges, scenarios=table, summary=summary, edge_risk=edge_risk)


def _exposure_note(exposure: np.ndarray, length: np.ndarray, params: SafetyParams) -> str | None:
    """Say when crossings and bus stops are mapped too sparsely to weight the city figure."""
    total, share = int(exposure.sum()), float(length[exposure > 0].sum() / max(length.sum(), 1e-9))
    if total >= params.exposure_min_points and share >= params.exposure_min_km_share:
        return None
    return (
        f"crossings and bus stops are mapped near {share:.1%} of the street length ({total} in "
        "all): the exposure-weighted figure rests on few streets, read the length-weighted one"
    )


def _plain(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None
