"""Carry clearances along the curb across nodes where a street only changes edge.

A street graph splits a street at crossing nodes and at every way end, so a corner's 30 ft
signal approach can be longer than the few metres of edge between the junction and the
crosswalk. A clearance that runs past the end of its side continues on the side that carries
the same curb on, through a node joining exactly two edge ends (not a junction): the same
side where the edges run the same way, the other side where they meet head to head or tail
to tail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["spill_along_curb"]

_HOPS = 4  # a clearance of at most 50 ft crosses at most a few short edges


def _next_sides(sides: pd.DataFrame) -> pd.DataFrame:
    """For each side end at a two-edge node that is not a junction: the side it continues."""
    n = len(sides)
    ends = pd.DataFrame(
        {
            "row": np.tile(np.arange(n), 2),
            "at_v": np.repeat([False, True], n),
            "node": np.concatenate([sides["u"].to_numpy("int64"), sides["v"].to_numpy("int64")]),
            "edge": np.tile(sides["edge_id"].to_numpy("int64"), 2),
            "right": np.tile(sides["side"].to_numpy(dtype="object") == "right", 2),
            "junction": np.concatenate(
                [sides["u_junction"].to_numpy(bool), sides["v_junction"].to_numpy(bool)]
            ),
            "length": np.tile(sides["length_m"].to_numpy("float64"), 2),
        }
    )
    ends = ends[(ends["node"] >= 0) & ~ends["junction"]]
    pairs = ends.merge(ends, on="node", suffixes=("", "_next"))
    pairs = pairs[pairs["edge"] != pairs["edge_next"]]
    same_way = pairs["at_v"] != pairs["at_v_next"]
    pairs = pairs[(pairs["right"] == pairs["right_next"]) == same_way]
    return pairs[["row", "at_v", "row_next", "at_v_next", "length_next"]]


def spill_along_curb(intervals: pd.DataFrame, sides: pd.DataFrame) -> pd.DataFrame:
    """Continue every interval past its side's end onto the next side of the same curb.

    Parameters
    ----------
    intervals
        ``row`` (position of the side in `sides`), ``start_m``, ``end_m``; may run below 0 or
        past the side's length.
    sides
        ``edge_id``, ``side``, ``u``, ``v``, ``u_junction``, ``v_junction``, ``length_m``.

    Returns
    -------
    intervals
        The same intervals clipped to their sides, plus the parts carried onto the sides that
        continue the curb (up to a few edges on), clipped too.
    """
    length = sides["length_m"].to_numpy(dtype="float64")
    links = _next_sides(sides)
    done = [intervals[["row", "start_m", "end_m"]]]
    current = intervals[["row", "start_m", "end_m"]]
    for _ in range(_HOPS):
        side_length = length[current["row"].to_numpy()]
        over_v = current["end_m"].to_numpy() - side_length
        under_u = -current["start_m"].to_numpy()
        spill = pd.concat(
            [
                pd.DataFrame({"row": current["row"], "at_v": True, "reach": over_v}),
                pd.DataFrame({"row": current["row"], "at_v": False, "reach": under_u}),
            ]
        )
        spill = spill[spill["reach"] > 1e-9].merge(links, on=["row", "at_v"])
        if spill.empty:
            break
        into_v = spill["at_v_next"].to_numpy(dtype=bool)
        reach = spill["reach"].to_numpy(dtype="float64")
        far = spill["length_next"].to_numpy(dtype="float64")
        current = pd.DataFrame(
            {
                "row": spill["row_next"].to_numpy(dtype="int64"),
                "start_m": np.where(into_v, far - reach, 0.0),
                "end_m": np.where(into_v, far, reach),
            }
        )
        done.append(current)
    out = pd.concat(done, ignore_index=True)
    side_length = length[out["row"].to_numpy()]
    out["start_m"] = np.clip(out["start_m"].to_numpy(), 0.0, side_length)
    out["end_m"] = np.clip(out["end_m"].to_numpy(), 0.0, side_length)
    return out
