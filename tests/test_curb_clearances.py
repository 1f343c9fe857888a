"""Uniform Vehicle Code distances on drawn streets, by hand.

UVC 11-1003 (CurbParams): within 20 ft = 6.096 m of a crosswalk; 30 ft = 9.144 m upon the
approach to a signal, stop or yield sign; 50 ft = 15.24 m of a railway level crossing; 20 ft
of a fire station. A dead end or junction with no crossing street keeps 6.096 m free. Streets
run west to east, u at the west end.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import pytest
import shapely
from builders import CRS, ORIGIN, street_table

from urbanfit.citydata.curb import curb_sides
from urbanfit.models.parking.estimate import usable_curb_length_m

X0, Y0 = ORIGIN


def _line(x_from: float, x_to: float) -> shapely.LineString:
    return shapely.LineString([(X0 + x_from, Y0), (X0 + x_to, Y0)])


def _street(*cuts: float, oneway: bool = False) -> gpd.GeoDataFrame:
    """One street from x = 0 to 100 cut into edges at `cuts` (nodes 1, 2, ... west to east)."""
    ends = [0.0, *cuts, 100.0]
    streets = street_table(
        *({"geometry": _line(a, b), "oneway": oneway} for a, b in itertools.pairwise(ends))
    )
    count = len(ends) - 1
    streets["u"] = list(range(1, count + 1))
    streets["v"] = list(range(2, count + 2))
    streets["u_junction"] = [i == 0 for i in range(count)]  # inner nodes join two edges only
    streets["v_junction"] = [i == count - 1 for i in range(count)]
    return streets


def _points(*rows: tuple[str, int, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": [k for k, _, _ in rows], "node": [n for _, n, _ in rows]},
        geometry=[shapely.Point(X0 + x, Y0) for _, _, x in rows],
        crs=CRS,
    )


def _usable(streets: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> list[float]:
    sides = curb_sides(streets, offset_m=3.0)
    return usable_curb_length_m(sides, streets=streets, points=points).tolist()


def test_a_crossing_clears_both_edges_it_splits() -> None:
    # edges A [0, 50] and B [50, 100] meet at node 2, a crossing: 20 ft on each side of it
    # A: 50 - 6.096 (dead end) - 6.096 (crossing) = 37.808 m on each side; B the same
    usable = _usable(_street(50.0), _points(("crossing", 2, 50.0)))
    assert usable == pytest.approx([37.808] * 4)


def test_a_signal_clears_30_ft_of_its_approach_only() -> None:
    # two-way street, signal at its east end (node 2): traffic arriving there keeps right,
    # so the right side loses 9.144 m and the left side only the 6.096 m dead-end distance:
    # right 100 - 6.096 - 9.144 = 84.76 m; left 100 - 2 x 6.096 = 87.808 m
    assert _usable(_street(), _points(("traffic_signals", 2, 100.0))) == pytest.approx(
        [87.808, 84.76]
    )
    # a stop sign at the west end (node 1): the left side approaches it
    assert _usable(_street(), _points(("stop", 1, 0.0))) == pytest.approx([84.76, 87.808])
    # one-way (west to east): both curbs approach the east end
    assert _usable(_street(oneway=True), _points(("give_way", 2, 100.0))) == pytest.approx(
        [84.76, 84.76]
    )


def test_an_approach_longer_than_its_edge_carries_on_along_the_curb() -> None:
    # one-way street cut at x = 95: edge A [0, 95], edge B [95, 100], signal at node 3
    # (x = 100). B's 5 m are all cleared; the other 9.144 - 5 = 4.144 m carry on onto A:
    # A: 95 - 6.096 (west end) - 4.144 = 84.76 m; B: 0 -- together 100 - 6.096 - 9.144
    usable = _usable(_street(95.0, oneway=True), _points(("traffic_signals", 3, 100.0)))
    assert usable == pytest.approx([84.76, 84.76, 0.0, 0.0])


def test_level_crossings_and_fire_stations_clear_their_uvc_distances() -> None:
    # a level crossing at node 2 (x = 50) splitting the street: 50 ft = 15.24 m each way:
    # each edge 50 - 6.096 - 15.24 = 28.664 m on both sides
    usable = _usable(_street(50.0), _points(("level_crossing", 2, 50.0)))
    assert usable == pytest.approx([28.664] * 4)
    # a fire station node at x = 50 not on any node (snapped, on the street line): 20 ft
    # each way on both sides: 100 - 2 x 6.096 - 2 x 6.096 = 75.616 m
    usable = _usable(_street(), _points(("fire_station", -1, 50.0)))
    assert usable == pytest.approx([75.616, 75.616])
