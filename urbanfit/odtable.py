"""Origin-destination tables given by a user: their numbers, points and magnitudes, checked once.

Both the CSV reader (before any OSM data is read) and the congestion model (for a table given
through the Python API) call `check_od_table`; the bounds and their sources are in
`urbanfit.parameters.inputs.InputBounds`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from urbanfit.errors import SourceError
from urbanfit.parameters.inputs import InputBounds

__all__ = ["check_od_table"]

_RANGES = {"lon": (-180.0, 180.0), "lat": (-90.0, 90.0)}
_LONLAT = ("lon", "lat")
_METRIC = ("x", "y")


def check_od_table(od: pd.DataFrame, *, origin: str, bounds: InputBounds | None = None) -> None:
    """
    Refuse an OD table whose trips or zone points no city could have.

    Parameters
    ----------
    od
        ``origin``, ``destination``, ``trips`` (vehicles per peak hour) and zone points
        (``<end>_lon``/``<end>_lat`` or ``<end>_x``/``<end>_y`` for each end).
    origin
        How messages name the table (``"OD file trips.csv"``).
    bounds
        The largest flows per zone pair and in all; see `InputBounds`.

    Raises
    ------
    SourceError
        Trips negative or not finite, all zero, or above a bound; a longitude or latitude out
        of range; one zone id given two different points.
    """
    bounds = bounds or InputBounds()
    trips = pd.to_numeric(od["trips"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(trips) & (trips >= 0)).all():
        raise SourceError(f"{origin}: trips must be numbers of vehicles, 0 or more")
    if not trips.any():
        raise SourceError(
            f"{origin} holds no trips (every row's trips is 0): there is no demand to assign; "
            "give the vehicles per peak hour of each zone pair, or leave --od out to "
            "synthesise demand from buildings"
        )
    _check_flows(od, trips, origin, bounds)
    for end in ("origin", "destination"):
        for axis, (low, high) in _RANGES.items():
            column = f"{end}_{axis}"
            if column not in od.columns:
                continue
            values = pd.to_numeric(od[column], errors="coerce").to_numpy(dtype=float)
            outside = np.flatnonzero(~((values >= low) & (values <= high)))
            if outside.size:
                row = outside[0]
                name = "longitude" if axis == "lon" else "latitude"
                raise SourceError(
                    f"{origin}: {column} of zone {str(od[end].iloc[row])!r} is "
                    f"{values[row]:g}, out of range: a {name} lies in [{low:g}, {high:g}] "
                    f"degrees ({outside.size} row(s) out of range)"
                )
    _check_one_point_per_zone(od, origin)


def _check_flows(od: pd.DataFrame, trips: np.ndarray, origin: str, bounds: InputBounds) -> None:
    units = "check the units: trips are vehicles in the peak hour, not per day or per year"
    total = float(trips.sum())
    if total > bounds.max_trips_total:
        raise SourceError(
            f"{origin} holds {total:,.0f} trips in the peak hour, more than "
            f"{bounds.max_trips_total:,.0f} veh/h: more vehicles than the largest US county "
            f"has registered, all on the road in one hour; {units}"
        )
    pairs = (
        pd.DataFrame({"o": od["origin"].astype(str), "d": od["destination"].astype(str)})
        .assign(trips=trips)
        .groupby(["o", "d"], sort=False)["trips"]
        .sum()
    )
    if pairs.max() > bounds.max_trips_per_pair:
        top = int(np.argmax(pairs.to_numpy()))
        o, d = (str(part) for part in pairs.index[top])
        most = float(pairs.iloc[top])
        raise SourceError(
            f"{origin}: zone pair {o!r} -> {d!r} has {most:,.0f} trips in the peak hour, more "
            f"than {bounds.max_trips_per_pair:,.0f} veh/h, the flow of over 40 freeway lanes "
            f"at capacity; {units}"
        )


def _check_one_point_per_zone(od: pd.DataFrame, origin: str) -> None:
    """Refuse a zone id given two different points (in the same coordinates)."""
    for axes in (_LONLAT, _METRIC):
        parts = [
            pd.DataFrame(
                {
                    "zone": od[end].astype(str),
                    "a": pd.to_numeric(od[f"{end}_{axes[0]}"], errors="coerce"),
                    "b": pd.to_numeric(od[f"{end}_{axes[1]}"], errors="coerce"),
                }
            )
            for end in ("origin", "destination")
            if {f"{end}_{axes[0]}", f"{end}_{axes[1]}"} <= set(od.columns)
        ]
        if not parts:
            continue
        points = pd.concat(parts, ignore_index=True).drop_duplicates()
        repeated = points[points["zone"].duplicated(keep=False)]
        if repeated.empty:
            continue
        zone = repeated["zone"].iloc[0]
        first, second = repeated[repeated["zone"] == zone][["a", "b"]].to_numpy()[:2]
        raise SourceError(
            f"{origin}: zone {zone!r} is given two different points, "
            f"{axes[0]},{axes[1]} = {first[0]:g},{first[1]:g} and {second[0]:g},{second[1]:g} "
            f"({repeated['zone'].nunique()} zone(s) so); give each zone id one point"
        )
