"""Parameters that set the baseline congestion level of synthetic demand, and the kei curve.

Every field is declared with `param(default, unit, source)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from urbanfit.parameters.base import param
from urbanfit.parameters.umr import UrbanMobilityParams

__all__ = ["CalibrationParams"]


@dataclass(frozen=True)
class CalibrationParams:
    """Scaling synthetic demand to a target baseline congestion level, and the kei curves."""

    umr: UrbanMobilityParams = field(default_factory=UrbanMobilityParams)
    urban_area: str | None = param(
        None,
        "-",
        "Urban area of the Urban Mobility Report table (`umr.areas`) whose TTI is the baseline "
        "target (set from --urban-area, the preset's urban_area, or found in the place name); "
        "None: the size class's figure.",
    )
    urban_area_basis: str | None = param(
        None,
        "-",
        "How `urban_area` was chosen ('--urban-area', 'the preset', 'found in the place "
        "name'), or why none was (a city outside the US), said with the target in the "
        "summary and report.",
    )
    size_class: str | None = param(
        None,
        "-",
        "Urban-area size class whose mean TTI in the table is the target when no area is "
        "known (set with --baseline-tti CLASS); None: `umr.default_size_class`.",
    )
    target_tti: float | None = param(
        None,
        "-",
        "Baseline peak-hour Travel Time Index the synthetic demand is scaled to (--baseline-tti "
        "NUMBER); None takes the urban area's or the size class's figure. A user OD matrix is "
        "never scaled.",
    )
    tti_tolerance: float = param(
        0.004,
        "-",
        "Numerical: the demand multiplier search stops when the loose-gap TTI is this close "
        "to the target, leaving room within the 0.02 acceptance for the final run's gap.",
    )
    search_rel_gap: float = param(
        1e-3,
        "-",
        "Numerical: relative gap of the assignments that search the demand multiplier; the "
        "TTI moves by far less than the tolerance between gap 1e-3 and the scenario gap.",
    )
    search_max_runs: int = param(
        8, "-", "Numerical: cap on assignments in the demand multiplier search."
    )
    curve_levels: tuple[tuple[str, float], ...] = param(
        (("low", 1.05), ("high", 1.40)),
        "-",
        "Modelling assumption: the other two baseline congestion levels of the kei curve: "
        "TTI 1.05 (a small urban area off-peak, barely congested) and 1.40 (the most "
        "congested US very large areas' peak), bracketing the target.",
    )
    curve_max_links: int = param(
        20_000,
        "links",
        "Run-time rule: above this many assigned links only the target level of the kei "
        "curve is computed (each extra level costs a full set of scenario assignments); the "
        "summary says so.",
    )
    gap_error_factor: float = param(
        15.0,
        "-",
        "Measured on Sioux Falls against its best-known solution (benchmarks/bench_engines.py, "
        "AequilibraE bfw): total travel time off by 8.2 x the measured gap at 1e-4 and 14.3 x "
        "at 1e-5, the gaps city runs use (29 x at 1e-6); a scenario's VHT error is taken as this "
        "factor x gap x VHT, and a kei difference counts as resolved only when it exceeds "
        "the sum of the two runs' errors.",
    )
    delay_floor_share_of_vht: float = param(
        0.01,
        "-",
        "Modelling assumption: a baseline delay below this share of vehicle-hours travelled "
        "means the network is uncongested at that demand; headlines then give absolute "
        "figures, not a percentage change of a near-zero delay.",
    )
