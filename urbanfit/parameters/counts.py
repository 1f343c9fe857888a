"""Traffic counts: how they are matched to links, how demand is scaled to them, the fit targets."""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["CountParams"]


@dataclass(frozen=True)
class CountParams:
    """Matching counts to the network, scaling demand to them, and judging the fit."""

    match_max_m: float = param(
        30.0,
        "m",
        "Modelling assumption: a count located by a point is matched to the nearest assigned "
        "link within this distance (about half a block face, several lane widths); further "
        "away it is reported as unmatched rather than put on a street it may not measure.",
    )
    geh_threshold: float = param(
        5.0,
        "-",
        "GEH statistic, sqrt(2 (M - C)^2 / (M + C)) for hourly flows M modelled and C counted "
        "(Geoffrey E. Havers, Greater London Council, 1970s; UK Design Manual for Roads and "
        "Bridges): a link fits when its GEH is below 5.",
    )
    geh_share_target: float = param(
        0.85,
        "-",
        "Share of counted links whose GEH is below the threshold for a calibrated base model: "
        "85 % (FHWA Traffic Analysis Toolbox Volume III, 2004, and the guidance built on it, "
        "e.g. TxDOT Roadway Design Manual 13.5.2.3, Table 13-5).",
    )
    correlation_target: float = param(
        0.88,
        "-",
        "Region-wide correlation coefficient between modelled and counted link volumes that "
        "a validated model reaches: 0.88 (FHWA Model Validation and Reasonableness Checking "
        "Manual, Barton-Aschman and Cambridge Systematics, 1997, section 6).",
    )
    scale_tolerance: float = param(
        0.005,
        "-",
        "Numerical: the demand multiplier search stops when the least-squares factor of the "
        "counts to the modelled flows is within this of 1.",
    )
    scale_max_runs: int = param(
        8, "-", "Numerical: cap on assignments in the count-scaling search."
    )
    max_scale: float = param(
        1000.0,
        "-",
        "Plausibility bound: counts that need the demand multiplied by more than this (or "
        "less than its inverse) do not describe the same area or hour as the demand; the run "
        "stops with that sentence instead of scaling.",
    )
