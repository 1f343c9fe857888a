"""The map's curb layer: today's curb parking at 0 % kei, the spaces gained at any other share.

Its bins are taken on every share's figures at once (`palette.union_breaks`), so that one
colour means one number at every share; estimated curb (no parking tags in OSM) is dashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.models.hexes import scenario_hexes
from urbanfit.render import layers
from urbanfit.render.compass import side_words
from urbanfit.render.feature_text import number_text, scenario_text
from urbanfit.render.labels import code_words
from urbanfit.render.layers import hex_layer, street_names
from urbanfit.render.map_base import geojson_layer, scenario_values, summarised
from urbanfit.render.palette import (
    CURB_GAIN_COLOURS,
    CURB_SUPPLY_COLOURS,
    NO_CHANGE,
    bin_legend,
    sequential_bins,
    union_breaks,
)
from urbanfit.results import ParkingResult, scenario_rows
from urbanfit.units import Units, in_units
from urbanfit.vehicles import ScenarioSet

__all__ = ["CURB_ESTIMATED_NOTE", "CurbLegends", "CurbStretches", "curb_layer", "curb_stretches"]

CurbLegends = list[tuple[str, dict[str, str], tuple[int, ...]]]
"""Legend blocks that follow the kei share: (title, entries, the scenario indices shown)."""

CURB_ESTIMATED_NOTE = "dashed: estimated curb (no parking tags in OSM); solid: mapped"


def _curb_bins(
    supply: np.ndarray, gain: np.ndarray
) -> tuple[tuple[tuple[float, str], ...], tuple[tuple[float, str], ...]]:
    """Return the curb's bins: today's supply per 100 m, and the gain per 100 m at a share."""
    supply_breaks = union_breaks(np.round(supply, 1), len(CURB_SUPPLY_COLOURS) - 1)
    supply_bins = sequential_bins(supply_breaks, CURB_SUPPLY_COLOURS)
    step = 0.1  # the gain is shown to one decimal: below 0.1 it shows as 0
    pooled = union_breaks(np.round(gain, 1), len(CURB_GAIN_COLOURS) - 1)
    gain_breaks = tuple(b for b in pooled if b > step)
    gain_bins = ((-np.inf, NO_CHANGE), *sequential_bins(gain_breaks, CURB_GAIN_COLOURS, start=step))
    return supply_bins, gain_bins


def _curb_legends(
    supply_bins: tuple[tuple[float, str], ...],
    gain_bins: tuple[tuple[float, str], ...],
    scenarios: ScenarioSet,
    rate: str,
) -> CurbLegends:
    """Give the legend blocks; ``rate`` is the bins' length (``per 100 m``, ``per 100 ft``)."""
    gain = bin_legend(gain_bins, f"more {rate}")
    first = next(iter(gain))
    gain = {("no space gained" if k == first else k): c for k, c in gain.items()}
    legends: CurbLegends = [
        ("Curb parking today (0 % kei)", bin_legend(supply_bins, f"spaces {rate}"), (0,))
    ]
    legends.extend(
        (f"Curb spaces gained at {s.label}", gain, (k,)) for k, s in enumerate(scenarios) if k > 0
    )
    return legends


def _drawn_sides(
    parking: ParkingResult, scenarios: ScenarioSet
) -> tuple[gpd.GeoDataFrame, dict[str, pd.DataFrame]]:
    """Return the curb sides drawn (parking mapped or estimated), each scenario's rows."""
    first = parking.side_figures(scenarios.baseline.id)
    shown = first["status"].eq("parking") | first["source"].eq("inferred")
    keep = (first["spaces"].notna() & shown).to_numpy()
    # each scenario's figures, aligned with the sides as `side_figures` aligns them, without
    # joining the geometry again
    figures = {
        sid: scenario_rows(parking.side_spaces, sid).reindex(first.index)[keep]
        for sid in scenarios.ids
    }
    return first[keep], figures


@dataclass(frozen=True)
class CurbStretches:
    """The drawn curb sides with their stretch's figures in every scenario, and the bins."""

    sides: gpd.GeoDataFrame
    figures: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # spaces, per `rate`, gained/`rate`
    supply_bins: tuple[tuple[float, str], ...]
    gain_bins: tuple[tuple[float, str], ...]
    rate: str = "per 100 m"  # the rates' and bins' length: "per 100 ft" in US units


def curb_stretches(
    parking: ParkingResult, scenarios: ScenarioSet, *, units: Units = "metric"
) -> CurbStretches:
    """
    Return the curb as the map draws it: each side with its stretch's figures, and the bins.

    A stretch (run) holds whole spaces (`curb_spaces`), shared by its sides; the per-100 m
    figures are the stretch's (its spaces or gain over its length), so that every side of it
    shows the same figures and colour. The report's static map uses the same bins.

    Parameters
    ----------
    parking
        The parking result.
    scenarios
        The run's scenarios.
    units
        The display units: the rates (and so the bins, taken on them) are per 100 ft in US
        units, per 100 m in metric.

    Returns
    -------
    stretches
        Sides, per scenario (in order) the arrays (spaces, spaces per 100 m or ft, gained per
        100 m or ft), aligned with the sides, and the supply and gain bins.
    """
    sides, figures = _drawn_sides(parking, scenarios)
    length = sides["length_m"].to_numpy(dtype="float64")
    run = sides["run_id"].to_numpy()
    run_length = pd.Series(length).groupby(run).transform("sum").to_numpy()
    out = []
    for rows in figures.values():
        spaces = rows["spaces"].groupby(run).transform("sum").to_numpy()
        gained = rows["gained"].groupby(run).transform("sum").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            per_100 = np.where(run_length > 0, spaces / run_length * 100.0, np.nan)
            gained_100 = np.where(run_length > 0, gained / run_length * 100.0, np.nan)
        per_100, _ = in_units(per_100, "per 100 m", units)
        gained_100, _ = in_units(gained_100, "per 100 m", units)
        out.append((spaces, per_100, gained_100))
    gains = [g for _, _, g in out[1:]]
    supply_bins, gain_bins = _curb_bins(out[0][1], np.concatenate(gains) if gains else np.array([]))
    return CurbStretches(sides, out, supply_bins, gain_bins, in_units([], "per 100 m", units)[1])


def curb_layer(
    parking: ParkingResult,
    *,
    streets: gpd.GeoDataFrame,
    scenarios: ScenarioSet,
    detail_limit: int | None = None,
    units: Units = "metric",
) -> tuple[folium.FeatureGroup, CurbLegends]:
    """
    Curb stretches with parking: today's spaces per 100 m at 0 % kei, the gain at any other.

    Each stretch of curb (a run: one side of street between interruptions) shows one figure
    on one basis: its spaces in the chosen scenario against today's, and the same per 100 m of
    its length, which picks its colour. Estimated stretches (no parking tags in OSM) are
    dashed. Above ``detail_limit`` sides the layer holds H3 hexagons instead, and its legend
    says the detail is in layers.gpkg.

    Parameters
    ----------
    parking
        The parking result.
    streets
        The city's streets (for street names).
    scenarios
        The run's scenarios: the map opens on the headline's figures, the switch shows any.
    detail_limit
        The most curb sides drawn one by one; `DETAIL_LIMIT` when None.
    units
        The display units of the rates, the bins and the parkable length (`in_units`).

    Returns
    -------
    layer, legends
        The layer and its legend blocks, one per kei share.
    """
    sides, figures = _drawn_sides(parking, scenarios)
    length = sides["length_m"].to_numpy(dtype="float64")
    if len(sides) > (layers.DETAIL_LIMIT if detail_limit is None else detail_limit):
        with np.errstate(divide="ignore", invalid="ignore"):
            today = np.where(length > 0, sides["spaces"].to_numpy() / length * 100.0, np.nan)
        values = {
            sid: today if sid == scenarios.baseline.id else rows["gained_per_100m"].to_numpy()
            for sid, rows in figures.items()
        }
        values = {sid: in_units(v, "per 100 m", units)[0] for sid, v in values.items()}
        return _curb_hexes(sides, values, scenarios=scenarios, units=units)
    stretch = curb_stretches(parking, scenarios, units=units)
    rate = stretch.rate
    usable, usable_unit = in_units(sides["run_usable_m"].to_numpy(), "m", units)
    run = sides["run_id"].to_numpy()
    blocks = [
        [number_text(spaces, 0), number_text(per_100, 1), number_text(gained_100, 1)]
        for spaces, per_100, gained_100 in stretch.figures
    ]
    supply_bins, gain_bins = stretch.supply_bins, stretch.gain_bins
    estimated = sides["source"].str.startswith("inferred").to_numpy()
    table = gpd.GeoDataFrame(
        {
            "name": street_names(streets, sides["edge_id"]),
            "side": side_words(sides).to_numpy(),
            "orientation": code_words("orientation", sides["orientation"]),
            "source": _curb_source_words(sides),
            "run_usable_m": np.round(usable, 0),
            "_s": scenario_text(blocks).to_numpy(),
            "_r": run,  # the area totals count a run drawn in pieces once
            "_d": estimated.astype("int64"),  # drawn dashed, hidden by "mapped curbs only"
        },
        geometry=sides.geometry,
        crs=sides.crs,
    )
    layer = geojson_layer(
        table,
        name="Curb parking",
        fields={
            "name": "Street",
            "side": "Side",
            "orientation": "Parking",
            "source": "Figure from",
            "run_usable_m": f"Parkable length of this stretch ({usable_unit})",
        },
        style={"weight": 4, "opacity": 0.95},
        merge_by=sides["run_id"],
        carry=("_s", "_r", "_d"),
        categories=("side", "orientation", "source"),
    )
    scenario_values(
        layer,
        shown={
            "spaces": ("pair", 0, "Spaces on this stretch, today → kei share shown"),
            "per_100m": ("pair", 1, f"Spaces {rate} of this stretch, today → shown"),
        },
        colour_by=[(1, supply_bins), *((2, gain_bins) for _ in scenarios[1:])],
    )
    return layer, _curb_legends(supply_bins, gain_bins, scenarios, rate)


def _curb_hexes(
    sides: gpd.GeoDataFrame,
    values: dict[str, np.ndarray],
    *,
    scenarios: ScenarioSet,
    units: Units,
) -> tuple[folium.FeatureGroup, CurbLegends]:
    """
    Draw the curb of a large city by H3 hexagon: spaces per 100 m today, or gained.

    ``values`` holds each scenario's figure per side (aligned with ``sides``): today's spaces
    per 100 m (per 100 ft in US units) for the baseline, the gain for the others; every
    scenario's hexagon figure is carried for the switch, the map opening on the headline's.
    """
    top = scenarios.headline
    hexes, tidy = scenario_hexes(sides, values, headline=top.id, resolution=layers.HEX_RESOLUTION)
    base = tidy["scenario"].eq(scenarios.baseline.id)
    supply_bins, gain_bins = _curb_bins(
        tidy.loc[base, "score"].to_numpy(), tidy.loc[~base, "score"].to_numpy()
    )
    rate = in_units([], "per 100 m", units)[1]
    layer = hex_layer(
        hexes,
        tidy,
        scenarios,
        name="Curb parking (hexagons)",
        km=("curb_km", "Curb with parking"),
        count=("sides", "Curb sides"),
        shown=("per_100m", f"Spaces {rate} of curb: today at 0 %, else gained"),
        bins=[supply_bins, *(gain_bins for _ in scenarios[1:])],
        style={"weight": 0, "fillOpacity": 0.6},
        units=units,
    )
    note = (
        f"Drawn by hexagon: {len(sides):,} curb sides are too many to draw one by one. "
        "Every side is in layers.gpkg (layer parking_sides)."
    )
    return summarised(layer, note), _curb_legends(supply_bins, gain_bins, scenarios, rate)


def _curb_source_words(sides: pd.DataFrame) -> pd.Series:
    """Where a side's figure comes from; a side taken from the user's inventory says so."""
    words = code_words("curb_source", sides["source"])
    if "curb_source" not in sides.columns:
        return words
    return words.where(sides["curb_source"].ne("inventory"), "from your curb inventory")
