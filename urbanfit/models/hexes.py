"""Street figures by H3 hexagon: length-weighted means over the cells of the edges' midpoints.

Pure functions of edge tables: no I/O, no printing. An edge belongs to the H3 cell of its
midpoint; a cell's figure is the length-weighted mean over its edges where the figure is known.
Finding the cells (one C call per edge: h3 4.x has no array API) is the costly part, so
`scenario_hexes` finds them once for every scenario of a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from urbanfit.errors import ModelError

__all__ = ["hex_scores", "scenario_hexes"]

_TIDY = ["h3_cell", "scenario", "score"]


def hex_scores(
    edges: gpd.GeoDataFrame, *, resolution: int, value: str = "score"
) -> gpd.GeoDataFrame:
    """
    Length-weighted mean of an edge value over the H3 cells of the edges' midpoints.

    Parameters
    ----------
    edges
        Edges with ``length_m``, the value column and line geometry in a CRS.
    resolution
        H3 resolution (0-15).
    value
        The column to average.

    Returns
    -------
    hexes
        GeoDataFrame in the edges' CRS, one row per cell, sorted by cell: ``h3_cell``,
        ``score`` (length-weighted mean of `value` over the cell's edges where it is known,
        NaN where they have no length; a cell whose edges all lack a value is left out),
        ``street_km``, ``edges`` (count), geometry (the cell's hexagon).
    """
    if len(edges) == 0 or edges.geometry.name not in edges.columns:
        return _empty_hexes(edges.crs)
    values = np.asarray(pd.to_numeric(edges[value], errors="coerce"), dtype="float64")
    hexes, _ = scenario_hexes(edges, {"score": values}, headline="score", resolution=resolution)
    return hexes


def scenario_hexes(
    edges: gpd.GeoDataFrame,
    scores: Mapping[str, np.ndarray],
    *,
    headline: str,
    resolution: int,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """
    Return a run's hexagons: the headline's as `hex_scores` draws them, and every scenario's.

    The cells are found once. An edge is kept where the headline scenario's figure is known;
    which edges have a figure does not depend on the scenario.

    Parameters
    ----------
    edges
        Edges with ``length_m`` and line geometry in a CRS.
    scores
        Scenario id -> that scenario's edge figures, aligned with ``edges``.
    headline
        The scenario whose hexagons are drawn (one of ``scores``).
    resolution
        H3 resolution (0-15).

    Returns
    -------
    hexes, table
        The headline's hexagons as `hex_scores` returns them, and every scenario's cell
        figures, tidy: ``h3_cell``, ``scenario``, ``score`` (length-weighted mean), scenarios
        in the given order, the same cells sorted within each.
    """
    crs = edges.crs
    headline_values = np.asarray(scores[headline], dtype="float64")
    usable = _usable(edges, np.isfinite(headline_values))
    if not usable.any():
        return _empty_hexes(crs), pd.DataFrame(columns=_TIDY)
    if crs is None:
        raise ModelError("the streets table has no CRS: cannot place edges on the H3 grid")
    means = _means(edges, usable, scores, resolution)
    return _hexagons(means, headline, crs), _tidy(means, scores)


def _usable(edges: gpd.GeoDataFrame, known: np.ndarray) -> np.ndarray:
    geoms = edges.geometry.to_numpy()
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & known


def _means(
    edges: gpd.GeoDataFrame,
    usable: np.ndarray,
    scores: Mapping[str, np.ndarray],
    resolution: int,
) -> pd.DataFrame:
    kept = edges.loc[usable]
    values = {sid: np.asarray(score, dtype="float64")[usable] for sid, score in scores.items()}
    return _cell_means(kept, values, resolution)


def _tidy(means: pd.DataFrame, scores: Mapping[str, np.ndarray]) -> pd.DataFrame:
    blocks = [
        pd.DataFrame({"h3_cell": means.index, "scenario": sid, "score": means[sid].to_numpy()})
        for sid in scores
    ]
    return pd.concat(blocks, ignore_index=True)[_TIDY]


def _hexagons(means: pd.DataFrame, column: str, crs: Any) -> gpd.GeoDataFrame:
    total = means["length_m"].to_numpy()
    polygons = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])
        for cell in means.index
    ]
    hexes = gpd.GeoDataFrame(
        {
            "h3_cell": means.index.to_numpy(dtype="object"),
            "score": means[column].to_numpy(),
            "street_km": total / 1000.0,
            "edges": means["edges"].to_numpy(dtype="int64"),
        },
        geometry=polygons,
        crs=4326,
    )
    return hexes.to_crs(crs)


def _empty_hexes(crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "h3_cell": pd.Series(dtype="object"),
            "score": pd.Series(dtype="float64"),
            "street_km": pd.Series(dtype="float64"),
            "edges": pd.Series(dtype="int64"),
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def _midpoint_cells(edges: gpd.GeoDataFrame, resolution: int) -> list[str]:
    """Return the H3 cell of each edge's midpoint."""
    mid = shapely.line_interpolate_point(edges.geometry.to_numpy(), 0.5, normalized=True)
    xy = shapely.get_coordinates(mid)
    to_wgs84 = Transformer.from_crs(edges.crs, 4326, always_xy=True)
    lons, lats = to_wgs84.transform(xy[:, 0], xy[:, 1])
    # h3 4.x has no array API: one C call per edge midpoint
    return [h3.latlng_to_cell(la, lo, resolution) for la, lo in zip(lats, lons, strict=True)]


def _cell_means(
    kept: gpd.GeoDataFrame, values: Mapping[str, np.ndarray], resolution: int
) -> pd.DataFrame:
    """
    Length-weighted mean of each of ``values`` (aligned with ``kept``) per H3 cell.

    Returns the cells, sorted, as the index, with ``length_m`` (total), ``edges`` (count) and
    one column per value (NaN where the cell's edges have no length).
    """
    length = kept["length_m"].to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {"h3_cell": _midpoint_cells(kept, resolution), "length_m": length, "edges": 1}
    )
    names = list(values)
    for name in names:
        frame[name] = np.asarray(values[name], dtype="float64") * length
    grouped = frame.groupby("h3_cell", sort=True).sum()
    total = grouped["length_m"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in names:
            grouped[name] = np.where(total > 0, grouped[name].to_numpy() / total, np.nan)
    return grouped
