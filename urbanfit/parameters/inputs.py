"""Bounds on what a user may type: the sizes and flows physics allows, and near-miss preset names.

A value outside these bounds is refused with the bound's reason, before it can reach a model
(a 1e-9 m stall would make the lot packer allocate hundreds of GiB; 1e12 trips an hour would
be assigned and headlined). Lengths in metres, flows in vehicles per peak hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["InputBounds"]

_PEEL = (
    "the Peel P50 (Peel Engineering, 1962-65), recognised by Guinness World Records in 2010 as "
    "the smallest production car: 1.34 m long, 0.99 m wide, 1.0-1.2 m high (manufacturer "
    "figures as reported by the press), rounded down"
)
_EU = (
    "Council Directive 96/53/EC, Annex I (maximum authorised dimensions of road vehicles in "
    "the EU); the US federal width limit, 102 in = 2.59 m (23 CFR 658.15), is within it"
)


@dataclass(frozen=True)
class InputBounds:
    """The smallest and largest road vehicle, the flows a zone pair can carry, and typo help."""

    min_length_m: float = param(1.3, "m", "shortest road vehicle: " + _PEEL)
    max_length_m: float = param(12.0, "m", "longest rigid motor vehicle, 12.00 m: " + _EU)
    min_width_m: float = param(0.9, "m", "narrowest road car: " + _PEEL)
    max_width_m: float = param(
        2.6, "m", "widest road vehicle, 2.60 m (conditioned bodies; 2.55 m others): " + _EU
    )
    min_height_m: float = param(0.9, "m", "lowest road car: " + _PEEL)
    max_height_m: float = param(4.0, "m", "highest road vehicle, 4.00 m: " + _EU)
    max_turning_radius_m: float = param(
        12.5,
        "m",
        "every motor vehicle must turn within a swept circle of outer radius 12.50 m: " + _EU,
    )
    max_trips_per_pair: float = param(
        100_000.0,
        "veh/h",
        "more than 40 freeway lanes carry at capacity (2,400 pc/h/ln, HCM 6th ed. basic "
        "freeway segment at 70 mph free-flow speed, the highest lane capacity in the HCM), over "
        "twice the widest freeway cross-section built (Katy Freeway, Houston: 26 lanes with its "
        "frontage roads); no zone pair's trips in one hour can exceed what the roads between "
        "them carry",
    )
    max_trips_total: float = param(
        10_000_000.0,
        "veh/h",
        "more vehicles than the largest US county has registered (Los Angeles County, about "
        "8 million, California DMV estimated vehicles registered by county), all on the road in "
        "the same hour",
    )
    preset_typo_ratio: float = param(
        0.8,
        "-",
        "modelling assumption: a name without a comma whose slug is this similar to a preset's "
        "(difflib.SequenceMatcher ratio, 2 x matching characters / total characters) is taken "
        "for a typo of the preset and the run stops to ask; one wrong, missing or extra letter "
        "in a name of 5 letters or more scores at least 0.8 (kyoto/kyofo: 2 x 4 / 10), while a "
        "place name with its country (a comma) always goes to the geocoder",
    )

    def vehicle_spans(self) -> dict[str, tuple[float, float, str]]:
        """
        Return (low, high, reason) of every size in a vehicles file, in metres, by TOML key.

        Stall and aisle bounds follow from the vehicle bounds: a stall holds one vehicle.
        """
        stall_width = (
            self.min_width_m,
            2 * self.max_width_m,
            "a stall holds one vehicle: no narrower than the narrowest road car, no wider than two "
            "of the widest vehicles side by side",
        )
        return {
            "length_m": (
                self.min_length_m,
                self.max_length_m,
                "from the shortest road car built to the longest rigid vehicle allowed on EU roads",
            ),
            "width_m": (
                self.min_width_m,
                self.max_width_m,
                "from the narrowest road car built to the widest vehicle allowed on EU roads",
            ),
            "height_m": (
                self.min_height_m,
                self.max_height_m,
                "from the lowest road car built to the highest vehicle allowed on EU roads",
            ),
            "curb_stall_width_m": stall_width,
            "lot_stall_width_m": stall_width,
            "lot_stall_depth_m": (
                self.min_length_m,
                2 * self.max_length_m,
                "a stall holds one vehicle: no shorter than the shortest road car, no deeper than "
                "two of the longest vehicles nose to tail",
            ),
            "lot_aisle_m": (
                self.min_width_m,
                2 * self.max_length_m,
                "vehicles drive along it: no narrower than the narrowest road car; wider than "
                "two of the longest vehicles end to end it is a road, not an aisle",
            ),
        }
