"""A map layer with nothing to draw is left out, and the legend says why."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from urbanfit.pipeline import analyze
from urbanfit.render.map import build_map
from urbanfit.results import FIT_CATEGORIES, AnalysisResult
from urbanfit.sources.od import read_od_csv

TOWN = Path(__file__).parent / "data" / "town.osm"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    """The test town, every model run (5 streets, 1 lot, curb parking on 2 streets).

    Its buildings fall in one demand zone, so the congestion model gets a user OD matrix:
    100 vehicles/h along Main Street, west to east.
    """
    od = tmp_path_factory.mktemp("od") / "od.csv"
    od.write_text(
        "origin,destination,trips,origin_lon,origin_lat,destination_lon,destination_lat\n"
        "west,east,100,3.0000,0.0010,3.0020,0.0010\n",
        encoding="utf-8",
    )
    return analyze("town", osm_file=TOWN, name="Test town", od=read_od_csv(od))


def _without(result: AnalysisResult, model: str, table: str) -> AnalysisResult:
    """The same result with one model's table emptied (columns kept)."""
    found: Any = getattr(result, model)
    emptied = dataclasses.replace(found, **{table: getattr(found, table).iloc[:0]})
    return dataclasses.replace(result, **{model: emptied})


def _html(result: AnalysisResult) -> str:
    return build_map(result).get_root().render()


def _layers(page: str) -> list[str]:
    """Names in the layer control (folium writes ``"name" : feature_group_<id>``)."""
    return re.findall(r'"([^"]+)" : feature_group_', page)


def test_the_town_draws_every_layer(town: AnalysisResult) -> None:
    # the baseline the cases below are measured against: every layer but the fit layer (no
    # town street is too narrow for two-way full-size traffic, see test_fit) is drawn
    assert _layers(_html(town)) == [
        "Streets by class",
        "Curb parking",
        "Parking lots",
        "Congestion: V/C change at 100 % kei",
        "Urban Fit index at 100 % kei (hexagons)",
        "Safety: pedestrian risk per crash",
    ]


def test_withheld_safety_figures_leave_the_safety_layer_out(town: AnalysisResult) -> None:
    safety = town.council["safety"]
    withheld = dataclasses.replace(safety, edge_risk=safety.edge_risk.iloc[:, :0])
    page = _html(dataclasses.replace(town, council={**town.council, "safety": withheld}))
    assert "Safety: pedestrian risk per crash" not in _layers(page)
    assert "the safety figures are withheld (see the report)" in page


def test_no_curb_parking_leaves_the_curb_layer_out(town: AnalysisResult) -> None:
    page = _html(_without(town, "parking", "sides"))
    assert "Curb parking" not in _layers(page)
    assert "no curb parking is tagged (or inferred) in the data" in page
    assert "Parking lots" in _layers(page)  # the other layers stay


def test_no_lots_leaves_the_lots_layer_out(town: AnalysisResult) -> None:
    city = dataclasses.replace(town.city, lots=town.city.lots.iloc[:0])
    page = _html(dataclasses.replace(town, city=city))
    assert "Parking lots" not in _layers(page)
    assert "no parking lots in the data" in page


def test_no_assigned_links_leaves_the_congestion_layer_out(town: AnalysisResult) -> None:
    page = _html(_without(town, "congestion", "links"))
    assert "Congestion: V/C change at 100 % kei" not in _layers(page)
    assert "no assigned links to show" in page


def test_no_fit_edges_leaves_the_fit_layer_out(town: AnalysisResult) -> None:
    # make Main Street's first edge too narrow for two full-size cars: the layer is drawn
    fit = town.fit
    narrow = fit.edges.assign(
        category=fit.edges["category"].where(fit.edges.index != 0, FIT_CATEGORIES[0])
    )
    drawn = dataclasses.replace(town, fit=dataclasses.replace(fit, edges=narrow))
    assert "Narrow-street fit" in _layers(_html(drawn))
    page = _html(_without(drawn, "fit", "edges"))
    assert "Narrow-street fit" not in _layers(page)
    assert "no street where the vehicle class matters" in page


def test_no_hexagons_leaves_the_index_layer_out(town: AnalysisResult) -> None:
    page = _html(_without(town, "index", "hexes"))
    assert "Urban Fit index at 100 % kei (hexagons)" not in _layers(page)
    assert "no scored streets" in page
