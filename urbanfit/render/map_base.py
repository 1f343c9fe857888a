"""Shared map helpers: web geometry, escaping, one toggleable GeoJSON layer, legends.

Geometries are simplified to `SIMPLIFY_TOLERANCE_M` in the city's metric CRS and coordinates
rounded to `COORD_DECIMALS` decimal degrees (about 1 m), so that large cities give small files.
All OSM text is HTML-escaped before it reaches the page.
"""

from __future__ import annotations

import html
import json
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

__all__ = [
    "COORD_DECIMALS",
    "SIMPLIFY_TOLERANCE_M",
    "escape_text",
    "geojson_layer",
    "legend_block",
    "legend_note",
]

SIMPLIFY_TOLERANCE_M = 1.0
COORD_DECIMALS = 5  # 1e-5 degree: about 1.1 m of latitude, like the 1 m simplification

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


def _web_geometry(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Simplified in metres, then WGS 84 coordinates rounded to `COORD_DECIMALS`."""
    simplified = shapely.simplify(frame.geometry.to_numpy(), SIMPLIFY_TOLERANCE_M)
    wgs = gpd.GeoSeries(simplified, crs=frame.crs).to_crs(4326).to_numpy()
    return shapely.transform(wgs, lambda xy: np.round(xy, COORD_DECIMALS))


def _merged(table: gpd.GeoDataFrame, key: pd.Series) -> gpd.GeoDataFrame:
    """Join line pieces with the same key and the same shown values into one feature."""
    values = [c for c in table.columns if c != table.geometry.name]
    keyed = table.assign(_key=key.to_numpy())
    merged = keyed.dissolve(by=["_key", *values], as_index=False, sort=False, dropna=False)
    lines = shapely.line_merge(merged.geometry.to_numpy())
    return merged.drop(columns="_key").set_geometry(lines, crs=table.crs)


def geojson_layer(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    fields: dict[str, str],
    style: dict[str, Any],
    colours: pd.Series | None = None,
    popup_fields: dict[str, str] | None = None,
    show: bool = True,
    merge_by: pd.Series | None = None,
) -> folium.FeatureGroup | None:
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
    colours
        One colour per row (indexed like ``frame``), overriding ``style``'s colour.
    popup_fields
        Columns shown in a click popup, mapped to labels.
    show
        Whether the layer is on when the map opens.
    merge_by
        A key per row (e.g. the OSM way id): line pieces that share it and every shown
        value and colour are drawn as one feature. Exact (nothing shown changes), and it
        makes the map of a city with many short way segments several times smaller.

    Returns
    -------
    layer
        A folium FeatureGroup holding one GeoJson layer; None when ``frame`` has no rows
        (there is nothing to draw, and folium's tooltip refuses a layer without features).
    """
    if len(frame) == 0:
        return None
    columns = list(dict.fromkeys([*fields, *(popup_fields or {})]))
    table = gpd.GeoDataFrame(
        {c: escape_text(frame[c]) for c in columns},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    if colours is not None:
        table["_c"] = colours.to_numpy()
    if merge_by is not None:
        table = _merged(table, merge_by)
    table = gpd.GeoDataFrame(
        table.drop(columns=table.geometry.name), geometry=_web_geometry(table), crs=4326
    )
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    # No per-feature ids, boxes or a style lookup table in the page: the colour travels as a
    # property and one small script styles every feature from it (see `_PropertyStyle`).
    data = json.loads(table.to_json(drop_id=True, show_bbox=False))
    layer = folium.GeoJson(
        data,
        # points (e.g. lots mapped as nodes) as circles in the layer's style, not pin icons
        marker=folium.CircleMarker(radius=6, fill=True),
        name=html.escape(name),
        tooltip=folium.GeoJsonTooltip(
            fields=list(fields), aliases=list(fields.values()), localize=True
        ),
        popup=(
            folium.GeoJsonPopup(fields=list(popup_fields), aliases=list(popup_fields.values()))
            if popup_fields
            else None
        ),
    )
    layer.add_child(_PropertyStyle(style))
    layer.add_to(group)
    return group


class _PropertyStyle(MacroElement):
    """Style every feature of the parent GeoJson layer: ``style`` plus its ``_c`` colour."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.setStyle(function (feature) {
            var style = Object.assign({}, {{ this.style|tojson }});
            var colour = feature.properties && feature.properties._c;
            if (colour) { style.color = colour; style.fillColor = colour; }
            return style;
        });
        {% endmacro %}
        """
    )

    def __init__(self, style: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PropertyStyle"
        self.style = dict(style)


def legend_block(title: str, entries: dict[str, str]) -> str:
    """HTML of one legend block: a title and a colour swatch per (escaped) entry."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:6px;background:{c};'
        f'margin-right:6px;vertical-align:middle"></span>{html.escape(k)}</div>'
        for k, c in entries.items()
    )
    return f"<div class='urbanfit-legend-block'><b>{html.escape(title)}</b>{rows}</div>"


def legend_note(title: str, note: str) -> str:
    """HTML of one legend block that says why a layer is not drawn."""
    return (
        f"<div class='urbanfit-legend-block'><b>{html.escape(title)}</b>"
        f"<div style='color:#666'>{html.escape(note)}</div></div>"
    )
