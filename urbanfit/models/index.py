"""The Urban Fit index: one 0-100 score per street edge, per city and per H3 hexagon.

Pure functions of the model tables and `IndexParams`: no I/O, no printing.

Meaning (one sentence a planner can say): an index of X means that, on the streets whose inputs
are known, the scored kei fleet delivers on average X % of the most the index counts, which is
a street that gains ``parking_gain_cap_per_100m`` curb spaces per 100 m, frees
``vc_relief_cap`` of its capacity and becomes a two-way street only kei pass two-abreast
(`index_meaning` words it with the actual caps).

Formula (per edge, for one scenario)
-------------------------------------
- parking part P = 100 x min(1, max(0, g) / ``parking_gain_cap_per_100m``), where g is the curb
  spaces gained per 100 m of street, summed over the sides with a figure, an estimated side's
  gain weighted by the curb estimate's measured precision (`EstimateErrorParams`: the share of
  estimated parked curb a survey found parkable), so a street whose curb is only estimated
  does not sit at the cap; unknown where no side of the edge has a figure;
- congestion part C = 100 x min(1, r / ``vc_relief_cap``), where r is the mean over the edge's
  directed links of max(0, -``vc_change``); unknown on edges the assignment dropped, and
  everywhere without a congestion result;
- fit part F = kei share of the scenario x (``fit_score_two_abreast`` where only kei passes a
  two-way street two-abreast, else ``fit_score_single`` where only kei passes at all, else 0);
  unknown where the edge's width is missing or only a class default (``width_unknown``);
- index = (sum of w_k x part_k over the known parts) / (sum of w_k over the known parts): a part
  whose input is unknown is dropped from that edge's weighted mean, never scored 0. An edge
  with no known part has no score (NaN) and is left out of the city and hexagon means. Without
  a congestion result w_C is 0 and w_P, w_F are rescaled to sum to 1 (`IndexResult.weights`
  holds the weights used).

City score and hexagon scores are length-weighted means of the scored edges; an edge belongs to
the H3 cell of its midpoint. Coverage figures give the share of street km where each input is
measured (a mapped curb side, an assigned link, a tagged width), the estimated inputs apart
(estimated curb, widths from buildings), so a reader sees how much of the city the score speaks
for and how much of it rests on rules.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.errors import ModelError
from urbanfit.models.hexes import _empty_hexes, hex_scores
from urbanfit.parameters.fit import IndexParams
from urbanfit.parameters.ranges import EstimateErrorParams
from urbanfit.results import FitResult, IndexResult, scenario_rows

__all__ = [
    "IndexResult",
    "hex_scores",
    "index_formula_text",
    "index_meaning",
    "index_weights",
    "parking_sides_for",
    "urban_fit_index",
]


def parking_sides_for(
    sides: pd.DataFrame, side_spaces: pd.DataFrame, scenario_id: str
) -> pd.DataFrame:
    """
    Give the index's view of the curb sides: edge, gain per 100 m, estimated or not.

    Parameters
    ----------
    sides
        `ParkingResult.sides` (``edge_id``, ``source``).
    side_spaces
        Tidy side spaces (`ParkingResult.side_spaces`, or a range run's) with
        ``gained_per_100m``.
    scenario_id
        The scenario scored.

    Returns
    -------
    sides
        ``edge_id``, ``gained_per_100m``, ``estimated`` (the side's status is the estimate's).
    """
    gains = scenario_rows(side_spaces, scenario_id)["gained_per_100m"].to_numpy()
    source = (
        sides["source"].to_numpy(dtype="object")
        if "source" in sides.columns
        else np.full(len(sides), None)
    )
    return pd.DataFrame(
        {
            "edge_id": sides["edge_id"].to_numpy(),
            "gained_per_100m": gains,
            "estimated": np.isin(source, ["inferred", "inferred_zero"]),
        }
    )


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
            "No congestion result was available (or its delay was withheld as resting on too "
            "little demand), so congestion relief is left out and the "
            f"other two weights are rescaled from {params.weight_parking:g} and "
            f"{params.weight_fit:g} to sum to 1. "
        )
    text += (
        f"Narrow-street fit gives {params.fit_score_two_abreast:g} points to a two-way street "
        "that kei vehicles can pass two-abreast and full-size vehicles cannot, and "
        f"{params.fit_score_single:g} points to a street that a kei vehicle can pass and a "
        "full-size vehicle cannot, times the scenario's kei share. A part whose input is "
        "unknown on a street (no curb figure on either side, no assigned link, no carriageway "
        "width) is left out of that street's weighted mean instead of scoring 0, and a street "
        "with no known part has no score. The city score and the hexagon scores (H3 "
        f"resolution {params.h3_resolution}) are length-weighted means of the scored streets."
    )
    return text


def index_meaning(params: IndexParams, *, congestion: bool = True) -> str:
    """
    Say what the index means in one sentence a planner can repeat, with its actual caps.

    Parameters
    ----------
    params
        The caps that score 100.
    congestion
        Whether congestion relief is part of the score.

    Returns
    -------
    sentence
        Plain text, one sentence.
    """
    parts = [
        f"gains {params.parking_gain_cap_per_100m:g} curb spaces per 100 m",
        *([f"frees {params.vc_relief_cap * 100:g} % of its capacity"] if congestion else []),
        "becomes a two-way street that only kei vehicles pass two-abreast",
    ]
    return (
        "An Urban Fit index of X means that, on the streets whose data are known, the kei fleet "
        "of the scored scenario delivers on average X % of the most the index counts: a street "
        f"that {', '.join(parts[:-1])} and {parts[-1]}."
    )


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


def _flag(table: pd.DataFrame, column: str, edge_id: np.ndarray, *, absent: bool) -> np.ndarray:
    """Return a boolean fit column per edge id (false if the column lacks; `absent` if the edge)."""
    if column not in table.columns:
        return np.zeros(len(edge_id), dtype=bool)
    return table[column].eq(True).reindex(edge_id, fill_value=absent).to_numpy(dtype=bool)


def _coverage(
    length: np.ndarray,
    parking: tuple[np.ndarray, np.ndarray],
    assigned: np.ndarray,
    fit: FitResult,
    edge_id: np.ndarray,
) -> dict[str, float | None]:
    """Share of street km with each input measured, and estimated (None without length)."""
    measured_parking, estimated_parking = parking
    total = float(length.sum())

    def share(mask: np.ndarray) -> float | None:
        return float(length[mask].sum() / total) if total > 0 else None

    source = (
        fit.edges.set_index("edge_id")["width_source"]
        if "width_source" in fit.edges.columns
        else pd.Series(dtype="object")
    )
    source = source[~source.index.duplicated()].reindex(edge_id).to_numpy(dtype="object")
    return {
        "coverage_parking_share": share(measured_parking),
        "coverage_parking_estimated_share": share(estimated_parking & ~measured_parking),
        "coverage_congestion_share": share(assigned),
        # a width from the city's own layer is measured, as a tag is
        "coverage_width_tagged_share": share(np.isin(source, ["tag", "inventory"])),
        "coverage_width_estimated_share": share(source == "estimated_geometry"),
        "coverage_width_default_share": share(
            ~np.isin(source, ["tag", "inventory", "estimated_geometry"])
        ),
    }


def urban_fit_index(
    streets: pd.DataFrame,
    *,
    parking_sides: pd.DataFrame,
    congestion_links: pd.DataFrame | None = None,
    fit: FitResult,
    scenario_id: str,
    params: IndexParams | None = None,
    estimate: EstimateErrorParams | None = None,
    with_hexes: bool = True,
) -> IndexResult:
    """
    Urban Fit index of every street edge, of the city and of H3 hexagons, for one scenario.

    Parameters
    ----------
    streets
        The ``streets`` table: ``edge_id``, ``length_m``, geometry in a projected CRS.
    parking_sides
        One row per curb side: ``edge_id``, the scored scenario's ``gained_per_100m`` and
        optionally ``estimated`` (`parking_sides_for`); an estimated side's gain counts at the
        estimate's measured precision.
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
    estimate
        The curb estimate's measured error (`EstimateErrorParams`, default values when None):
        its ``precision_share`` weights estimated sides.
    with_hexes
        False leaves ``hexes`` empty (for a scenario whose edge scores are all that is
        wanted, see `urbanfit.models.hexes.scenario_hexes`).

    Returns
    -------
    result
        `IndexResult`. ``edges`` (GeoDataFrame, indexed like `streets`): ``edge_id``,
        ``length_m``, ``parking_gain_per_100m``, ``parking_known`` (a side has a figure),
        ``parking_measured`` (a mapped, not estimated, side has one),
        ``parking_score``, ``vc_relief`` (0 without congestion), ``congestion_assigned`` (the
        edge carries assigned links), ``congestion_score``, ``fit_known`` (the edge has a
        width), ``fit_points`` (before the kei share), ``fit_score``, ``scored`` (a known part
        with weight), ``score`` (weighted mean of the known parts; NaN where none is known),
        geometry. Part scores are 0 where unknown; the ``*_known``/``congestion_assigned``
        flags say which count. ``hexes``: see `hex_scores`.
        ``summary`` keys: ``scenario_id``, ``kei_share``, ``city_score``,
        ``meaning`` (`index_meaning`), ``parking_score_mean``, ``congestion_score_mean``,
        ``fit_score_mean`` (length-weighted means over the edges where the part is known, points
        0-100), ``weight_parking``, ``weight_congestion``, ``weight_fit`` (used),
        ``congestion_included``, ``street_km``, ``scored_km`` (edges with a score), shares of
        street km whose input is measured: ``coverage_parking_share`` (a mapped curb side),
        ``coverage_congestion_share`` (assigned), ``coverage_width_tagged_share``; and
        estimated: ``coverage_parking_estimated_share`` (estimated curb only),
        ``coverage_width_estimated_share`` (from buildings), ``coverage_width_default_share``
        (a class default or none: fit unknown), ``hex_count``,
        ``h3_resolution``, ``note``.
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
    estimate = estimate or EstimateErrorParams()
    is_estimated = (
        parking_sides["estimated"].eq(True).to_numpy(dtype=bool)
        if "estimated" in parking_sides.columns
        else np.zeros(len(parking_sides), dtype=bool)
    )
    gains = pd.to_numeric(parking_sides[gain_column], errors="coerce").to_numpy(dtype="float64")
    weighted = pd.DataFrame(
        {
            "edge_id": parking_sides["edge_id"].to_numpy(),
            "gain": np.where(is_estimated, gains * estimate.precision_share, gains),
            "measured": np.where(is_estimated | np.isnan(gains), np.nan, 1.0),
        }
    )
    gain, parking_known = _by_edge(weighted, "gain", edge_id, "sum")
    _, parking_measured = _by_edge(weighted, "measured", edge_id, "sum")
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

    fit_edges = fit.edges.drop_duplicates("edge_id").set_index("edge_id")
    two_way = _flag(fit_edges, "kei_only_two_way", edge_id, absent=False)
    single = _flag(fit_edges, "kei_only_single", edge_id, absent=False)
    unknown_column = "width_unknown" if "width_unknown" in fit_edges.columns else "width_missing"
    fit_known = ~_flag(fit_edges, unknown_column, edge_id, absent=True)
    fit_points = np.maximum(
        np.where(two_way, params.fit_score_two_abreast, 0.0),
        np.where(single, params.fit_score_single, 0.0),
    )
    fit_score = kei_share * fit_points
    known_parts = np.column_stack([parking_known, assigned, fit_known])
    part_w = np.array([weights["parking"], weights["congestion"], weights["fit"]]) * known_parts
    total_weight = part_w.sum(axis=1)
    scored = total_weight > 0
    parts = np.column_stack([parking_score, congestion_score, fit_score])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (part_w * parts).sum(axis=1) / total_weight
    score = np.where(scored, np.clip(mean, 0.0, 100.0), np.nan)  # 100.00000000000001 is 100
    edges = gpd.GeoDataFrame(
        {
            "edge_id": edge_id,
            "length_m": length,
            "parking_gain_per_100m": gain,
            "parking_known": parking_known,
            "parking_measured": parking_measured,
            "parking_score": parking_score,
            "vc_relief": relief,
            "congestion_assigned": assigned,
            "congestion_score": congestion_score,
            "fit_known": fit_known,
            "fit_points": fit_points,
            "fit_score": fit_score,
            "scored": scored,
            "score": score,
        },
        index=streets.index,
        geometry=streets.geometry if isinstance(streets, gpd.GeoDataFrame) else None,
        crs=getattr(streets, "crs", None),
    )
    hexes = (
        hex_scores(edges, resolution=params.h3_resolution)
        if with_hexes
        else _empty_hexes(edges.crs)
    )
    city = _weighted(score[scored], length[scored])
    note = (
        "congestion included"
        if congestion
        else "no congestion result (or its delay withheld): congestion relief left out, "
        "parking and fit weights "
        "rescaled to sum to 1"
    )
    summary: dict[str, Any] = {
        "scenario_id": scenario_id,
        "kei_share": kei_share,
        "city_score": city,
        "meaning": index_meaning(params, congestion=congestion),
        "parking_score_mean": _weighted(parking_score[parking_known], length[parking_known]),
        "congestion_score_mean": _weighted(congestion_score[assigned], length[assigned]),
        "fit_score_mean": _weighted(fit_score[fit_known], length[fit_known]),
        "weight_parking": weights["parking"],
        "weight_congestion": weights["congestion"],
        "weight_fit": weights["fit"],
        "congestion_included": congestion,
        "street_km": float(length.sum() / 1000.0),
        "scored_km": float(length[scored].sum() / 1000.0),
        **_coverage(length, (parking_measured, parking_known), assigned, fit, edge_id),
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
