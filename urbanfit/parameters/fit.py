"""Narrow-street fit and Urban Fit index defaults: clearances, parked widths, weights, caps.

Lengths in metres. Every value carries its unit and source (`param`); where no standard gives the
number it is labelled a modelling assumption and the reasoning is stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from urbanfit.errors import ConfigError
from urbanfit.parameters.base import param
from urbanfit.parameters.parking import FT
from urbanfit.parameters.streets import CARRIAGEWAY_SHARE

__all__ = ["MOVING_WIDTH_RULES", "FitParams", "IndexParams"]

MOVING_WIDTH_RULES = ("widest", "mean")
"""How a class's moving-vehicle width is taken from its fleet mix."""

_JP_ONE_LANE = (
    "derived from Japan's Road Structure Ordinance (道路構造令, Cabinet Order 320 of 1970): "
    "art. 5(4) sets the carriageway of a one-lane road (class 3 grade 5, class 4 grade 4) at "
    "4.0 m, which the MLIT commentary on the ordinance explains as the width at which two "
    "passenger cars can pass each other; its small design vehicle (art. 4) is 1.7 m wide, so "
    "4.0 - 2 x 1.7 = 0.6 m of total lateral clearance for slow two-abreast passing"
)


@dataclass(frozen=True)
class FitParams:
    """
    Narrow-street fit geometry.

    Free carriageway width of an edge = carriageway width minus, for every parked side, the
    parked vehicle's width times the share of it that stands in the carriageway. Where the width
    is a class estimate (``width_source == "estimated_class"``), which holds parking lanes only
    on mapped parking sides, each side the parking model inferred as parked first adds
    ``default_parking_lane_m`` times the same share. Diagonal and perpendicular
    parking is taken to lie outside the carriageway in both cases (bays or a parking row beside
    the travel way: OSM ``width`` of such a street measures the travel way, and the default width
    never includes parking), so it takes and adds nothing.
    """

    passing_clearance_m: float = param(
        0.3,
        "m",
        "lateral gap between two vehicles passing each other (body to body, mirrors excluded "
        "from the widths): half of the 0.6 m total " + _JP_ONE_LANE + "; the even split of "
        "that total (0.3 m between the vehicles, 0.15 m to each edge) is a modelling assumption",
    )
    edge_clearance_m: float = param(
        0.15,
        "m",
        "lateral gap between a moving vehicle and each edge of the free width (a kerb or the "
        "side of a parked vehicle): a quarter of the 0.6 m total " + _JP_ONE_LANE + "; the split "
        "is a modelling assumption",
    )
    curb_gap_m: float = param(
        round(FT, 4),
        "m",
        "gap between a parallel-parked vehicle and the kerb, added to its width: the Uniform "
        "Vehicle Code sec. 11-1003 limit (right-hand wheels within 12 in = 0.3048 m of the "
        "kerb), adopted by most US states; the legal maximum, so a conservative choice",
    )
    carriageway_share: tuple[tuple[str, float], ...] = param(
        CARRIAGEWAY_SHARE,
        "-",
        "share of a parallel-parked vehicle's width (plus curb gap) inside the carriageway, by "
        "OSM parking position (OSM wiki Key:parking: lane = on the carriageway, half_on_kerb = "
        "half on the sidewalk, on_kerb = fully on the sidewalk, street_side = bays beside the "
        "carriageway, shoulder = on the shoulder); '*' = position untagged, read as lane (the "
        "old schema's default position on_street); the half share is a modelling assumption",
    )
    default_parking_lane_m: float = param(
        round(8 * FT, 4),
        "m",
        "width of a parallel parking lane, added per parked side (times its carriageway share) "
        "where the carriageway width is a class default, since the default counts travel lanes "
        "only (urbanfit.parameters.streets.StreetParams.lane_width_m): 8 ft, the middle of the "
        "7-9 ft of the NACTO Urban Street Design Guide and the parallel stall width of the "
        "Portsmouth, VA parking dimension table",
    )
    moving_width: str = param(
        "widest",
        "-",
        "moving-vehicle width of a class: 'widest' = the widest profile of its fleet mix (the "
        "design-vehicle principle of the AASHTO Green Book: a street must serve the largest "
        "vehicle that commonly uses it), 'mean' = the share-weighted mean width; parked "
        "vehicles always use the share-weighted mean width (a parked row is a random mix)",
    )

    def __post_init__(self) -> None:
        if self.moving_width not in MOVING_WIDTH_RULES:
            raise ConfigError(
                f"fit moving_width must be one of {', '.join(MOVING_WIDTH_RULES)}, "
                f"got {self.moving_width!r}"
            )
        for name in (
            "passing_clearance_m",
            "edge_clearance_m",
            "curb_gap_m",
            "default_parking_lane_m",
        ):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"fit {name} must be a non-negative number, got {value!r}")

    def share_of(self, position: str) -> float:
        """Carriageway share of a parking position, else the ``"*"`` fallback."""
        values = dict(self.carriageway_share)
        return values.get(position, values.get("*", 1.0))


_WEIGHTS = (
    "modelling assumption: parking space is the most direct and best-mapped gain, so it gets "
    "the largest weight; congestion relief and narrow-street fit share the rest equally. "
    "Weights sum to 1; without a congestion result the other two are rescaled to sum to 1"
)


@dataclass(frozen=True)
class IndexParams:
    """
    Urban Fit index: weights of its three parts, the caps that score 100, and the hex grid.

    Each part is scaled to 0-100 (value / cap x 100, clipped); the index is their weighted sum.
    """

    weight_parking: float = param(0.4, "-", _WEIGHTS)
    weight_congestion: float = param(0.3, "-", _WEIGHTS)
    weight_fit: float = param(0.3, "-", _WEIGHTS)
    parking_gain_cap_per_100m: float = param(
        12.0,
        "spaces per 100 m of street",
        "curb spaces gained per 100 m of street (both sides) that score 100: about the all-kei "
        "gain of a street parallel-parked on both sides with the default curb geometry, "
        "2 x (100 / 4.40 - 100 / 5.98) = 12.0 (kei pitch 3.40 + 1.0 m, US new-sales mean "
        "pitch 4.98 + 1.0 m); modelling assumption",
    )
    vc_relief_cap: float = param(
        0.10,
        "V/C",
        "reduction of the volume-to-capacity ratio on a street (mean over its directions) that "
        "scores 100: a tenth of capacity, about what an all-kei fleet frees on a street near "
        "capacity; modelling assumption",
    )
    fit_score_two_abreast: float = param(
        100.0,
        "points",
        "fit points of a two-way street that kei vehicles pass two-abreast and full-size "
        "vehicles do not; scaled by the scenario's kei share; modelling assumption",
    )
    fit_score_single: float = param(
        50.0,
        "points",
        "fit points of a street that a kei vehicle passes (one at a time) and a full-size "
        "vehicle does not; scaled by the scenario's kei share; modelling assumption",
    )
    h3_resolution: int = param(
        9,
        "-",
        "H3 resolution of the index hexagons: resolution 9 cells have a mean area of about "
        "0.105 km2 and an edge of about 0.2 km (Uber H3 documentation, table of cell statistics "
        "by resolution), a few blocks each; display choice",
    )

    def __post_init__(self) -> None:
        weights = (self.weight_parking, self.weight_congestion, self.weight_fit)
        if any(not (math.isfinite(w) and w >= 0) for w in weights):
            raise ConfigError(f"index weights must be non-negative numbers, got {weights}")
        if abs(sum(weights) - 1.0) > 1e-6:
            raise ConfigError(f"index weights must sum to 1, got {sum(weights):.4f}")
        caps = (self.parking_gain_cap_per_100m, self.vc_relief_cap)
        if any(not (math.isfinite(c) and c > 0) for c in caps):
            raise ConfigError(f"index caps must be positive numbers, got {caps}")
        scores = (self.fit_score_two_abreast, self.fit_score_single)
        if any(not (0 <= s <= 100) for s in scores):
            raise ConfigError(f"index fit scores must lie in 0-100, got {scores}")
        if not (isinstance(self.h3_resolution, int) and 0 <= self.h3_resolution <= 15):
            raise ConfigError(f"h3_resolution must be an integer 0-15, got {self.h3_resolution}")
