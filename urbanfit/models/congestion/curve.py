"""The kei effect as a curve: figures at each kei share and baseline congestion level.

One congestion level says little: at light demand any fleet is uncongested and a percentage
change of a near-zero delay is noise; at heavy demand the BPR curve makes small PCE changes
large. The model therefore runs the scenarios at three baseline levels (low, the target,
high Travel Time Index) and reports every figure with the error the solver's gap allows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.models.congestion.calibration import ScaleSearch, target_tti
from urbanfit.parameters.traffic import CalibrationParams

__all__ = ["Level", "baseline_summary", "curve_levels", "curve_rows", "curve_summary", "kei_curve"]

Level = tuple[str, float, str]
"""A baseline congestion level: ``(name, target TTI or NaN, source of the target)``."""

CURVE_COLUMNS = (
    "level",
    "target_tti",
    "scale",
    "scenario",
    "kei_share",
    "tti",
    "vht_veh_h",
    "vht_change_veh_h",
    "vht_change_pct",
    "delay_veh_h",
    "delay_change_veh_h",
    "delay_change_pct",
    "mean_speed_kmh",
    "speed_change_pct",
    "rel_gap",
    "solver_error_veh_h",
    "resolved",
    "uncongested",
)


def curve_levels(params: CalibrationParams, *, user_od: bool, n_links: int) -> list[Level]:
    """
    List the baseline levels to run, the target first.

    A user OD matrix is kept as given: one level, ``"given"``. Synthetic demand gets the
    target and, unless the network has more than ``params.curve_max_links`` assigned links,
    the other levels of ``params.curve_levels``.
    """
    if user_od:
        return [("given", math.nan, "user OD matrix, not scaled")]
    value, source = target_tti(params)
    levels: list[Level] = [("target", value, source)]
    if n_links <= params.curve_max_links:
        levels += [(name, float(tti), "curve level") for name, tti in params.curve_levels]
    return levels


def curve_rows(
    level: Level, scale: float, frame: pd.DataFrame, baseline: str, *, error_factor: float
) -> pd.DataFrame:
    """
    Curve rows of one level from its scenario table (see `metrics.add_changes`).

    ``solver_error_veh_h`` bounds the error of a VHT difference against the baseline:
    ``error_factor x (gap x VHT of the scenario + gap x VHT of the baseline)``; a change is
    ``resolved`` when larger than that.
    """
    base = frame.loc[baseline]
    error = error_factor * (
        frame["rel_gap"] * frame["vht_veh_h"] + base["rel_gap"] * base["vht_veh_h"]
    )
    error = error.where(frame.index != baseline, 0.0)
    out = pd.DataFrame(
        {
            "level": level[0],
            "target_tti": level[1],
            "scale": float(scale),
            "scenario": frame.index.astype(str),
            "kei_share": frame["kei_share"].to_numpy(dtype=float),
            "tti": frame["tti"].to_numpy(dtype=float),
            "vht_veh_h": frame["vht_veh_h"].to_numpy(dtype=float),
            "vht_change_veh_h": frame["vht_veh_h_change"].to_numpy(dtype=float),
            "vht_change_pct": frame["vht_veh_h_change_pct"].to_numpy(dtype=float),
            "delay_veh_h": frame["delay_veh_h"].to_numpy(dtype=float),
            "delay_change_veh_h": frame["delay_veh_h_change"].to_numpy(dtype=float),
            "delay_change_pct": frame["delay_veh_h_change_pct"].to_numpy(dtype=float),
            "mean_speed_kmh": frame["mean_speed_kmh"].to_numpy(dtype=float),
            "speed_change_pct": frame["mean_speed_kmh_change_pct"].to_numpy(dtype=float),
            "rel_gap": frame["rel_gap"].to_numpy(dtype=float),
            "solver_error_veh_h": error.to_numpy(dtype=float),
        }
    )
    out["resolved"] = (out["vht_change_veh_h"].abs() > out["solver_error_veh_h"]) & (
        out["scenario"] != baseline
    )
    return out


def kei_curve(parts: list[pd.DataFrame], params: CalibrationParams) -> pd.DataFrame:
    """
    Join the levels' rows into one tidy table, sorted by baseline TTI and kei share.

    ``uncongested`` marks a level whose baseline delay is below
    ``params.delay_floor_share_of_vht`` of its baseline VHT.
    """
    curve = pd.concat(parts, ignore_index=True)
    base = curve[curve["kei_share"] == curve.groupby("level")["kei_share"].transform("min")]
    base = base.drop_duplicates("level").set_index("level")
    floor = params.delay_floor_share_of_vht * base["vht_veh_h"]
    flag = base["delay_veh_h"] < floor
    curve["uncongested"] = curve["level"].map(flag).astype(bool)
    base_tti = curve["level"].map(base["tti"])
    curve = curve.assign(_order=base_tti).sort_values(["_order", "kei_share"], kind="stable")
    return curve.drop(columns="_order").reset_index(drop=True)[list(CURVE_COLUMNS)]


def _plain(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def curve_summary(curve: pd.DataFrame, params: CalibrationParams, n_links: int) -> dict[str, Any]:
    """Give the curve for summary.json: per level, its baseline and per-scenario figures."""
    levels: dict[str, Any] = {}
    for name, rows in curve.groupby("level", sort=False):
        first = rows.iloc[0]
        levels[str(name)] = {
            "target_tti": _plain(first["target_tti"]),
            "baseline_tti": _plain(rows["tti"].to_numpy()[int(np.argmin(rows["kei_share"]))]),
            "demand_scale": _plain(first["scale"]),
            "uncongested": bool(first["uncongested"]),
            "scenarios": {
                str(r["scenario"]): {
                    k: _plain(r[k]) for k in CURVE_COLUMNS if k not in ("level", "scenario")
                }
                for _, r in rows.iterrows()
            },
        }
    out: dict[str, Any] = {
        "levels": levels,
        "delay_floor_share_of_vht": params.delay_floor_share_of_vht,
        "all_resolved": bool(
            curve.loc[curve["kei_share"] > curve["kei_share"].min(), "resolved"].all()
        ),
    }
    if len(levels) == 1 and "target" in levels:
        out["note"] = (
            f"{n_links:,} assigned links > {params.curve_max_links:,}: the kei curve is computed "
            "at the target congestion level only"
        )
    return out


def baseline_summary(
    level: Level, scale: float, search: ScaleSearch | None, baseline_tti: float
) -> dict[str, Any]:
    """How the baseline demand was set: target, its source, multiplier and TTI reached."""
    return {
        "target_tti": _plain(level[1]),
        "target_source": level[2],
        "demand_scale": float(scale),
        "tti_reached": float(baseline_tti),
        "search_runs": [] if search is None else [[m, t] for m, t in search.runs],
        "search_converged": None if search is None else bool(search.converged),
    }
