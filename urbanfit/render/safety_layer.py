"""The map's safety layer: per street, the pedestrian death risk per crash at each kei share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.models.hexes import scenario_hexes
from urbanfit.models.safety import MPH, SafetyResult
from urbanfit.render import layers
from urbanfit.render.feature_text import number_text, scenario_text
from urbanfit.render.map_base import geojson_layer, scenario_values, summarised
from urbanfit.render.palette import (
    NO_CHANGE,
    SAFETY_COLOURS,
    bin_legend,
    sequential_bins,
    union_breaks,
)
from urbanfit.units import Units
from urbanfit.vehicles import ScenarioSet

__all__ = ["SafetyFigures", "safety_figures", "safety_layer", "safety_note"]

_NOTE = (
    "Relative risks per crash, not crash counts: of 100 pedestrians struck at the street's "
    "speed, how many fewer would die with the kei share's front ends than with today's. How "
    "often crashes happen is not modelled."
)
_NOTE_LINES = " Thick lines: crossings or bus stops mapped nearby."

_UNIT = "fewer"
_START = 0.1  # fewer deaths per 100 struck under this (one decimal shown): "no change"
# Line widths (px): streets with crossings or bus stops mapped nearby are drawn thicker.
_WIDTH_EXPOSED, _WIDTH_OTHER = 5.0, 2.5

SafetyLegends = list[tuple[str, dict[str, str], tuple[int, ...]]]


@dataclass(frozen=True)
class SafetyFigures:
    """
    Each scenario's per-street figures as the layer shows them, and the colour bins.

    Attributes
    ----------
    risk_pct
        Per scenario (in order), the probability of death of a struck pedestrian per crash on
        each edge, in % (deaths per 100 pedestrians struck).
    fewer
        Per scenario, how many fewer deaths per 100 pedestrians struck than with today's
        fleet (``risk_pct`` of the baseline less the scenario's): what colours the street.
    lower_pct
        Per scenario, how much lower the risk is than today's fleet's, in % of today's.
    kei_driver_pct
        Per scenario, how much higher a kei driver's death risk per two-vehicle crash is than
        the average driver's of today's fleet (%): the same on every street; None without kei.
    bins
        Lower bounds and colours of ``fewer``, on breaks taken from every scenario.
    """

    risk_pct: list[np.ndarray]
    fewer: list[np.ndarray]
    lower_pct: list[np.ndarray]
    kei_driver_pct: list[float | None]
    bins: tuple[tuple[float, str], ...]


def safety_figures(safety: SafetyResult, scenarios: ScenarioSet) -> SafetyFigures:
    """
    Return the figures the safety layer draws, read from the safety model's result.

    Parameters
    ----------
    safety
        The safety result (its ``edge_risk`` holds every scenario's per-edge risk).
    scenarios
        The run's scenarios.

    Returns
    -------
    figures
        See `SafetyFigures`.
    """
    base = safety.edge_risk[scenarios.baseline.id].to_numpy(dtype="float64")
    risk, fewer, lower, kei = [], [], [], []
    for scenario in scenarios:
        new = safety.edge_risk[scenario.id].to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            lower.append(np.where(base > 0, 100.0 * (1.0 - new / base), np.nan))
        risk.append(100.0 * new)
        fewer.append(100.0 * (base - new))
        ratio = safety.summary["scenarios"][scenario.id].get("kei_driver_risk_ratio")
        kei.append(None if ratio is None else 100.0 * (ratio - 1.0))
    breaks = _share_breaks(fewer[1:], len(SAFETY_COLOURS) - 1)
    bins = ((-np.inf, NO_CHANGE), *sequential_bins(breaks, SAFETY_COLOURS, start=_START))
    return SafetyFigures(risk, fewer, lower, kei, bins)


def _share_breaks(values: list[np.ndarray], count: int) -> tuple[float, ...]:
    """
    One bin table for every share, with a break inside each share's own figures.

    A street's figure grows with the share (the mix is linear in it), so quantiles of the
    pooled figures mostly fall between shares, leaving each share in one colour. Here each
    share gives one break: its smallest shown figure (one decimal) above its median, so its
    slower and faster streets fall on either side. A share whose streets all show one figure
    gives none; more breaks than ``count``: the union's quantiles (`union_breaks`).
    """
    breaks: set[float] = set()
    for share in values:
        shown = np.round(share[np.isfinite(share) & (share >= _START)], 1)
        if not shown.size:
            continue
        above = shown[shown > np.median(shown)]
        if above.size:
            breaks.add(float(above.min()))
    if len(breaks) > count:
        pooled = np.concatenate(values) if values else np.array([])
        return union_breaks(pooled[pooled >= _START], count)
    return tuple(sorted(breaks))


def safety_note(layer: folium.FeatureGroup) -> str:
    """Return the legend's note under the safety layer: how to read it (and its widths)."""
    return _NOTE if getattr(layer, "urbanfit_note", None) else _NOTE + _NOTE_LINES


def _safety_hexes(
    safety: SafetyResult,
    figures: SafetyFigures,
    *,
    streets: gpd.GeoDataFrame,
    scenarios: ScenarioSet,
    units: Units,
) -> tuple[folium.FeatureGroup, SafetyLegends]:
    """Draw a large city's safety figures by H3 hexagon: the street-length mean per cell."""
    edges = safety.edges.assign(length_m=streets["length_m"].to_numpy())
    values = dict(zip(scenarios.ids, figures.fewer, strict=True))
    hexes, tidy = scenario_hexes(
        edges, values, headline=scenarios.headline.id, resolution=layers.HEX_RESOLUTION
    )
    layer = layers.hex_layer(
        hexes,
        tidy,
        scenarios,
        name="Safety: pedestrian risk per crash (hexagons)",
        km=("street_km", "Street length in this hexagon"),  # hex_layer adds km or mi
        count=("edges", "Street segments"),
        shown=("ped_fewer", "Fewer killed per 100 struck (street-length mean)"),
        bins=[figures.bins] * len(scenarios),
        style={"weight": 0, "fillOpacity": 0.6},
        show=False,
        units=units,
    )
    note = (
        f"Drawn by hexagon: {len(edges):,} street edges are too many to draw one by one; the "
        "report names the 10 streets with crossings or bus stops where it helps most."
    )
    return summarised(layer, note), _legends(figures.bins, scenarios)


def _speed_text(speed_kmh: pd.Series, units: Units) -> pd.Series:
    """Speeds as ``"20 mph"`` in US units, ``"32 km/h (20 mph)"`` in metric (Tefft reads mph)."""
    mph = number_text(speed_kmh.to_numpy(dtype="float64") / MPH, 0) + " mph"
    if units == "us":
        return mph
    return number_text(speed_kmh.to_numpy(dtype="float64"), 0) + " km/h (" + mph + ")"


def _legends(bins: tuple[tuple[float, str], ...], scenarios: ScenarioSet) -> SafetyLegends:
    entries = bin_legend(bins, _UNIT)
    first = next(iter(entries))
    entries = {(f"no change ({first})" if k == first else k): c for k, c in entries.items()}
    out: SafetyLegends = [("Safety: today's fleet (0 % kei)", {"no change": NO_CHANGE}, (0,))]
    out.extend(
        (f"Pedestrian deaths per 100 struck, fewer at {s.label}", entries, (k,))
        for k, s in enumerate(scenarios)
        if k > 0
    )
    return out


def safety_layer(
    safety: SafetyResult | None,
    *,
    streets: gpd.GeoDataFrame,
    scenarios: ScenarioSet,
    units: Units = "metric",
) -> tuple[folium.FeatureGroup, SafetyLegends] | None:
    """
    Streets coloured by how much lower a struck pedestrian's death risk per crash is.

    Each street shows, for the chosen kei share, the pedestrian death risk per crash at its
    speed (today → shown), how much lower that is, and a kei driver's death risk per
    two-vehicle crash against today's average driver (the fleet mix's: the same on every
    street, the closing speed cancels). Streets with crossings or bus stops mapped nearby (the
    exposure the city figure is weighted by) are drawn thicker; the count is in the tooltip.

    Parameters
    ----------
    safety
        The safety result, or None when it did not run.
    streets
        The city's streets, row for row with the safety edges: the pieces of one OSM way that
        show the same figures are drawn as one line.
    scenarios
        The run's scenarios: the map opens on the headline's figures, the switch shows any.
    units
        Display units: speeds in mph (``us``) or km/h with mph beside (``metric``).

    Returns
    -------
    drawn
        The layer (off until ticked) and its legend blocks, one per kei share; None when the
        figures are withheld. Above `layers.DETAIL_LIMIT` edges, H3 hexagons (each the
        street-length mean of its streets' figures).
    """
    if safety is None or scenarios.baseline.id not in safety.edge_risk.columns:
        return None
    edges = safety.edges
    if not len(edges):
        return None
    figures = safety_figures(safety, scenarios)
    if len(edges) > layers.DETAIL_LIMIT:
        return _safety_hexes(safety, figures, streets=streets, scenarios=scenarios, units=units)
    blocks = [
        [
            number_text(risk, 1),
            number_text(fewer, 1),
            number_text(lower, 1),
            number_text(np.full(len(edges), np.nan if kei is None else kei), 0),
        ]
        for risk, fewer, lower, kei in zip(
            figures.risk_pct,
            figures.fewer,
            figures.lower_pct,
            figures.kei_driver_pct,
            strict=True,
        )
    ]
    exposure = edges["exposure_points"].to_numpy(dtype="int64")
    names = edges["name"] if "name" in edges.columns else pd.Series(None, index=edges.index)
    table = gpd.GeoDataFrame(
        {
            "name": names.fillna("(unnamed)").to_numpy(),
            "speed": _speed_text(edges["speed_kmh"], units).to_numpy(),
            "exposure": exposure,
            "_s": scenario_text(blocks).to_numpy(),
            "_w": np.where(exposure > 0, _WIDTH_EXPOSED, _WIDTH_OTHER),
        },
        geometry=edges.geometry.to_numpy(),
        crs=edges.crs,
    )
    style: dict[str, Any] = {"weight": _WIDTH_OTHER, "opacity": 0.9}
    layer = geojson_layer(
        table,
        name="Safety: pedestrian risk per crash",
        fields={
            "name": "Street",
            "speed": "Impact speed used (the street's speed)",
            "exposure": "Crossings and bus stops nearby",
        },
        style=style,
        show=False,
        merge_by=pd.Series(streets["osm_id"].to_numpy(), index=table.index),
        carry=("_s", "_w"),
        categories=("speed",),
    )
    scenario_values(
        layer,
        shown={
            "ped_risk": ("pair", 0, "Pedestrians killed per 100 struck, today → shown"),
            "ped_fewer": ("value", 1, "Fewer killed per 100 struck"),
            "ped_lower": ("value", 2, "Pedestrian risk per crash lower by (%)"),
            "kei_driver": (
                "value",
                3,
                "A kei driver's death risk per two-vehicle crash, % above today's average "
                "driver (below 0: lower; the fleet mix's, the same on every street)",
            ),
        },
        colour_by=(1, figures.bins),
    )
    return layer, _legends(figures.bins, scenarios)
