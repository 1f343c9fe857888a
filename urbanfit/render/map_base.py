"""Map layer encoding: web geometry, escaping, one toggleable GeoJSON layer, scenario figures.

Geometries are simplified to `SIMPLIFY_TOLERANCE_M` in the city's metric CRS and coordinates
rounded to `COORD_DECIMALS` decimal degrees (about 1 m), so that large cities give small files.
All OSM text is HTML-escaped before it reaches the page.

The page around the layers (its offline assets, chrome and legends) is in `map_assets` and
`map_page`.
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure, MacroElement
from jinja2 import Template

from urbanfit.render.map_assets import descendants, inline_asset
from urbanfit.render.map_encode import COORD_DECIMALS, encode_features, to_json

__all__ = [
    "COORD_DECIMALS",
    "SCENARIO_ROW",
    "SIMPLIFY_TOLERANCE_M",
    "escape_text",
    "feature_count",
    "geojson_layer",
    "layer_bytes",
    "layer_style",
    "scenario_values",
    "summarised",
]

SIMPLIFY_TOLERANCE_M = 1.0
# A layer off when the map opens and holding more features than this is built when first
# shown (see `_Packed`): building 10,000 features takes Chromium ~0.5 s of the page's load.
LAZY_FEATURES = 5_000
_DECODER = "urbanfit/decode.js"

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
    numbers: dict[str, tuple[str | None, str]] | None = None,
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
    numbers
        How the downloads write a shown column that holds a figure: column -> (the carried
        column holding its number, or None for the shown text read as a number; the
        download's header, with its unit). A tooltip keeps the shown text ("24,400 sq ft
        (2,270 m²)"); the CSV and GeoJSON carry the number under the header.

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
        layer.add_child(_Details(fields, popup_fields, numbers or {}))
    # the style first: each feature is styled once, as it is added
    layer.add_child(_PropertyStyle(style))
    layer.add_child(_Packed(packed, lazy=not show and packed["n"] > LAZY_FEATURES))
    layer.add_to(group)
    return group


class _Details(MacroElement):
    """Tooltip (and popup) tables of the parent GeoJson layer, built as text by ``features.js``."""

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
        numbers: dict[str, tuple[str | None, str]],
    ) -> None:
        super().__init__()
        self._name = "Details"
        self.spec = {
            "tooltip": [[k, v] for k, v in fields.items()],
            "popup": [[k, v] for k, v in (popup_fields or {}).items()],
            "numbers": {k: list(v) for k, v in numbers.items()},
        }


def feature_count(group: folium.FeatureGroup) -> int:
    """Return how many features a layer built by `geojson_layer` holds."""
    return sum(child.packed["n"] for child in descendants(group) if isinstance(child, _Packed))


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
    for child in descendants(group):
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
        root.header.add_child(inline_asset(_DECODER), name="urbanfit_decoder")
        return super().render(**kwargs)


def layer_style(group: folium.FeatureGroup) -> dict[str, Any]:
    """Return the path style of a layer built by `geojson_layer`."""
    for child in descendants(group):
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
            // a line width of its own (`_w`): the street base tells classes apart by width
            var props = feature.properties || {};
            if (props._w) { style.weight = props._w; }
            // an estimated feature (`_d`): dashed and lighter, so mapped ones read first
            if (feature.properties && feature.properties._d) {
                style.dashArray = "6 5";
                style.opacity = 0.7 * (style.opacity === undefined ? 1 : style.opacity);
            }
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
    """Register the parent GeoJson layer with the page's scenario switch (``features.js``)."""

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


ColourBy = tuple[int, tuple[tuple[float, str], ...]]
"""The index of the figure that picks a feature's colour, and its bins (lower bound, colour)."""

SCENARIO_ROW = ("scenario", "Kei share shown")
"""The table row naming the scenario whose figures a layer shows (the switch updates it)."""


def scenario_values(
    group: folium.FeatureGroup,
    *,
    shown: dict[str, tuple[str, int, str]],
    colour_by: ColourBy | list[ColourBy] | None = None,
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
        that colour it: a figure takes the colour of the last bin whose lower bound it
        reaches, a missing figure the first bin's colour. A list gives one per scenario.
    """
    spec: dict[str, Any] = {
        "shown": {k: [kind, index] for k, (kind, index, _) in shown.items()},
        "rows": [list(SCENARIO_ROW), *([k, label] for k, (_, _, label) in shown.items())],
    }
    if colour_by is not None:
        spec["colour"] = [
            {
                "index": index,
                "bounds": [None if b == -np.inf else b for b, _ in bins],  # null: -infinity
                "colours": [c for _, c in bins],
            }
            for index, bins in (colour_by if isinstance(colour_by, list) else [colour_by])
        ]
    for child in descendants(group):
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
