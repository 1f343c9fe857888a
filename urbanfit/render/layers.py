"""Map layers for model results: each reads a result table and draws it, computing nothing."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.render.map_base import geojson_layer

__all__ = [
    "BINS",
    "FIT_COLOURS",
    "bin_legend",
    "binned_colours",
    "congestion_layer",
    "curb_layer",
    "fit_layer",
    "index_layer",
    "lots_layer",
]

# Sequential bins (lower bounds) and colours shared by the "gain" layers.
BINS: dict[str, tuple[tuple[float, str], ...]] = {
    "curb_gain_per_100m": (
        (-np.inf, "#d9d9d9"),
        (0.5, "#c7e9c0"),
        (2.0, "#74c476"),
        (4.0, "#31a354"),
        (6.0, "#006d2c"),
    ),
    "vc_change": (
        (-np.inf, "#08519c"),
        (-0.10, "#3182bd"),
        (-0.05, "#9ecae1"),
        (-0.01, "#d9d9d9"),
        (0.01, "#de2d26"),
    ),
    "index_score": (
        (-np.inf, "#fff5eb"),
        (10.0, "#fdd0a2"),
        (20.0, "#fd8d3c"),
        (40.0, "#d94801"),
        (60.0, "#7f2704"),
    ),
}

# Narrow-street fit categories, most telling first; the last is not drawn (nothing to see).
FIT_COLOURS = {
    "only kei pass two-abreast": "#e6550d",
    "only kei pass at all": "#a50f15",
    "narrow two-way: full-size single file only": "#9e9ac8",
    "no vehicle passes": "#252525",
    "full-size pass": "#bdbdbd",
}


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


def _top(parking: Any) -> str:
    return str(parking.scenario_ids[-1])


def curb_layer(
    parking: Any, *, streets: gpd.GeoDataFrame, scenario_label: str
) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Curb sides with parking, coloured by spaces gained per 100 m in the last scenario.

    Parameters
    ----------
    parking
        A `ParkingResult`.
    streets
        The city's streets (for street names).
    scenario_label
        Human label of the last scenario (e.g. ``"100 % kei"``).

    Returns
    -------
    layer, legend
        The layer and its legend entries; None when there is nothing to draw.
    """
    top = _top(parking)
    base = parking.baseline_id
    sides = parking.sides
    shown = sides["status"].eq("parking") | sides["source"].eq("inferred")
    sides = sides[sides[f"spaces_{base}"].notna() & shown]
    gained = sides[f"gained_per_100m_{top}"]
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
    return (
        None if layer is None else (layer, bin_legend(BINS["curb_gain_per_100m"], "spaces/100 m"))
    )


def lots_layer(
    lots: gpd.GeoDataFrame, parking: Any | None
) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Parking lots with a popup of stalls by class and the source of each figure.

    Parameters
    ----------
    lots
        The city's `lots` table.
    parking
        A `ParkingResult`, or None when the parking model did not run.

    Returns
    -------
    layer, legend
        The layer and its legend entries; None when there is nothing to draw.
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
        for column, label in (
            ("stalls_full_size", "Stalls, full-size"),
            ("stalls_kei", "Stalls, kei"),
        ):
            table[column] = _whole(modelled[column], missing="unknown").to_numpy()
            fields[column] = label
        table["source"] = modelled["source"].fillna("unknown").to_numpy()
        fields["source"] = "Figure from"
        for column, label in (
            ("model_full_size", "Model stalls, full-size"),
            ("model_kei", "Model stalls, kei"),
        ):
            table[column] = _whole(modelled[column], missing="not modelled").to_numpy()
            fields[column] = label
    layer = geojson_layer(
        table,
        name="Parking lots",
        fields={**fields, "area_m2": "Area (m²)"},
        popup_fields=fields,
        style={"color": "#3f007d", "weight": 1, "fillOpacity": 0.4},
    )
    return None if layer is None else (layer, {"parking lot": "#3f007d"})


def congestion_layer(
    congestion: Any, *, streets: gpd.GeoDataFrame, scenario_id: str, scenario_label: str
) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Directed links coloured by their V/C change from the full-size baseline to a scenario.

    Parameters
    ----------
    congestion
        A `CongestionResult`.
    streets
        The city's streets (links are drawn merged along their OSM way where they show the
        same values).
    scenario_id, scenario_label
        The scenario shown.

    Returns
    -------
    layer, legend
        The layer and its legend entries; None when there is nothing to draw.
    """
    links = congestion.links
    base = congestion.summary["baseline_scenario"]
    change = links[f"vc_change_{scenario_id}"].round(2)
    table = gpd.GeoDataFrame(
        {
            "name": _street_names(streets, links["edge_id"]),
            "highway": links["highway"],
            "capacity": links["capacity_pcu_h"].round(0),
            "flow": links[f"flow_veh_h_{base}"].round(0),
            "vc_base": links[f"vc_{base}"].round(2),
            "vc_top": links[f"vc_{scenario_id}"].round(2),
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
    return None if layer is None else (layer, bin_legend(BINS["vc_change"], "V/C"))


def _way_and_direction(links: pd.DataFrame, streets: gpd.GeoDataFrame) -> pd.Series:
    """Merge key of directed links: their street's OSM way and their direction on it."""
    ways = streets["osm_id"].to_numpy()[links["edge_id"].to_numpy()]
    key = ways.astype("int64") * 2 + links["reversed"].to_numpy(dtype=bool)
    return pd.Series(key, index=links.index)


def _fit_category(edges: pd.DataFrame) -> pd.Series:
    two_way = ~edges["oneway"].to_numpy(dtype=bool)
    full_single = edges["passable_full_size"].to_numpy(dtype=bool)
    full_pair = edges["two_abreast_full_size"].to_numpy(dtype=bool)
    conditions = [
        edges["kei_only_two_way"].to_numpy(dtype=bool),
        edges["kei_only_single"].to_numpy(dtype=bool),
        two_way & full_single & ~full_pair,
        ~full_single & ~edges["passable_kei"].to_numpy(dtype=bool),
    ]
    names = list(FIT_COLOURS)
    return pd.Series(np.select(conditions, names[:4], default=names[4]), index=edges.index)


def fit_layer(fit: Any) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Streets where the vehicle class matters, by which class passes them.

    Drawn: two-way streets full-size vehicles cannot pass two-abreast, and streets they
    cannot pass at all.

    Parameters
    ----------
    fit
        A `FitResult`.

    Returns
    -------
    layer, legend
        The layer (off until ticked) and its legend entries; None when no street qualifies.
    """
    edges = fit.edges
    category = _fit_category(edges)
    shown = category.ne("full-size pass")
    if not shown.any():
        return None
    edges, category = edges[shown], category[shown]
    table = gpd.GeoDataFrame(
        {
            "name": edges["name"].fillna("(unnamed)"),
            "category": category,
            "width_m": edges["width_m"].round(2),
            "width_defaulted": edges["width_defaulted"].map({True: "default", False: "tag"}),
            "free_full": edges["free_width_full_size_m"].round(2),
            "free_kei": edges["free_width_kei_m"].round(2),
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
            "width_defaulted": "Width from",
            "free_full": "Free width, full-size parked (m)",
            "free_kei": "Free width, kei parked (m)",
        },
        style={"weight": 3, "opacity": 0.9},
        colours=category.map(FIT_COLOURS),
        show=False,
        merge_by=edges["osm_id"],
    )
    if layer is None:
        return None
    return layer, {k: c for k, c in FIT_COLOURS.items() if k != "full-size pass"}


def index_layer(
    index: Any, *, scenario_label: str
) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
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
        The layer (off until ticked) and its legend entries; None when there is nothing to draw.
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
    return None if layer is None else (layer, bin_legend(BINS["index_score"], "points"))
