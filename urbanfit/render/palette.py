"""The map's colours: colour-vision-deficiency-safe palettes, their bins and legend entries."""

from __future__ import annotations

import numpy as np

from urbanfit.results import FIT_CATEGORIES

__all__ = ["BINS", "FIT_COLOURS", "LOT_COLOUR", "NO_CHANGE", "bin_legend"]

# Colour-vision-deficiency-safe palettes, checked under simulated deuteranopia in
# tests/test_map_colours.py. Sources: Paul Tol, "Colour Schemes", SRON technical note
# SRON/EPS/TN/09-002, issue 3.2 (2021): the "iridescent" and "YlOrBr" sequential schemes, the
# "sunset" diverging scheme and the "bright" scheme's grey #BBBBBB (used for "no change");
# M. Okabe and K. Ito, "Color Universal Design (CUD)" (2008), for the fit categories.
NO_CHANGE = "#BBBBBB"  # Tol "bright" grey: well clear of the map's plain background

# Sequential bins (lower bounds) and colours shared by the "gain" layers.
BINS: dict[str, tuple[tuple[float, str], ...]] = {
    # no gain in grey, then four steps of Tol's "iridescent", in the scheme's order
    "curb_gain_per_100m": (
        (-np.inf, NO_CHANGE),
        (0.5, "#EAF0B5"),
        (2.0, "#9BD2E1"),
        (4.0, "#906388"),
        (6.0, "#46353A"),
    ),
    # Tol "sunset": blues for less congestion, grey for no change, red for more
    "vc_change": (
        (-np.inf, "#364B9A"),
        (-0.10, "#4A7BB7"),
        (-0.05, "#98CAE1"),
        (-0.01, NO_CHANGE),
        (0.01, "#A50026"),
    ),
    # Tol "YlOrBr", five of its nine steps
    "index_score": (
        (-np.inf, "#FFF7BC"),
        (10.0, "#FEC44F"),
        (20.0, "#EC7014"),
        (40.0, "#993404"),
        (60.0, "#662506"),
    ),
}

# Narrow-street fit categories (the model's), most telling first; the last two are not drawn.
# Tol "muted" green and wine, Okabe-Ito reddish purple, Tol "bright" grey.
FIT_COLOURS = dict(
    zip(
        FIT_CATEGORIES,
        ("#117733", "#882255", "#CC79A7", NO_CHANGE, "#DDDDDD", "#DDDDDD"),
        strict=True,
    )
)

# Parking lots, outline and fill (Tol "muted" indigo).
LOT_COLOUR = "#332288"


def bin_legend(bins: tuple[tuple[float, str], ...], unit: str) -> dict[str, str]:
    """Legend entries ``{"2 – 4 spaces/100 m": colour, ...}`` for a bin table."""
    entries: dict[str, str] = {}
    for i, (lower, colour) in enumerate(bins):
        upper = bins[i + 1][0] if i + 1 < len(bins) else None
        if lower == -np.inf:
            entries[f"below {upper:g} {unit}"] = colour
        elif upper is None:
            entries[f"{lower:g} {unit} or more"] = colour
        else:
            entries[f"{lower:g} – {upper:g} {unit}"] = colour
    return entries
