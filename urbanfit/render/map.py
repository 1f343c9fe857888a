"""The interactive folium map (``map.html``).

Geometries are simplified to `SIMPLIFY_TOLERANCE_M` in the city's metric CRS and coordinates
rounded to `COORD_DECIMALS` decimal degrees (about 0.1 m), so that large cities give small files.
All OSM text is HTML-escaped before it reaches the page.
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import Fullscreen

from urbanfit.pipeline import AnalysisResult

__all__ = [
    "COORD_DECIMALS",
    "SIMPLIFY_TOLERANCE_M",
    "build_map",
    "escape_text",
    "geojson_layer",
]

SIMPLIFY_TOLERANCE_M = 1.0
COORD_DECIMALS = 6

CLASS_COLOURS = {
    "motorway": "#e31a1c",
    "motorway_link": "#e31a1c",
    "trunk": "#fd8d3c",
    "trunk_link": "#fd8d3c",
    "primary": "#fdae6b",
    "primary_link": "#fdae6b",
    "secondary": "#fed976",
    "secondary_link": "#fed976",
    "tertiary": "#c7e9b4",
    "tertiary_link": "#c7e9b4",
    "unclassified": "#9ecae1",
    "residential": "#6baed6",
    "living_street": "#c994c7",
    "road": "#bdbdbd",
}


def _web_geometry(frame: gpd.GeoDataFrame) -> np.ndarray:
    simplified = shapely.simplify(frame.geometry.to_numpy(), SIMPLIFY_TOLERANCE_M)
    wgs = gpd.GeoSeries(simplified, crs=frame.crs).to_crs(4326).to_numpy()
    return shapely.transform(wgs, lambda xy: np.round(xy, COORD_DECIMALS))


_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def escape_text(values: pd.Series) -> pd.Series:
    """
    HTML-escape a column (OSM text is untrusted); numeric columns pass unchanged.

    Parameters
    ----------
    values
        Any column.

    Returns
    -------
    escaped
        Same index; text escaped like `html.escape` with ``quote=True``, missing as None.
    """
    if values.dtype.kind in "biuf":
        return values
    text = values.astype("string")
    for raw, entity in _HTML_ESCAPES:  # "&" first, so entities are not escaped twice
        text = text.str.replace(raw, entity, regex=False)
    return text.astype("object").where(values.notna(), None)


def geojson_layer(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    fields: dict[str, str],
    style: dict[str, Any],
    colour_by: tuple[str, dict[str, str], str] | None = None,
    popup_fields: dict[str, str] | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """
    Build one toggleable layer from a table, with tooltips (and optionally popups).

    Parameters
    ----------
    frame
        Rows to draw, in a projected CRS.
    name
        Layer name shown in the layer control.
    fields
        Columns shown in the tooltip, mapped to their labels.
    style
        Leaflet path style (``color``, ``weight``, ``fillOpacity``...).
    colour_by
        ``(column, {value: colour}, fallback colour)`` to colour features by a column.
    popup_fields
        Columns shown in a click popup, mapped to labels.
    show
        Whether the layer is on when the map opens.

    Returns
    -------
    layer
        A folium FeatureGroup holding one GeoJson layer.
    """
    columns = list(dict.fromkeys([*fields, *(popup_fields or {})]))
    table = gpd.GeoDataFrame(
        {c: escape_text(frame[c]) for c in columns},
        geometry=_web_geometry(frame),
        crs=4326,
    )
    if colour_by is not None:
        column, palette, fallback = colour_by
        table["_colour"] = frame[column].map(palette).fillna(fallback).to_numpy()
    base_style = dict(style)

    def style_function(feature: dict[str, Any]) -> dict[str, Any]:
        colour = feature["properties"].get("_colour")
        return {**base_style, **({"color": colour, "fillColor": colour} if colour else {})}

    group = folium.FeatureGroup(name=html.escape(name), show=show)
    layer = folium.GeoJson(
        table,
        name=html.escape(name),
        style_function=style_function,
        tooltip=folium.GeoJsonTooltip(
            fields=list(fields), aliases=list(fields.values()), localize=True
        ),
        popup=(
            folium.GeoJsonPopup(fields=list(popup_fields), aliases=list(popup_fields.values()))
            if popup_fields
            else None
        ),
    )
    layer.add_to(group)
    return group


def _legend(title: str, entries: dict[str, str]) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:4px;background:{c};'
        f'margin-right:6px;vertical-align:middle"></span>{html.escape(k)}</div>'
        for k, c in entries.items()
    )
    return f"<div class='urbanfit-legend-block'><b>{html.escape(title)}</b>{rows}</div>"


def _title_box(result: AnalysisResult) -> str:
    s = result.summary
    network = s["network"]
    lines = [
        f"{network['street_km']:.1f} km of drivable street, {network['edges_count']} edges",
        f"{s['lots']['count']} parking lots mapped",
    ]
    lines.extend(str(line) for line in s.get("headlines", []))
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    source = html.escape(str(s["provenance"]["description"]))
    return (
        "<div id='urbanfit-title' style='position:fixed;top:10px;left:60px;z-index:9999;"
        "background:white;padding:8px 12px;border-radius:4px;box-shadow:0 1px 4px #888;"
        "font:13px sans-serif;max-width:360px'>"
        f"<b>urbanfit: {html.escape(result.city.name)}</b>{body}"
        f"<div style='color:#666;font-size:11px'>Data: {source}, "
        "&copy; OpenStreetMap contributors (ODbL)</div></div>"
    )


def build_map(
    result: AnalysisResult, *, extra_layers: list[folium.FeatureGroup] | None = None
) -> folium.Map:
    """
    Build the interactive map of one analysed city.

    Parameters
    ----------
    result
        The analysis result.
    extra_layers
        Model layers (curb, congestion...) added after the base layers.

    Returns
    -------
    map
        A folium map fitted to the city, with a layer control, scale bar and fullscreen button.
    """
    streets = result.city.streets
    bounds = gpd.GeoSeries(streets.geometry, crs=streets.crs).to_crs(4326).total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    table = streets.assign(
        length_m=streets["length_m"].round(1),
        speed_kmh=streets["speed_kmh"].round(0),
    )
    geojson_layer(
        table,
        name="Streets by class",
        fields={
            "name": "Street",
            "highway": "Class",
            "length_m": "Length (m)",
            "lanes": "Lanes",
            "speed_kmh": "Speed (km/h)",
        },
        style={"weight": 3, "opacity": 0.9},
        colour_by=("highway", CLASS_COLOURS, "#969696"),
    ).add_to(fmap)
    lots = result.city.lots
    if len(lots):
        geojson_layer(
            lots.assign(area_m2=lots["area_m2"].round(0)),
            name="Parking lots",
            fields={
                "name": "Lot",
                "kind": "Kind",
                "capacity": "Capacity tag",
                "area_m2": "Area (m²)",
            },
            popup_fields={"name": "Lot", "kind": "Kind", "capacity": "Capacity tag"},
            style={"color": "#3f007d", "weight": 1, "fillOpacity": 0.4},
        ).add_to(fmap)
    for layer in extra_layers or []:
        layer.add_to(fmap)
    Fullscreen().add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    legend = _legend("Street class", {k: v for k, v in CLASS_COLOURS.items() if "_link" not in k})
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    root.html.add_child(folium.Element(_title_box(result)))
    root.html.add_child(
        folium.Element(
            "<div id='urbanfit-legend' style='position:fixed;bottom:30px;right:10px;z-index:9999;"
            f"background:white;padding:6px 10px;font:12px sans-serif'>{legend}</div>"
        )
    )
    return fmap
