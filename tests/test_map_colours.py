"""The map's palettes stay distinct for a reader with deuteranopia, the commonest strong CVD.

Each colour is passed through the deuteranopia simulation of Machado, Oliveira and Fernandes,
"A physiologically-based model for simulation of color vision deficiency", IEEE TVCG 15(6),
2009 (severity 1.0 matrix, applied to linear sRGB), then compared in CIELAB (D65) with the
CIEDE2000 difference (Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula:
implementation notes, supplementary test data, and mathematical observations", Color Research
and Application 30(1), 2005). For scale: deltaE00 ~1 is a just-noticeable difference between
large patches; thin map lines need several times that.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from urbanfit.render.map import STREET_GROUPS
from urbanfit.render.map_assets import MAP_BACKGROUND
from urbanfit.render.palette import BINS, FIT_COLOURS, LOT_COLOUR, NO_CHANGE
from urbanfit.results import FIT_UNDRAWN

# Machado et al. (2009), Table 1 (deuteranomaly, severity 1.0 = deuteranopia), linear RGB.
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
# linear sRGB -> CIE XYZ (IEC 61966-2-1), and the D65 white it maps (1, 1, 1) to
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE = SRGB_TO_XYZ.sum(axis=1)

# Smallest CIEDE2000 difference, after the simulation, between...
# (The former palette: 2.6 between primary and secondary streets, 2.8 between tertiary
# streets and the 4-6 spaces/100 m curb, 0.9 between "no change" and Leaflet's grey.)
WITHIN_LAYER = 10.0  # ...two categories of one layer
OPENING_VIEW = 10.0  # ...any two colours on the map as it opens (streets, curb, lots)
ON_BACKGROUND = 12.0  # ...any colour and the plain background
NO_CHANGE_ON_BACKGROUND = 12.0  # ..."no change" grey and the background


def _linear(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> tuple[float, float, float]:
    xyz = SRGB_TO_XYZ @ linear / WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _seen(colour: str) -> tuple[float, float, float]:
    """CIELAB of a colour as a reader with deuteranopia sees it."""
    return _lab(np.clip(DEUTERANOPIA @ _linear(colour), 0, 1))


def _ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 with kL = kC = kH = 1, following Sharma et al. (2005), equations 1-17."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dh_ = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dh_**2 + r_t * dc * dh_)


def _closest_pair(colours: dict[str, str]) -> tuple[float, str, str]:
    """The two differently coloured entries that a deuteranope sees as most alike."""
    pairs = [
        (_ciede2000(_seen(colours[a]), _seen(colours[b])), a, b)
        for a, b in itertools.combinations(colours, 2)
        if colours[a].lower() != colours[b].lower()
    ]
    return min(pairs)


def _layers() -> dict[str, dict[str, str]]:
    """Every layer's legend: category -> colour."""
    return {
        "streets": {group: colour for group, (colour, _) in STREET_GROUPS.items()},
        "curb": {f"curb {lower}": c for lower, c in BINS["curb_gain_per_100m"]},
        "lots": {"parking lot": LOT_COLOUR},
        "congestion": {f"V/C {lower}": c for lower, c in BINS["vc_change"]},
        "fit": {k: c for k, c in FIT_COLOURS.items() if k not in FIT_UNDRAWN},  # not drawn
        "index": {f"index {lower}": c for lower, c in BINS["index_score"]},
    }


def test_ciede2000_matches_sharmas_published_test_pairs() -> None:
    # Sharma et al. (2005), Table 1, pairs 1, 7 and 19
    assert _ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert _ciede2000((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)
    assert _ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def test_the_deuteranopia_simulation_keeps_greys_and_merges_the_old_street_colours() -> None:
    # each row of the matrix sums to 1 (0.367322 + 0.860646 - 0.227968 = 1), so a grey maps
    # to itself: #808080 keeps L* = 53.6 and a* = b* = 0
    assert _seen("#808080") == pytest.approx((53.585, 0, 0), abs=1e-2)
    # The map's former primary (#fd8d3c, orange) and secondary (#d9a400, ochre) streets:
    # deltaE00 19.5 to a normal eye, 2.6 once simulated -- the merge a reader reported
    old_primary, old_secondary = "#fd8d3c", "#d9a400"
    normal = _ciede2000(_lab(_linear(old_primary)), _lab(_linear(old_secondary)))
    assert normal == pytest.approx(19.45, abs=0.01)
    assert _ciede2000(_seen(old_primary), _seen(old_secondary)) == pytest.approx(2.65, abs=0.01)


@pytest.mark.parametrize("layer", ["streets", "curb", "congestion", "fit", "index"])
def test_each_layers_categories_stay_apart_under_deuteranopia(layer: str) -> None:
    difference, a, b = _closest_pair(_layers()[layer])
    assert difference >= WITHIN_LAYER, f"{a} and {b}: deltaE00 {difference:.1f}"


def test_the_layers_shown_when_the_map_opens_stay_apart_under_deuteranopia() -> None:
    layers = _layers()
    opening = {**layers["streets"], **layers["curb"], **layers["lots"]}
    difference, a, b = _closest_pair(opening)
    assert difference >= OPENING_VIEW, f"{a} and {b}: deltaE00 {difference:.1f}"


@pytest.mark.parametrize("layer", ["streets", "curb", "lots", "congestion", "fit", "index"])
def test_every_colour_stands_out_from_the_plain_background(layer: str) -> None:
    for name, colour in _layers()[layer].items():
        difference = _ciede2000(_seen(colour), _seen(MAP_BACKGROUND))
        assert difference >= ON_BACKGROUND, f"{name} {colour}: deltaE00 {difference:.1f}"


def test_no_change_grey_is_clearly_not_the_background() -> None:
    # #BBBBBB has L* 75.9 and the background #f2efe9 L* 94.5 (b* 3.3): a lightness step of
    # 18.6, which CIEDE2000 weighs down near white (S_L = 1.52 at mean L* 85.2: 18.6 / 1.52
    # = 12.2); the cream's yellowness (b* 3.3) brings it to 12.7
    assert _ciede2000(_seen(NO_CHANGE), _seen(MAP_BACKGROUND)) >= NO_CHANGE_ON_BACKGROUND
    assert BINS["curb_gain_per_100m"][0][1] == NO_CHANGE  # "below 0.5 spaces/100 m"
    assert BINS["vc_change"][3][1] == NO_CHANGE  # "-0.01 to 0.01"
