"""The page's palette plan: one colour, one meaning; every class readable on the background.

Contrast is WCAG 2.1's ratio of relative luminances, (L1 + 0.05) / (L2 + 0.05); 3:1 is its
minimum for graphical objects (success criterion 1.4.11). Lightness is CIELAB L* (D65).
Colour-vision deficiency is checked in test_map_colours.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_map_colours import _ciede2000, _lab, _linear

from urbanfit.render.map_assets import MAP_BACKGROUND
from urbanfit.render.palette import (
    CURB_GAIN_COLOURS,
    CURB_SUPPLY_COLOURS,
    NO_CHANGE,
    SAFETY_COLOURS,
    bins_in_use,
    palette_plan,
    sequential_bins,
    union_breaks,
)

# Two colours of different meanings closer than this (CIEDE2000, normal vision) would read
# as one: the former local streets (#56B4E9) and the 2-4 spaces/100 m curb (#9BD2E1).
DISTINCT = 5.0


def _luminance(colour: str) -> float:
    red, green, blue = _linear(colour)
    return float(0.2126 * red + 0.7152 * green + 0.0722 * blue)


def _contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_ratio_matches_wcag_by_hand() -> None:
    # #858585: 133/255 = 0.5216 -> ((0.5216 + 0.055) / 1.055) ** 2.4 = 0.2346
    # #f2efe9: 0.2126 * 0.8879 + 0.7152 * 0.8632 + 0.0722 * 0.8148 = 0.8649
    # (0.8649 + 0.05) / (0.2346 + 0.05) = 3.21
    assert _luminance("#858585") == pytest.approx(0.2346, abs=1e-4)
    assert _contrast("#858585", MAP_BACKGROUND) == pytest.approx(3.21, abs=0.01)
    assert _contrast("#000000", "#FFFFFF") == pytest.approx(21.0)


@pytest.mark.parametrize("layer", list(palette_plan()))
def test_every_class_has_3_to_1_contrast_on_the_background(layer: str) -> None:
    for name, colour in palette_plan()[layer].items():
        ratio = _contrast(colour, MAP_BACKGROUND)
        assert ratio >= 3.0, f"{layer} {name} {colour}: {ratio:.2f}:1"


@pytest.mark.parametrize(
    "ramp",
    [
        CURB_SUPPLY_COLOURS,
        CURB_GAIN_COLOURS,
        SAFETY_COLOURS,
        tuple(palette_plan()["index"].values()),
    ],
)
def test_sequential_bins_darken_monotonically(ramp: tuple[str, ...]) -> None:
    lightness = [_lab(_linear(colour))[0] for colour in ramp]
    steps = np.diff(lightness)
    assert (steps < -5).all(), f"L* {[round(v) for v in lightness]}"


def test_no_colour_has_two_meanings_across_layers() -> None:
    plan = palette_plan()
    meanings: dict[str, set[str]] = {}
    for layer, classes in plan.items():
        for name, colour in classes.items():
            meanings.setdefault(colour.upper(), set()).add(f"{layer}: {name}")
    shared = {c: m for c, m in meanings.items() if len(m) > 1}
    # the one shared colour is "no change", and it means no change wherever it is used
    assert shared == {
        NO_CHANGE: {"curb gain: no gain", "congestion: V/C from -0.01", "safety: no change"}
    }
    entries = [(layer, c) for layer, classes in plan.items() for c in set(classes.values())]
    for (layer_a, a), (layer_b, b) in itertools.combinations(entries, 2):
        if layer_a == layer_b or a == b:
            continue
        difference = _ciede2000(_lab(_linear(a)), _lab(_linear(b)))
        assert difference >= DISTINCT, f"{layer_a} {a} vs {layer_b} {b}: {difference:.1f}"


def test_union_breaks_are_quantiles_of_every_scenarios_positive_values() -> None:
    # 25 %: 1, 1, 2; 100 %: 4, 4, 8 (and a zero, a NaN, ignored): pooled 1 1 2 4 4 8
    # quartiles of six values (linear): 1.25, 3.0, 4.0
    values = np.array([0.0, 1, 1, 2, np.nan, 4, 4, 8])
    assert union_breaks(values, 3) == (1.2, 3.0, 4.0)  # 1.25 shown to one decimal: 1.2
    assert union_breaks(np.array([0.0, np.nan]), 3) == ()
    # all alike: one break, not three equal ones
    assert union_breaks(np.array([2.0, 2.0, 2.0]), 3) == (2.0,)


def test_each_share_uses_three_bins_on_breaks_taken_from_the_union() -> None:
    # gains per 100 m at 25 % are about a quarter of those at 100 %
    full = np.array([0.0, 2, 4, 6, 8, 10, 12, 14])
    quarter = full / 4  # 0, 0.5, 1, ... 3.5
    breaks = union_breaks(np.concatenate([quarter, full]), 3)
    # positive pooled (14): 0.5 1 1.5 2 2 2.5 3 3.5 4 6 8 10 12 14; linear quartiles at
    # positions 3.25, 6.5, 9.75: 2 + 0.25 * 0 = 2.0, 3 + 0.5 * 0.5 = 3.25, 6 + 0.75 * 2 = 7.5
    assert breaks == (2.0, 3.2, 7.5)  # 3.25 shown to one decimal (numpy rounds half even)
    bins = ((-np.inf, NO_CHANGE), *sequential_bins(breaks, CURB_GAIN_COLOURS, start=0.1))
    # 25 %: 0 no gain; 0.5-1.5 in 0.1-2; 2-3 in 2-3.2; 3.5 in 3.2-7.5
    assert bins_in_use(quarter, bins) == 4
    # 100 %: 0 no gain; 2 in 2-3.2; 4, 6 in 3.2-7.5; 8-14 in 7.5 or more
    assert bins_in_use(full, bins) == 4
