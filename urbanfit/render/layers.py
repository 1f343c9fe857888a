"""Map layers for model results: each reads a result table and draws it, computing nothing."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.render.feature_text import hex_score_blocks, number_text, scenario_text, whole_text
from urbanfit.render.labels import CODE_WORDS, code_words
from urbanfit.render.map_base import geojson_layer, scenario_values
from urbanfit.render.palette import BINS, FIT_COLOURS, LOT_COLOUR, bin_legend
from urbanfit.results import (
    FIT_UNDRAWN,
    CongestionResult,
    FitResult,
    IndexResult,
    ParkingResult,
    scenario_rows,
)
from urbanfit.units import Units, area_m2, in_units, metres, texts
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog

__all__ = [
    "DETAIL_EDGES",
    "DETAIL_LIMIT",
    "congestion_layer",
    "fit_layer",
    "hex_layer",
    "index_layer",
    "lots_layer",
    "street_names",
]

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


def street_names(streets: gpd.GeoDataFrame, edge_id: pd.Series) -> np.ndarray:
    """Return the street name of each row's edge (``edge_id`` is the streets' row)."""
    names = streets["name"].fillna("(unnamed)").to_numpy(dtype=object)
    return names[edge_id.to_numpy()]


def hex_layer(
    hexes: gpd.GeoDataFrame,
    tidy: pd.DataFrame,
    scenarios: ScenarioSet,
    *,
    name: str,
    km: tuple[str, str],
    count: tuple[str, str],
    shown: tuple[str, str],
    bins: str | list[tuple[tuple[float, str], ...]],
    style: dict[str, Any],
    show: bool = True,
    units: Units = "metric",
) -> folium.FeatureGroup:
    """
    H3 hexagons (``street_km``, ``edges``) coloured by each scenario's score in ``tidy``.

    ``km`` and ``count`` name the two tooltip columns and give their labels (the length's
    label without its unit: km, or mi in US ``units``, is added); ``shown`` names
    the score the scenario switch writes, and its label; ``bins`` is its `BINS` entry.
    """
    blocks = hex_score_blocks(tidy, hexes["h3_cell"], scenarios)
    length, unit = in_units(hexes["street_km"].to_numpy(), "km", units)
    table = gpd.GeoDataFrame(
        {
            km[0]: np.round(length, 2),
            count[0]: hexes["edges"],
            "_s": scenario_text(blocks).to_numpy(),
        },
        geometry=hexes.geometry,
        crs=hexes.crs,
    )
    layer = geojson_layer(
        table,
        name=name,
        fields={km[0]: f"{km[1]} ({unit})", count[0]: count[1]},
        style=style,
        show=show,
        carry=("_s",),
    )
    tables = [BINS[bins]] * len(scenarios) if isinstance(bins, str) else bins
    scenario_values(
        layer, shown={shown[0]: ("value", 0, shown[1])}, colour_by=[(0, b) for b in tables]
    )
    return layer


def lots_layer(
    lots: gpd.GeoDataFrame,
    parking: ParkingResult | None,
    catalog: VehicleCatalog,
    *,
    scenarios: ScenarioSet,
    units: Units = "metric",
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
    scenarios
        The run's scenarios: each lot carries its spaces in every one.
    units
        Units of the lot's area in the tooltip (`urbanfit.units`).

    Returns
    -------
    layer, legend
        The layer and its legend entries.
    """
    capacity = whole_text(lots["capacity"], missing="not tagged")
    point = lots["is_point"].to_numpy(dtype=bool)
    land, land_unit = in_units(lots["area_m2"].to_numpy() / 10_000.0, "ha", units)
    table = gpd.GeoDataFrame(
        {
            "name": lots["name"].fillna("(unnamed)"),
            "kind": lots["kind"].str.replace("_", " ", regex=False),
            "capacity_tag": capacity,
            "area": np.where(
                point, "no outline (mapped as a point)", texts(lots["area_m2"], units, area_m2)
            ),
            "_na": np.where(point, np.nan, np.round(land, 4)),
        },
        geometry=lots.geometry,
        crs=lots.crs,
    )
    fields = {"name": "Lot", "kind": "Kind", "capacity_tag": "Capacity tag in OSM"}
    numbers: dict[str, tuple[str | None, str]] = {
        "area": ("_na", f"Lot area ({land_unit})"),
        "capacity_tag": (None, "Capacity tag in OSM"),
    }
    carry: tuple[str, ...] = ("_na",)
    if parking is not None:
        modelled = parking.lots.set_index("lot_id").reindex(lots["lot_id"])
        stalls = parking.lot_class_stalls("stalls").reindex(lots["lot_id"])
        model = parking.lot_class_stalls("model_stalls").reindex(lots["lot_id"])
        for class_id, vehicle_class in catalog.classes.items():
            column = f"stalls {class_id}"
            table[column] = whole_text(stalls[class_id], missing="unknown").to_numpy()
            fields[column] = f"Stalls, {vehicle_class.label}"
            numbers[column] = (None, fields[column])
        source = code_words("lot_source", modelled["source"].fillna("unknown"))
        table["source"] = source.to_numpy()
        fields["source"] = "Figure from"
        for class_id, vehicle_class in catalog.classes.items():
            column = f"model {class_id}"
            table[column] = whole_text(model[class_id], missing="not counted").to_numpy()
            fields[column] = f"Counted from the outline, {vehicle_class.label}"
            numbers[column] = (None, fields[column])
        blocks = [
            [
                number_text(
                    parking.lot_figures(s.id).set_index("lot_id")["spaces"].reindex(lots["lot_id"]),
                    0,
                )
            ]
            for s in scenarios
        ]
        table["_s"] = scenario_text(blocks).to_numpy()
        carry = ("_s", *carry)
    layer = geojson_layer(
        table,
        name="Parking lots",
        # the tooltip short (one figure per basis: the spaces row the switch writes); the
        # stall counts by class, and the counts from the outline, in the click popup
        fields={k: v for k, v in fields.items() if not k.startswith(("stalls ", "model "))}
        | {"area": "Area"},
        popup_fields=fields,
        style={"color": LOT_COLOUR, "weight": 1, "fillOpacity": 0.4},
        carry=carry,
        categories=("kind", "source") if parking is not None else ("kind",),
        numbers=numbers,
    )
    if parking is not None:
        label = "Spaces, full-size fleet → kei share shown"
        scenario_values(layer, shown={"spaces": ("pair", 0, label)})
    return layer, {"parking lot": LOT_COLOUR}


def congestion_layer(
    congestion: CongestionResult, *, streets: gpd.GeoDataFrame, scenarios: ScenarioSet
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    Directed links coloured by their V/C change from the baseline; every scenario carried.

    Parameters
    ----------
    congestion
        The congestion result.
    streets
        The city's streets (links are drawn merged along their OSM way where they show the
        same values).
    scenarios
        The run's scenarios: the map opens on the headline's figures, the switch shows any.

    Returns
    -------
    layer, legend
        The layer and its legend entries.
    """
    base = congestion.link_figures(scenarios.baseline.id)
    blocks = [
        [number_text(f["vc"], 2), number_text(f["vc_change"], 2)]
        for f in (scenario_rows(congestion.link_flows, s.id).reindex(base.index) for s in scenarios)
    ]
    table = gpd.GeoDataFrame(
        {
            "name": street_names(streets, base["edge_id"]),
            "highway": base["highway"].str.replace("_", " ", regex=False),
            "capacity": base["capacity_pcu_h"].round(0),
            "flow": base["flow_veh_h"].round(0),
            "_s": scenario_text(blocks).to_numpy(),
        },
        geometry=base.geometry,
        crs=base.crs,
    )
    layer = geojson_layer(
        table,
        name=f"Congestion: V/C change at {scenarios.headline.label}",
        fields={
            "name": "Street",
            "highway": "Class",
            "capacity": "Capacity (cars an hour, peak)",
            "flow": "Traffic today (vehicles an hour, peak)",
        },
        style={"weight": 3, "opacity": 0.8},
        show=False,
        merge_by=_way_and_direction(base, streets),
        carry=("_s",),
        categories=("highway",),
    )
    scenario_values(
        layer,
        shown={
            "vc": ("pair", 0, "Traffic over capacity (V/C), today → kei share shown"),
            "vc_change": ("value", 1, "Change in V/C (below 0: less crowded)"),
        },
        colour_by=(1, BINS["vc_change"]),
    )
    return layer, bin_legend(BINS["vc_change"], "V/C")


def _way_and_direction(links: pd.DataFrame, streets: gpd.GeoDataFrame) -> pd.Series:
    """Merge key of directed links: their street's OSM way and their direction on it."""
    ways = streets["osm_id"].to_numpy()[links["edge_id"].to_numpy()]
    key = ways.astype("int64") * 2 + links["reversed"].to_numpy(dtype=bool)
    return pd.Series(key, index=links.index)


def fit_layer(
    fit: FitResult, *, units: Units = "metric"
) -> tuple[folium.FeatureGroup, dict[str, str]] | None:
    """
    Streets where the vehicle class matters, by which class passes them.

    Drawn: two-way streets full-size vehicles cannot pass two-abreast, and streets they
    cannot pass at all.

    Parameters
    ----------
    fit
        The narrow-street fit result.
    units
        Units of the widths in the tooltip (`urbanfit.units`). The carriageway shown is the
        one the free widths are taken from (``carriageway_m``: a class default plus the parking
        lanes of parked sides), so no free width exceeds it.

    Returns
    -------
    layer, legend
        The layer (off until ticked) and its legend entries; None when no street qualifies.
    """
    edges = fit.edges
    free = fit.edge_classes.pivot(index="edge_id", columns="vehicle_class", values="free_width_m")  # noqa: PD010
    reference = fit.summary["reference_class"]
    category = edges["category"]
    shown = ~category.isin(FIT_UNDRAWN)
    if not shown.any():
        return None
    edges, category = edges[shown], category[shown]
    free = free.reindex(edges["edge_id"])
    widths = {
        "carriageway": edges["carriageway_m"],
        "free_full": free[reference],
        "free_kei": free[KEI_CLASS],
    }
    table = gpd.GeoDataFrame(
        {
            "name": edges["name"].fillna("(unnamed)"),
            "category": code_words("fit_category", category),
            "width_source": code_words("width_source", edges["width_source"]),
        }
        | {key: texts(width, units, metres) for key, width in widths.items()},
        geometry=edges.geometry,
        crs=edges.crs,
    )
    fields = {
        "name": "Street",
        "category": "Fit",
        "carriageway": "Carriageway",
        "width_source": "Width from",
        "free_full": f"Free width, {reference.replace('_', '-')} parked",
        "free_kei": "Free width, kei parked",
    }
    numbers: dict[str, tuple[str | None, str]] = {}
    for key, width in widths.items():  # the downloads' numbers, in the shown unit
        figures, unit = in_units(width.to_numpy(), "m", units)
        table[f"_n{key}"] = np.round(figures, 1)
        numbers[key] = (f"_n{key}", f"{fields[key]} ({unit})")
    layer = geojson_layer(
        table,
        name="Narrow-street fit",
        fields=fields,
        style={"weight": 3, "opacity": 0.9},
        colours=category.map(FIT_COLOURS),
        show=False,
        merge_by=edges["osm_id"],
        carry=tuple(n for n, _ in numbers.values() if n),
        categories=("category", "width_source"),
        numbers=numbers,
    )
    words = CODE_WORDS["fit_category"]
    return layer, {words[k]: c for k, c in FIT_COLOURS.items() if k not in FIT_UNDRAWN}


def index_layer(
    index: IndexResult, *, scenarios: ScenarioSet, units: Units = "metric"
) -> tuple[folium.FeatureGroup, dict[str, str]]:
    """
    H3 hexagons coloured by the length-weighted Urban Fit score of their streets.

    Parameters
    ----------
    index
        An `IndexResult` (its ``scenario_hexes``, when computed, give every scenario).
    scenarios
        The run's scenarios; the map opens on the scored (headline) scenario.
    units
        The display units of the street length in a hexagon.

    Returns
    -------
    layer, legend
        The layer (off until ticked) and its legend entries.
    """
    hexes = index.hexes
    label = scenarios.get(index.scenario_id).label
    tidy = index.scenario_hexes
    if tidy is None:  # the scored scenario only: the others read "unknown"
        tidy = hexes.assign(scenario=index.scenario_id)
    layer = hex_layer(
        hexes,
        tidy,
        scenarios,
        name=f"Urban Fit index at {label} (hexagons)",
        km=("street_km", "Street length in this hexagon"),
        count=("edges", "Street segments"),
        shown=("score", "Urban Fit score (0-100)"),
        bins="index_score",
        style={"weight": 1, "color": "#636363", "fillOpacity": 0.55},
        show=False,
        units=units,
    )
    return layer, bin_legend(BINS["index_score"], "points")
