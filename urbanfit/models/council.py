"""What a council asks next: the value of each scenario and, on an adoption path, the year (pure).

`scenario_figures` gathers, for every scenario of the run, the four figures the value and the
timeline rest on, with their ranges: curb spaces gained and curb freed for the same cars (the
curb runs at the parameter ends of `urbanfit.models.ranges.parking_at`), lot land freed (the lot
kei-ratio ends) and peak-hour delay saved (the congestion model's demand levels, as a
percentage of this run's baseline delay). `value_model` prices them; `adoption_model` lays them
along the years of a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.citydata import CityData
from urbanfit.models.adoption import (
    AdoptionPath,
    cohort_table,
    fleet_share_by_year,
    half_year,
    interpolate_share,
    leave_one_out_error,
    sales_share_by_year,
    stretch_for_mean_age,
    survival_by_age,
)
from urbanfit.models.land import choose_land_price
from urbanfit.models.ranges import parking_at
from urbanfit.models.safety import safety_model
from urbanfit.models.value import Span, curb_uses, curb_value, delay_value, land_value
from urbanfit.parameters import Parameters
from urbanfit.parameters.council import AdoptionParams, ValueParams
from urbanfit.results import CongestionResult, ParkingResult, scenario_rows
from urbanfit.vehicles import ScenarioSet, VehicleCatalog

__all__ = [
    "FIGURES",
    "AdoptionResult",
    "ValueResult",
    "adoption_model",
    "council_results",
    "scenario_figures",
    "value_model",
]

FIGURES = ("curb_spaces_gained", "land_freed_ha", "delay_saved_veh_h", "curb_freed_km")
"""The figures valued and laid along the years, each with ``_low`` / ``_high`` columns."""


@dataclass(frozen=True, eq=False)
class ValueResult:
    """
    What `value_model` returns.

    Attributes
    ----------
    figures
        Tidy: ``scenario``, ``figure``, ``low``, ``central``, ``high``, ``unit``, ``formula``.
    summary
        Per scenario under ``summary["scenarios"][id]`` (``<figure>``, ``_low``, ``_high``).
    """

    figures: pd.DataFrame
    summary: dict[str, Any]


@dataclass(frozen=True, eq=False)
class AdoptionResult:
    """
    What `adoption_model` returns.

    Attributes
    ----------
    timeline
        One row per year: sales and fleet kei shares, the `FIGURES` and their values with ranges.
    cohorts
        The cohort table of one year (`urbanfit.models.adoption.cohort_table`), to add up by hand.
    summary
        The path, the survival calibration, the interpolation error, half-way years and the
        timeline rows.
    """

    timeline: pd.DataFrame
    cohorts: pd.DataFrame
    summary: dict[str, Any]


def _delay_ends(curve: pd.DataFrame | None, scenario_id: str) -> list[float]:
    """Delay change (%) of a scenario at the kei curve's congested demand levels."""
    if curve is None or not len(curve) or "delay_change_pct" not in curve.columns:
        return []
    rows = scenario_rows(curve, scenario_id)
    if "uncongested" in rows.columns:
        rows = rows[~rows["uncongested"].astype(bool).to_numpy()]
    return [float(v) for v in rows["delay_change_pct"] if pd.notna(v)]


def scenario_figures(
    parking: ParkingResult,
    congestion: CongestionResult | None,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: Parameters,
    streets: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Gather the valued figures of every scenario with their low and high ends.

    Parameters
    ----------
    parking, congestion
        The run's central results (congestion None: no delay figures).
    catalog, scenarios, params
        As the run used them.
    streets, points
        As the parking model used them (for the curb runs at the parameter ends).

    Returns
    -------
    figures
        Index ``scenario``; ``kei_share``, ``curb_gain_estimated_share`` (the share of the curb
        gain on curbs estimated where OSM has no parking tags) and each of `FIGURES` with
        ``_low`` / ``_high``.
    """
    ends = [
        parking_at(
            parking, catalog, scenarios, params=params, end=end, streets=streets, points=points
        )[0]["scenarios"]
        for end in ("fewer", "more")
    ]
    central = parking.summary["scenarios"]
    base = scenarios.baseline.id
    delays = (congestion.summary.get("scenarios") or {}) if congestion is not None else {}
    base_delay = (delays.get(base) or {}).get("delay_veh_h")
    rows = {}
    for scenario in scenarios:
        sid = scenario.id

        def gained(run: dict[str, Any], sid: str = sid) -> float:
            return float(run[sid]["curb_spaces"] - run[base]["curb_spaces"])

        curb = Span.of(gained(central), *(gained(run) for run in ends))
        land = Span.of(central[sid]["land_freed_ha"], *(run[sid]["land_freed_ha"] for run in ends))
        freed = Span.of(central[sid]["curb_freed_km"], *(run[sid]["curb_freed_km"] for run in ends))
        delay = Span(None, None, None)
        now = (delays.get(sid) or {}).get("delay_veh_h")
        if base_delay is not None and now is not None:
            levels = _delay_ends(congestion.curve if congestion else None, sid)
            delay = Span.of(
                float(base_delay - now), *(-pct / 100.0 * float(base_delay) for pct in levels)
            )
        row: dict[str, Any] = {"kei_share": scenario.kei_share}
        estimated = central[sid].get("curb_spaces_gained_estimated")
        row["curb_gain_estimated_share"] = (
            float(estimated) / curb.central if estimated is not None and curb.central else None
        )
        for name, span in zip(FIGURES, (curb, land, delay, freed), strict=True):
            row |= span.record(name)
        rows[sid] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    return table


def council_results(
    city: CityData,
    *,
    parking: ParkingResult,
    congestion: CongestionResult | None,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: Parameters,
    path: AdoptionPath | None = None,
) -> dict[str, Any]:
    """
    Run the safety and value models, and the adoption timeline when a path is given.

    Parameters
    ----------
    city
        The city tables (streets, points).
    parking, congestion
        The run's central results.
    catalog, scenarios, params
        As the run used them (``params.council`` for the three models).
    path
        The adoption path, or None (no timeline).

    Returns
    -------
    results
        ``{"safety": SafetyResult, "value": ValueResult}`` and ``"adoption"`` with a path: the
        sections of the summary and the tables of the outputs.
    """
    figures = scenario_figures(
        parking,
        congestion,
        catalog,
        scenarios,
        params=params,
        streets=city.streets,
        points=city.points,
    )
    values, land_basis = choose_land_price(city.streets, params.council.value)
    out: dict[str, Any] = {
        "safety": safety_model(
            city.streets, city.points, catalog, scenarios, params=params.council.safety
        ),
        "value": value_model(figures, params=values, land_basis=land_basis),
    }
    if path is not None:
        out["adoption"] = adoption_model(
            path, figures, params=params.council.adoption, values=values
        )
    return out


def _span(row: Mapping[Any, Any], name: str) -> Span:
    def get(key: str) -> float | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else float(value)

    return Span(get(name), get(f"{name}_low"), get(f"{name}_high"))


def _values(row: Mapping[Any, Any], params: ValueParams) -> dict[str, Span]:
    return (
        curb_value(_span(row, "curb_spaces_gained"), params)
        | land_value(_span(row, "land_freed_ha"), params)
        | delay_value(_span(row, "delay_saved_veh_h"), params)
        | curb_uses(_span(row, "curb_freed_km"), params)
    )


VALUE_UNITS = {
    "curb_surface_usd": ("USD", "curb spaces gained x surface cost per space"),
    "curb_structured_usd": ("USD", "curb spaces gained x structured cost per space"),
    "land_freed_acres": ("acres", "lot land freed (ha) x 2.4710538"),
    "homes": ("dwelling units", "lot land freed (acres) x homes per acre"),
    "land_usd": ("USD", "lot land freed (acres) x land price per acre (given or county)"),
    "delay_person_h_per_year": (
        "person-h per year",
        "delay saved (veh-h per peak hour) x peak hours a year x vehicle occupancy",
    ),
    "delay_usd_per_year": ("USD per year", "delay saved (person-h a year) x value of time"),
    "bike_lane_km": ("km", "curb freed for the same cars (km) x one-way bike-lane km per curb km"),
    "loading_zones": ("zones", "curb freed for the same cars (m) / loading-zone length"),
    "street_trees": ("trees", "curb freed for the same cars (m) / street-tree spacing"),
}
"""Unit and formula of every value figure."""


def value_model(
    figures: pd.DataFrame, *, params: ValueParams, land_basis: str | None = None
) -> ValueResult:
    """
    Price every scenario's figures (see `urbanfit.models.value`).

    Parameters
    ----------
    figures
        From `scenario_figures`.
    params
        Prices, densities and their ends (with a user's overrides and the chosen land price).
    land_basis
        Where the land price comes from (`urbanfit.models.land.choose_land_price`).

    Returns
    -------
    result
        See `ValueResult`.
    """
    records, per_scenario = [], {}
    for sid, row in zip(figures.index, figures.to_dict("records"), strict=True):
        spans = _values(row, params)
        flat: dict[str, Any] = {}
        for name, span in spans.items():
            unit, formula = VALUE_UNITS[name]
            records.append(
                {"scenario": str(sid), "figure": name, "low": span.low, "central": span.central,
                 "high": span.high, "unit": unit, "formula": formula}
            )  # fmt: skip
            flat |= span.record(name, digits=2)
        share = row.get("curb_gain_estimated_share")
        flat["curb_gain_estimated_share"] = None if share is None or pd.isna(share) else share
        per_scenario[str(sid)] = flat
    table = pd.DataFrame.from_records(
        records, columns=["scenario", "figure", "low", "central", "high", "unit", "formula"]
    )
    summary: dict[str, Any] = {
        "land_price_usd_per_acre": params.land_usd_per_acre,
        "land_price_note": (
            land_basis
            if params.land_usd_per_acre
            else "No land price: no published county price bundled here covers this place and "
            "none was given, so lot land is shown as acres and homes, not dollars (set "
            "land_usd_per_acre in the adoption file's [values])"
        ),
        "money_note": "dollars of each source's year, not adjusted for inflation",
        "scenarios": per_scenario,
    }
    return ValueResult(figures=table, summary=summary)


def _along(
    run_shares: np.ndarray, figures: pd.DataFrame, name: str, shares: tuple[np.ndarray, ...]
) -> pd.DataFrame:
    """Interpolate a figure at each year's fleet share (central at the first shares)."""
    columns = (name, f"{name}_low", f"{name}_high")
    stack = np.vstack(
        [interpolate_share(run_shares, list(figures[c]), s) for s in shares for c in columns]
    )
    central = stack[0]
    undefined = np.isnan(central)
    return pd.DataFrame(
        {
            name: central,
            f"{name}_low": np.where(undefined, np.nan, np.fmin.reduce(stack, axis=0)),
            f"{name}_high": np.where(undefined, np.nan, np.fmax.reduce(stack, axis=0)),
        }
    )


def adoption_model(
    path: AdoptionPath,
    figures: pd.DataFrame,
    *,
    params: AdoptionParams,
    values: ValueParams,
) -> AdoptionResult:
    """
    Lay the scenarios' figures along the years of an adoption path.

    Parameters
    ----------
    path
        Kei share of new sales by year.
    figures
        From `scenario_figures` (run shares in ``kei_share``).
    params
        Survival schedule, fleet mean age, first and last year.
    values
        Prices for the value columns.

    Returns
    -------
    result
        See `AdoptionResult`; figures past the run's largest kei share are NaN.
    """
    years = np.arange(params.base_year, params.end_year + 1)
    stretch = stretch_for_mean_age(params.survival, params.fleet_mean_age_years)
    central = survival_by_age(params.survival, stretch=stretch)
    fast = survival_by_age(params.survival, stretch=1.0)
    share = fleet_share_by_year(path, years, central)
    share_fast = fleet_share_by_year(path, years, fast)
    run_shares = figures["kei_share"].to_numpy(dtype="float64")
    table = pd.DataFrame(
        {
            "year": years,
            "sales_kei_share": sales_share_by_year(path, years),
            "fleet_kei_share": share,
            "fleet_kei_share_fast_turnover": share_fast,
        }
    )
    for name in FIGURES:
        along = _along(run_shares, figures, name, (share, share_fast))
        table = pd.concat([table, along], axis=1)
    value_rows = [_values(row, values) for row in table.to_dict("records")]
    for name in VALUE_UNITS:
        for i, key in enumerate((name, f"{name}_low", f"{name}_high")):
            table[key] = [np.nan if r[name][i] is None else r[name][i] for r in value_rows]
    full = figures[figures["kei_share"] == 1.0]
    halves: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name in FIGURES:
        at_full = float(full[name].iloc[0]) if len(full) and pd.notna(full[name].iloc[0]) else None
        halves[f"{name}_half_year"] = half_year(years, table[name].to_numpy(), at_full)
        fast_values = interpolate_share(run_shares, list(figures[name]), share_fast)
        halves[f"{name}_half_year_fast_turnover"] = half_year(years, fast_values, at_full)
        error = leave_one_out_error(run_shares, list(figures[name]))
        errors |= {f"{name}_{k}": v for k, v in error.items()}
    cohort_year = min(params.base_year + 10, params.end_year)
    cohorts = cohort_table(path, cohort_year, central)
    ages = np.arange(len(central))
    summary: dict[str, Any] = {
        "path_id": path.id,
        "path_label": path.label,
        "path_source": path.source,
        "path_points": {str(year): share for year, share in path.points},
        "survival_stretch": round(stretch, 4),
        "fleet_mean_age_years": round(float((ages * central).sum() / central.sum()), 3),
        "fleet_mean_age_fast_turnover_years": round(
            float((np.arange(len(fast)) * fast).sum() / fast.sum()), 3
        ),
        "cohort_year": cohort_year,
        "headline_year": params.headline_year,
        "largest_run_kei_share": float(run_shares.max()),
        "interpolation": "linear in kei share between the run's scenarios; none past the largest",
        "interpolation_error": errors,
        "half_years": halves,
        "timeline": [
            {k: (None if pd.isna(v) else round(float(v), 6)) for k, v in row.items()}
            for row in table.to_dict("records")
        ],
    }
    return AdoptionResult(timeline=table, cohorts=cohorts, summary=summary)
