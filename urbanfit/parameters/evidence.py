"""What the congestion figures must rest on before they are headlined.

Synthetic demand is built from the buildings of the extract and then multiplied to reach a
published baseline congestion level. When the extract holds too few buildings, or the
multiplier is far from 1, the delay figures say more about the multiplier than about the
city: the delay headline is then withheld with the reason (the capacity gain per road class,
which rests on the vehicles alone, still shows). A solver that stops close to its gap target
keeps its figures with the gap it reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["EvidenceParams"]


@dataclass(frozen=True)
class EvidenceParams:
    """Bounds under which synthetic demand, and a solver near miss, still carry a headline."""

    min_buildings_count: int = param(
        30,
        "buildings",
        "Modelling assumption: the demand needs trip ends in most of its zones, and the "
        "model makes at least 30 zones (`DemandParams.min_zones`); with fewer buildings than "
        "zones most zones produce and attract nothing, and the trip pattern is that of a "
        "handful of buildings, not of the city (the Portland extract, filtered for routing, "
        "has 1 building on 694 street-km).",
    )
    min_floor_area_m2_per_street_km: float = param(
        2000.0,
        "m2 per street-km",
        "Modelling assumption: about one tenth of a street lined on both sides with "
        "single-family houses (some 120 houses of about 150 m2 per street-km with 15-18 m "
        "frontages: roughly 18,000 m2 per km); below it the extract cannot hold the "
        "buildings that make the traffic on its streets (buildings filtered out or not "
        "mapped). Measured on the shared extracts: Helsinki centre about 80,000, Seattle "
        "Roosevelt about 31,000, Portland central about 1.3.",
    )
    demand_scale_band: tuple[float, float] = param(
        (0.1, 10.0),
        "-",
        "Modelling assumption: the multiplier that brings the synthetic trips to the target "
        "Travel Time Index stands for what the US trip rates miss: a lower car mode share "
        "(ITE counts suburban US sites where nearly every trip is by car; dense centres see "
        "a quarter of that or less) and through traffic from outside the extract. One order "
        "of magnitude either way covers both; beyond it the demand is the target's, not "
        "the buildings', and the delay change is not headlined. Measured: Helsinki 0.97, "
        "Seattle Roosevelt 3.1, Columbus about 0.18, Portland central 721.",
    )
    accept_rel_gap: float = param(
        1e-4,
        "-",
        "DESIGN.md: assignments to relative gap 1e-4 or better; at 1e-4 total travel time "
        "is within about 0.07 % of the best-known solution (measured on Sioux Falls). A "
        "scenario run that stops at its iteration cap above its (tighter) target but at or "
        "below this gap keeps its figures, with the gap reached stated beside them; above "
        "it the congestion model reports that it did not converge.",
    )
