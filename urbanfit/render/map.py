"""The interactive folium map (``map.html``): base streets plus one layer per model result."""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import Fullscreen
from folium.utilities import JsCode

from urbanfit.council_text import safety_sentence
from urbanfit.render.curb_layer import CURB_ESTIMATED_NOTE, curb_layer
from urbanfit.render.labels import counted, kei_size
from urbanfit.render.layers import (
    DETAIL_EDGES,
    congestion_layer,
    fit_layer,
    index_layer,
    lots_layer,
)
from urbanfit.render.map_assets import inline_web_assets
from urbanfit.render.map_base import escape_text, feature_count, geojson_layer, summarised
from urbanfit.render.map_page import legend_block, legend_note, page_chrome
from urbanfit.render.map_years import add_year_switch
from urbanfit.render.palette import STREET_COLOUR, STREET_WIDTHS
from urbanfit.render.safety_layer import safety_layer, safety_note
from urbanfit.render.share_text import share_headlines
from urbanfit.results import AnalysisResult
from urbanfit.units import Units, display_units, in_units, kilometres

__all__ = ["CLASS_COLOURS", "GLOSSARY", "STREET_GROUPS", "build_map", "escape_text"]

# Street classes in six groups, drawn as a neutral base: one grey, the class told by the line's
# width (palette.STREET_WIDTHS), so that the one thematic layer shown is the only colour.
STREET_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "motorway, trunk": (STREET_COLOUR, ("motorway", "motorway_link", "trunk", "trunk_link")),
    "primary": (STREET_COLOUR, ("primary", "primary_link")),
    "secondary": (STREET_COLOUR, ("secondary", "secondary_link")),
    "tertiary": (STREET_COLOUR, ("tertiary", "tertiary_link")),
    "local (residential, unclassified, other)": (
        STREET_COLOUR,
        ("residential", "unclassified", "road"),
    ),
    "living street": (STREET_COLOUR, ("living_street",)),
}
_SAMPLE = "#333333"  # the legend's sample line for "mapped" and "estimated" (style, not colour)
_LOCAL = "local (residential, unclassified, other)"  # classes not listed fall here
_GROUP_OF = {cls: group for group, (_, classes) in STREET_GROUPS.items() for cls in classes}
CLASS_COLOURS = {cls: STREET_GROUPS[group][0] for cls, group in _GROUP_OF.items()}


def _kei_car(units: Units) -> str:
    """Say what a kei car is, its legal size in the run's display units."""
    return f"Japan's smallest class of car and truck: {kei_size(units)}."


# Plain words for the terms the map uses (the page's glossary); the title box writes the kei
# car's size in the run's display units.
GLOSSARY = {
    "kei car": _kei_car("metric"),
    "kei share": "The part of all cars that are kei cars; 0 % is today's fleet.",
    "curb side": "One side of one street: the curb a car parks along.",
    "stretch of curb": (
        "One curb side between interruptions (corners, driveways): its spaces are counted together."
    ),
    "estimated curb": (
        "No parking is mapped in OpenStreetMap here; parking is assumed from the road "
        "class. Drawn dashed; an upper bound."
    ),
    "V/C": (
        "Volume over capacity: the peak-hour traffic on a street divided by what it can "
        "carry. Near 1 or more means queues."
    ),
    "vehicle-hours": "The hours all vehicles spend travelling in the peak hour, added up.",
    "Urban Fit index": (
        "A 0-100 score per street of how much a kei fleet helps there: parking gained, "
        "congestion relieved and narrow streets opened."
    ),
}


def _share_lines(result: AnalysisResult) -> dict[int, list[str]]:
    """Return the title box's lines for each kei share: the summary's own headlines."""
    s = result.summary
    scenarios = result.scenarios
    out: dict[int, list[str]] = {}
    parking = s.get("parking")
    today = []
    if parking is not None:
        first = parking["scenarios"][scenarios.baseline.id]
        today.append(
            f"Today (0 % kei, a full-size fleet): {first['total_spaces']:,.0f} parking spaces "
            f"counted, {first['curb_spaces']:,.0f} of them on the curb. Choose a kei share to "
            "see what changes."
        )
    out[0] = today
    out.update(share_headlines(s, scenarios))
    for k, scenario in enumerate(scenarios):  # the safety trade-off at each share, per crash
        safety = safety_sentence(s, scenario.id, scenario.label) if k else None
        if safety:
            out[k] = [*out.get(k, []), safety]
    return out


def _title_box(result: AnalysisResult) -> str:
    s = result.summary
    network = s["network"]
    lines = [
        f"{kilometres(network['street_km'], display_units(s))} of drivable street, "
        f"{counted(network['edges_count'], 'edge')}",
        f"{counted(s['lots']['count'], 'parking lot')} mapped",
    ]
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    for k, share in _share_lines(result).items():
        body += f"<div class='urbanfit-share-lines' data-scenarios='{k}'>"
        body += "".join(f"<div>{html.escape(line)}</div>" for line in share) + "</div>"
    glossary = GLOSSARY | {"kei car": _kei_car(display_units(s))}
    words = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
        for term, text in glossary.items()
    )
    body += (
        "<details id='urbanfit-glossary'><summary>Words on this map</summary>"
        f"<dl>{words}</dl></details>"
    )
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
    # the only base map (no radio); fetched with CORS, so that the image export may draw it
    tiles = folium.TileLayer("OpenStreetMap", control=False, cross_origin="anonymous")
    tiles.add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    speed, speed_unit = in_units(
        streets["speed_kmh"].to_numpy(), "km/h", display_units(result.summary)
    )
    table = streets.assign(
        name=streets["name"].fillna("(unnamed)"),
        speed_kmh=np.round(speed, 0),
        oneway=streets["oneway"].map({True: "yes", False: "no"}),
        highway=streets["highway"].str.replace("_", " ", regex=False),
    )
    group = streets["highway"].map(_GROUP_OF).fillna(_LOCAL)
    colours = group.map({g: c for g, (c, _) in STREET_GROUPS.items()})
    table["_w"] = group.map(STREET_WIDTHS).to_numpy()
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
                "speed_kmh": f"Speed ({speed_unit})",
                "oneway": "One-way",
            },
            style={"weight": 2, "opacity": 0.9},
            colours=colours[rows],
            show=show,
            merge_by=streets["osm_id"][rows],
            carry=("_w",),
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
    legends = [legend_block("Streets (width by class)", entries, layer=layer, widths=STREET_WIDTHS)]
    if split:
        local = streets_layer(~main, "Local streets", show=False)
        local.add_to(fmap)
        legends.append(
            legend_block(
                "Local streets",
                {_LOCAL: STREET_GROUPS[_LOCAL][0]},
                layer=local,
                widths=STREET_WIDTHS,
            )
        )
    top = result.scenarios.headline
    missing: list[str] = []

    def add(
        drawn: tuple[folium.FeatureGroup, Any] | None, title: str, why: str
    ) -> folium.FeatureGroup | None:
        """Add a layer and its legend block(s), or note in the legend why it is not there."""
        if drawn is None or not feature_count(drawn[0]):
            missing.append(f"{title}: {why}")
            return None
        drawn[0].add_to(fmap)
        if isinstance(drawn[1], dict):
            legends.append(legend_block(title, drawn[1], layer=drawn[0]))
        else:  # one block per kei share, shown while that share is chosen
            for heading, entries, shares in drawn[1]:
                legends.append(legend_block(heading, entries, layer=drawn[0], shares=shares))
        return drawn[0]

    curb = add(
        curb_layer(
            result.parking,
            streets=streets,
            scenarios=result.scenarios,
            units=display_units(result.summary),
        ),
        "Curb parking",
        "no curb parking is tagged (or inferred) in the data",
    )
    estimated = result.parking.sides["source"].eq("inferred").any()
    if curb is not None and estimated and not getattr(curb, "urbanfit_note", None):
        legends.append(
            legend_block(
                "Curb drawn as",
                {"mapped in OSM": _SAMPLE, "estimated (no parking tags)": _SAMPLE},
                layer=curb,
                dashed=("estimated (no parking tags)",),
                note=CURB_ESTIMATED_NOTE,
            )
        )
    lots = add(
        lots_layer(
            result.city.lots,
            result.parking,
            result.catalog,
            scenarios=result.scenarios,
            units=display_units(result.summary),
        )
        if len(result.city.lots)
        else None,
        "Off-street parking",
        "no parking lots in the data",
    )
    congestion = add(
        congestion_layer(result.congestion, streets=streets, scenarios=result.scenarios)
        if result.congestion is not None and len(result.congestion.links)
        else None,
        f"V/C change at {top.label}",
        "no assigned links to show (see the report's notes)",
    )
    fit = add(
        fit_layer(result.fit, units=display_units(result.summary)),
        "Narrow-street fit",
        "no street where the vehicle class matters",
    )
    index = add(
        index_layer(result.index, scenarios=result.scenarios, units=display_units(result.summary))
        if len(result.index.hexes)
        else None,
        f"Urban Fit index at {top.label}",
        "no scored streets",
    )
    safety = add(
        safety_layer(
            result.council.get("safety"),
            streets=streets,
            scenarios=result.scenarios,
            units=display_units(result.summary),
        ),
        "Safety",
        "the safety figures are withheld (see the report)",
    )
    if safety is not None:
        legends.append(legend_block("Safety, read as", {}, layer=safety, note=safety_note(safety)))
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
        thematic=[g for g in (curb, congestion, fit, index, safety) if g is not None],
        file=result.slug,
    ).add_to(fmap)  # before the layer control: the tools panel goes above it
    # on the left under the tools: the right holds the title and the legend
    control = folium.LayerControl(collapsed=False, position="topleft")
    # a list of layers on a desktop, an icon that opens it on a phone
    narrow = JsCode("window.matchMedia('(max-width: 600px)').matches")
    control.options["collapsed"] = narrow  # type: ignore[assignment]  # folium renders JsCode
    control.add_to(fmap)
    add_year_switch(fmap, result.summary, result.scenarios)
    inline_web_assets(fmap)
    return fmap
