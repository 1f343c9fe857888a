"""The report's static map: the web map's bins, a scale bar, north, outline and attribution."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg

from urbanfit.render.curb_layer import curb_stretches
from urbanfit.render.static_map import street_map
from urbanfit.results import AnalysisResult


def test_the_static_map_uses_the_web_maps_bins_and_is_labelled(
    helsinki: AnalysisResult,
) -> None:
    figure = street_map(helsinki)
    assert figure is not None
    FigureCanvasAgg(figure).draw()
    (ax,) = figure.axes
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    # the web map's gain bins at the headline share (the curb layer's own), lowest first
    bins = curb_stretches(helsinki.parking, helsinki.scenarios).gain_bins
    assert bins[1][0] == 0.1  # the first gain class starts at 0.1 (the shown precision)
    shown = [label for label in legend if "more per 100 m" in label]
    # the legend lists the bins in use, in the web map's order and with its edges
    edges = [f"{edge:g}" for edge, _ in bins[1:]]
    expected = [f"{a} – {b} more per 100 m" for a, b in itertools.pairwise(edges)]
    expected.append(f"{edges[-1]} more per 100 m or more")
    assert shown == [label for label in expected if label in shown]
    assert len(shown) >= 3
    assert shown[-1].endswith("more per 100 m or more")
    assert "dashed: estimated curb (no tags)" in legend  # Helsinki estimates 5.3 km of curb
    assert "study area" in legend
    texts = [text.get_text() for text in ax.texts]
    assert "© OpenStreetMap contributors (ODbL); data of 2019-04-21" in texts
    # the scale bar: the largest round step (50, 100, 200, 500 m...) within a fifth of the
    # map's width; Helsinki's extract is between 1 and 2.5 km wide, so 200 m (metric: Finland)
    assert " 200 m" in texts
    assert any(text.get_text() == "N" for text in ax.texts)  # the north arrow
    assert "Mannerheimintie" in texts  # one of the longest named streets, written on the map
