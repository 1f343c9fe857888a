"""A city's street-width layer: matched to OSM edges, used by the models, the estimate scored."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from builders import CRS, ORIGIN, street_table
from typer.testing import CliRunner

from urbanfit.citydata.widthlayer import match_width_layer, width_check
from urbanfit.cli import app
from urbanfit.errors import SourceError
from urbanfit.sources.layers import read_width_layer

TOWN = Path(__file__).parent / "data" / "town.osm"
X0, Y0 = ORIGIN
runner = CliRunner()


def _layer(lines: list[shapely.LineString], widths: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"width_m": widths}, geometry=lines, crs=CRS)


def test_an_edge_takes_the_width_of_the_line_along_it_and_not_of_a_crossing_one() -> None:
    # three 100 m streets drawn west to east, 20 m apart (y0, y0 + 20, y0 + 40)
    streets = street_table({}, {}, {})
    layer = _layer(
        [
            # along street 0, 3 m north of it: within 15 m and parallel -> 7.5 m
            shapely.LineString([(X0 - 10, Y0 + 3), (X0 + 110, Y0 + 3)]),
            # across street 1 at its midpoint: 0 m away but 90 degrees off -> not taken
            shapely.LineString([(X0 + 50, Y0 + 10), (X0 + 50, Y0 + 30)]),
            # along street 2 but 16 m north of it: beyond 15 m -> not taken
            shapely.LineString([(X0, Y0 + 56), (X0 + 100, Y0 + 56)]),
        ],
        [7.5, 12.0, 9.0],
    )
    width = match_width_layer(streets, layer)
    assert width[0] == 7.5
    assert np.isnan(width[1:]).all()


def test_a_layer_in_another_crs_is_projected_first() -> None:
    streets = street_table({})
    line = gpd.GeoSeries([shapely.LineString([(X0, Y0 + 2), (X0 + 100, Y0 + 2)])], crs=CRS)
    layer = gpd.GeoDataFrame({"width_m": [8.0]}, geometry=line.to_crs(4326), crs=4326)
    assert match_width_layer(streets, layer).tolist() == [8.0]


def test_the_estimate_is_scored_where_the_layer_measures() -> None:
    # street 0: a class estimate of 6 m (range 5-8 m) where the layer says 7.5 m: error
    # -1.5 m, inside the range; street 1: a geometry estimate of 10 m (9-10.5) against 7 m:
    # error +3 m, outside; street 2: not measured
    streets = street_table(
        {"width_m": 6.0, "width_low_m": 5.0, "width_high_m": 8.0,
         "width_source": "estimated_class"},
        {"width_m": 10.0, "width_low_m": 9.0, "width_high_m": 10.5,
         "width_source": "estimated_geometry"},
        {"width_source": "estimated_class"},
    )  # fmt: skip
    check = width_check(streets, [7.5, 7.0, np.nan])
    assert check["estimated_class"] == {
        "km": 0.1, "median_abs_error_m": 1.5, "median_error_m": -1.5, "in_range_share": 1.0,
    }  # fmt: skip
    assert check["estimated_geometry"]["median_error_m"] == 3.0
    assert check["estimated_geometry"]["in_range_share"] == 0.0


def test_widths_in_feet_reach_the_fit_model_through_the_cli(tmp_path: Path) -> None:
    # Main Street (way 100) runs along lat 0.001 from lon 3.000 to 3.002: two edges of
    # 111.275 m; the layer gives it 30 ft = 9.144 m
    layer = gpd.GeoDataFrame(
        {"curb_to_curb": [30.0]},
        geometry=[shapely.LineString([(3.0, 0.00101), (3.002, 0.00101)])],
        crs=4326,
    )
    path = tmp_path / "widths.geojson"
    layer.to_file(path, driver="GeoJSON")
    result = runner.invoke(
        app,
        ["analyze", "--osm-file", str(TOWN), "--name", "town", "--widths", str(path),
         "--width-field", "curb_to_curb", "--width-unit", "ft", "--no-congestion",
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "town" / "summary.json").read_text())
    report = summary["data_quality"]["width_inventory"]
    assert (report["features_read"], report["edges_matched"]) == (1, 2)
    assert report["km_matched"] == pytest.approx(2 * 0.111275, abs=1e-3)
    assert summary["data_quality"]["width_sources"]["inventory"] == 2
    assert summary["fit"]["width_inventory_km"] == pytest.approx(2 * 0.111275, abs=1e-3)
    # measured widths count as known in the fit headline and in the index's coverage: Main
    # Street's 0.223 km (2 x 111.275 m) from the layer plus Cross Street's 0.221 km tagged
    # width=3 m -> 0.444 km, written to three significant figures
    assert any("tagged or measured (0.444 km)" in line for line in summary["headlines"])
    assert summary["index"]["coverage_width_tagged_share"] > 0
    # the layer in the provenance: its one line read, the two edges it measures matched
    (given,) = summary["provenance"]["inputs"]
    assert (given["kind"], given["file"]) == ("street widths", "widths.geojson")
    assert (given["features_read"], given["features_matched"]) == (1, 2)


@pytest.mark.parametrize(
    ("frame", "args", "message"),
    [
        (None, {"field": "width"}, "does not say its CRS"),
        ("crs", {"field": "breadth"}, "has no field 'breadth' (its fields: width)"),
        ("crs", {"field": "width", "unit": "yd"}, "width unit must be m or ft, got 'yd'"),
        ("huge", {"field": "width"}, "feature 1 gives 900 m, outside the plausible 2-60 m"),
        ("points", {"field": "width"}, "holds no lines"),
    ],
)
def test_a_bad_width_layer_is_one_clear_error(
    tmp_path: Path, frame: str | None, args: dict[str, str], message: str
) -> None:
    geometry = (
        [shapely.Point(3.0, 0.0)] if frame == "points" else [shapely.LineString([(3, 0), (3, 1)])]
    )
    layer = gpd.GeoDataFrame(
        {"width": [900.0 if frame == "huge" else 8.0]},
        geometry=geometry,
        crs=None if frame is None else 4326,
    )
    # GeoJSON is WGS 84 by definition, so the layer without a CRS is a GeoPackage
    path = tmp_path / "w.gpkg"
    with warnings.catch_warnings():  # writing a layer without a CRS is the point here
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        layer.to_file(path, driver="GPKG")
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_width_layer(path, **args)
