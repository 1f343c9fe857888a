"""The interactive folium map (``map.html``): base streets plus one layer per model result."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import Fullscreen
from folium.utilities import JsCode

from urbanfit.render.labels import counted
from urbanfit.render.layers import (
    DETAIL_EDGES,
    congestion_layer,
    curb_layer,
    fit_layer,
    index_layer,
    lots_layer,
)
from urbanfit.render.map_assets import inline_web_assets
from urbanfit.render.map_base import escape_text, feature_count, geojson_layer, summarised
from urbanfit.render.map_page import legend_block, legend_note, page_chrome
from urbanfit.results import AnalysisResult

__all__ = ["CLASS_COLOURS", "STREET_GROUPS", "build_map", "escape_text"]

# Street classes in six groups, one Okabe-Ito colour each (M. Okabe and K. Ito, "Color
# Universal Design (CUD): how to make figures and presentations that are friendly to colorblind
# people", 2008). Six of its eight colours: with all eight, its orange comes within deltaE00
# 11.6 of its yellow under simulated deuteranopia, and the curb layer, drawn with the streets,
# needs room in colour space (checked in tests/test_map_colours.py).
STREET_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "motorway, trunk": ("#000000", ("motorway", "motorway_link", "trunk", "trunk_link")),
    "primary": ("#D55E00", ("primary", "primary_link")),
    "secondary": ("#F0E442", ("secondary", "secondary_link")),
    "tertiary": ("#009E73", ("tertiary", "tertiary_link")),
    "local (residential, unclassified, other)": (
        "#56B4E9",
        ("residential", "unclassified", "road"),
    ),
    "living street": ("#0072B2", ("living_street",)),
}
_LOCAL = "local (residential, unclassified, other)"  # classes not listed fall here
_GROUP_OF = {cls: group for group, (_, classes) in STREET_GROUPS.items() for cls in classes}
CLASS_COLOURS = {cls: STREET_GROUPS[group][0] for cls, group in _GROUP_OF.items()}


def _title_box(result: AnalysisResult) -> str:
    s = result.summary
    network = s["network"]
    lines = [
        f"{network['street_km']:.1f} km of drivable street, "
        f"{counted(network['edges_count'], 'edge')}",
        f"{counted(s['lots']['count'], 'parking lot')} mapped",
        *(str(line) for line in s.get("headlines", [])),
    ]
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    source = html.escape(str(s["provenance"]["description"]))
    dated = s["provenance"].get("data_date")
    if dated:
        source += f", OSM data of {html.escape(str(dated))}"
    return (
        "<details id='urbanfit-title' class='urbanfit-panel' open>"
        f"<summary>urbanfit: {html.escape(result.city.name)}</summary>{body}"
        f"<div class='urbanfit-source'>Data: {source}, "
        "&copy; OpenStreetMap contributors (ODbL)</div></details>"
    )


def build_map(result: AnalysisResult) -> folium.Map:
    """
    Build the interactive map of one analysed city.

    Parameters
    ----------
    result
        The analysis result; layers are added for the models that ran.

    Returns
    -------
    map
        A folium map fitted to the city, with a layer control, scale bar, fullscreen button, a
        collapsible title box with the headline figures and a collapsible legend of the layers
        that are on. Its page needs no network: the libraries are inlined, and a notice
        says when the base-map tiles cannot load.
    """
    streets = result.city.streets
    bounds = gpd.GeoSeries(streets.geometry, crs=streets.crs).to_crs(4326).total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True, font_size="13px")
    tiles = folium.TileLayer("OpenStreetMap", control=False)  # the only base map: no radio
    tiles.add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    table = streets.assign(
        name=streets["name"].fillna("(unnamed)"),
        speed_kmh=streets["speed_kmh"].round(0),
        oneway=streets["oneway"].map({True: "yes", False: "no"}),
        highway=streets["highway"].str.replace("_", " ", regex=False),
    )
    group = streets["highway"].map(_GROUP_OF).fillna(_LOCAL)
    colours = group.map({g: c for g, (c, _) in STREET_GROUPS.items()})
    # Size rule: a metro-scale city's local streets are a layer of their own, off at load
    split = len(streets) > DETAIL_EDGES
    main = group.ne(_LOCAL) | (not split)

    def streets_layer(rows: pd.Series, name: str, *, show: bool = True) -> folium.FeatureGroup:
        return geojson_layer(
            table[rows],
            name=name,
            fields={
                "name": "Street",
                "highway": "Class",
                "lanes": "Lanes",
                "speed_kmh": "Speed (km/h)",
                "oneway": "One-way",
            },
            style={"weight": 3, "opacity": 0.9},
            colours=colours[rows],
            show=show,
            merge_by=streets["osm_id"][rows],
            categories=("highway", "oneway"),
        )

    layer = streets_layer(main, "Streets by class")
    layer.add_to(fmap)
    present = set(group[main])
    entries = {g: c for g, (c, _) in STREET_GROUPS.items() if g in present}
    if split:
        summarised(
            layer,
            f"Local streets ({int((~main).sum()):,} edges) are the layer 'Local streets', off "
            "when the map opens so that it opens quickly. Every street is in layers.gpkg "
            "(layer streets).",
        )
    legends = [legend_block("Street class", entries, layer=layer)]
    if split:
        local = streets_layer(~main, "Local streets", show=False)
        local.add_to(fmap)
        legends.append(
            legend_block("Local streets", {_LOCAL: STREET_GROUPS[_LOCAL][0]}, layer=local)
        )
    top = result.scenarios.headline
    missing: list[str] = []

    def add(
        drawn: tuple[folium.FeatureGroup, dict[str, str]] | None, title: str, why: str
    ) -> folium.FeatureGroup | None:
        """Add a layer and its legend block, or note in the legend why it is not there."""
        if drawn is None or not feature_count(drawn[0]):
            missing.append(f"{title}: {why}")
            return None
        drawn[0].add_to(fmap)
        legends.append(legend_block(title, drawn[1], layer=drawn[0]))
        return drawn[0]

    curb = add(
        curb_layer(result.parking, streets=streets, scenarios=result.scenarios),
        f"Curb spaces gained at {top.label}",
        "no curb parking is tagged (or inferred) in the data",
    )
    lots = add(
        lots_layer(result.city.lots, result.parking, result.catalog, scenarios=result.scenarios)
        if len(result.city.lots)
        else None,
        "Off-street parking",
        "no parking lots in the data",
    )
    add(
        congestion_layer(result.congestion, streets=streets, scenarios=result.scenarios)
        if result.congestion is not None and len(result.congestion.links)
        else None,
        f"V/C change at {top.label}",
        "no assigned links to show (see the report's notes)",
    )
    add(fit_layer(result.fit), "Narrow-street fit", "no street where the vehicle class matters")
    add(
        index_layer(result.index, scenarios=result.scenarios) if len(result.index.hexes) else None,
        f"Urban Fit index at {top.label}",
        "no scored streets",
    )
    if missing:
        legends.append(legend_note("Not on this map", missing))
    Fullscreen().add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    root.html.add_child(folium.Element(_title_box(result)))
    root.html.add_child(
        folium.Element(
            "<details id='urbanfit-legend' class='urbanfit-panel' open>"
            f"<summary>Legend</summary>{''.join(legends)}</details>"
        )
    )
    page_chrome(
        tiles,
        scenarios=[s.label for s in result.scenarios],
        chosen=len(result.scenarios) - 1,
        streets=layer,
        local_streets=local if split else None,
        curb=curb,
        lots=lots,
        file=result.slug,
    ).add_to(fmap)  # before the layer control: the title goes above it
    control = folium.LayerControl(collapsed=False)
    # a list of layers on a desktop, an icon that opens it on a phone
    narrow = JsCode("window.matchMedia('(max-width: 600px)').matches")
    control.options["collapsed"] = narrow  # type: ignore[assignment]  # folium renders JsCode
    control.add_to(fmap)
    inline_web_assets(fmap)
    return fmap
