"""Low / central / high ranges of the headline figures, from documented parameter ranges.

Pure functions of the model results and parameters: no I/O, no printing.

Method
------
The cheap models are run again at the ends of their uncertain inputs; the congestion
assignment is not (too slow to repeat), so the delay range comes from the congestion model's
demand levels where it gives them (`delay_levels`) and from the measured end of the PCE range,
extrapolated with the run's own delay elasticity (`congestion.pce_range`).

- Parking (spaces gained, land freed) runs twice: once with every input at the end that
  shrinks the kei gain (the larger parallel gap and intersection clearance of `RangeParams`,
  each lot's ``kei_ratio_low``) and once at the end that grows it (the smaller gap and
  clearance, ``kei_ratio_high``). Lot stalls are not re-packed: the kei stalls of a lot are its
  baseline stalls times the ratio, as in the model.
- Narrow-street fit (kei-only km) runs with every street at ``width_low_m`` and at
  ``width_high_m`` (the tag where tagged, the estimate's range elsewhere).
- The Urban Fit index runs on the four pairs of the two parking runs and the two fit runs,
  with the central congestion result.
- The curb estimate's own error, measured on a real US curb survey
  (`urbanfit.parameters.ranges.EstimateErrorParams`), widens every parking figure that rests
  on estimated curb: its estimated part is taken at ``low_factor`` in the run that shrinks the
  gain and at ``high_factor`` in the run that grows it (the mapped curb and the lots are
  unchanged). ``spaces_gained_mapped`` (mapped curb and lots: the floor) does not rest on the
  estimate and has no such term.

A figure's low and high are the smallest and largest value it takes over the central run and
these runs (the figures need not move the same way as their inputs: narrower streets can add
or remove kei-only km).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from urbanfit.models.congestion.pce_range import measured_delay_change_pct
from urbanfit.models.fit import street_fit
from urbanfit.models.index import parking_sides_for, urban_fit_index
from urbanfit.models.parking import (
    parking_summary,
    run_usable_m,
    scenario_lot_spaces,
    scenario_side_spaces,
    usable_curb_length_m,
)
from urbanfit.models.parking._common import _EPS
from urbanfit.parameters import Parameters
from urbanfit.parameters.parking import FT
from urbanfit.results import RANGE_COLUMNS, FitResult, IndexResult, ParkingResult, scenario_rows
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog

__all__ = ["RANGE_COLUMNS", "figure_range", "headline_ranges", "parking_at", "range_rows"]

_ENDS = ("fewer", "more")
"""Parking runs: the inputs at the end that shrinks the kei gain, and the end that grows it."""


def parking_at(
    parking: ParkingResult,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: Parameters,
    end: str,
    streets: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """
    Re-run the curb and lot figures with the inputs at one end of their ranges.

    Parameters
    ----------
    parking
        The central parking result (its sides, curb runs, lots and lot kei ratios).
    catalog
        Vehicle profiles and classes.
    scenarios
        The run's scenarios.
    params
        The run's parameters; ``params.ranges`` gives the gap and clearance ends.
    streets, points
        The streets (junction clearances from the crossing street's curb line) and the local
        features the central run used (`urbanfit.models.parking.usable_curb_length_m`).
    end
        ``"fewer"``: the larger gap and clearance, each lot's ``kei_ratio_low``;
        ``"more"``: the smaller gap and clearance, ``kei_ratio_high``.

    Returns
    -------
    summary, side_spaces
        The parking summary (`parking_summary`) and the tidy side spaces of this run.
    """
    if end not in _ENDS:
        raise ValueError(f"end must be one of {_ENDS}, got {end!r}")
    ends = params.ranges
    fewer = end == "fewer"
    curb = dataclasses.replace(
        params.parking.curb,
        parallel_gap_m=ends.parallel_gap_high_m if fewer else ends.parallel_gap_low_m,
        intersection_clearance_m=(
            ends.intersection_clearance_high_m if fewer else ends.intersection_clearance_low_m
        ),
    )
    usable = usable_curb_length_m(parking.sides, params=curb, streets=streets, points=points)
    sides = parking.sides.assign(usable_length_m=usable)
    sides["run_usable_m"] = run_usable_m(sides)
    side_spaces = scenario_side_spaces(sides, catalog, scenarios, params=curb)

    lots = parking.lots
    lot_id = lots["lot_id"].to_numpy(dtype="int64")
    base = lots["stalls_baseline"].to_numpy(dtype="float64")
    by_class = parking.lot_class_stalls().reindex(lot_id)
    stalls = {
        c: by_class[c].to_numpy(dtype="float64") if c in by_class else np.full(len(lot_id), np.nan)
        for c in catalog.classes
    }
    ratio = lots["kei_ratio_low" if fewer else "kei_ratio_high"].to_numpy(dtype="float64")
    stalls[KEI_CLASS] = np.floor(base * ratio + _EPS)
    lot_spaces = scenario_lot_spaces(lot_id, stalls, base, catalog, scenarios)
    summary = parking_summary(
        sides,
        side_spaces,
        lots,
        lot_spaces,
        parking.calibration,
        scenarios=scenarios,
        params=dataclasses.replace(params.parking, curb=curb),
    )
    return summary, side_spaces


def _fit_at(
    streets: pd.DataFrame,
    parking: ParkingResult,
    *,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: Parameters,
    column: str,
) -> FitResult:
    width = streets[column] if column in streets.columns else streets["width_m"]
    return street_fit(
        streets.assign(width_m=width), parking.sides, catalog, scenarios, params=params.fit
    )


def _index_at(
    streets: pd.DataFrame,
    side_spaces: pd.DataFrame,
    fit: FitResult,
    *,
    parking: ParkingResult,
    congestion_links: pd.DataFrame | None,
    scenario_id: str,
    params: Parameters,
) -> IndexResult:
    return urban_fit_index(
        streets,
        parking_sides=parking_sides_for(parking.sides, side_spaces, scenario_id),
        congestion_links=congestion_links,
        fit=fit,
        scenario_id=scenario_id,
        params=params.index,
        estimate=params.ranges.estimate,
        with_hexes=False,  # a range needs the city score only
    )


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def figure_range(central: Any, variants: list[Any]) -> tuple[float | None, float | None]:
    """
    Low and high of a figure: the smallest and largest of its central and variant values.

    Parameters
    ----------
    central
        The figure of the central run (None or NaN when undefined).
    variants
        Its values in the runs at the parameter ends (None or NaN ones are skipped).

    Returns
    -------
    low, high
        None and None when the central figure is undefined.
    """
    centre = _number(central)
    if centre is None:
        return None, None
    values = [centre, *(v for v in map(_number, variants) if v is not None)]
    return min(values), max(values)


def range_rows(rows: list[tuple[str, Any, list[Any], str, str]]) -> pd.DataFrame:
    """
    Build the ranges table from (figure, central, variants, unit, basis) tuples.

    Parameters
    ----------
    rows
        One tuple per figure: its key, central value, values at the parameter ends, unit and
        a short text naming what was varied.

    Returns
    -------
    ranges
        Columns `RANGE_COLUMNS`: ``figure``, ``low``, ``central``, ``high``, ``unit``,
        ``basis``; NaN where a figure is undefined.
    """
    records = []
    for figure, central, variants, unit, basis in rows:
        low, high = figure_range(central, variants)
        records.append(
            {
                "figure": figure,
                "low": low,
                "central": _number(central),
                "high": high,
                "unit": unit,
                "basis": basis,
            }
        )
    table = pd.DataFrame.from_records(records, columns=list(RANGE_COLUMNS))
    for column in ("low", "central", "high"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    return table


def _with_estimate_error(
    scenario: dict[str, Any], baseline: dict[str, Any], factor: float
) -> dict[str, float | None]:
    """
    Scale the estimated curb's part of a scenario's parking figures by ``factor``.

    Parameters
    ----------
    scenario, baseline
        The parking summary's figures of the scenario and of the baseline
        (``curb_spaces_gained_mapped``, ``curb_spaces_gained_estimated``,
        ``curb_spaces_estimated``, ``spaces_gained``, ``total_spaces``).
    factor
        Surveyed curb per estimated unit (`EstimateErrorParams.low_factor` or
        ``high_factor``; 1 leaves the figures as they are).

    Returns
    -------
    figures
        ``spaces_gained`` and ``spaces_gained_pct`` (of the baseline total, whose estimated
        curb is scaled alike), ``spaces_gained_mapped`` (mapped curb and lots, unscaled) and
        ``curb_spaces_gained_estimated`` (scaled).
    """
    gained = float(scenario.get("spaces_gained") or 0.0)
    estimated_gain = float(scenario.get("curb_spaces_gained_estimated") or 0.0)
    estimated_base = float(baseline.get("curb_spaces_estimated") or 0.0)
    total = float(baseline.get("total_spaces") or 0.0) - estimated_base * (1.0 - factor)
    scaled = gained - estimated_gain * (1.0 - factor)
    return {
        "spaces_gained": scaled,
        "spaces_gained_pct": 100.0 * scaled / total if total > 0 else None,
        "spaces_gained_mapped": gained - estimated_gain,
        "curb_spaces_gained_estimated": estimated_gain * factor,
    }


def _delay_levels(curve: pd.DataFrame | None, scenario_id: str) -> tuple[list[Any], str]:
    """Delay changes of a scenario at the congested demand levels, and the basis text."""
    if curve is None or not len(curve) or "delay_change_pct" not in curve.columns:
        return [], "one demand level assigned: no demand-level range in this run"
    rows = scenario_rows(curve, scenario_id)
    if "uncongested" in rows.columns:
        rows = rows[~rows["uncongested"].astype(bool).to_numpy()]
    if len(rows) < 2:  # e.g. a large network, whose curve runs at the target level only
        return [], "one congested demand level assigned: no demand-level range in this run"
    names = ", ".join(str(name) for name in rows.get("level", pd.Series(dtype=object)))
    return (
        list(rows["delay_change_pct"]),
        f"demand level: the kei curve's congested levels ({names or 'none'})",
    )


def headline_ranges(
    streets: pd.DataFrame,
    *,
    parking: ParkingResult,
    fit: FitResult,
    index: IndexResult,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    params: Parameters,
    congestion_summary: dict[str, Any] | None = None,
    congestion_links: pd.DataFrame | None = None,
    delay_levels: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Low / central / high of every headline figure for the headline scenario.

    Parameters
    ----------
    streets
        The ``streets`` table (``width_m``, ``width_low_m``, ``width_high_m``...).
    parking, fit, index
        The central results of the run.
    catalog, scenarios
        Vehicle catalog and the run's scenarios (figures are for the headline scenario).
    params
        The run's parameters (``params.ranges`` for the parameter ends).
    congestion_summary
        The congestion model's summary (None when it did not run): the central delay change.
    congestion_links
        The headline scenario's link figures (``edge_id``, ``vc_change``) for the index runs.
    delay_levels
        The demand-level range of the delay change: the congestion model's kei curve
        (`CongestionResult.curve`: one row per demand level and scenario, with ``level``,
        ``scenario``, ``delay_change_pct`` and ``uncongested``); the headline scenario's rows
        at the congested levels give the delay range (an uncongested level's percentage is of
        a near-zero delay). None: the delay range is its central figure.

    Returns
    -------
    ranges
        One row per figure (`range_rows`): ``spaces_gained`` (spaces),
        ``spaces_gained_pct`` (%), ``spaces_gained_mapped`` (spaces on mapped curb and lots:
        the floor), ``curb_spaces_gained_estimated`` (spaces), ``land_freed_ha`` (ha),
        ``delay_veh_h_change_pct`` (%; only with a congestion result), ``kei_only_km`` (km),
        ``city_score`` (points 0-100).
    """
    top = scenarios.headline.id
    runs = {
        end: parking_at(
            parking, catalog, scenarios, params=params, end=end, streets=streets, points=points
        )
        for end in _ENDS
    }
    fits = {
        end: _fit_at(
            streets,
            parking,
            catalog=catalog,
            scenarios=scenarios,
            params=params,
            column=f"width_{end}_m",
        )
        for end in ("low", "high")
    }
    scores = [
        _index_at(
            streets,
            run[1],
            f,
            parking=parking,
            congestion_links=congestion_links,
            scenario_id=top,
            params=params,
        ).city_score
        for run in runs.values()
        for f in fits.values()
    ]
    central = parking.summary["scenarios"][top]
    ends = params.ranges
    curb_basis = (
        f"parallel gap {ends.parallel_gap_low_m:g}-{ends.parallel_gap_high_m:g} m, "
        f"intersection clearance {ends.intersection_clearance_low_m / FT:.3g}-"
        f"{ends.intersection_clearance_high_m / FT:.3g} ft"
    )
    lot_basis = "lot kei ratio low-high (same-standard MLIT ratio to module ratio)"
    width_basis = "street widths low-high (tag, else the estimate's range)"

    error = ends.estimate
    factors = {"fewer": error.low_factor, "more": error.high_factor}
    estimate_basis = (
        f"estimated curb x {error.low_factor:.2f}-{error.high_factor:.2f}, the estimate's "
        f"error on a US curb survey (precision {error.precision_share:.2f}, recall "
        f"{error.recall_share:.2f}, spaces {error.spaces_ratio:.2f}x)"
    )
    base = parking.summary["scenarios"][scenarios.baseline.id]

    def parking_figure(key: str) -> list[Any]:
        figures = [
            _with_estimate_error(
                run[0]["scenarios"][top], run[0]["scenarios"][scenarios.baseline.id], f
            )[key]
            for end, run in runs.items()
            for f in (1.0, factors[end])
        ]
        return figures + [
            _with_estimate_error(central, base, f)[key] for f in (factors["fewer"], factors["more"])
        ]

    rows: list[tuple[str, Any, list[Any], str, str]] = [
        (
            "spaces_gained",
            central["spaces_gained"],
            parking_figure("spaces_gained"),
            "spaces",
            f"{curb_basis}; {lot_basis}; {estimate_basis}",
        ),
        (
            "spaces_gained_pct",
            central["spaces_gained_pct"],
            parking_figure("spaces_gained_pct"),
            "%",
            f"{curb_basis}; {lot_basis}; {estimate_basis}",
        ),
        (
            "spaces_gained_mapped",
            _with_estimate_error(central, base, 1.0)["spaces_gained_mapped"],
            parking_figure("spaces_gained_mapped"),
            "spaces",
            f"{curb_basis}; {lot_basis}",
        ),
        (
            "curb_spaces_gained_estimated",
            central.get("curb_spaces_gained_estimated"),
            parking_figure("curb_spaces_gained_estimated"),
            "spaces",
            f"{curb_basis}; {estimate_basis}",
        ),
        (
            "land_freed_ha",
            central["land_freed_ha"],
            [run[0]["scenarios"][top]["land_freed_ha"] for run in runs.values()],
            "ha",
            lot_basis,
        ),
    ]
    if congestion_summary is not None:
        delay = (congestion_summary.get("scenarios") or {}).get(top, {})
        levels, basis = _delay_levels(delay_levels, top)
        measured, pce_basis = measured_delay_change_pct(
            congestion_summary, scenarios, catalog, params.traffic.capacity
        )
        if measured is not None:  # None: no scenario to measure the delay elasticity on
            levels, basis = [*levels, measured], f"{basis}; {pce_basis}"
        rows.append(
            ("delay_veh_h_change_pct", delay.get("delay_veh_h_change_pct"), levels, "%", basis)
        )
    rows += [
        (
            "kei_only_km",
            fit.summary.get("kei_only_km"),
            [f.summary.get("kei_only_km") for f in fits.values()],
            "km",
            width_basis,
        ),
        (
            "city_score",
            index.city_score,
            scores,
            "points",
            f"{curb_basis}; {lot_basis}; {width_basis}",
        ),
    ]
    return range_rows(rows)
