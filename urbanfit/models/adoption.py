"""Adoption path: from a kei share of new sales by year to a kei share of the fleet by year (pure).

Method
------
The fleet's age mix is the steady state of flat annual sales through a survival curve: of the
vehicles on the street in any year, the share of age ``a`` is ``S(a) / sum(S)``, with ``S(0) = 1``
for the year's own sales. A kei share ``k(y)`` of the sales of model year ``y`` puts

    fleet share(Y) = sum_a k(Y - a) S(a) / sum_a S(a)

of kei vehicles on the street in year ``Y`` (a cohort table: each model year's survivors,
weighted by its kei share). The survival curve is NHTSA's schedule (DOT HS 809 952) stretched in
age by a factor ``f`` so that the steady-state mean age matches today's fleet; ``f = 1`` is the
2006 schedule itself (the fast-turnover end of the range).

Each year's fleet share is then valued by the models' own per-scenario figures, interpolated
linearly in kei share between the run's scenarios (never extrapolated past the largest run
share). The interpolation error is measured on every run by leaving each inner scenario out and
interpolating it from its neighbours (`leave_one_out_error`): that error is of a grid twice as
coarse as the one used, so an upper bound for smooth figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbanfit.errors import ConfigError

__all__ = [
    "AdoptionPath",
    "cohort_table",
    "fleet_share_by_year",
    "half_year",
    "interpolate_share",
    "leave_one_out_error",
    "sales_share_by_year",
    "stretch_for_mean_age",
    "survival_by_age",
]


@dataclass(frozen=True)
class AdoptionPath:
    """
    A scenario of the kei share of new-vehicle sales by year.

    Attributes
    ----------
    id, label
        Short id (a preset name or the file's stem) and human label.
    points
        ``(year, share of new sales in [0, 1])`` sorted by year: the share is linear between two
        points, 0 before the first and flat after the last.
    source
        What the path rests on (a scenario is an assumption: say whose).
    """

    id: str
    label: str
    points: tuple[tuple[int, float], ...]
    source: str

    def __post_init__(self) -> None:
        if not self.points:
            raise ConfigError(f"adoption path {self.id!r} needs at least one (year, share) point")
        years = [year for year, _ in self.points]
        if years != sorted(set(years)):
            raise ConfigError(f"adoption path {self.id!r}: years must increase without repeats")
        for year, share in self.points:
            if not 0.0 <= share <= 1.0:
                raise ConfigError(
                    f"adoption path {self.id!r}: the kei share of sales in {year} must lie "
                    f"between 0 and 1, got {share!r}"
                )


def sales_share_by_year(path: AdoptionPath, years: np.ndarray) -> np.ndarray:
    """
    Kei share of new sales in each year: linear between the path's points, 0 before, flat after.

    Parameters
    ----------
    path
        The adoption path.
    years
        Calendar years (integers).

    Returns
    -------
    shares
        One share per year, in [0, 1].
    """
    known = np.array([y for y, _ in path.points], dtype="float64")
    values = np.array([s for _, s in path.points], dtype="float64")
    out = np.interp(np.asarray(years, dtype="float64"), known, values)
    return np.where(np.asarray(years) < known[0], 0.0, out)


def survival_by_age(table: Sequence[float], *, stretch: float = 1.0) -> np.ndarray:
    """
    Survival at ages 0, 1, 2 ... of a schedule given at ages 1..n, stretched in age.

    Parameters
    ----------
    table
        Share surviving at ages 1..n (e.g. NHTSA's 25 values); age 0 survives whole.
    stretch
        ``f``: the curve is ``S(a / f)`` (linear between the table's ages); ``f = 1`` returns
        ``[1, *table]``. Ages past ``n f`` survive 0.

    Returns
    -------
    survival
        ``S(0) = 1``, ``S(1)`` ... up to the last age with a share above 0.
    """
    if stretch <= 0:
        raise ConfigError(f"the survival stretch must be positive, got {stretch!r}")
    base = np.r_[1.0, np.asarray(table, dtype="float64")]
    last = len(base) - 1
    ages = np.arange(int(np.floor(last * stretch + 1e-6)) + 1, dtype="float64")
    # a stretch a hair below a whole number (bisection) still reaches the table's last age
    return np.interp(np.minimum(ages / stretch, last), np.arange(last + 1, dtype="float64"), base)


def _mean_age(survival: np.ndarray) -> float:
    ages = np.arange(len(survival), dtype="float64")
    return float((ages * survival).sum() / survival.sum())


def stretch_for_mean_age(table: Sequence[float], mean_age: float) -> float:
    """
    Find the age stretch ``f`` at which a schedule's steady-state fleet has a given mean age.

    Parameters
    ----------
    table
        Survival at ages 1..n.
    mean_age
        Target mean age in years (e.g. S&P Global Mobility's 12.6 for the US, 2024).

    Returns
    -------
    stretch
        Found by bisection to 1e-6 (the mean age grows with the stretch).
    """
    low, high = 0.2, 10.0
    if (
        not _mean_age(survival_by_age(table, stretch=low))
        < mean_age
        < _mean_age(survival_by_age(table, stretch=high))
    ):
        raise ConfigError(f"no survival stretch gives a fleet mean age of {mean_age!r} years")
    while high - low > 1e-6:
        mid = (low + high) / 2
        if _mean_age(survival_by_age(table, stretch=mid)) < mean_age:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def fleet_share_by_year(path: AdoptionPath, years: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """
    Kei share of the vehicles on the street in each year (the cohort sum of the module note).

    Parameters
    ----------
    path
        Kei share of new sales by year.
    years
        Calendar years to evaluate.
    survival
        ``S(a)`` for ages 0.. (`survival_by_age`).

    Returns
    -------
    shares
        One fleet share per year, in [0, 1].
    """
    years = np.asarray(years, dtype="int64")
    ages = np.arange(len(survival))
    model_years = years[:, None] - ages[None, :]
    sales = sales_share_by_year(path, model_years.ravel()).reshape(model_years.shape)
    shares: np.ndarray = (sales * survival[None, :]).sum(axis=1) / survival.sum()
    return shares


def cohort_table(path: AdoptionPath, year: int, survival: np.ndarray) -> pd.DataFrame:
    """
    Lay out the cohort sum of one year row by row: a table a person can add up by hand.

    Parameters
    ----------
    path, survival
        As for `fleet_share_by_year`.
    year
        The calendar year.

    Returns
    -------
    table
        One row per age: ``age``, ``model_year``, ``survival`` (S(a)), ``fleet_share`` (S(a) /
        sum S: the age mix), ``kei_sales_share`` and ``kei_fleet_share`` (their product); the
        last column sums to `fleet_share_by_year` of the year.
    """
    ages = np.arange(len(survival))
    model_years = year - ages
    mix = survival / survival.sum()
    sales = sales_share_by_year(path, model_years)
    return pd.DataFrame(
        {
            "age": ages,
            "model_year": model_years,
            "survival": survival,
            "fleet_share": mix,
            "kei_sales_share": sales,
            "kei_fleet_share": mix * sales,
        }
    )


def interpolate_share(
    run_shares: Sequence[float] | np.ndarray, values: Sequence[float | None], share: np.ndarray
) -> np.ndarray:
    """
    Evaluate a per-scenario figure at any kei share (linear between run shares; NaN past).

    Parameters
    ----------
    run_shares
        Kei shares of the run's scenarios, increasing from 0.
    values
        The figure in each scenario (None or NaN where undefined: the result is NaN).
    share
        Kei shares to evaluate.

    Returns
    -------
    figures
        One value per share; NaN above the largest run share (no extrapolation).
    """
    x = np.asarray(run_shares, dtype="float64")
    y = np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    share = np.asarray(share, dtype="float64")
    if np.isnan(y).any():
        return np.full(share.shape, np.nan)
    out = np.interp(share, x, y)
    return np.where(share > x[-1] + 1e-12, np.nan, out)


def leave_one_out_error(
    run_shares: Sequence[float] | np.ndarray, values: Sequence[float | None]
) -> dict[str, float | None]:
    """
    Measure the interpolation error: each inner scenario interpolated from its two neighbours.

    Parameters
    ----------
    run_shares, values
        As for `interpolate_share`.

    Returns
    -------
    error
        ``max_abs`` (the figure's unit), ``max_pct_of_full`` (the largest error as a percentage
        of the figure's change from the first to the last scenario) and ``at_share`` (where it
        is largest); None each when the run has no inner scenario or the figure is undefined.
    """
    x = np.asarray(run_shares, dtype="float64")
    y = np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    none: dict[str, float | None] = {"max_abs": None, "max_pct_of_full": None, "at_share": None}
    if len(x) < 3 or np.isnan(y).any():
        return none
    guess = y[:-2] + (y[2:] - y[:-2]) * (x[1:-1] - x[:-2]) / (x[2:] - x[:-2])
    error = np.abs(guess - y[1:-1])
    worst = int(np.argmax(error))
    full = abs(y[-1] - y[0])
    return {
        "max_abs": float(error[worst]),
        "max_pct_of_full": float(100.0 * error[worst] / full) if full > 0 else None,
        "at_share": float(x[1:-1][worst]),
    }


def half_year(years: np.ndarray, values: np.ndarray, full: float | None) -> int | None:
    """
    Find the first year a figure reaches half its value at 100 % kei.

    Parameters
    ----------
    years, values
        The timeline of the figure (NaN where undefined).
    full
        The figure at 100 % kei (None: not known, so no year).

    Returns
    -------
    year
        None when the figure never gets there within the timeline (or has no 100 % value).
    """
    if full is None or not np.isfinite(full) or full == 0:
        return None
    reached = np.nan_to_num(np.asarray(values, dtype="float64") / full, nan=-np.inf) >= 0.5
    return int(np.asarray(years)[reached][0]) if reached.any() else None


def path_points(table: Mapping[str, object], where: str) -> tuple[tuple[int, float], ...]:
    """
    Read ``year = share`` pairs of a TOML table into sorted points, with readable errors.

    Parameters
    ----------
    table
        ``{"2028": 0.05, ...}`` as TOML gives it.
    where
        Names the table in error messages.

    Returns
    -------
    points
        ``(year, share)`` sorted by year.
    """
    points = []
    for key, value in table.items():
        try:
            year = int(str(key))
        except ValueError:
            raise ConfigError(f"{where}: {key!r} is not a year") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: the share of {year} must be a number, got {value!r}")
        points.append((year, float(value)))
    return tuple(sorted(points))
