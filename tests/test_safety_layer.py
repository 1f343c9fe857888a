"""The map's safety layer: each drawn street shows the safety model's figures at every share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from builders import layer_rows

from urbanfit.models.safety import MPH, kei_occupant_risk, occupant_risk, safety_model
from urbanfit.parameters.council import SafetyParams
from urbanfit.pipeline import analyze
from urbanfit.render import layers
from urbanfit.render.explore import explore_map
from urbanfit.render.map_assets import descendants
from urbanfit.render.palette import NO_CHANGE, SAFETY_COLOURS
from urbanfit.render.safety_layer import safety_figures, safety_layer
from urbanfit.vehicles import scenarios

PARAMS = SafetyParams()
TOWN = Path(__file__).parent / "data" / "town.osm"


@pytest.fixture
def drawn(catalog):
    """Two streets, 30 mph with a crossing and 40.6 mph without, at 0, 50 and 100 % kei."""
    streets = gpd.GeoDataFrame(
        {
            "edge_id": [0, 1],
            "name": ["Main Street", "Fast Road"],
            "speed_kmh": [30 * MPH, 40.6 * MPH],
            "length_m": [100.0, 100.0],
        },
        geometry=[shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(0, 50), (100, 50)])],
        crs=32635,
    )
    points = gpd.GeoDataFrame({"kind": ["crossing"]}, geometry=shapely.points([(50, 2)]), crs=32635)
    runs = scenarios(catalog, kei_shares=(0.0, 0.5, 1.0))
    result = safety_model(streets, points, catalog, runs, params=PARAMS)
    return result, runs, streets.assign(osm_id=[10, 11])


def test_the_layer_shows_the_risks_of_tefft_and_iihs_at_each_street_speed(drawn, catalog) -> None:
    result, runs, streets = drawn
    layer, legends = safety_layer(result, streets=streets, scenarios=runs)
    rows = {row["name"]: row for row in layer_rows(layer)}
    # 30 mph (log-odds -1.4256 on Tefft's curve): low 0.19379, 30-40 in blunt (odds x 1.26)
    # 0.23246, over 40 in (x 1.45) 0.25845. US new sales (26 % low, 41 % blunt, 33 % tall):
    # 0.23098 -> 23.1 per 100 struck; the kei mix (80 % low cars, 20 % blunt trucks): 0.20152
    # -> 20.2, 2.9 fewer (0.23098 - 0.20152 = 0.02946), 12.8 % lower (0.20152 / 0.23098 = 0.8725);
    # at 50 % kei the mean of the two mixes: 21.6, 1.5 fewer (1.473), 6.4 % lower (6.38)
    # 40.6 mph is Tefft's 50 % point: low 0.5, blunt 1.26 / 2.26 = 0.55752, tall 1.45 / 2.45 =
    # 0.59184; US: 0.13 + 0.22858 + 0.19531 = 0.55389 -> 55.4; kei: 0.4 + 0.11150 = 0.51150
    # -> 51.2, 4.2 fewer (4.239), 7.7 % lower (1 - 0.51150 / 0.55389 = 0.07653); 50 %: 53.3, 2.1
    main = rows["Main Street"]["_s"].split(";")
    fast = rows["Fast Road"]["_s"].split(";")
    assert [block.split(",")[:3] for block in main] == [
        ["23.1", "0", "0"],
        ["21.6", "1.5", "6.4"],
        ["20.2", "2.9", "12.8"],
    ]
    assert [block.split(",")[:3] for block in fast] == [
        ["55.4", "0", "0"],
        ["53.3", "2.1", "3.8"],
        ["51.2", "4.2", "7.7"],
    ]
    # the same figures as the model's own per-edge risk (in deaths per 100 struck)
    figures = safety_figures(result, runs)
    assert figures.risk_pct[2] == pytest.approx(
        100 * result.edges["pedestrian_risk_headline"].to_numpy()
    )
    assert (rows["Main Street"]["speed"], rows["Fast Road"]["speed"]) == (
        "48 km/h (30 mph)",  # 30 x 1.609344 = 48.3
        "65 km/h (41 mph)",  # 40.6 x 1.609344 = 65.3
    )
    # the street with the crossing is drawn thick, the other thin
    assert (rows["Main Street"]["_w"], rows["Fast Road"]["_w"]) == (5.0, 2.5)
    # the kei driver's risk per two-vehicle crash against today's average driver: the fleet
    # mix's, the same on both streets; none at 0 % (no kei in the mix)
    u = PARAMS.mass_exponent
    base = occupant_risk(runs.baseline.shares, catalog, u)
    for k, scenario in enumerate(runs):
        kei = kei_occupant_risk(scenario.shares, catalog, u)
        shown = [main[k].split(",")[3], fast[k].split(",")[3]]
        expected = "" if kei is None else f"{100 * (2 * kei / base - 1):.0f}"
        assert shown == [expected, expected]
    # 50 % kei: a kei car (850 kg) meets today's heavier fleet half the time: well above 0
    assert float(main[1].split(",")[3]) > 50
    assert list(legends[2][1]) == [
        "no change (below 0.1 fewer)",
        "0.1 – 2.1 fewer",
        "2.1 – 4.2 fewer",
        "4.2 fewer or more",
    ]
    assert [heading for heading, _, _ in legends] == [
        "Safety: today's fleet (0 % kei)",
        "Pedestrian deaths per 100 struck, fewer at 50 % kei",
        "Pedestrian deaths per 100 struck, fewer at 100 % kei",
    ]


def test_one_bin_table_for_every_share_splits_each_shares_streets(drawn) -> None:
    result, runs, _ = drawn
    bins = safety_figures(result, runs).bins
    # fewer per 100 struck, shown to one decimal: 50 % 1.5 and 2.1, 100 % 2.9 and 4.2; each
    # share's break is its smallest figure above its median (1.8, 3.55): 2.1 and 4.2. Three
    # lower bounds (0.1, 2.1, 4.2) spread over the four teals: the 1st, 3rd and 4th
    # (round(0, 1.5, 3) with numpy's half to even)
    assert bins == (
        (-np.inf, NO_CHANGE),
        (0.1, SAFETY_COLOURS[0]),
        (2.1, SAFETY_COLOURS[2]),
        (4.2, SAFETY_COLOURS[3]),
    )

    def colour(value: float) -> str:
        return [c for lower, c in bins if value >= lower][-1]

    # 50 %: 1.5 and 2.1 fewer, two colours; 100 %: 2.9 and 4.2, two colours
    assert [colour(1.5), colour(2.1)] == [SAFETY_COLOURS[0], SAFETY_COLOURS[2]]
    assert [colour(2.9), colour(4.2)] == [SAFETY_COLOURS[2], SAFETY_COLOURS[3]]


def test_no_layer_when_the_figures_are_withheld(drawn) -> None:
    result, runs, streets = drawn
    assert safety_layer(None, streets=streets, scenarios=runs) is None
    withheld = type(result)(
        edges=result.edges,
        scenarios=result.scenarios,
        summary=result.summary,
        edge_risk=result.edge_risk.iloc[:, :0],
    )
    assert safety_layer(withheld, streets=streets, scenarios=runs) is None


def test_the_map_opens_on_the_safety_layer() -> None:
    town = analyze("town", osm_file=TOWN, name="Test town", run_congestion=False)
    fmap = explore_map(town, "safety")
    shown = [
        str(child.layer_name)
        for child in fmap._children.values()
        if isinstance(child, folium.FeatureGroup) and child.show
    ]
    assert shown == ["Streets by class", "Safety: pedestrian risk per crash"]


def test_a_large_city_gets_hexagons_of_the_street_length_mean(drawn, monkeypatch) -> None:
    result, runs, streets = drawn
    monkeypatch.setattr(layers, "DETAIL_LIMIT", 1)  # two edges: over the limit
    layer, legends = safety_layer(result, streets=streets, scenarios=runs)
    rows = layer_rows(layer)
    # the two 100 m streets (50 m apart) fall in two H3 cells, one each: a cell's figure,
    # its streets' length-weighted mean, is its street's (0, 50 % and 100 % kei)
    assert sorted((row["street_km"], row["edges"], row["_s"]) for row in rows) == [
        (0.1, 1, "0;1.5;2.9"),
        (0.1, 1, "0;2.1;4.2"),
    ]
    assert "too many to draw one by one" in layer.urbanfit_note
    assert len(legends) == 3
    # the length's unit is named once, and follows the run's units (0.1 km = 0.0621 mi)
    assert _tooltip(layer)["street_km"] == "Street length in this hexagon (km)"
    us, _ = safety_layer(result, streets=streets, scenarios=runs, units="us")
    assert sorted(row["street_km"] for row in layer_rows(us)) == [0.06, 0.06]
    assert _tooltip(us)["street_km"] == "Street length in this hexagon (mi)"


def _tooltip(layer: Any) -> dict[str, str]:
    """The tooltip's column -> label of a layer built by geojson_layer."""
    (spec,) = [c.spec for c in descendants(layer) if "tooltip" in getattr(c, "spec", {})]
    return dict(spec["tooltip"])
