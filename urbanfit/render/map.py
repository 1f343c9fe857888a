"""The interactive folium map (``map.html``): base streets plus one layer per model result."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
from folium.plugins import Fullscreen

from urbanfit.pipeline import AnalysisResult
from urbanfit.render.layers import (
    congestion_layer,
    curb_layer,
    fit_layer,
    index_layer,
    lots_layer,
)
from urbanfit.render.map_base import escape_text, geojson_layer, legend_block, legend_note

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


def _add(
    fmap: folium.Map,
    legends: list[str],
    drawn: tuple[folium.FeatureGroup, dict[str, str]] | None,
    *,
    title: str,
    empty: str,
) -> None:
    """Add a layer and its legend, or, when it has nothing to draw, a legend note saying so."""
    if drawn is None:
        legends.append(legend_note(title, empty))
        return
    layer, entries = drawn
    layer.add_to(fmap)
    legends.append(legend_block(title, entries))


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
    drawn = geojson_layer(
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
    )
    if drawn is not None:  # always: a city without streets is refused before
        drawn.add_to(fmap)
    present = [c for c in CLASS_COLOURS if c in set(streets["highway"])]
    legends = [legend_block("Street class", {c: CLASS_COLOURS[c] for c in present})]
    parking = result.models.get("parking")
    top = result.scenarios[-1]
    if parking is not None:
        _add(
            fmap,
            legends,
            curb_layer(parking, streets=streets, scenario_label=top.label),
            title=f"Curb spaces gained at {top.label}",
            empty="no curb parking is tagged (or inferred) in the data",
        )
    _add(
        fmap,
        legends,
        lots_layer(result.city.lots, parking),
        title="Off-street parking",
        empty="no parking lots in the data",
    )
    congestion = result.models.get("congestion")
    if congestion is not None:
        _add(
            fmap,
            legends,
            congestion_layer(
                congestion, streets=streets, scenario_id=top.id, scenario_label=top.label
            ),
            title=f"V/C change at {top.label}",
            empty="no assigned links to show",
        )
    fit = result.models.get("fit")
    if fit is not None:
        _add(
            fmap,
            legends,
            fit_layer(fit),
            title="Narrow-street fit",
            empty="no street where the vehicle class matters",
        )
    index = result.models.get("index")
    if index is not None:
        _add(
            fmap,
            legends,
            index_layer(index, scenario_label=top.label),
            title=f"Urban Fit index at {top.label}",
            empty="no scored streets",
        )
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
