"""The result's map for a notebook: `build_map`, opened on one layer when asked.

Nothing is drawn here: the map is the one ``map.html`` holds (`urbanfit.render.map.build_map`);
asking for a layer opens the map with that layer and the streets on and the others off (they
stay in the layer control).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium

from urbanfit.errors import ConfigError
from urbanfit.render.map import build_map

if TYPE_CHECKING:
    from urbanfit.results import AnalysisResult

__all__ = ["MAP_LAYERS", "explore_map"]

MAP_LAYERS: dict[str, str] = {
    "streets": "Streets by class",
    "curb": "Curb parking",
    "lots": "Parking lots",
    "congestion": "Congestion",
    "fit": "Narrow-street fit",
    "index": "Urban Fit index",
    "safety": "Safety",
}
"""Layer key of `explore_map` -> the start of the layer's name on the map (`render.layers`)."""


def _overlays(fmap: folium.Map) -> list[folium.FeatureGroup]:
    return [child for child in fmap._children.values() if isinstance(child, folium.FeatureGroup)]


def explore_map(result: AnalysisResult, layer: str | None = None) -> folium.Map:
    """
    Build the result's interactive map, opened on one layer when ``layer`` names one.

    Parameters
    ----------
    result
        The analysis result.
    layer
        None for the map as ``map.html`` opens; else one of `MAP_LAYERS` (``"curb"``,
        ``"lots"``, ``"congestion"``, ``"fit"``, ``"index"``, ``"safety"``, ``"streets"``).

    Returns
    -------
    map
        A folium map; a notebook displays it inline.
    """
    if layer is not None and layer not in MAP_LAYERS:
        raise ConfigError(f"layer must be one of {', '.join(MAP_LAYERS)}; got {layer!r}")
    fmap = build_map(result)
    if layer is None:
        return fmap
    groups = _overlays(fmap)
    wanted = MAP_LAYERS[layer]
    if not any(str(group.layer_name).startswith(wanted) for group in groups):
        raise ConfigError(
            f"the map of {result.city.name} has no {layer} layer (the map's legend says why)"
        )
    keep = (wanted, MAP_LAYERS["streets"])
    for group in groups:
        group.show = str(group.layer_name).startswith(keep)
    return fmap
