"""Low and high ends of the parameters behind the headline ranges (`urbanfit.models.ranges`).

Lengths in metres. Each headline figure is recomputed with the low and the high end of these
parameters; ranges of inputs the city tables already carry are not repeated here: street widths
(``width_low_m`` / ``width_high_m``, see `urbanfit.parameters.streets.WidthParams`) and lot kei
ratios (``kei_ratio_low`` / ``kei_ratio_high``, see `urbanfit.parameters.parking.LotParams`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from urbanfit.errors import ConfigError
from urbanfit.parameters.base import param
from urbanfit.parameters.parking import FT

__all__ = ["EstimateErrorParams", "RangeParams"]

_GAP = (
    "modelling assumption: the central 1.0 m gap is close to the 0.9 m that a 22 ft (6.71 m) US "
    "parallel stall leaves around a 19 ft (5.79 m) AASHTO passenger-car design vehicle "
    "(urbanfit.parameters.parking.CurbParams.parallel_gap_m); no survey of gaps on unmarked "
    "curbs was found, so the range brackets it on both sides: "
)
_UVC = (
    "the Uniform Vehicle Code sec. 11-1003 no-parking distances (15 ft from a fire hydrant, "
    "20 ft from a crosswalk at an intersection, 30 ft before a stop sign or traffic signal)"
)


_SURVEY = (
    "measured, not a setting: the curb estimate (urbanfit.models.parking.estimate) against "
    "the CurbLR field survey of downtown Portland, OR, west half (../shared/data/curb), on the "
    "OpenStreetMap extract that covers it (../shared/data/osm/portland-central.osm.pbf), "
    "3.6 km of curb on 113 sides, rules in force on a weekday at 12:00, compared metre by "
    "metre (python benchmarks/bench_curb_estimate.py); "
)


@dataclass(frozen=True)
class EstimateErrorParams:
    """
    The curb estimate's own error, measured on a real US curb survey; widens estimated figures.

    A curb figure that rests on estimated sides is quoted between ``low_factor`` and
    ``high_factor`` times its estimated part (the mapped part is unchanged): what the survey
    says the true curb is, per estimated unit, by length and by spaces.
    """

    precision_share: float = param(
        0.390,
        "-",
        _SURVEY + "share of the curb length the estimate calls parked that the survey calls "
        "parkable (by length)",
    )
    recall_share: float = param(
        0.926,
        "-",
        _SURVEY + "share of the survey's parkable curb length that the estimate also calls "
        "parked (by length)",
    )
    spaces_ratio: float = param(
        2.29,
        "-",
        _SURVEY + "the estimate's curb spaces per km over the surveyed parkable curb's, at the "
        "full-size fleet's parallel pitch (104.0 against 45.4 per km: 2.29, it puts 129 % more "
        "spaces there than the survey allows; downtown curb goes to loading, no standing, no "
        "parking and construction, which OSM does not map, and to light rail on two streets "
        "whose tracks the extract leaves out)",
    )

    def __post_init__(self) -> None:
        for name in ("precision_share", "recall_share", "spaces_ratio"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0 and (name == "spaces_ratio" or value <= 1)):
                raise ConfigError(
                    f"estimate error {name} must be a positive number"
                    f"{'' if name == 'spaces_ratio' else ' at most 1'}; got {value!r}"
                )

    @property
    def length_factor(self) -> float:
        """Surveyed parkable length per estimated parked length: precision / recall."""
        return self.precision_share / self.recall_share

    @property
    def spaces_factor(self) -> float:
        """Surveyed spaces per estimated space: 1 / spaces ratio."""
        return 1.0 / self.spaces_ratio

    @property
    def low_factor(self) -> float:
        """The smaller of the two survey factors and 1: the low end of an estimated part."""
        return min(self.length_factor, self.spaces_factor, 1.0)

    @property
    def high_factor(self) -> float:
        """The larger of the two survey factors and 1: the high end of an estimated part."""
        return max(self.length_factor, self.spaces_factor, 1.0)


@dataclass(frozen=True)
class RangeParams:
    """
    Parameter ends for the low / central / high range of every headline figure.

    The central value of each parameter is the model default; a figure's low and high are the
    smallest and largest values it takes over the central run and the runs at these ends.
    """

    parallel_gap_low_m: float = param(
        0.6,
        "m",
        _GAP + "0.6 m, tight parking where drivers manoeuvre bumper to bumper",
    )
    parallel_gap_high_m: float = param(
        1.5,
        "m",
        _GAP + "1.5 m, generous spacing on an unmarked curb",
    )
    intersection_clearance_low_m: float = param(
        round(15 * FT, 4),
        "m",
        "modelling assumption: 15 ft, the shortest of " + _UVC + ", for curbs where the "
        "crosswalk clearance is not kept in practice",
    )
    intersection_clearance_high_m: float = param(
        round(25 * FT, 4),
        "m",
        "modelling assumption: 25 ft, halfway from the 20 ft crosswalk clearance to the 30 ft "
        "before a stop sign or signal of " + _UVC + ", as not every junction end is signed",
    )

    estimate: EstimateErrorParams = field(default_factory=EstimateErrorParams)

    def __post_init__(self) -> None:
        pairs = (
            ("parallel_gap", self.parallel_gap_low_m, self.parallel_gap_high_m),
            (
                "intersection_clearance",
                self.intersection_clearance_low_m,
                self.intersection_clearance_high_m,
            ),
        )
        for name, low, high in pairs:
            if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
                raise ConfigError(
                    f"range {name} must be two non-negative numbers, low <= high; "
                    f"got {low!r} and {high!r}"
                )
