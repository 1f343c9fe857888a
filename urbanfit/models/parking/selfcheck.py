"""Score the curb estimate against a curb inventory, metre by metre along the surveyed curb.

Where an inventory covers a side, the estimate is run there as if nothing were known (OSM
curb tags and the inventory hidden): a side it says parks is parkable along its length less
every clearance (`urbanfit.models.parking.estimate.clearance_intervals`). Each surveyed side
is cut at every inventory and clearance boundary; on each piece the survey says parking or
not, and the estimate says parkable or not. Precision and recall of "parking allowed here"
are weighted by length. Spaces are counted the same way on both: each unbroken parkable
stretch holds ``floor(length / pitch)`` vehicles of the baseline fleet (all surveyed curb is
taken as parallel), per km of surveyed curb.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.models.parking._common import _EPS
from urbanfit.models.parking.estimate import clearance_intervals, estimate_curb
from urbanfit.models.parking.validation import hide_curb_tags
from urbanfit.parameters.parking import CurbParams

__all__ = ["score_against_inventory"]


def _pieces(segments: pd.DataFrame, cleared: pd.DataFrame) -> pd.DataFrame:
    """Cut each surveyed side at every segment and clearance end; flag each piece."""
    cuts = pd.concat(
        [
            pd.DataFrame({"row": segments["row"], "at": segments["start_m"]}),
            pd.DataFrame({"row": segments["row"], "at": segments["end_m"]}),
            pd.DataFrame({"row": cleared["row"], "at": cleared["start_m"]}),
            pd.DataFrame({"row": cleared["row"], "at": cleared["end_m"]}),
        ]
    )
    cuts = cuts[cuts["row"].isin(segments["row"].unique())]
    cuts = cuts.drop_duplicates().sort_values(["row", "at"])
    cuts["next"] = cuts.groupby("row")["at"].shift(-1)
    pieces = cuts.dropna(subset=["next"])
    pieces = pieces[pieces["next"] > pieces["at"] + 1e-9].reset_index(drop=True)
    pieces["mid"] = (pieces["at"] + pieces["next"]) / 2.0
    pieces["length"] = pieces["next"] - pieces["at"]

    def inside(intervals: pd.DataFrame, flag: str | None) -> np.ndarray:
        pairs = pieces.reset_index().merge(intervals, on="row")
        hit = (pairs["start_m"] <= pairs["mid"]) & (pairs["mid"] < pairs["end_m"])
        if flag is not None:
            hit &= pairs[flag].to_numpy(dtype=bool)
        out = np.zeros(len(pieces), dtype=bool)
        out[pairs.loc[hit, "index"].to_numpy()] = True
        return out

    pieces["surveyed"] = inside(segments, None)
    pieces["truth"] = inside(segments, "parks")
    pieces["cleared"] = inside(cleared, None)
    return pieces


def _stretch_spaces(pieces: pd.DataFrame, flag: np.ndarray, pitch_m: float) -> float:
    """Whole vehicles in each unbroken stretch of flagged pieces, summed."""
    frame = pieces.loc[flag, ["row", "at", "next", "length"]]
    if frame.empty:
        return 0.0
    joined = (frame["row"] == frame["row"].shift()) & np.isclose(frame["at"], frame["next"].shift())
    stretch = (~joined).cumsum()
    lengths = frame.groupby(stretch)["length"].sum().to_numpy(dtype="float64")
    return float(np.floor(lengths / pitch_m + _EPS).sum())


def score_against_inventory(
    curb: gpd.GeoDataFrame,
    segments: pd.DataFrame,
    *,
    streets: pd.DataFrame | None,
    points: gpd.GeoDataFrame | None,
    pitch_m: float,
    params: CurbParams | None = None,
) -> dict[str, float | int | None]:
    """Precision, recall and spaces per km of the estimate on the curb an inventory covers.

    Parameters
    ----------
    curb
        The ``curb`` table (tags are hidden here).
    segments
        The inventory's segments at the run's curb time
        (`urbanfit.citydata.inventory.inventory_segments`: ``edge_id``, ``side``,
        ``start_m``, ``end_m``, ``parks``), limited to the sides to score.
    streets, points
        The ``streets`` table and the curb point features the estimate uses.
    pitch_m
        The baseline fleet's parallel pitch.
    params
        Estimate rules and clearances.

    Returns
    -------
    scores
        ``sides_count``, ``km`` surveyed; ``surveyed_parking_km`` and
        ``estimated_parking_km`` on it; ``precision_share``, ``recall_share`` (None where
        undefined); ``surveyed_spaces_per_km``, ``estimated_spaces_per_km`` and
        ``spaces_per_km_rel_error`` (estimated / surveyed - 1).
    """
    params = params or CurbParams()
    hidden = hide_curb_tags(curb)
    parks = estimate_curb(hidden, streets, params=params).eq("parking").to_numpy()
    row_of = pd.Series(
        np.arange(len(curb)), index=pd.MultiIndex.from_arrays([curb["edge_id"], curb["side"]])
    )
    key = pd.MultiIndex.from_arrays([segments["edge_id"], segments["side"]])
    seg = segments.assign(row=row_of.reindex(key).to_numpy())
    seg = seg.dropna(subset=["row"]).astype({"row": "int64"})
    cleared = clearance_intervals(hidden, params=params, streets=streets, points=points)
    pieces = _pieces(seg, cleared)
    surveyed = pieces["surveyed"].to_numpy()
    truth = surveyed & pieces["truth"].to_numpy()
    said = surveyed & parks[pieces["row"].to_numpy()] & ~pieces["cleared"].to_numpy()
    km = pieces["length"].to_numpy() / 1000.0
    total = float(km[surveyed].sum())
    hit, real, guess = float(km[truth & said].sum()), float(km[truth].sum()), float(km[said].sum())
    pitch = float(pitch_m)
    true_spaces = _stretch_spaces(pieces, truth, pitch)
    guessed_spaces = _stretch_spaces(pieces, said, pitch)

    def ratio(numerator: float, denominator: float) -> float | None:
        return numerator / denominator if denominator else None

    return {
        "sides_count": int(seg["row"].nunique()),
        "km": total,
        "surveyed_parking_km": real,
        "estimated_parking_km": guess,
        "precision_share": ratio(hit, guess),
        "recall_share": ratio(hit, real),
        "surveyed_spaces_per_km": ratio(true_spaces, total),
        "estimated_spaces_per_km": ratio(guessed_spaces, total),
        "spaces_per_km_rel_error": (guessed_spaces / true_spaces - 1.0 if true_spaces else None),
    }
