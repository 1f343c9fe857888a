"""The Urban Fit index: one 0-100 score per street edge, per city and per H3 hexagon.

Pure functions of the model tables and `IndexParams`: no I/O, no printing.

Formula (per edge, for one scenario)
-------------------------------------
- parking part P = 100 x min(1, max(0, g) / ``parking_gain_cap_per_100m``), where g is the curb
  spaces gained per 100 m of street, summed over both sides (unknown sides count 0);
- congestion part C = 100 x min(1, r / ``vc_relief_cap``), where r is the mean over the edge's
  directed links of max(0, -``vc_change``) (edges the assignment dropped count 0);
- fit part F = kei share of the scenario x (``fit_score_two_abreast`` where only kei passes a
  two-way street two-abreast, else ``fit_score_single`` where only kei passes at all, else 0);
- index = w_P x P + w_C x C + w_F x F. Without a congestion result w_C is 0 and w_P, w_F are
  rescaled to sum to 1 (`IndexResult.weights` holds the weights used).

City score and hexagon scores are length-weighted means of the edge scores; an edge belongs to
the H3 cell of its midpoint.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from urbanfit.errors import ModelError
from urbanfit.parameters.fit import IndexParams
from urbanfit.results import FitResult, IndexResult

__all__ = ["IndexResult", "hex_scores", "index_formula_text", "index_weights", "urban_fit_index"]


def index_weights(params: IndexParams, *, congestion: bool = True) -> dict[str, float]:
    """
    Weights of the three parts; without congestion the other two are rescaled to sum to 1.

    Parameters
    ----------
    params
        The configured weights (summing to 1).
    congestion
        Whether a congestion result is available.

    Returns
    -------
    weights
        ``parking``, ``congestion``, ``fit``, summing to 1.
    """
    if congestion:
        return {
            "parking": params.weight_parking,
            "congestion": params.weight_congestion,
            "fit": params.weight_fit,
        }
    rest = params.weight_parking + params.weight_fit
    if rest <= 0:
        raise ModelError(
            "the Urban Fit index puts all its weight on congestion, but there is no congestion "
            "result; give parking or fit a weight"
        )
    return {
        "parking": params.weight_parking / rest,
        "congestion": 0.0,
        "fit": params.weight_fit / rest,
    }


def index_formula_text(params: IndexParams, *, congestion: bool = True) -> str:
    """
    One paragraph explaining the Urban Fit index with its actual weights, for the report.

    Parameters
    ----------
    params
        Weights, caps and fit points.
    congestion
        Whether congestion entered the score; if not, the text gives the rescaled weights.

    Returns
    -------
    text
        Plain text (no markup), one paragraph.
    """
    w = index_weights(params, congestion=congestion)
    parts = [
        f"{w['parking'] * 100:.0f} % parking space gained",
        *([f"{w['congestion'] * 100:.0f} % congestion relief"] if congestion else []),
        f"{w['fit'] * 100:.0f} % narrow-street fit",
    ]
    text = (
        "The Urban Fit index scores every street segment from 0 to 100 as a weighted sum of "
        f"{', '.join(parts[:-1])} and {parts[-1]}. Parking scores 100 at "
        f"{params.parking_gain_cap_per_100m:g} or more curb spaces gained per 100 m of street "
        "(both sides, against today's full-size fleet), proportionally less below. "
    )
    if congestion:
        text += (
            "Congestion relief scores 100 when the street's volume-to-capacity ratio falls by "
            f"{params.vc_relief_cap:g} or more (mean of its directions). "
        )
    else:
        text += (
            "No congestion result was available, so congestion relief is left out and the "
            f"other two weights are rescaled from {params.weight_parking:g} and "
            f"{params.weight_fit:g} to sum to 1. "
        )
    text += (
        f"Narrow-street fit gives {params.fit_score_two_abreast:g} points to a two-way street "
        "that kei vehicles can pass two-abreast and full-size vehicles cannot, and "
        f"{params.fit_score_single:g} points to a street that a kei vehicle can pass and a "
        "full-size vehicle cannot, times the scenario's kei share. The city score and the "
        f"hexagon scores (H3 resolution {params.h3_resolution}) are length-weighted means of the "
        "street scores."
    )
    return text


def _by_edge(
    table: pd.DataFrame, column: str, edge_id: np.ndarray, how: str
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate one numeric column per ``edge_id`` (sum or mean); values and presence flag."""
    values = pd.to_numeric(table[column], errors="coerce")
    frame = pd.DataFrame({"edge_id": table["edge_id"].to_numpy(), "value": values.to_numpy()})
    grouped = frame.groupby("edge_id")["value"]
    agg = grouped.sum(min_count=1) if how == "sum" else grouped.mean()
    aligned = agg.reindex(edge_id)
    present = aligned.notna().to_numpy(dtype=bool)
    return aligned.fillna(0.0).to_numpy(dtype="float64"), present


def _need(table: pd.DataFrame, column: str, what: str) -> None:
    missing = [c for c in ("edge_id", column) if c not in table.columns]
    if missing:
        raise ModelError(f"{what} lacks columns {', '.join(missing)}: is the scenario id right?")


def _weighted(values: np.ndarray, weights: np.ndarray) -> float | None:
    total = float(weights.sum())
    return float((values * weights).sum() / total) if total > 0 else None


def urban_fit_index(
    streets: pd.DataFrame,
    *,
    parking_sides: pd.DataFrame,
    congestion_links: pd.DataFrame | None = None,
    fit: FitResult,
    scenario_id: str,
    params: IndexParams | None = None,
) -> IndexResult:
    """
    Urban Fit index of every street edge, of the city and of H3 hexagons, for one scenario.

    Parameters
    ----------
    streets
        The ``streets`` table: ``edge_id``, ``length_m``, geometry in a projected CRS.
    parking_sides
        One row per curb side: ``edge_id`` and the scored scenario's ``gained_per_100m``
        (`ParkingResult.side_figures`).
    congestion_links
        One row per directed link: ``edge_id`` and the scored scenario's ``vc_change``
        (`CongestionResult.link_figures`); None when the congestion model did not run (its
        weight is then shared out, see `index_weights`).
    fit
        The `street_fit` result of the same streets (its ``kei_shares`` must hold the scenario).
    scenario_id
        The scenario to score, e.g. ``"kei100"``.
    params
        Weights, caps, fit points and H3 resolution; see `IndexParams`.

    Returns
    -------
    result
        `IndexResult`. ``edges`` (GeoDataFrame, indexed like `streets`): ``edge_id``,
        ``length_m``, ``parking_gain_per_100m``, ``parking_known`` (a side has a figure),
        ``parking_score``, ``vc_relief`` (0 without congestion), ``congestion_assigned`` (the
        edge carries assigned links), ``congestion_score``, ``fit_points`` (before the kei
        share), ``fit_score``, ``score``, geometry. ``hexes``: see `hex_scores`.
        ``summary`` keys: ``scenario_id``, ``kei_share``, ``city_score``,
        ``parking_score_mean``, ``congestion_score_mean``, ``fit_score_mean`` (length-weighted
        means, points 0-100), ``weight_parking``, ``weight_congestion``, ``weight_fit`` (used),
        ``congestion_included``, ``street_km``, ``hex_count``, ``h3_resolution``, ``note``.
    """
    if scenario_id not in fit.kei_shares:
        known = ", ".join(fit.kei_shares) or "none"
        raise ModelError(f"unknown scenario {scenario_id!r} for the index; known: {known}")
    params = params or IndexParams()
    kei_share = float(fit.kei_shares[scenario_id])
    congestion = congestion_links is not None
    weights = index_weights(params, congestion=congestion)
    n = len(streets)
    edge_id = (
        streets["edge_id"].to_numpy(dtype="int64")
        if "edge_id" in streets.columns
        else np.arange(n, dtype="int64")
    )
    length = np.nan_to_num(
        np.asarray(pd.to_numeric(streets["length_m"], errors="coerce"), dtype="float64")
        if "length_m" in streets.columns
        else np.zeros(n),
        nan=0.0,
    )

    gain_column = "gained_per_100m"
    _need(parking_sides, gain_column, "the parking sides table")
    gain, parking_known = _by_edge(parking_sides, gain_column, edge_id, "sum")
    parking_score = 100.0 * np.clip(gain / params.parking_gain_cap_per_100m, 0.0, 1.0)

    if congestion_links is not None:
        vc_column = "vc_change"
        _need(congestion_links, vc_column, "the congestion links table")
        relief_table = pd.DataFrame(
            {
                "edge_id": congestion_links["edge_id"].to_numpy(),
                "relief": np.clip(
                    -pd.to_numeric(congestion_links[vc_column], errors="coerce"), 0.0, None
                ),
            }
        )
        relief, assigned = _by_edge(relief_table, "relief", edge_id, "mean")
    else:
        relief, assigned = np.zeros(n), np.zeros(n, dtype=bool)
    congestion_score = 100.0 * np.clip(relief / params.vc_relief_cap, 0.0, 1.0)

    flags = fit.edges.set_index("edge_id")[["kei_only_two_way", "kei_only_single"]]
    flags = flags[~flags.index.duplicated()].astype(bool).reindex(edge_id, fill_value=False)
    fit_points = np.maximum(
        np.where(flags["kei_only_two_way"].to_numpy(), params.fit_score_two_abreast, 0.0),
        np.where(flags["kei_only_single"].to_numpy(), params.fit_score_single, 0.0),
    )
    fit_score = kei_share * fit_points
    score = np.clip(  # the weights sum to 1 up to rounding: 100.00000000000001 is 100
        weights["parking"] * parking_score
        + weights["congestion"] * congestion_score
        + weights["fit"] * fit_score,
        0.0,
        100.0,
    )
    edges = gpd.GeoDataFrame(
        {
            "edge_id": edge_id,
            "length_m": length,
            "parking_gain_per_100m": gain,
            "parking_known": parking_known,
            "parking_score": parking_score,
            "vc_relief": relief,
            "congestion_assigned": assigned,
            "congestion_score": congestion_score,
            "fit_points": fit_points,
            "fit_score": fit_score,
            "score": score,
        },
        index=streets.index,
        geometry=streets.geometry if isinstance(streets, gpd.GeoDataFrame) else None,
        crs=getattr(streets, "crs", None),
    )
    hexes = hex_scores(edges, resolution=params.h3_resolution)
    city = _weighted(score, length)
    note = (
        "congestion included"
        if congestion
        else "no congestion result: congestion relief left out, parking and fit weights "
        "rescaled to sum to 1"
    )
    summary: dict[str, Any] = {
        "scenario_id": scenario_id,
        "kei_share": kei_share,
        "city_score": city,
        "parking_score_mean": _weighted(parking_score, length),
        "congestion_score_mean": _weighted(congestion_score, length),
        "fit_score_mean": _weighted(fit_score, length),
        "weight_parking": weights["parking"],
        "weight_congestion": weights["congestion"],
        "weight_fit": weights["fit"],
        "congestion_included": congestion,
        "street_km": float(length.sum() / 1000.0),
        "hex_count": len(hexes),
        "h3_resolution": params.h3_resolution,
        "note": note,
    }
    return IndexResult(
        edges=edges,
        hexes=hexes,
        city_score=city,
        weights=weights,
        congestion_included=congestion,
        scenario_id=scenario_id,
        formula=index_formula_text(params, congestion=congestion),
        summary=summary,
    )


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
        ``score`` (length-weighted mean of `value`; NaN where the edges have no length),
        ``street_km``, ``edges`` (count), geometry (the cell's hexagon).
    """
    crs = edges.crs
    if len(edges) == 0 or edges.geometry.name not in edges.columns:
        return _empty_hexes(crs)
    geoms = edges.geometry.to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not usable.any():
        return _empty_hexes(crs)
    if crs is None:
        raise ModelError("the streets table has no CRS: cannot place edges on the H3 grid")
    kept = edges.loc[usable]
    mid = shapely.line_interpolate_point(kept.geometry.to_numpy(), 0.5, normalized=True)
    lonlat = gpd.GeoSeries(mid, crs=crs).to_crs(4326)
    lats, lons = lonlat.y.to_numpy(), lonlat.x.to_numpy()
    # h3 4.x has no array API: one C call per edge midpoint
    cells = [h3.latlng_to_cell(la, lo, resolution) for la, lo in zip(lats, lons, strict=True)]
    length = kept["length_m"].to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {
            "h3_cell": cells,
            "weighted": kept[value].to_numpy(dtype="float64") * length,
            "length_m": length,
            "edges": 1,
        }
    )
    grouped = frame.groupby("h3_cell", sort=True).sum()
    total = grouped["length_m"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, grouped["weighted"].to_numpy() / total, np.nan)
    polygons = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])
        for cell in grouped.index
    ]
    hexes = gpd.GeoDataFrame(
        {
            "h3_cell": grouped.index.to_numpy(dtype="object"),
            "score": score,
            "street_km": total / 1000.0,
            "edges": grouped["edges"].to_numpy(dtype="int64"),
        },
        geometry=polygons,
        crs=4326,
    )
    return hexes.to_crs(crs)
