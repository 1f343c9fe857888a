"""OSMnx graph and features -> raw frames; shared by the XML and Overpass sources."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely

from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS
from urbanfit.sources.raw import BUILDING_COLUMNS, EDGE_COLUMNS, LOT_COLUMNS, conform

__all__ = ["BUILDING_TAGS", "LOT_TAGS", "edges_from_graph", "features_frame", "osmnx_settings"]

# oneway values for which OSMnx reverses a way's nodes (osmnx.graph._add_paths)
_OSMNX_REVERSED = ("-1", "reverse", "T")

LOT_TAGS: dict[str, bool | str | list[str]] = {"amenity": "parking"}
BUILDING_TAGS: dict[str, bool | str | list[str]] = {"building": True}


@contextmanager
def osmnx_settings(**overrides: Any) -> Iterator[None]:
    """Temporarily set OSMnx settings (tags to keep plus ``overrides``), restoring them after."""
    wanted = {
        "useful_tags_way": sorted({*STREET_KEYS, *PARKING_KEYS}),
        "useful_tags_node": [],
        "log_console": False,
        "all_oneway": True,  # keep each way once, with its raw oneway tag
        **overrides,
    }
    saved = {key: getattr(ox.settings, key) for key in wanted}
    try:
        for key, value in wanted.items():
            setattr(ox.settings, key, value)
        yield
    finally:
        for key, value in saved.items():
            setattr(ox.settings, key, value)


def edges_from_graph(graph: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """
    Turn an unsimplified OSMnx graph into one row per way segment, in drawing order.

    Parameters
    ----------
    graph
        Built with ``simplify=False`` under ``settings.all_oneway=True`` (see `osmnx_settings`):
        every way appears once, its raw ``oneway`` tag kept; OSMnx has turned ``oneway=-1``
        ways round, which is undone here so that all sources give ways as drawn.

    Returns
    -------
    edges
        Raw edge frame (see `urbanfit.sources.raw.EDGE_COLUMNS`).
    """
    if graph.number_of_edges() == 0:
        return conform(None, EDGE_COLUMNS)
    frame = ox.convert.graph_to_gdfs(graph, nodes=False).reset_index()
    turned = frame["oneway"].astype("string").isin(_OSMNX_REVERSED).fillna(value=False)
    turned = turned.to_numpy(dtype=bool)
    u, v = frame["u"].to_numpy(), frame["v"].to_numpy()
    frame["u"], frame["v"] = np.where(turned, v, u), np.where(turned, u, v)
    geometry = frame.geometry.to_numpy()
    geometry[turned] = shapely.reverse(geometry[turned])
    frame = frame.set_geometry(geometry, crs=frame.crs)
    return conform(frame.rename(columns={"osmid": "osm_id"}), EDGE_COLUMNS)


def features_frame(fetch: Callable[[], gpd.GeoDataFrame], kind: str) -> gpd.GeoDataFrame:
    """
    Run an OSMnx features query and conform its result; no match gives an empty frame.

    Parameters
    ----------
    fetch
        Calls ``ox.features_from_xml`` / ``ox.features_from_polygon`` with the right tags.
    kind
        ``"lots"`` or ``"buildings"``.

    Returns
    -------
    frame
        Raw lot or building frame.
    """
    columns = LOT_COLUMNS if kind == "lots" else BUILDING_COLUMNS
    try:
        found = fetch()
    except ox._errors.InsufficientResponseError:
        return conform(None, columns)
    found = found.reset_index().rename(columns={"element": "osm_type", "id": "osm_id"})
    keys = LOT_KEYS if kind == "lots" else BUILDING_KEYS
    found = found[[c for c in ("osm_type", "osm_id", *keys, "geometry") if c in found.columns]]
    return conform(pd.DataFrame(found).pipe(gpd.GeoDataFrame, crs=found.crs), columns)
