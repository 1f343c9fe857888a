"""A city's curb inventory -> pieces on urbanfit's curb sides, and the rule in force at a time.

Three steps, each a function:

1. `match_inventory` places every piece of the inventory (a line drawn along its street, with
   ``side_of_street`` relative to the line's drawing direction) on the street edges: the piece
   is sampled every ``sample_step_m``; each sample goes to the nearest street line within
   ``match_tolerance_m`` that runs within ``match_angle_deg`` of the piece (either way). Where
   the edge runs against the piece, left and right swap (OSM ``left``/``right`` are relative
   to the way's direction too). Samples with no street are counted as unmatched length,
   never dropped silently.
2. `regulations_at` decides which regulations are in force at a `CurbTime`.
3. `inventory_segments` cuts each side into pieces where one rule wins (the lowest priority
   rank among those in force), and `inventory_curb` turns the sides the inventory covers into
   rows of the ``curb`` table with ``curb_source == "inventory"`` and the surveyed
   ``parkable_length_m``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from urbanfit.errors import ConfigError
from urbanfit.parameters.parking import InventoryParams

__all__ = [
    "CurbTime",
    "inventory_curb",
    "inventory_segments",
    "match_inventory",
    "parse_curb_time",
    "regulations_at",
]

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_NAMES = {
    **{name.lower(): day for day, name in enumerate(_WEEKDAYS)},
    **{name.lower()[:3]: day for day, name in enumerate(_WEEKDAYS)},
    **{name.lower()[:2]: day for day, name in enumerate(_WEEKDAYS)},
    "weekday": 2,
}


@dataclass(frozen=True)
class CurbTime:
    """A weekday and a time of day (minutes after midnight) at which curb rules are read."""

    weekday: int  # 0 = Monday
    minute: int

    @property
    def label(self) -> str:
        """E.g. ``"Wednesday 12:00"``."""
        return f"{_WEEKDAYS[self.weekday]} {self.minute // 60:02d}:{self.minute % 60:02d}"


def parse_curb_time(text: str) -> CurbTime:
    """Read ``"weekday 12:00"``, ``"sat 9:30"`` or ``"sunday 14:00"`` (weekday = Wednesday).

    Raises
    ------
    ConfigError
        The text is not a day name followed by a time of day HH:MM.
    """
    match = re.fullmatch(r"\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*", text or "")
    day = _DAY_NAMES.get(match.group(1).lower()) if match else None
    if match is None or day is None or int(match.group(2)) > 23 or int(match.group(3)) > 59:
        raise ConfigError(
            f"--curb-time must be a day and a time, e.g. 'weekday 12:00' or 'sat 09:30', "
            f"got {text!r}"
        )
    return CurbTime(weekday=day, minute=int(match.group(2)) * 60 + int(match.group(3)))


def _in_force(spans: list[dict], when: CurbTime) -> bool:
    if not spans:
        return True
    for span in spans:
        if span["dated"] or when.weekday not in span["days"]:
            continue  # a span limited to dates is a temporary rule, not a typical week's
        for start, end in span["windows"]:
            inside = start <= when.minute < end if start <= end else not end <= when.minute < start
            if inside or (end >= 23 * 60 + 59 and when.minute >= start):
                return True
    return False


def regulations_at(rows: pd.DataFrame, when: CurbTime) -> np.ndarray:
    """Whether each regulation (a row of `urbanfit.sources.curblr.read_curblr`) is in force.

    A regulation without time spans always is; a span applies on its days between its times
    (a window ending at 23:59 or 24:00 runs to midnight; ``from`` after ``to`` wraps midnight).
    Spans limited to effective dates are temporary rules and are left out at a typical week's
    time. Designated periods ("except during holidays") are read as a working day's.
    """
    spans = rows["time_spans"].to_list()  # a few hundred regulations, not a street loop
    return np.array([_in_force(s, when) for s in spans], dtype=bool)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.hypot(vectors[:, 0], vectors[:, 1])
    return vectors / np.where(norm > 0, norm, 1.0)[:, None]


def _direction(lines: np.ndarray, along: np.ndarray) -> np.ndarray:
    """Return the unit direction of each line at a distance along it (points 1 m either side)."""
    total = shapely.length(lines)
    ahead = shapely.line_interpolate_point(lines, np.minimum(along + 1.0, total))
    behind = shapely.line_interpolate_point(lines, np.maximum(along - 1.0, 0.0))
    return _unit(shapely.get_coordinates(ahead) - shapely.get_coordinates(behind))


def _as_lines(shapes: np.ndarray) -> np.ndarray:
    """Lines as they are; a polygon (a curb zone's outline) as its long axis."""
    polygon = shapely.get_type_id(shapes) == 3
    if not polygon.any():
        return shapes
    out = shapes.copy()
    rect = shapely.oriented_envelope(shapes[polygon])
    corners = np.zeros((len(rect), 4, 2))
    boxed = shapely.get_type_id(rect) == 3
    corners[boxed] = shapely.get_coordinates(rect[boxed]).reshape(-1, 5, 2)[:, :4]
    p0, p1, p2, p3 = (corners[:, k] for k in range(4))
    first_long = np.hypot(*(p1 - p0).T) >= np.hypot(*(p2 - p1).T)
    start = np.where(first_long[:, None], (p3 + p0) / 2, (p0 + p1) / 2)
    end = np.where(first_long[:, None], (p1 + p2) / 2, (p2 + p3) / 2)
    axis = shapely.linestrings(np.stack([start, end], axis=1))
    out[polygon] = np.where(boxed, axis, rect)  # a degenerate outline is already a line
    return out


def _side_off_line(best: pd.DataFrame, samples: np.ndarray, street_lines: np.ndarray) -> np.ndarray:
    """Left or right of the street line, for samples whose piece names no side."""
    lines = street_lines[best["edge"].to_numpy()]
    along = best["along"].to_numpy(dtype="float64")
    foot = shapely.get_coordinates(shapely.line_interpolate_point(lines, along))
    offset = shapely.get_coordinates(samples[best["sample"].to_numpy()]) - foot
    heading = _direction(lines, along)
    cross = heading[:, 0] * offset[:, 1] - heading[:, 1] * offset[:, 0]
    return np.where(cross > 0, "left", "right")


def match_inventory(
    rows: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    *,
    params: InventoryParams | None = None,
) -> tuple[pd.DataFrame, dict[str, float | int]]:
    """Place each inventory piece on street edges and sides (see the module docstring).

    Parameters
    ----------
    rows
        One row per (piece, regulation) with ``feature``, ``side_of_street`` and line geometry
        (any CRS with one set).
    streets
        The ``streets`` table (``edge_id``, ``length_m``, line geometry from u to v).
    params
        Tolerance, angle and sample step.

    Returns
    -------
    pieces, report
        ``pieces``: one row per (row of `rows`, edge side it lies on): ``row`` (position in
        `rows`), ``edge_id``, ``side`` (left/right of the edge), ``start_m``/``end_m`` along
        the edge from u, in the edge's ``length_m`` metres. ``report``: ``features_read``,
        ``features_matched`` (at least half their length on a street), ``km_read``,
        ``km_matched``, ``km_unmatched``, ``features_unmatched``.
    """
    params = params or InventoryParams()
    first = rows.drop_duplicates("feature")
    pieces = gpd.GeoSeries(first.geometry.to_numpy(), crs=rows.crs).to_crs(streets.crs)
    lines = _as_lines(pieces.to_numpy())
    length = shapely.length(lines)
    count = np.maximum(np.ceil(length / params.sample_step_m), 1).astype("int64")
    piece = np.repeat(np.arange(len(lines)), count)
    order = np.arange(len(piece)) - np.repeat(np.cumsum(count) - count, count)
    step = length[piece] / count[piece]
    along = (order + 0.5) * step
    samples = shapely.line_interpolate_point(lines[piece], along)
    heading = _direction(lines[piece], along)
    street_lines = streets.geometry.to_numpy()
    tree = shapely.STRtree(street_lines)
    at, edge = tree.query(samples, predicate="dwithin", distance=params.match_tolerance_m)
    on_edge = shapely.line_locate_point(street_lines[edge], samples[at])
    cosine = np.einsum("ij,ij->i", heading[at], _direction(street_lines[edge], on_edge))
    keep = np.abs(cosine) >= np.cos(np.radians(params.match_angle_deg))
    pairs = pd.DataFrame(
        {
            "sample": at[keep],
            "edge": edge[keep],
            "distance": shapely.distance(samples[at[keep]], street_lines[edge[keep]]),
            "along": on_edge[keep],
            "same_way": cosine[keep] > 0,
        }
    )
    best = pairs.loc[pairs.groupby("sample")["distance"].idxmin()]
    drawn = shapely.length(street_lines[best["edge"].to_numpy()])
    edge_length = streets["length_m"].to_numpy(dtype="float64")[best["edge"].to_numpy()]
    scale = np.where(drawn > 0, edge_length / np.where(drawn > 0, drawn, 1.0), 1.0)
    best = best.assign(
        piece=piece[best["sample"].to_numpy()],
        position=best["along"].to_numpy() * scale,
        half=step[best["sample"].to_numpy()] / 2.0 * scale,
        edge_length=edge_length,
    )
    side_of_street = first["side_of_street"].to_numpy(dtype="object")[best["piece"].to_numpy()]
    flip = {"left": "right", "right": "left", None: None}
    flipped = np.array([flip[s] for s in side_of_street], dtype="object")
    given = np.where(best["same_way"].to_numpy(), side_of_street, flipped)
    best["side"] = np.where(pd.isna(given), _side_off_line(best, samples, street_lines), given)
    spans = best.groupby(["piece", "edge", "side"]).agg(
        start=("position", "min"),
        end=("position", "max"),
        half=("half", "first"),
        edge_length=("edge_length", "first"),
    )
    spans = spans.reset_index()
    spans["start_m"] = np.clip(spans["start"] - spans["half"], 0.0, spans["edge_length"])
    spans["end_m"] = np.clip(spans["end"] + spans["half"], 0.0, spans["edge_length"])
    matched_m = np.bincount(
        best["piece"].to_numpy(), weights=step[best["sample"]], minlength=len(lines)
    )
    feature_of_piece = first["feature"].to_numpy()
    row_of = pd.DataFrame({"feature": rows["feature"].to_numpy(), "row": np.arange(len(rows))})
    spans["feature"] = feature_of_piece[spans["piece"].to_numpy()]
    out = spans.merge(row_of, on="feature")
    out["edge_id"] = streets["edge_id"].to_numpy(dtype="int64")[out["edge"].to_numpy()]
    matched = matched_m >= 0.5 * length
    report: dict[str, float | int] = {
        "features_read": len(lines),
        "features_matched": int(matched.sum()),
        "features_unmatched": int((~matched).sum()),
        "km_read": float(length.sum() / 1000.0),
        "km_matched": float(matched_m.sum() / 1000.0),
        "km_unmatched": float(max(length.sum() - matched_m.sum(), 0.0) / 1000.0),
    }
    columns = ["row", "edge_id", "side", "start_m", "end_m"]
    return out[columns].sort_values(columns).reset_index(drop=True), report


def inventory_segments(rows: pd.DataFrame, pieces: pd.DataFrame, when: CurbTime) -> pd.DataFrame:
    """Cut each surveyed side into segments where one regulation wins at `when`.

    Parameters
    ----------
    rows
        The inventory's regulations (``activity``, ``priority``, ``user_classes``,
        ``time_spans``).
    pieces
        `match_inventory`'s pieces.
    when
        The time the rules are read at.

    Returns
    -------
    segments
        ``edge_id``, ``side``, ``start_m``, ``end_m`` (disjoint per side), ``activity`` (the
        winning regulation in force, or ``none in force``), ``spaces`` (the winner's counted
        spaces, shared by length over where it lies; NaN where not counted) and ``parks``
        (bool: the winner is
        parking open to everyone, with no user class; or no rule is in force then, and
        unsigned curb parks, as US vehicle codes allow outside their listed places).
    """
    columns = ["edge_id", "side", "start_m", "end_m", "activity", "spaces", "parks"]
    if not len(pieces):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    force = regulations_at(rows, when)
    matched_m = (pieces["end_m"] - pieces["start_m"]).groupby(pieces["row"]).sum()
    spaces = rows["spaces"].to_numpy(dtype="float64") if "spaces" in rows.columns else None
    info = pd.DataFrame(
        {
            "row": np.arange(len(rows)),
            "spaces_per_m": (
                np.full(len(rows), np.nan)
                if spaces is None
                else spaces / matched_m.reindex(np.arange(len(rows))).to_numpy(dtype="float64")
            ),
            "activity": rows["activity"].to_numpy(dtype="object"),
            "priority": rows["priority"].to_numpy(dtype="float64"),
            "general": rows["user_classes"].isna().to_numpy(),
            "force": force,
        }
    )
    pieces = pieces.merge(info, on="row")
    cuts = pd.concat(
        [pieces[["edge_id", "side", "start_m"]].rename(columns={"start_m": "at"}),
         pieces[["edge_id", "side", "end_m"]].rename(columns={"end_m": "at"})]
    ).drop_duplicates().sort_values(["edge_id", "side", "at"])  # fmt: skip
    cuts["next"] = cuts.groupby(["edge_id", "side"])["at"].shift(-1)
    parts = cuts.dropna(subset=["next"])
    parts = parts[parts["next"] > parts["at"]]
    both = parts.merge(pieces, on=["edge_id", "side"])
    middle = (both["at"] + both["next"]) / 2.0
    both = both[(both["start_m"] <= middle) & (middle < both["end_m"])]
    rank = np.where(both["force"], both["priority"], np.inf)
    both = both.assign(rank=rank).sort_values(["edge_id", "side", "at", "rank"])
    win = both.drop_duplicates(["edge_id", "side", "at"])
    active = np.isfinite(win["rank"].to_numpy())
    return pd.DataFrame(
        {
            "edge_id": win["edge_id"].to_numpy(dtype="int64"),
            "side": win["side"].to_numpy(dtype="object"),
            "start_m": win["at"].to_numpy(dtype="float64"),
            "end_m": win["next"].to_numpy(dtype="float64"),
            "activity": np.where(active, win["activity"].to_numpy(dtype="object"), "none in force"),
            "spaces": np.where(
                active,
                win["spaces_per_m"].to_numpy(dtype="float64")
                * (win["next"] - win["at"]).to_numpy(dtype="float64"),
                np.nan,
            ),
            "parks": ~active
            | ((win["activity"].to_numpy() == "parking") & win["general"].to_numpy(dtype=bool)),
        }
    ).reset_index(drop=True)


def inventory_curb(
    curb: gpd.GeoDataFrame,
    segments: pd.DataFrame,
    *,
    params: InventoryParams | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, float | int]]:
    """Replace the sides an inventory covers in the ``curb`` table.

    Parameters
    ----------
    curb
        The ``curb`` table from OSM tags (`urbanfit.citydata.curb.curb_sides`).
    segments
        `inventory_segments` at the run's curb time.
    params
        ``min_cover_share``.

    Returns
    -------
    curb, report
        The table with ``curb_source`` (``osm`` or ``inventory``) and ``parkable_length_m`` (the
        surveyed parking length on inventory sides, NaN elsewhere); an inventory side is
        ``parking`` (parallel, as surveyed) where any of it parks, else ``no_parking``; its
        ``capacity`` the inventory's space count where every parking piece has one (the
        baseline the model's kei ratio scales), else NaN (the pitch model counts the
        surveyed length); OSM restriction cleared. ``report``: ``sides_covered``, ``km_covered``
        (surveyed length on those sides), ``km_parkable``, ``sides_partly_covered`` (left to
        OSM and the estimate).
    """
    params = params or InventoryParams()
    out = curb.copy()
    out["curb_source"] = "osm"
    out["parkable_length_m"] = np.nan
    seg = segments.assign(
        length=segments["end_m"].astype("float64") - segments["start_m"].astype("float64")
    )
    parks = seg["parks"].to_numpy(dtype=bool)
    seg["parked"] = np.where(parks, seg["length"], 0.0)
    seg["counted"] = np.where(parks, seg["spaces"].astype("float64"), 0.0)
    seg["uncounted"] = parks & ~np.isfinite(seg["spaces"].to_numpy(dtype="float64"))
    per_side = seg.groupby(["edge_id", "side"])[["length", "parked", "counted", "uncounted"]].sum()
    key = pd.MultiIndex.from_arrays([out["edge_id"], out["side"]])
    covered = per_side.reindex(key)["length"].to_numpy(dtype="float64")
    counted = per_side.reindex(key)["counted"].to_numpy(dtype="float64")
    uncounted = per_side.reindex(key)["uncounted"].to_numpy(dtype="float64")
    parked = per_side.reindex(key)["parked"].to_numpy(dtype="float64")
    length = out["length_m"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(length > 0, covered / length, 0.0)
    use = np.nan_to_num(share) >= params.min_cover_share
    partly = np.isfinite(covered) & ~use
    out.loc[use, "curb_source"] = "inventory"
    out.loc[use, "parkable_length_m"] = parked[use]
    out.loc[use, "status"] = np.where(parked[use] > 0, "parking", "no_parking").astype("object")
    out.loc[use, "orientation"] = (
        pd.Series(parked > 0).map({True: "parallel", False: None})[use].to_numpy(dtype="object")
    )
    out.loc[use, "orientation_defaulted"] = False
    with_count = use & (parked > 0) & (uncounted == 0)
    out.loc[use, ["capacity", "capacity_share"]] = np.nan
    out.loc[with_count, "capacity"] = counted[with_count]
    out.loc[with_count, "capacity_share"] = 1.0
    out.loc[use, ["restriction", "position", "access"]] = None
    report: dict[str, float | int] = {
        "sides_covered": int(use.sum()),
        "km_covered": float(np.nansum(covered[use]) / 1000.0),
        "km_parkable": float(np.nansum(parked[use]) / 1000.0),
        "sides_partly_covered": int(partly.sum()),
        "km_partly_covered": float(np.nansum(covered[partly]) / 1000.0),
    }
    return out, report
