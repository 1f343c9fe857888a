"""The map page around the layers: the legend's blocks and the page script's chrome.

`legend_block` draws a layer's legend as the layer is drawn; `page_chrome` runs the page script
(``urbanfit/map.js``), which turns the title and legend into panels, holds the one control of
layers and shares and adds the tools (``find.js``, ``downloads.js``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from urbanfit.render.map_assets import descendants
from urbanfit.render.map_base import layer_style

__all__ = ["legend_block", "legend_note", "page_chrome"]


def legend_block(
    title: str,
    entries: dict[str, str],
    *,
    layer: folium.FeatureGroup,
    widths: dict[str, float] | None = None,
    dashed: tuple[str, ...] = (),
    shares: tuple[int, ...] | None = None,
    note: str | None = None,
) -> str:
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
    widths
        Line width (px) per entry, where the width tells the entries apart.
    dashed
        Entries drawn as a dashed line.
    shares
        The kei-share scenarios (indices) the block belongs to: the page shows it only while
        one of them is chosen; every share when None.
    note
        One sentence under the entries (a layer marked `summarised` gives its own).

    Returns
    -------
    html
        One ``div`` tagged with the layer's script name.
    """
    style = layer_style(layer)
    rows = []
    for label, colour in entries.items():
        if "fillOpacity" in style:
            rgb = ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
            swatch = (
                f"height:12px;border:1px solid {colour};"
                f"background:rgba({rgb},{float(style['fillOpacity']):g})"
            )
        elif label in dashed:
            swatch = f"height:0;border-top:3px dashed {colour}"
        else:
            weight = (widths or {}).get(label, style.get("weight", 3))
            swatch = f"height:{max(float(weight), 1.5):g}px;background:{colour}"
        rows.append(
            f'<div><span class="urbanfit-swatch" style="{swatch}"></span>{html.escape(label)}</div>'
        )
    note = note or getattr(layer, "urbanfit_note", None)
    if note:
        rows.append(f'<div class="urbanfit-legend-detail">{html.escape(note)}</div>')
    chosen = "" if shares is None else f' data-scenarios="{" ".join(map(str, shares))}"'
    return (
        f'<div class="urbanfit-legend-block" data-layer="{layer.get_name()}"{chosen}>'
        f"<b>{html.escape(title)}</b>{''.join(rows)}</div>"
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
            thematic: [{{ this.options.thematic|join(", ") }}],
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
    for child in descendants(group) if group is not None else ():
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
    thematic: Sequence[folium.FeatureGroup] = (),
    file: str,
) -> MacroElement:
    """
    Make the element that turns the title and legend into map panels and watches the tiles.

    Add it to the map after the layers and before the layer control, so the tools panel sits
    above the layer list (top left), and the layer control's list is laid out by the page.

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
    thematic
        The thematic layers: one shows at a time over the street base (ticking one unticks
        the others), and the page's address (its hash) keeps which.
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
        "thematic": [group.get_name() for group in thematic],
        "file": file,
    }
    return _PageChrome(tiles, options)
