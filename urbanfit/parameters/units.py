"""Display units: the exact US customary definitions and the rule that picks them for a place.

Every figure is computed and stored in metric units (summary.json's machine fields, tables,
layers.gpkg); only the text a person reads is written in US customary units first, metric
beside, where the place is in the United States (`urbanfit.units`).
"""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["US_OUTLINE", "UnitParams"]

_NIST = (
    "exact by definition (international yard and pound agreement of 1959): NIST Handbook 44 "
    "(2024), Appendix C, and NIST Special Publication 811 (2008), Appendix B.8"
)


@dataclass(frozen=True)
class UnitParams:
    """Conversion factors to metric and the precision of the figures a person reads."""

    foot_m: float = param(0.3048, "m", "international foot = 0.3048 m, " + _NIST)
    mile_m: float = param(1609.344, "m", "international mile = 5,280 ft = 1,609.344 m, " + _NIST)
    acre_m2: float = param(
        4046.8564224,
        "m2",
        "acre = 43,560 sq ft = 4,046.8564224 m2 with the international foot, " + _NIST + "; "
        "the US survey acre (4,046.873 m2) differs by 4 parts per million",
    )
    significant_figures: int = param(
        3,
        "-",
        "significant figures of a length or area a person reads: the model's inputs (tag "
        "widths, class defaults, stall sizes) are rarely known better than to a few per cent, "
        "so a fourth figure would be false precision; display choice",
    )
    feet_below_m: float = param(
        1000.0,
        "m",
        "a single length shorter than this reads in feet (a street's width, a car's curb "
        "length), longer ones in miles; km totals always read in miles; display choice",
    )
    sq_ft_below_m2: float = param(
        4046.8564224,
        "m2",
        "an area smaller than an acre reads in square feet (a stall, the curb per car), "
        "larger ones (lot land) in acres; display choice",
    )


US_OUTLINE: tuple[tuple[tuple[float, float], ...], ...] = (
    # contiguous states: the 49th parallel, the Great Lakes and St. Lawrence boundary, Maine,
    # the coasts well offshore, the Rio Grande and the 1853 Gadsden line to the Pacific
    (
        (-125.5, 48.5),
        (-123.3, 48.2),
        (-123.3, 49.0),
        (-95.15, 49.0),
        (-95.15, 49.4),
        (-94.6, 48.7),
        (-93.0, 48.6),
        (-89.6, 48.0),
        (-88.4, 48.3),
        (-84.9, 46.9),
        (-84.1, 46.3),
        (-83.4, 45.9),
        (-82.4, 45.2),
        (-82.1, 43.6),
        (-82.5, 42.6),
        (-83.1, 42.05),
        (-82.5, 41.7),
        (-80.0, 42.3),
        (-79.0, 42.85),
        (-79.05, 43.3),
        (-76.4, 43.6),
        (-76.2, 44.2),
        (-74.7, 45.0),
        (-71.5, 45.0),
        (-70.3, 45.9),
        (-70.0, 46.7),
        (-69.2, 47.45),
        (-68.2, 47.35),
        (-67.8, 47.05),
        (-67.8, 45.7),
        (-66.9, 44.8),
        (-65.0, 43.0),
        (-69.0, 39.0),
        (-74.0, 35.0),
        (-79.0, 29.0),
        (-79.5, 24.0),
        (-83.0, 24.0),
        (-88.0, 28.5),
        (-97.0, 25.8),
        (-97.5, 25.85),
        (-99.1, 26.4),
        (-100.3, 28.2),
        (-101.4, 29.8),
        (-102.4, 29.8),
        (-103.2, 29.0),
        (-104.5, 29.6),
        (-106.45, 31.75),
        (-108.2, 31.78),
        (-108.2, 31.33),
        (-111.07, 31.33),
        (-114.8, 32.5),
        (-117.12, 32.53),
        (-118.5, 31.5),
        (-126.0, 40.0),
    ),
    # Alaska west of 141 W, and its panhandle
    ((-180.0, 51.0), (-141.0, 51.0), (-141.0, 72.0), (-180.0, 72.0)),
    (
        (-141.0, 60.3),
        (-137.5, 58.9),
        (-133.4, 58.4),
        (-130.0, 55.9),
        (-130.0, 54.6),
        (-134.0, 54.5),
        (-138.0, 57.5),
        (-141.0, 59.5),
    ),
    # Hawaii
    ((-160.8, 18.5), (-154.5, 18.5), (-154.5, 22.5), (-160.8, 22.5)),
)
"""
Coarse outlines (longitude, latitude) of the United States' states, drawn by hand for urbanfit
from the International Boundary Commission's US-Canada boundary and the International
Boundary and Water Commission's US-Mexico boundary at about 10-30 km accuracy. They decide the
default display units of a place without a preset country: a place within a few km of the
border (Detroit and Windsor, El Paso and Ciudad Juarez) may be judged wrongly; ``--units``
overrides.
"""
