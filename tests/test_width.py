"""Street width where OSM is silent: building corridor and class rule, computed by hand.

Documented defaults used below (urbanfit.parameters.streets.WidthParams, StreetParams):
- samples at 1/4, 1/2 and 3/4 of the edge, rays 30 m to each side, 2 samples must measure;
- sidewalk 5 ft = 1.524 m per side (none on service roads); corridor share 0.8 (low 0.45,
  high 0.9);
- lanes: residential two-way 2 lanes of 3.0 m; lanes 9 ft = 2.7432 m (low) to 12 ft = 3.6576 m
  (high); parking lane 8 ft = 2.4384 m (7 ft = 2.1336 m low, 9 ft = 2.7432 m high);
- class maximum of a 2-lane street: 2 x 3.6576 + 2 x 2.7432 = 12.8016 m.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Polygon, box

from urbanfit.citydata.width import building_corridor_m, estimate_widths
from urbanfit.models.fit import street_fit
from urbanfit.vehicles import load_vehicles, scenarios

CRS = "EPSG:32635"
X0, Y0 = 500_000.0, 6_670_000.0


def _streets(*edges: dict[str, Any]) -> gpd.GeoDataFrame:
    """Edges along x from X0, 100 m long, 200 m apart in y; dicts give tags and columns."""
    rows, lines = [], []
    for i, edge in enumerate(edges):
        y = Y0 + 200 * i
        rows.append(
            {
                "edge_id": i,
                "osm_id": 100 + i,
                "name": None,
                "highway": "residential",
                "length_m": 100.0,
                "lanes": 2.0,
                "width_m": np.nan,
                "width_defaulted": True,
                "oneway": False,
                **edge,
            }
        )
        lines.append(LineString([(X0, y), (X0 + 100, y)]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs=CRS)


def _rows(edge: int, left_m: float | None, right_m: float | None) -> list[Polygon]:
    """A 10 m deep row of buildings along the whole edge at a distance to each side."""
    y = Y0 + 200 * edge
    rows = []
    if left_m is not None:
        rows.append(box(X0, y + left_m, X0 + 100, y + left_m + 10))
    if right_m is not None:
        rows.append(box(X0, y - right_m - 10, X0 + 100, y - right_m))
    return rows


def _buildings(polygons: list[Polygon]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"building_id": range(len(polygons))}, geometry=polygons, crs=CRS)


def test_street_between_two_rows_12_m_apart() -> None:
    # building faces 6 m either side of the centreline: corridor 6 + 6 = 12 m at all 3 samples
    # between the sidewalks: 12 - 2 x 1.524 = 8.952 m
    # central 0.8 x 8.952 = 7.1616 m; low 0.45 x 8.952 = 4.0284 m; high 0.9 x 8.952 = 8.0568 m
    # (all under the 12.8016 m class maximum)
    streets = _streets({})
    widths = estimate_widths(streets, _buildings(_rows(0, 6.0, 6.0)))
    row = widths.iloc[0]
    assert row["width_source"] == "estimated_geometry"
    assert row["corridor_m"] == pytest.approx(12.0)
    assert row["width_m"] == pytest.approx(7.1616)
    assert row["width_low_m"] == pytest.approx(4.0284)
    assert row["width_high_m"] == pytest.approx(8.0568)


def test_corridor_is_capped_at_the_class_maximum() -> None:
    # faces 20 m either side: corridor 40 m; 0.8 x (40 - 3.048) = 29.56 m -> capped at 12.8016;
    # low 0.45 x 36.952 = 16.6284 -> capped too
    widths = estimate_widths(_streets({}), _buildings(_rows(0, 20.0, 20.0)))
    assert widths.iloc[0]["width_m"] == pytest.approx(12.8016)
    assert widths.iloc[0]["width_low_m"] == pytest.approx(12.8016)


def test_service_road_has_no_sidewalks_and_one_lane() -> None:
    # service, two-way, lanes 1: faces 2.5 m either side -> corridor 5 m, no sidewalks,
    # 0.8 x 5 = 4.0 m; class maximum 3.6576 + 5.4864 = 9.144 m
    streets = _streets({"highway": "service", "lanes": 1.0})
    widths = estimate_widths(streets, _buildings(_rows(0, 2.5, 2.5)))
    assert widths.iloc[0]["width_m"] == pytest.approx(4.0)


def test_one_sided_or_covered_streets_fall_back_to_the_class_rule() -> None:
    # edge 0: buildings on the left only; edge 1: a building over the street (a passage under
    # it: every ray starts inside); edge 2: faces 31 m away, beyond the 30 m reach
    streets = _streets({}, {}, {})
    covered = box(X0 - 5, Y0 + 200 - 5, X0 + 105, Y0 + 200 + 5)
    buildings = _buildings([*_rows(0, 6.0, None), covered, *_rows(2, 31.0, 31.0)])
    corridor = building_corridor_m(streets.geometry, buildings.geometry)
    assert corridor["samples"].tolist() == [0, 0, 0]
    widths = estimate_widths(streets, buildings)
    assert widths["width_source"].tolist() == ["estimated_class"] * 3
    # class rule, no curb tags: 2 x 3.0 = 6.0 m; low 2 x 2.7432 = 5.4864 m; high: widest
    # lanes and a widest parking lane on both untagged sides, 12.8016 m
    assert widths["width_m"].tolist() == pytest.approx([6.0] * 3)
    assert widths["width_low_m"].tolist() == pytest.approx([5.4864] * 3)
    assert widths["width_high_m"].tolist() == pytest.approx([12.8016] * 3)


def test_one_sample_measuring_is_not_enough() -> None:
    # a 30 m long row of buildings centred on the edge: only the middle sample (x = 50) sees
    # buildings on both sides; 1 of 3 < 2 -> unmeasured
    streets = _streets({})
    rows = [box(X0 + 35, Y0 + 6, X0 + 65, Y0 + 16), box(X0 + 35, Y0 - 16, X0 + 65, Y0 - 6)]
    corridor = building_corridor_m(streets.geometry, _buildings(rows).geometry)
    assert corridor["samples"].tolist() == [1]
    assert np.isnan(corridor["corridor_m"].iloc[0])


def test_class_rule_counts_mapped_parking_lanes() -> None:
    # edge 0: parking both sides in the lane: 6.0 + 2 x 2.4384 = 10.8768 m;
    #   low 2 x 2.7432 + 2 x 2.1336 = 9.7536 m; high 2 x 3.6576 + 2 x 2.7432 = 12.8016 m
    # edge 1: half on the kerb on the left, no parking on the right:
    #   6.0 + 0.5 x 2.4384 = 7.2192 m; high 7.3152 + 0.5 x 2.7432 = 8.6868 m
    # edge 2: perpendicular bays on the left (outside the carriageway), right untagged:
    #   6.0 m; high 7.3152 + 2.7432 (the untagged side might hold a lane) = 10.0584 m
    streets = _streets(
        {"parking:both": "lane"},
        {"parking:left": "half_on_kerb", "parking:right": "no"},
        {"parking:left": "street_side", "parking:left:orientation": "perpendicular"},
    )
    widths = estimate_widths(streets, _buildings([]))
    assert widths["width_m"].tolist() == pytest.approx([10.8768, 7.2192, 6.0])
    assert widths["width_low_m"].tolist() == pytest.approx([9.7536, 5.4864 + 1.0668, 5.4864])
    assert widths["width_high_m"].tolist() == pytest.approx([12.8016, 8.6868, 10.0584])


def test_a_width_tag_wins_and_has_no_range() -> None:
    streets = _streets({"width_m": 5.5, "width_defaulted": False})
    widths = estimate_widths(streets, _buildings(_rows(0, 6.0, 6.0)))
    row = widths.iloc[0]
    assert row["width_source"] == "tag"
    assert (row["width_m"], row["width_low_m"], row["width_high_m"]) == (5.5, 5.5, 5.5)


def test_an_invalid_footprint_does_not_break_the_corridor() -> None:
    # a self-crossing "bow tie" footprint on the left: its two diagonals run from y + 6 to
    # y + 16 and back; a box on the right at 6 m. The first outline hit on the left:
    # x = 25: 6 + 10 x 25/100 = 8.5 m; x = 50: 11 m; x = 75: 16 - 10 x 75/100 = 8.5 m
    # corridors 14.5, 17, 14.5 m -> median 14.5 m
    y = Y0 + 6
    bow_tie = Polygon([(X0, y), (X0 + 100, y + 10), (X0 + 100, y), (X0, y + 10)])
    assert not bow_tie.is_valid
    streets = _streets({})
    buildings = _buildings([bow_tie, *_rows(0, None, 6.0)])
    corridor = building_corridor_m(streets.geometry, buildings.geometry)
    assert corridor["corridor_m"].iloc[0] == pytest.approx(14.5)


def test_fit_adds_a_parking_lane_only_where_a_class_estimate_lacks_it() -> None:
    # Three 6.0 m two-way edges, each with one side the parking model inferred as parked:
    # - class estimate (no parking tag, so no parking lane in it): 6.0 + 2.4384 = 8.4384 m
    # - geometry estimate (kerb to kerb already): 6.0 m
    # - tag: 6.0 m
    streets = _streets({}, {}, {})
    streets["width_m"] = 6.0
    streets["width_source"] = ["estimated_class", "estimated_geometry", "tag"]
    sides = pd.DataFrame(
        {
            "edge_id": [0, 0, 1, 1, 2, 2],
            "side": ["left", "right"] * 3,
            "status": "unknown",
            "position": None,
            "orientation": "parallel",
            "source": ["inferred", "unknown"] * 3,
        }
    )
    catalog = load_vehicles()
    fit = street_fit(streets, sides, catalog, scenarios(catalog))
    assert fit.edges["carriageway_m"].tolist() == pytest.approx([8.4384, 6.0, 6.0])
    # coverage by source: 0.1 km each
    assert fit.summary["width_estimated_class_km"] == pytest.approx(0.1)
    assert fit.summary["width_estimated_geometry_km"] == pytest.approx(0.1)
    assert fit.summary["width_tag_km"] == pytest.approx(0.1)
