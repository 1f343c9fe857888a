"""Map layers for model results: each reads a result table and draws it, computing nothing."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.models.index import hex_scores
from urbanfit.render.map_base import geojson_layer, summarised
from urbanfit.results import (
    FIT_CATEGORIES,
    CongestionResult,
    FitResult,
    IndexResult,
    ParkingResult,
)
from urbanfit.vehicles import KEI_CLASS, Scenario, ScenarioSet, VehicleCatalog

__all__ = [
    "BINS",
    "DETAIL_EDGES",
    "DETAIL_LIMIT",
    "FIT_COLOURS",
    "LOT_COLOUR",
    "NO_CHANGE",
    "bin_legend",
    "binned_colours",
    "congestion_layer",
    "curb_layer",
    "fit_layer",
    "index_layer",
    "lots_layer",
]

WIDTH_SOURCE_LABELS = {
    "tag": "tag",
    "estimated_geometry": "estimated from buildings",
    "estimated_class": "estimated from lanes and class",
}
"""Plain words for the streets' ``width_source`` values."""
# Colour-vision-deficiency-safe palettes, checked under simulated deuteranopia in
# tests/test_map_colours.py. Sources: Paul Tol, "Colour Schemes", SRON technical note
# SRON/EPS/TN/09-002, issue 3.2 (2021): the "iridescent" and "YlOrBr" sequential schemes, the
# "sunset" diverging scheme and the "bright" scheme's grey #BBBBBB (used for "no change");
# M. Okabe and K. Ito, "Color Universal Design (CUD)" (2008), for the fit categories.
NO_CHANGE = "#BBBBBB"  # Tol "bright" grey: well clear of the map's plain background

# Sequential bins (lower bounds) and colours shared by the "gain" layers.
BINS: dict[str, tuple[tuple[float, str], ...]] = {
    # no gain in grey, then four steps of Tol's "iridescent", in the scheme's order
    "curb_gain_per_100m": (
        (-np.inf, NO_CHANGE),
        (0.5, "#EAF0B5"),
        (2.0, "#9BD2E1"),
        (4.0, "#906388"),
        (6.0, "#46353A"),
    ),
    # Tol "sunset": blues for less congestion, grey for no change, red for more
    "vc_change": (
        (-np.inf, "#364B9A"),
        (-0.10, "#4A7BB7"),
        (-0.05, "#98CAE1"),
        (-0.01, NO_CHANGE),
        (0.01, "#A50026"),
    ),
    # Tol "YlOrBr", five of its nine steps
    "index_score": (
        (-np.inf, "#FFF7BC"),
        (10.0, "#FEC44F"),
        (20.0, "#EC7014"),
        (40.0, "#993404"),
        (60.0, "#662506"),
    ),
}

# Narrow-street fit categories (the model's), most telling first; the last is not drawn.
# Tol "muted" green and wine, Okabe-Ito reddish purple, Tol "bright" grey.
FIT_COLOURS = dict(
    zip(FIT_CATEGORIES, ("#117733", "#882255", "#CC79A7", NO_CHANGE, "#DDDDDD"), strict=True)
)

# Parking lots, outline and fill (Tol "muted" indigo).
LOT_COLOUR = "#332288"

# Size rule: a line layer with more features than this is drawn as H3 hexagons (resolution
# `HEX_RESOLUTION`, about 0.1 km2 each) and its full detail left to layers.gpkg. Measured
# (benchmarks/bench_map.py): Leaflet builds about 15,000 line features a second in headless
# Chromium on the project's machine, so a 500k-edge city's ~1M curb sides would keep the page
# from loading for over a minute; 50,000 is a few seconds.
DETAIL_LIMIT = 50_000
HEX_RESOLUTION = 9
# Above this many street edges the local streets are a separate map layer, off when the map
# opens: at 500k edges (67k ways) drawing them all takes Chromium ~2 s of the page's load.
DETAIL_EDGES = 100_000


def binned_colours(values: pd.Series, bins: tuple[tuple[float, str], ...]) -> pd.Series:
    """
    Colour each value by the bin it falls into (bins are ``(lower bound, colour)``).

    Parameters
    ----------
    values
        Numbers; missing values take the first bin's colour.
    bins
        Ascending lower bounds with their colours.

    Returns
    -------
    colours
        One colour per value.
    """
    bounds = np.array([b for b, _ in bins])
    colours = np.array([c for _, c in bins])
    index = np.searchsorted(bounds, values.fillna(-np.inf).to_numpy(), side="right") - 1
    return pd.Series(colours[np.clip(index, 0, len(bins) - 1)], index=values.index)


def bin_legend(bins: tuple[tuple[float, str], ...], unit: str) -> dict[str, str]:
    """Legend entries ``{"2 – 4 spaces/100 m": colour, ...}`` for a bin table."""
    entries: dict[str, str] = {}
    for i, (lower, colour) in enumerate(bins):
        upper = bins[i + 1][0] if i + 1 < len(bins) else None
        if lower == -np.inf:
            entries[f"below {upper:g} {unit}"] = colour
        elif upper is None:
            entries[f"{lower:g} {unit} or more"] = colour
        else:
            entries[f"{lower:g} – {upper:g} {unit}"] = colour
    return entries


def _street_names(streets: gpd.GeoDataFrame, edge_id: pd.Series) -> np.ndarray:
    """Return the street name of each row's edge (``edge_id`` is the streets' row)."""
    names = streets["name"].fillna("(unnamed)").to_numpy(dtype=object)
    return names[edge_id.to_numpy()]


def _whole(values: pd.Series, *, missing: str) -> pd.Series:
    """Numbers as whole-number text (``"60"``), missing ones as ``missing``."""
    return values.round().astype("Int64").astype("string").fillna(missing)


def curb_layer(
    parking: ParkingResult,
    *,
    streets: gpd.GeoDataFrame,
    scenario: Scenario,
    detail_limit: int | None = None,
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    Curb sides with parking, coloured by spaces gained per 100 m in one scenario.

    Above ``detail_limit`` sides the layer holds H3 hexagons instead, each coloured by the
    spaces gained per 100 m of its curb, and its legend says the detail is in layers.gpkg.

    Parameters
    ----------
    parking
        The parking result.
    streets
        The city's streets (for street names).
    scenario
        The scenario shown (e.g. the headline scenario, ``"100 % kei"``).
    detail_limit
        The most curb sides drawn one by one; `DETAIL_LIMIT` when None.

    Returns
    -------
    layer, legend
        The layer and its legend entries.
    """
    scenario_label = scenario.label
    sides = parking.side_figures(scenario.id)
    shown = sides["status"].eq("parking") | sides["source"].eq("inferred")
    sides = sides[sides["spaces"].notna() & shown]
    if len(sides) > (DETAIL_LIMIT if detail_limit is None else detail_limit):
        return _curb_hexes(sides, scenario_label=scenario_label)
    gained = sides["gained_per_100m"]
    table = gpd.GeoDataFrame(
        {
            "name": _street_names(streets, sides["edge_id"]),
            "side": sides["side"],
            "orientation": sides["orientation"],
            "source": sides["source"],
            "run_usable_m": sides["run_usable_m"].round(0),
            "gained_per_100m": gained.round(1),
        },
        geometry=sides.geometry,
        crs=sides.crs,
    )
    layer = geojson_layer(
        table,
        name=f"Curb parking: spaces gained at {scenario_label}",
        fields={
            "name": "Street",
            "side": "Side",
            "orientation": "Orientation",
            "source": "Figure from",
            "run_usable_m": "Usable curb of this run (m)",
            "gained_per_100m": f"Spaces gained per 100 m at {scenario_label}",
        },
        style={"weight": 4, "opacity": 0.9},
        colours=binned_colours(gained, BINS["curb_gain_per_100m"]),
        merge_by=sides["run_id"],
    )
    return layer, bin_legend(BINS["curb_gain_per_100m"], "spaces/100 m")


def _curb_hexes(
    sides: gpd.GeoDataFrame, *, scenario_label: str
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """Draw the curb of a large city by H3 hexagon: spaces gained per 100 m of its curb."""
    hexes = hex_scores(sides, resolution=HEX_RESOLUTION, value="gained_per_100m")
    gained = hexes["score"].round(1)
    table = gpd.GeoDataFrame(
        {"curb_km": hexes["street_km"].round(2), "sides": hexes["edges"], "gained": gained},
        geometry=hexes.geometry,
        crs=hexes.crs,
    )
    layer = geojson_layer(
        table,
        name=f"Curb parking: spaces gained at {scenario_label} (hexagons)",
        fields={
            "curb_km": "Curb with parking (km)",
            "sides": "Curb sides",
            "gained": f"Spaces gained per 100 m at {scenario_label}",
        },
        style={"weight": 0, "fillOpacity": 0.6},
        colours=binned_colours(gained, BINS["curb_gain_per_100m"]),
    )
    note = (
        f"Drawn by hexagon: {len(sides):,} curb sides are too many to draw one by one. "
        "Every side is in layers.gpkg (layer parking_sides)."
    )
    return summarised(layer, note), bin_legend(BINS["curb_gain_per_100m"], "spaces/100 m")


def lots_layer(
    lots: gpd.GeoDataFrame, parking: ParkingResult | None, catalog: VehicleCatalog
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    Parking lots with a popup of stalls by class and the source of each figure.

    Parameters
    ----------
    lots
        The city's `lots` table.
    parking
        The parking result, or None when the parking model did not run.
    catalog
        The vehicle classes (their labels head the stall rows).

    Returns
    -------
    layer, legend
        The layer and its legend entries.
    """
    capacity = _whole(lots["capacity"], missing="none")
    table = gpd.GeoDataFrame(
        {
            "name": lots["name"].fillna("(unnamed)"),
            "kind": lots["kind"],
            "capacity_tag": capacity,
            "area_m2": lots["area_m2"].round(0),
        },
        geometry=lots.geometry,
        crs=lots.crs,
    )
    fields = {"name": "Lot", "kind": "Kind", "capacity_tag": "Capacity tag"}
    if parking is not None:
        modelled = parking.lots.set_index("lot_id").reindex(lots["lot_id"])
        stalls = parking.lot_class_stalls("stalls").reindex(lots["lot_id"])
        model = parking.lot_class_stalls("model_stalls").reindex(lots["lot_id"])
        for class_id, vehicle_class in catalog.classes.items():
            column = f"stalls {class_id}"
            table[column] = _whole(stalls[class_id], missing="unknown").to_numpy()
            fields[column] = f"Stalls, {vehicle_class.label}"
        table["source"] = modelled["source"].fillna("unknown").to_numpy()
        fields["source"] = "Figure from"
        for class_id, vehicle_class in catalog.classes.items():
            column = f"model {class_id}"
            table[column] = _whole(model[class_id], missing="not modelled").to_numpy()
            fields[column] = f"Model stalls, {vehicle_class.label}"
    layer = geojson_layer(
        table,
        name="Parking lots",
        fields={**fields, "area_m2": "Area (m²)"},
        popup_fields=fields,
        style={"color": LOT_COLOUR, "weight": 1, "fillOpacity": 0.4},
    )
    return layer, {"parking lot": LOT_COLOUR}


def congestion_layer(
    congestion: CongestionResult, *, streets: gpd.GeoDataFrame, scenarios: ScenarioSet
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    Directed links coloured by their V/C change from the baseline to the headline scenario.

    Parameters
    ----------
    congestion
        The congestion result.
    streets
        The city's streets (links are drawn merged along their OSM way where they show the
        same values).
    scenarios
        The run's scenarios (baseline and headline).

    Returns
    -------
    layer, legend
        The layer and its legend entries.
    """
    scenario_label = scenarios.headline.label
    links = congestion.link_figures(scenarios.headline.id)
    base = congestion.link_figures(scenarios.baseline.id)
    change = links["vc_change"].round(2)
    table = gpd.GeoDataFrame(
        {
            "name": _street_names(streets, links["edge_id"]),
            "highway": links["highway"],
            "capacity": links["capacity_pcu_h"].round(0),
            "flow": base["flow_veh_h"].round(0),
            "vc_base": base["vc"].round(2),
            "vc_top": links["vc"].round(2),
            "vc_change": change,
        },
        geometry=links.geometry,
        crs=links.crs,
    )
    layer = geojson_layer(
        table,
        name=f"Congestion: V/C change at {scenario_label}",
        fields={
            "name": "Street",
            "highway": "Class",
            "capacity": "Capacity (PCU/h)",
            "flow": "Flow (veh/h)",
            "vc_base": "V/C, full-size fleet",
            "vc_top": f"V/C, {scenario_label}",
            "vc_change": "V/C change",
        },
        style={"weight": 3, "opacity": 0.8},
        colours=binned_colours(change, BINS["vc_change"]),
        show=False,
        merge_by=_way_and_direction(links, streets),
    )
    return layer, bin_legend(BINS["vc_change"], "V/C")


def _way_and_direction(links: pd.DataFrame, streets: gpd.GeoDataFrame) -> pd.Series:
    """Merge key of directed links: their street's OSM way and their direction on it."""
    ways = streets["osm_id"].to_numpy()[links["edge_id"].to_numpy()]
    key = ways.astype("int64") * 2 + links["reversed"].to_numpy(dtype=bool)
    return pd.Series(key, index=links.index)


def fit_layer(fit: FitResult) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Streets where the vehicle class matters, by which class passes them.

    Drawn: two-way streets full-size vehicles cannot pass two-abreast, and streets they
    cannot pass at all.

    Parameters
    ----------
    fit
        The narrow-street fit result.

    Returns
    -------
    layer, legend
        The layer (off until ticked) and its legend entries; None when no street qualifies.
    """
    edges = fit.edges
    free = fit.edge_classes.pivot(index="edge_id", columns="vehicle_class", values="free_width_m")  # noqa: PD010
    reference = fit.summary["reference_class"]
    category = edges["category"]
    shown = category.ne(FIT_CATEGORIES[-1])
    if not shown.any():
        return None
    edges, category = edges[shown], category[shown]
    free = free.reindex(edges["edge_id"])
    table = gpd.GeoDataFrame(
        {
            "name": edges["name"].fillna("(unnamed)"),
            "category": category,
            "width_m": edges["width_m"].round(2),
            "width_source": edges["width_source"].map(WIDTH_SOURCE_LABELS),
            "free_full": free[reference].round(2).to_numpy(),
            "free_kei": free[KEI_CLASS].round(2).to_numpy(),
        },
        geometry=edges.geometry,
        crs=edges.crs,
    )
    layer = geojson_layer(
        table,
        name="Narrow-street fit",
        fields={
            "name": "Street",
            "category": "Fit",
            "width_m": "Carriageway (m)",
            "width_source": "Width from",
            "free_full": f"Free width, {reference.replace('_', '-')} parked (m)",
            "free_kei": "Free width, kei parked (m)",
        },
        style={"weight": 3, "opacity": 0.9},
        colours=category.map(FIT_COLOURS),
        show=False,
        merge_by=edges["osm_id"],
    )
    return layer, {k: c for k, c in FIT_COLOURS.items() if k != FIT_CATEGORIES[-1]}


def index_layer(
    index: IndexResult, *, scenario_label: str
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    H3 hexagons coloured by the length-weighted Urban Fit score of their streets.

    Parameters
    ----------
    index
        An `IndexResult`.
    scenario_label
        Human label of the scored scenario.

    Returns
    -------
    layer, legend
        The layer (off until ticked) and its legend entries.
    """
    hexes = index.hexes
    table = gpd.GeoDataFrame(
        {
            "h3_cell": hexes["h3_cell"],
            "score": hexes["score"].round(1),
            "street_km": hexes["street_km"].round(2),
            "edges": hexes["edges"],
        },
        geometry=hexes.geometry,
        crs=hexes.crs,
    )
    layer = geojson_layer(
        table,
        name=f"Urban Fit index at {scenario_label} (hexagons)",
        fields={
            "h3_cell": "H3 cell",
            "score": "Urban Fit score (0-100)",
            "street_km": "Street km",
            "edges": "Street edges",
        },
        style={"weight": 1, "color": "#636363", "fillOpacity": 0.55},
        colours=binned_colours(hexes["score"], BINS["index_score"]),
        show=False,
    )
    return layer, bin_legend(BINS["index_score"], "points")
