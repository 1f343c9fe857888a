"""Street defaults used when OSM tags are missing: lanes, lane width, free-flow speed."""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["StreetParams"]

_ASSUMED = "modelling assumption, used only where the OSM tag is missing (flagged as defaulted)"


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
