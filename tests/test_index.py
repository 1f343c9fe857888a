"""The Urban Fit index by hand: parts, weights, renormalisation, city and hexagon means.

Documented defaults used below (urbanfit.parameters.fit.IndexParams): weights parking 0.4,
congestion 0.3, fit 0.3; 12 spaces gained per 100 m score 100; a V/C reduction of 0.10 scores
100; fit points 100 (only kei passes two-abreast) and 50 (only kei passes), times the kei share.

The hand-made city (scenario kei100, kei share 1):
- edge A, 100 m: sides gain 4.0 + 2.0 = 6.0 per 100 m -> P = 6 / 12 x 100 = 50;
  links V/C change -0.05 and -0.03 -> relief (0.05 + 0.03) / 2 = 0.04 -> C = 40;
  only kei passes two-abreast -> F = 100;
  score 0.4 x 50 + 0.3 x 40 + 0.3 x 100 = 20 + 12 + 30 = 62.
- edge B, 300 m: gains 10 + 8 = 18, capped at 12 -> P = 100;
  links +0.02 (worse: relief 0) and -0.01 -> relief (0 + 0.01) / 2 = 0.005 -> C = 5;
  only kei passes single file -> F = 50;
  score 0.4 x 100 + 0.3 x 5 + 0.3 x 50 = 40 + 1.5 + 15 = 56.5.
- edge C, 100 m: both sides unknown (NaN) -> P = 0; no links -> C = 0; F = 0; score 0.
City: (62 x 100 + 56.5 x 300 + 0 x 100) / 500 = (6200 + 16950) / 500 = 46.3.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from builders import CRS, street_table
from pyproj import Transformer
from shapely.geometry import LineString, Point

from urbanfit.errors import ConfigError, ModelError
from urbanfit.models.fit import FitResult
from urbanfit.models.hexes import scenario_hexes
from urbanfit.models.index import (
    hex_scores,
    index_formula_text,
    urban_fit_index,
)
from urbanfit.parameters.fit import IndexParams
from urbanfit.parameters.ranges import EstimateErrorParams


def _centre_xy() -> tuple[float, float]:
    """UTM coordinates of the centre of the resolution-9 cell around Helsinki's centre."""
    cell = h3.latlng_to_cell(60.17, 24.94, 9)
    lat, lng = h3.cell_to_latlng(cell)
    x, y = Transformer.from_crs(4326, CRS, always_xy=True).transform(lng, lat)
    return float(x), float(y)


def _city() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, FitResult]:
    x, y = _centre_xy()
    # A and B within 30 m of the cell centre (a resolution-9 cell is ~200 m across);
    # C 3 km away, in another cell
    lines = [
        LineString([(x - 50, y + 10), (x + 50, y + 10)]),  # A, 100 m, midpoint (x, y + 10)
        LineString([(x - 150, y - 10), (x + 150, y - 10)]),  # B, 300 m, midpoint (x, y - 10)
        LineString([(x + 3000, y), (x + 3100, y)]),  # C, 100 m
    ]
    streets = street_table(*({"geometry": line} for line in lines))
    gains = [4.0, 2.0, 10.0, 8.0, np.nan, np.nan]
    sides = pd.DataFrame(
        {
            "edge_id": [0, 0, 1, 1, 2, 2],
            "side": ["left", "right"] * 3,
            "gained_per_100m": gains,
        }
    )
    changes = [-0.05, -0.03, 0.02, -0.01]
    links = pd.DataFrame({"edge_id": [0, 0, 1, 1], "vc_change": changes})
    edges = gpd.GeoDataFrame(
        {
            "edge_id": [0, 1, 2],
            "kei_only_two_way": [True, False, False],
            "kei_only_single": [False, True, False],
        },
        geometry=lines,
        crs=CRS,
    )
    fit = FitResult(
        edges=edges,
        edge_classes=pd.DataFrame(),
        streets=pd.DataFrame(),
        widths=pd.DataFrame(),
        summary={},
        kei_shares=MappingProxyType({"kei000": 0.0, "kei050": 0.5, "kei100": 1.0}),
    )
    return streets, sides, links, fit


def test_index_formula_on_a_small_city() -> None:
    streets, sides, links, fit = _city()
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei100"
    )
    edges = result.edges
    assert edges["parking_score"].tolist() == pytest.approx([50.0, 100.0, 0.0])
    assert edges["vc_relief"].tolist() == pytest.approx([0.04, 0.005, 0.0])
    assert edges["congestion_score"].tolist() == pytest.approx([40.0, 5.0, 0.0])
    assert edges["fit_score"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert edges["score"].tolist() == pytest.approx([62.0, 56.5, 0.0])
    assert edges["parking_known"].tolist() == [True, True, False]
    assert edges["congestion_assigned"].tolist() == [True, True, False]
    assert result.city_score == pytest.approx(46.3)
    assert result.summary["city_score"] == pytest.approx(46.3)
    assert result.congestion_included
    assert dict(result.weights) == {"parking": 0.4, "congestion": 0.3, "fit": 0.3}


def test_fit_part_scales_with_the_kei_share() -> None:
    # kei050: F = 0.5 x 100 = 50 on A -> 20 + 12 + 0.3 x 50 = 47;
    # B: F = 0.5 x 50 = 25 -> 40 + 1.5 + 7.5 = 49
    streets, sides, links, fit = _city()
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei050"
    )
    assert result.edges["score"].tolist() == pytest.approx([47.0, 49.0, 0.0])


def test_weights_are_renormalised_without_congestion() -> None:
    # w_P = 0.4 / 0.7 = 4/7, w_F = 0.3 / 0.7 = 3/7
    # A: 4/7 x 50 + 3/7 x 100 = 500/7 = 71.4286; B: 4/7 x 100 + 3/7 x 50 = 550/7 = 78.5714
    # city: (500/7 x 100 + 550/7 x 300) / 500 = (50000 + 165000) / 7 / 500 = 430/7 = 61.4286
    streets, sides, _, fit = _city()
    result = urban_fit_index(streets, parking_sides=sides, fit=fit, scenario_id="kei100")
    assert result.weights["parking"] == pytest.approx(4 / 7)
    assert result.weights["congestion"] == 0.0
    assert result.weights["fit"] == pytest.approx(3 / 7)
    assert result.edges["score"].tolist() == pytest.approx([500 / 7, 550 / 7, 0.0])
    assert result.city_score == pytest.approx(430 / 7)
    assert not result.congestion_included
    assert "rescaled" in result.summary["note"]
    assert "57 % parking" in result.formula
    assert "congestion relief is left out" in result.formula


def test_hex_aggregation_of_two_edges_in_one_cell() -> None:
    # A (62, 100 m) and B (56.5, 300 m) share a cell: (62 x 100 + 56.5 x 300) / 400
    # = (6200 + 16950) / 400 = 57.875; 0.4 street km; C alone in its cell: 0
    streets, sides, links, fit = _city()
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei100"
    )
    hexes = result.hexes
    assert len(hexes) == 2
    assert hexes.crs == streets.crs
    centre_cell = h3.latlng_to_cell(60.17, 24.94, 9)
    shared = hexes.set_index("h3_cell").loc[centre_cell]
    assert shared["score"] == pytest.approx(57.875)
    assert shared["street_km"] == pytest.approx(0.4)
    assert shared["edges"] == 2
    assert shared.geometry.contains(Point(*_centre_xy()))
    other = hexes[hexes["h3_cell"] != centre_cell].iloc[0]
    assert other["score"] == 0.0
    assert other["street_km"] == pytest.approx(0.1)


def test_hexagons_scored_in_several_scenarios_at_once() -> None:
    # Edge scores (see the two tests above): kei100 A 62, B 56.5, C 0; kei050 A 47, B 49, C 0.
    # The shared cell: kei100 (62 x 100 + 56.5 x 300) / 400 = 57.875 (as `hex_scores` gives),
    # kei050 (47 x 100 + 49 x 300) / 400 = (4700 + 14700) / 400 = 48.5; C's cell 0 in both.
    # One pass over the H3 grid gives the headline's hexagons and every scenario's cells.
    streets, sides, links, fit = _city()
    scores = {
        sid: urban_fit_index(
            streets,
            parking_sides=sides,
            congestion_links=links,
            fit=fit,
            scenario_id=sid,
            with_hexes=sid == "kei100",
        )
        for sid in ("kei050", "kei100")
    }
    assert len(scores["kei050"].hexes) == 0  # not asked for
    edges = scores["kei100"].edges
    hexes, table = scenario_hexes(
        edges,
        {sid: result.edges["score"].to_numpy() for sid, result in scores.items()},
        headline="kei100",
        resolution=9,
    )
    centre_cell = h3.latlng_to_cell(60.17, 24.94, 9)
    shared = table[table["h3_cell"] == centre_cell].set_index("scenario")["score"]
    assert shared.to_dict() == pytest.approx({"kei050": 48.5, "kei100": 57.875})
    assert table.loc[table["h3_cell"] != centre_cell, "score"].tolist() == [0.0, 0.0]
    assert table["scenario"].tolist() == ["kei050", "kei050", "kei100", "kei100"]
    assert sorted(set(table["h3_cell"])) == sorted(scores["kei100"].hexes["h3_cell"])
    drawn = hexes.set_index("h3_cell").loc[centre_cell]
    assert drawn["score"] == pytest.approx(57.875)
    assert drawn["street_km"] == pytest.approx(0.4)
    assert drawn["edges"] == 2
    pd.testing.assert_frame_equal(hexes, scores["kei100"].hexes)  # as `urban_fit_index` draws


def test_hex_scores_of_no_edges_is_empty() -> None:
    empty = gpd.GeoDataFrame(
        {"length_m": pd.Series(dtype="float64"), "score": pd.Series(dtype="float64")},
        geometry=gpd.GeoSeries([], crs=CRS),
        crs=CRS,
    )
    hexes = hex_scores(empty, resolution=9)
    assert len(hexes) == 0
    assert list(hexes.columns) == ["h3_cell", "score", "street_km", "edges", "geometry"]


def test_empty_city_scores_none() -> None:
    streets, sides, _, fit = _city()
    result = urban_fit_index(
        streets.iloc[:0], parking_sides=sides.iloc[:0], fit=fit, scenario_id="kei100"
    )
    assert result.city_score is None
    assert len(result.hexes) == 0
    assert result.summary["street_km"] == 0.0


def test_formula_text_names_the_weights_and_caps() -> None:
    text = index_formula_text(IndexParams())
    assert "40 % parking space gained, 30 % congestion relief and 30 % narrow-street fit" in text
    assert "12 or more curb spaces" in text
    assert "falls by 0.1" in text
    assert "H3 resolution 9" in text


def test_index_params_are_validated() -> None:
    with pytest.raises(ConfigError, match="sum to 1"):
        IndexParams(weight_parking=0.5)
    with pytest.raises(ConfigError, match="caps"):
        IndexParams(vc_relief_cap=0.0)
    with pytest.raises(ConfigError, match="h3_resolution"):
        IndexParams(h3_resolution=16)
    # configurable: all weight on parking and fit
    assert IndexParams(weight_parking=0.5, weight_congestion=0.0, weight_fit=0.5)


def test_unknown_scenario_or_missing_columns_raise_readable_errors() -> None:
    streets, sides, _, fit = _city()
    with pytest.raises(ModelError, match="unknown scenario"):
        urban_fit_index(streets, parking_sides=sides, fit=fit, scenario_id="kei075")
    with pytest.raises(ModelError, match="gained_per_100m"):
        urban_fit_index(
            streets,
            parking_sides=sides.drop(columns="gained_per_100m"),
            fit=fit,
            scenario_id="kei000",
        )
    only_congestion = IndexParams(weight_parking=0.0, weight_congestion=1.0, weight_fit=0.0)
    with pytest.raises(ModelError, match="no congestion result"):
        urban_fit_index(
            streets, parking_sides=sides, fit=fit, scenario_id="kei100", params=only_congestion
        )


def test_helsinki_index_is_bounded_and_hexes_hold_every_street(helsinki) -> None:
    from urbanfit.models.fit import street_fit

    parking = helsinki.parking
    fit = street_fit(helsinki.streets, parking.sides, helsinki.catalog, helsinki.scenarios)
    assert fit.summary["street_km"] == pytest.approx(helsinki.streets["length_m"].sum() / 1000)
    assert fit.summary["kei_only_km"] <= fit.summary["classes"]["kei"]["passable_km"]
    sides = parking.side_figures("kei100")
    result = urban_fit_index(helsinki.streets, parking_sides=sides, fit=fit, scenario_id="kei100")
    scores = result.edges["score"].to_numpy()
    assert ((scores >= 0) & (scores <= 100)).all()
    assert 0 < result.city_score < 100
    assert result.hexes["street_km"].sum() == pytest.approx(fit.summary["street_km"])
    baseline = urban_fit_index(
        helsinki.streets,
        parking_sides=parking.side_figures("kei000"),
        fit=fit,
        scenario_id="kei000",
    )
    assert baseline.city_score == 0.0  # no kei, no gain


def test_unknown_parts_leave_the_denominator_and_unscored_edges_the_means() -> None:
    # B's sides are unknown (NaN) and C has no width: each part drops out of its edge's mean.
    # A: all three known, 62 as above.
    # B: P unknown; C = 5, F = 50 -> (0.3 x 5 + 0.3 x 50) / (0.3 + 0.3) = 16.5 / 0.6 = 27.5
    # C: P unknown, no links, no width -> no score, left out of the city and hexagon means
    # city: (62 x 100 + 27.5 x 300) / 400 = (6200 + 8250) / 400 = 36.125
    # coverage of 500 street km-metres: parking A = 100 / 500 = 0.2; congestion A + B = 0.8;
    # width tagged A = 0.2, estimated B = 0.6
    streets, sides, links, fit = _city()
    sides.loc[sides["edge_id"] == 1, "gained_per_100m"] = np.nan
    edges = fit.edges.assign(
        width_missing=[False, False, True], width_source=["tag", "estimated_geometry", None]
    )
    fit = dataclasses.replace(fit, edges=edges)  # _city's fit has an empty summary
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei100"
    )
    score = result.edges["score"].to_numpy()
    assert score[:2].tolist() == pytest.approx([62.0, 27.5])
    assert np.isnan(score[2])
    assert result.edges["scored"].tolist() == [True, True, False]
    assert result.edges["fit_known"].tolist() == [True, True, False]
    assert result.city_score == pytest.approx(36.125)
    summary = result.summary
    assert summary["scored_km"] == pytest.approx(0.4)
    assert summary["coverage_parking_share"] == pytest.approx(0.2)
    assert summary["coverage_congestion_share"] == pytest.approx(0.8)
    assert summary["coverage_width_tagged_share"] == pytest.approx(0.2)
    assert summary["coverage_width_estimated_share"] == pytest.approx(0.6)
    # part means over the km where the part is known: parking A only = 50;
    # fit (100 x 100 + 50 x 300) / 400 = 62.5
    assert summary["parking_score_mean"] == pytest.approx(50.0)
    assert summary["fit_score_mean"] == pytest.approx(62.5)
    # only the shared cell is left: (62 x 100 + 27.5 x 300) / 400 = 36.125
    assert len(result.hexes) == 1
    assert result.hexes["score"].iloc[0] == pytest.approx(36.125)
    assert "left out of that street's weighted mean" in result.formula


def test_index_meaning_quotes_the_caps() -> None:
    # caps: 12 spaces per 100 m, a V/C fall of 0.10 = 10 % of capacity
    streets, sides, links, fit = _city()
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei100"
    )
    meaning = result.summary["meaning"]
    assert meaning.startswith("An Urban Fit index of X means")
    assert "gains 12 curb spaces per 100 m" in meaning
    assert "frees 10 % of its capacity" in meaning
    without = urban_fit_index(streets, parking_sides=sides, fit=fit, scenario_id="kei100")
    assert "capacity" not in without.summary["meaning"]


def test_estimated_curb_counts_at_the_estimates_precision_and_is_not_measured_coverage() -> None:
    # B's two sides are estimated: 10 + 8 = 18 spaces per 100 m, at the cap of 12 when taken
    # at face value. Weighted by the measured precision 0.53: 18 x 0.53 = 9.54 per
    # 100 m -> P = 9.54 / 12 x 100 = 79.5, below the cap.
    # B: 0.4 x 79.5 + 0.3 x 5 + 0.3 x 50 = 31.8 + 1.5 + 15 = 48.3
    # coverage: measured curb only on A, 100 of 500 m = 0.2; estimated only on B, 300 / 500
    streets, sides, links, fit = _city()
    sides["estimated"] = sides["edge_id"].eq(1)
    result = urban_fit_index(
        streets,
        parking_sides=sides,
        congestion_links=links,
        fit=fit,
        scenario_id="kei100",
        estimate=EstimateErrorParams(precision_share=0.53),
    )
    assert result.edges["parking_score"].iloc[1] == pytest.approx(79.5)
    assert result.edges["score"].iloc[1] == pytest.approx(48.3)
    assert result.summary["coverage_parking_share"] == pytest.approx(0.2)
    assert result.summary["coverage_parking_estimated_share"] == pytest.approx(0.6)


def test_a_class_default_width_leaves_fit_unknown_in_the_index() -> None:
    # B's width is a class default: its fit part is unknown and leaves its mean.
    # B: (0.4 x 100 + 0.3 x 5) / 0.7 = 41.5 / 0.7 = 59.2857; width coverage: tagged A and C,
    # 200 of 500 m = 0.4; from buildings none; class default B, 300 / 500 = 0.6
    streets, sides, links, fit = _city()
    edges = fit.edges.assign(
        width_unknown=[False, True, False], width_source=["tag", "estimated_class", "tag"]
    )
    fit = dataclasses.replace(fit, edges=edges)  # _city's fit has an empty summary
    result = urban_fit_index(
        streets, parking_sides=sides, congestion_links=links, fit=fit, scenario_id="kei100"
    )
    assert result.edges["fit_known"].tolist() == [True, False, True]
    assert result.edges["score"].iloc[1] == pytest.approx(41.5 / 0.7)
    assert result.summary["coverage_width_tagged_share"] == pytest.approx(0.4)
    assert result.summary["coverage_width_default_share"] == pytest.approx(0.6)
