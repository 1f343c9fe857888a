"""The interactive folium map (``map.html``): base streets plus one layer per model result."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
from folium.plugins import Fullscreen

from urbanfit.render.layers import (
    congestion_layer,
    curb_layer,
    fit_layer,
    index_layer,
    lots_layer,
)
from urbanfit.render.map_base import escape_text, geojson_layer, legend_block
from urbanfit.results import AnalysisResult

__all__ = ["CLASS_COLOURS", "build_map", "escape_text"]

CLASS_COLOURS = {
    "motorway": "#e31a1c",
    "motorway_link": "#e31a1c",
    "trunk": "#f16913",
    "trunk_link": "#f16913",
    "primary": "#fd8d3c",
    "primary_link": "#fd8d3c",
    "secondary": "#d9a400",
    "secondary_link": "#d9a400",
    "tertiary": "#41ab5d",
    "tertiary_link": "#41ab5d",
    "unclassified": "#4292c6",
    "residential": "#6baed6",
    "living_street": "#c994c7",
    "road": "#969696",
}


def _title_box(result: AnalysisResult) -> str:
    s = result.summary
    network = s["network"]
    lines = [
        f"{network['street_km']:.1f} km of drivable street, {network['edges_count']} edges",
        f"{s['lots']['count']} parking lots mapped",
        *(str(line) for line in s.get("headlines", [])),
    ]
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    source = html.escape(str(s["provenance"]["description"]))
    return (
        "<div id='urbanfit-title' style='position:fixed;top:10px;left:60px;z-index:9999;"
        "background:white;padding:8px 12px;border-radius:4px;box-shadow:0 1px 4px #888;"
        "font:13px sans-serif;max-width:380px'>"
        f"<b>urbanfit: {html.escape(result.city.name)}</b>{body}"
        f"<div style='color:#666;font-size:11px'>Data: {source}, "
        "&copy; OpenStreetMap contributors (ODbL)</div></div>"
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
        title box with the headline figures and a legend per layer.
    """
    streets = result.city.streets
    bounds = gpd.GeoSeries(streets.geometry, crs=streets.crs).to_crs(4326).total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    table = streets.assign(
        name=streets["name"].fillna("(unnamed)"),
        speed_kmh=streets["speed_kmh"].round(0),
        oneway=streets["oneway"].map({True: "yes", False: "no"}),
    )
    geojson_layer(
        table,
        name="Streets by class",
        fields={
            "name": "Street",
            "highway": "Class",
            "lanes": "Lanes",
            "speed_kmh": "Speed (km/h)",
            "oneway": "One-way",
        },
        style={"weight": 3, "opacity": 0.9},
        colours=streets["highway"].map(CLASS_COLOURS).fillna("#969696"),
        merge_by=streets["osm_id"],
    ).add_to(fmap)
    present = [c for c in CLASS_COLOURS if c in set(streets["highway"])]
    legends = [legend_block("Street class", {c: CLASS_COLOURS[c] for c in present})]
    top = result.scenarios.headline
    layer, entries = curb_layer(result.parking, streets=streets, scenario=top)
    layer.add_to(fmap)
    legends.append(legend_block(f"Curb spaces gained at {top.label}", entries))
    if len(result.city.lots):
        layer, entries = lots_layer(result.city.lots, result.parking, result.catalog)
        layer.add_to(fmap)
        legends.append(legend_block("Off-street parking", entries))
    if result.congestion is not None:
        layer, entries = congestion_layer(
            result.congestion, streets=streets, scenarios=result.scenarios
        )
        layer.add_to(fmap)
        legends.append(legend_block(f"V/C change at {top.label}", entries))
    drawn = fit_layer(result.fit)
    if drawn is not None:
        layer, entries = drawn
        layer.add_to(fmap)
        legends.append(legend_block("Narrow-street fit", entries))
    if len(result.index.hexes):
        layer, entries = index_layer(result.index, scenario_label=top.label)
        layer.add_to(fmap)
        legends.append(legend_block(f"Urban Fit index at {top.label}", entries))
    Fullscreen().add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    root.html.add_child(folium.Element(_title_box(result)))
    root.html.add_child(
        folium.Element(
            "<div id='urbanfit-legend' style='position:fixed;bottom:30px;right:10px;z-index:9999;"
            "background:white;padding:6px 10px;font:12px sans-serif;max-height:40%;"
            f"overflow:auto'>{''.join(legends)}</div>"
        )
    )
    return fmap
