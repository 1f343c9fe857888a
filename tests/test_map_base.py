"""Map plumbing without a browser: inlined libraries, empty layers, legend swatches."""

from __future__ import annotations

import folium
import geopandas as gpd
import pytest
from folium.plugins import MiniMap
from shapely.geometry import LineString

from urbanfit.render.map_assets import inline_web_assets
from urbanfit.render.map_base import feature_count, geojson_layer
from urbanfit.render.map_page import legend_block


def _streets(n: int) -> gpd.GeoDataFrame:
    # n lines 100 m long in UTM 31N, near the test town's (3 E, 0 N)
    lines = [LineString([(500_000, 10.0 * i), (500_100, 10.0 * i)]) for i in range(n)]
    return gpd.GeoDataFrame({"name": [f"Street {i}" for i in range(n)]}, geometry=lines, crs=32631)


def test_a_layer_with_no_features_renders_without_a_tooltip() -> None:
    fmap = folium.Map(tiles=None)
    layer = geojson_layer(_streets(0), name="Empty", fields={"name": "Street"}, style={})
    layer.add_to(fmap)
    assert feature_count(layer) == 0
    assert "bindTooltip" not in fmap.get_root().render()  # with 2 streets it is there


def test_the_page_carries_leaflet_and_no_cdn_link() -> None:
    fmap = folium.Map(tiles=None)
    geojson_layer(_streets(2), name="Two", fields={"name": "Street"}, style={}).add_to(fmap)
    inline_web_assets(fmap)
    page = fmap.get_root().render()
    assert "Leaflet 1.9.3" in page
    assert "cdn.jsdelivr.net" not in page
    assert "code.jquery.com" not in page
    # leaflet.css names images/layers.png; the page holds it as a data URI instead
    assert "url(images/" not in page
    assert 'url("data:image/png;base64,' in page


def test_an_element_needing_an_unshipped_library_is_refused() -> None:
    fmap = folium.Map(tiles=None)
    MiniMap().add_to(fmap)  # Leaflet-MiniMap, which urbanfit does not ship
    with pytest.raises(ValueError, match="MiniMap needs https://"):
        inline_web_assets(fmap)


def test_area_legend_swatches_show_the_fill_at_the_layers_opacity() -> None:
    layer = geojson_layer(
        _streets(1), name="Areas", fields={"name": "Street"}, style={"fillOpacity": 0.4}
    )
    block = legend_block("Lots", {"parking lot": "#332288"}, layer=layer)
    # #332288 = rgb(51, 34, 136), at the layer's fill opacity 0.4, outlined in full colour
    assert "background:rgba(51,34,136,0.4)" in block
    assert "border:1px solid #332288" in block
    assert f'data-layer="{layer.get_name()}"' in block
