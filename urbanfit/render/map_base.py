"""Shared map helpers: web geometry, escaping, one toggleable GeoJSON layer, legends, the page.

Geometries are simplified to `SIMPLIFY_TOLERANCE_M` in the city's metric CRS and coordinates
rounded to `COORD_DECIMALS` decimal degrees (about 1 m), so that large cities give small files.
All OSM text is HTML-escaped before it reaches the page.

The page works offline: `inline_web_assets` puts the JavaScript and CSS the map uses into the
HTML (shipped in ``urbanfit/data/web``, see its README) and drops folium's other CDN links.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from urbanfit.render.map_encode import COORD_DECIMALS, encode_features, to_json

__all__ = [
    "COORD_DECIMALS",
    "MAP_BACKGROUND",
    "SCENARIO_ROW",
    "SIMPLIFY_TOLERANCE_M",
    "escape_text",
    "feature_count",
    "geojson_layer",
    "inline_web_assets",
    "layer_bytes",
    "legend_block",
    "page_chrome",
    "scenario_values",
    "summarised",
]

SIMPLIFY_TOLERANCE_M = 1.0
# A layer off when the map opens and holding more features than this is built when first
# shown (see `_Packed`): building 10,000 features takes Chromium ~0.5 s of the page's load.
LAZY_FEATURES = 5_000
_DECODER = "urbanfit/decode.js"

# The plain background the layers are drawn on when tiles cannot load: openstreetmap-carto's
# land colour (@land-color in its style), so the map looks the same with or without tiles.
MAP_BACKGROUND = "#f2efe9"

# folium's resource names -> the shipped file that serves them.
_WEB_ASSETS = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
}
# folium's defaults the map does not use: no marker icons (lots are circles), no Bootstrap
# widgets, no folium.Popup (the only jQuery user; GeoJsonPopup needs none).
_UNUSED_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)
_PAGE_ASSETS = ("urbanfit/map.css", "urbanfit/map.js")
_CSS_URL = re.compile(r"""url\((?!['"]?(?:#|data:))['"]?([^'")]+)['"]?\)""")
_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}

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
    """Simplified in metres, in WGS 84 (`map_encode` rounds to `COORD_DECIMALS`)."""
    simplified = shapely.simplify(frame.geometry.to_numpy(), SIMPLIFY_TOLERANCE_M)
    return gpd.GeoSeries(simplified, crs=frame.crs).to_crs(4326).to_numpy()


def _merged(table: gpd.GeoDataFrame, key: pd.Series) -> gpd.GeoDataFrame:
    """Join line pieces with the same key and the same shown values into one feature."""
    values = [c for c in table.columns if c != table.geometry.name]
    geoms = table.geometry.to_numpy()
    if not (shapely.get_type_id(geoms) == shapely.GeometryType.LINESTRING).all():
        keyed = table.assign(_key=key.to_numpy())
        merged = keyed.dissolve(by=["_key", *values], as_index=False, sort=False, dropna=False)
        lines = shapely.line_merge(merged.geometry.to_numpy())
        return merged.drop(columns="_key").set_geometry(lines, crs=table.crs)
    # Lines only (street edges, curb sides): group them into multi-lines and join those,
    # several times faster than a dissolve, which unions each group's lines first.
    keyed = pd.DataFrame(table[values]).assign(_key=key.to_numpy())
    group = keyed.groupby(["_key", *values], sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    lines = shapely.line_merge(shapely.multilinestrings(geoms[order], indices=group[order]))
    first = np.unique(group, return_index=True)[1]
    return gpd.GeoDataFrame(
        table[values].iloc[first].reset_index(drop=True), geometry=lines, crs=table.crs
    )


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
    carry: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
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
    carry
        Further columns carried as feature properties but not shown (e.g. ``_s``, the
        per-scenario figures read by `scenario_values`).
    categories
        Shown text columns with few distinct values (classes, sources): merged as indices
        into the layer's list of them (faster), then written as text, stored once per layer
        by the encoding.

    Returns
    -------
    layer
        A folium FeatureGroup holding one GeoJson layer.
    """
    columns = list(dict.fromkeys([*fields, *(popup_fields or {}), *carry]))
    table = gpd.GeoDataFrame(
        {c: escape_text(frame[c]) for c in columns},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    if colours is not None:
        table["_c"] = colours.to_numpy()
    words: dict[str, list[Any]] = {}
    for column in categories:  # few distinct texts: each feature holds an index into them
        codes, uniques = pd.factorize(table[column])
        table[column] = pd.Series(codes, index=table.index, dtype="Int64").where(codes >= 0)
        words[column] = list(uniques)
    if merge_by is not None:
        table = _merged(table, merge_by)
    for column, texts in words.items():  # back to text: the encoding stores each text once
        codes = table[column].to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(codes)
        text = np.full(len(codes), None, dtype="object")
        text[known] = np.asarray(texts, dtype="object")[codes[known].astype("int64")]
        table[column] = text
    table = gpd.GeoDataFrame(
        table.drop(columns=table.geometry.name), geometry=_web_geometry(table), crs=4326
    )
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    properties = pd.DataFrame(table.drop(columns=table.geometry.name))
    packed = encode_features(properties, table.geometry.to_numpy())
    # folium checks the tooltip's fields against its first feature: it gets one that has the
    # fields and no geometry (Leaflet skips it); the features come from `_Packed`
    stub = {"type": "Feature", "properties": dict.fromkeys(properties.columns), "geometry": None}
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": [stub] if packed["n"] else []},
        # points (e.g. lots mapped as nodes) as circles in the layer's style, not pin icons
        marker=folium.CircleMarker(radius=6, fill=True),
        name=html.escape(name),
    )
    if packed["n"]:  # an empty layer gets no tooltip
        layer.add_child(_Details(fields, popup_fields))
    # the style first: each feature is styled once, as it is added
    layer.add_child(_PropertyStyle(style))
    layer.add_child(_Packed(packed, lazy=not show and packed["n"] > LAZY_FEATURES))
    layer.add_to(group)
    return group


class _Details(MacroElement):
    """Tooltip (and popup) tables of the parent GeoJson layer, built as text by ``map.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        urbanfitDetails({{ this._parent.get_name() }}, {{ this.spec|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        fields: dict[str, str],
        popup_fields: dict[str, str] | None,
    ) -> None:
        super().__init__()
        self._name = "Details"
        self.spec = {
            "tooltip": [[k, v] for k, v in fields.items()],
            "popup": [[k, v] for k, v in (popup_fields or {}).items()],
        }


def feature_count(group: folium.FeatureGroup) -> int:
    """Return how many features a layer built by `geojson_layer` holds."""
    return sum(child.packed["n"] for child in _descendants(group) if isinstance(child, _Packed))


def layer_bytes(group: folium.FeatureGroup) -> dict[str, int]:
    """
    Bytes of a layer's encoded data in the page: per property, and its coordinates.

    Parameters
    ----------
    group
        A layer built by `geojson_layer`.

    Returns
    -------
    sizes
        Property name (and ``"coordinates"``, the geometry blocks) -> bytes of its JSON.
    """
    sizes: dict[str, int] = {}
    for child in _descendants(group):
        if isinstance(child, _Packed):
            for column, values in child.packed["p"].items():
                sizes[column] = sizes.get(column, 0) + len(to_json(values).encode())
            geometry = len(to_json(child.packed["g"]).encode())
            sizes["coordinates"] = sizes.get("coordinates", 0) + geometry
    return sizes


class _Packed(MacroElement):
    """
    Add the features of the parent GeoJson layer, decoded from `map_encode`'s form.

    A lazy layer (large and off when the map opens) is decoded and built when first shown,
    which keeps its cost out of the page's load.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.lazy %}
        (function (layer, packed) {
            var filled = false;
            // decoded and drawn when first shown; other scripts may call it sooner
            layer.urbanfitFill = function () {
                if (!filled) { filled = true; layer.addData(urbanfitDecode(packed)); }
                return layer;
            };
            layer.once("add", layer.urbanfitFill);
        })({{ this._parent.get_name() }}, {{ this.text }});
        {%- else %}
        {{ this._parent.get_name() }}.addData(urbanfitDecode({{ this.text }}));
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, packed: dict[str, Any], *, lazy: bool) -> None:
        super().__init__()
        self._name = "Packed"
        self.packed = packed
        self.lazy = lazy

    @property
    def text(self) -> str:
        """The encoded layer as script-safe JSON."""
        return to_json(self.packed)

    def render(self, **kwargs: Any) -> str:
        """Render the script, and put the decoder in the page's header once."""
        root = self.get_root()
        assert isinstance(root, Figure)
        root.header.add_child(_inline(_DECODER), name="urbanfit_decoder")
        return super().render(**kwargs)


def _layer_style(group: folium.FeatureGroup) -> dict[str, Any]:
    """Return the path style of a layer built by `geojson_layer`."""
    for child in _descendants(group):
        if isinstance(child, _PropertyStyle):
            return child.style
    return {}


class _PropertyStyle(MacroElement):
    """Style each feature added to the parent GeoJson: ``style`` plus its ``_c`` colour."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.options.style = function (feature) {
            var style = Object.assign({}, {{ this.style|tojson }});
            var colour = feature.properties && feature.properties._c;
            if (colour) { style.color = colour; style.fillColor = colour; }
            // circles (point features) carry folium's default fill otherwise
            if (!style.fillColor && style.color) { style.fillColor = style.color; }
            return style;
        };  // kept, so a change of colour (the scenario switch) restyles with resetStyle
        {% endmacro %}
        """
    )

    def __init__(self, style: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PropertyStyle"
        self.style = dict(style)


class _ScenarioValues(MacroElement):
    """Register the parent GeoJson layer with the page's scenario switch (``map.js``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        urbanfitScenarioLayer({{ this._parent.get_name() }}, {{ this.spec|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ScenarioValues"
        self.spec = spec


SCENARIO_ROW = ("scenario", "Kei share shown")
"""The table row naming the scenario whose figures a layer shows (the switch updates it)."""


def scenario_values(
    group: folium.FeatureGroup,
    *,
    shown: dict[str, tuple[str, int, str]],
    colour_by: tuple[int, tuple[tuple[float, str], ...]] | None = None,
) -> None:
    """
    Let the scenario switch show a layer built by `geojson_layer` with ``carry=("_s",)``.

    Each feature's ``_s`` holds its figures in every scenario: scenarios in `ScenarioSet`
    order (the baseline first) split by ``;``, a scenario's figures split by ``,``, a missing
    one empty. The page writes the chosen scenario's figures into the ``shown`` properties
    (when it opens and on every switch), names the scenario in a ``scenario`` property and
    colours the features; the tooltip and popup tables end with these rows.

    Parameters
    ----------
    group
        The layer.
    shown
        Property -> (``"value"`` or ``"pair"``, index of the figure in a scenario's block,
        row label): ``value`` shows the chosen scenario's figure, ``pair`` ``baseline →
        chosen``.
    colour_by
        Index of the figure that picks the colour, and the bins ``(lower bound, colour)``
        that colour it (as `urbanfit.render.layers.binned_colours` does; a missing figure
        takes the first bin's colour).
    """
    spec: dict[str, Any] = {
        "shown": {k: [kind, index] for k, (kind, index, _) in shown.items()},
        "rows": [list(SCENARIO_ROW), *([k, label] for k, (_, _, label) in shown.items())],
    }
    if colour_by is not None:
        index, bins = colour_by
        spec["colour"] = {
            "index": index,
            "bounds": [None if b == -np.inf else b for b, _ in bins],  # null: minus infinity
            "colours": [c for _, c in bins],
        }
    for child in _descendants(group):
        if isinstance(child, folium.GeoJson):
            child.add_child(_ScenarioValues(spec))


def summarised(group: folium.FeatureGroup, note: str) -> folium.FeatureGroup:
    """
    Mark a layer as an aggregate of a larger table: its legend block then says ``note``.

    Parameters
    ----------
    group
        A layer built by `geojson_layer`.
    note
        One sentence: what is aggregated and where the full detail is.

    Returns
    -------
    group
        The same layer.
    """
    group.urbanfit_note = note  # type: ignore[attr-defined]
    return group


def legend_block(title: str, entries: dict[str, str], *, layer: folium.FeatureGroup) -> str:
    """
    HTML of one legend block: a title and a swatch per (escaped) entry, drawn as the layer is.

    Parameters
    ----------
    title
        Block heading.
    entries
        Label -> colour.
    layer
        The layer the block explains: the page shows the block only while the layer is on,
        and area layers (with a ``fillOpacity``) get filled squares at that opacity.

    Returns
    -------
    html
        One ``div`` tagged with the layer's script name.
    """
    style = _layer_style(layer)
    rows = []
    for label, colour in entries.items():
        if "fillOpacity" in style:
            rgb = ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
            swatch = (
                f"height:12px;border:1px solid {colour};"
                f"background:rgba({rgb},{float(style['fillOpacity']):g})"
            )
        else:
            swatch = f"height:{max(int(style.get('weight', 3)), 3)}px;background:{colour}"
        rows.append(
            f'<div><span class="urbanfit-swatch" style="{swatch}"></span>{html.escape(label)}</div>'
        )
    note = getattr(layer, "urbanfit_note", None)
    if note:
        rows.append(f'<div class="urbanfit-legend-detail">{html.escape(note)}</div>')
    return (
        f'<div class="urbanfit-legend-block" data-layer="{layer.get_name()}">'
        f"<b>{html.escape(title)}</b>{''.join(rows)}</div>"
    )


def _descendants(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _descendants(child)


@cache
def _web_file(path: str) -> str:
    """Read a shipped web file; a stylesheet's images are inlined as data URIs."""
    folder = resources.files("urbanfit").joinpath("data/web")
    text = folder.joinpath(path).read_text(encoding="utf-8")
    if path.endswith(".css"):
        base = path.rsplit("/", 1)[0]

        def inline(match: re.Match[str]) -> str:
            name = match.group(1)
            data = folder.joinpath(f"{base}/{name}").read_bytes()
            media = _MEDIA_TYPES[name[name.rfind(".") :]]
            return f'url("data:{media};base64,{base64.b64encode(data).decode("ascii")}")'

        text = _CSS_URL.sub(inline, text)
    closing = "</style" if path.endswith(".css") else "</script"
    if closing in text.lower():  # would end the inline element early
        raise ValueError(f"{path} cannot be inlined: it contains {closing}")
    return text


def _inline(path: str) -> Element:
    tag = "style" if path.endswith(".css") else "script"
    return Element(f"<{tag}>/* {path} */\n{_web_file(path)}</{tag}>")


def inline_web_assets(fmap: folium.Map) -> None:
    """
    Put the scripts and stylesheets the map uses into its page, and drop folium's CDN links.

    Call it last, once every element is on the map: an element that needs a library
    urbanfit does not ship raises, rather than leave a page that needs the network.

    Parameters
    ----------
    fmap
        The map; its elements' CDN links are cleared in place.
    """
    root = fmap.get_root()
    assert isinstance(root, Figure)
    for element in _descendants(root):
        if not isinstance(element, JSCSSMixin):
            continue
        for name, url in [*element.default_js, *element.default_css]:
            if name in _UNUSED_ASSETS:
                continue
            if name not in _WEB_ASSETS:
                raise ValueError(f"{type(element).__name__} needs {url}, which is not shipped")
            root.header.add_child(_inline(_WEB_ASSETS[name]), name=f"urbanfit_{name}")
        element.default_js = []
        element.default_css = []
    for path in _PAGE_ASSETS:
        root.header.add_child(_inline(path), name=f"urbanfit_{path}")
    root.header.add_child(
        Element(f"<style>.folium-map.leaflet-container{{background:{MAP_BACKGROUND}}}</style>"),
        name="urbanfit_background",
    )


class _PageChrome(MacroElement):
    """Run the page script (``urbanfit/map.js``) once the map and its layers exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        urbanfitPage({{ this._parent.get_name() }}, {{ this.tiles.get_name() }}, {
            scenarios: {{ this.options.scenarios|tojson }},
            chosen: {{ this.options.chosen|tojson }},
            streets: {{ this.options.streets }},
            localStreets: {{ this.options.localStreets }},
            curb: {{ this.options.curb }},
            lots: {{ this.options.lots }},
            file: {{ this.options.file|tojson }}
        });
        {% endmacro %}
        """
    )

    def __init__(self, tiles: folium.TileLayer, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PageChrome"
        self.tiles = tiles
        self.options = options


def legend_note(title: str, lines: list[str]) -> str:
    """
    HTML of a legend block that belongs to no layer: a title and lines of (escaped) text.

    Parameters
    ----------
    title
        Block heading.
    lines
        One sentence each, e.g. why a layer is not on the map.

    Returns
    -------
    html
        One ``div``, shown whatever layers are on.
    """
    items = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    return (
        "<div class='urbanfit-legend-note' style='margin-top:6px;color:#555'>"
        f"<b>{html.escape(title)}</b>{items}</div>"
    )


def _geojson_name(group: folium.FeatureGroup | None) -> str:
    """Script name of the GeoJson inside a layer built by `geojson_layer` (``null`` if none)."""
    for child in _descendants(group) if group is not None else ():
        if isinstance(child, folium.GeoJson):
            return child.get_name()
    return "null"


def page_chrome(
    tiles: folium.TileLayer,
    *,
    scenarios: list[str],
    chosen: int,
    streets: folium.FeatureGroup,
    local_streets: folium.FeatureGroup | None = None,
    curb: folium.FeatureGroup | None,
    lots: folium.FeatureGroup | None,
    file: str,
) -> MacroElement:
    """
    Make the element that turns the title and legend into map panels and watches the tiles.

    Add it to the map after the layers and before the layer control, so the title sits
    above the layer list.

    Parameters
    ----------
    tiles
        The base-map tile layer: a failed tile shows the "tiles are unavailable" notice.
    scenarios
        The scenario switch's labels (``"50 % kei"``), in `ScenarioSet` order.
    chosen
        Index of the scenario the map opens on (the layers' shown figures are its).
    streets, local_streets, curb, lots
        The layers the street search and the area totals read (None when not drawn);
        ``local_streets`` is the metro-scale map's separate layer of local streets, built
        when the search or the totals first need it.
    file
        Stem of the files the download button saves (``<file>-layers.geojson``).

    Returns
    -------
    element
        A macro element to add to the map.
    """
    options = {
        "scenarios": scenarios,
        "chosen": chosen,
        "streets": _geojson_name(streets),
        "localStreets": _geojson_name(local_streets),
        "curb": _geojson_name(curb),
        "lots": _geojson_name(lots),
        "file": file,
    }
    return _PageChrome(tiles, options)
