"""A city's own layers (street widths): how they are matched to OSM edges and checked."""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["WidthInventoryParams"]


@dataclass(frozen=True)
class WidthInventoryParams:
    """Matching a city's street-width layer to OSM street edges."""

    match_max_m: float = param(
        15.0,
        "m",
        "Modelling assumption: an OSM edge takes the width of the nearest line of the "
        "city's layer when that line passes within this distance of the edge's midpoint "
        "(two centreline surveys of one street differ by a few metres; the next parallel "
        "street is a block, 60 m or more, away).",
    )
    max_angle_deg: float = param(
        30.0,
        "degrees",
        "Modelling assumption: the layer's line must run within this angle of the edge, so "
        "a crossing street's width is never taken at an intersection.",
    )
    min_width_m: float = param(
        2.0,
        "m",
        "Plausibility bound: a carriageway narrower than this holds no car (a kei car is "
        "1.48 m wide, Japan's legal limit, before any clearance); a smaller value is taken "
        "for a wrong unit or field and refused.",
    )
    max_width_m: float = param(
        60.0,
        "m",
        "Plausibility bound: no urban carriageway is wider (the widest US boulevards measure "
        "about 50 m kerb to kerb including medians); a larger value is taken for a wrong unit "
        "or field and refused.",
    )
