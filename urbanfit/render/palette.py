"""The map's palette plan: one colour, one meaning, for every layer of the page.

The plan (checked in tests/test_palette_plan.py and, under simulated deuteranopia, in
tests/test_map_colours.py):

- the streets are a neutral base: one grey, the class shown by line width;
- one thematic layer shows at a time, each with hues of its own: curb supply (0 % kei) in
  browns, curb gain in green to indigo, V/C change in purple (less) and red (more), the
  narrow-street fit in green, olive, periwinkle and near-black, the Urban Fit index in
  magentas, the pedestrian risk per crash lowered in teals; parking lots in a dark taupe;
- "no change" is the one dark grey, shared by the layers where it means the same thing;
- every colour has a contrast of at least 3:1 against the page's plain background (WCAG 2.1,
  success criterion 1.4.11, non-text contrast), so no light step is used: sequential bins run
  from mid to dark, their lightness (CIELAB L*) falling with the value.

Hues follow published colour-vision-deficiency-safe schemes where they can (Paul Tol, "Colour
Schemes", SRON/EPS/TN/09-002, issue 3.2, 2021: "YlOrBr", "PRGn", "sunset"; Okabe and Ito,
"Color Universal Design", 2008), darkened to reach 3:1.
"""

from __future__ import annotations

import numpy as np

from urbanfit.results import FIT_CATEGORIES, FIT_UNDRAWN

__all__ = [
    "BINS",
    "CURB_GAIN_COLOURS",
    "CURB_SUPPLY_COLOURS",
    "FIT_COLOURS",
    "LOT_COLOUR",
    "NO_CHANGE",
    "SAFETY_COLOURS",
    "STREET_COLOUR",
    "STREET_WIDTHS",
    "bin_legend",
    "bins_in_use",
    "palette_plan",
    "sequential_bins",
    "union_breaks",
]

NO_CHANGE = "#555555"  # no gain, no V/C change: one dark neutral grey (contrast 6.5:1)
STREET_COLOUR = "#858585"  # the neutral street base (contrast 3.2:1)
# Line width (px) of each street group on the neutral base: the class is read from the width.
STREET_WIDTHS = {
    "motorway, trunk": 5.0,
    "primary": 4.0,
    "secondary": 3.0,
    "tertiary": 2.5,
    "local (residential, unclassified, other)": 1.5,
    "living street": 1.5,
}

# Curb supply at 0 % kei (spaces per 100 m of curb), lightest first: Tol "YlOrBr" hues, dark half.
CURB_SUPPLY_COLOURS = ("#B8590B", "#8F3F0A", "#642A08", "#381603")
# Curb gain at a kei share (spaces gained per 100 m), lightest first: green to indigo.
CURB_GAIN_COLOURS = ("#1E9A3A", "#1F6E8C", "#2B4C8C", "#2D1E6B")
# Pedestrian death risk per crash lowered at a kei share (%), least first: teals, mid to dark
# (CIEDE2000 at least 15 from every other colour of the plan).
SAFETY_COLOURS = ("#12877E", "#0B6A63", "#074D48", "#03302D")

# Fixed bins (lower bounds) and colours of the layers whose breaks do not depend on the city.
BINS: dict[str, tuple[tuple[float, str], ...]] = {
    # purple for less congestion, the grey for no change, red for more (Tol "PRGn"/"sunset")
    "vc_change": (
        (-np.inf, "#6A3D9A"),
        (-0.05, "#9B72CF"),
        (-0.01, NO_CHANGE),
        (0.01, "#D6604D"),
        (0.05, "#A50026"),
    ),
    # Urban Fit score (0-100): four magentas, darker for a higher score
    "index_score": (
        (-np.inf, "#C94B8A"),
        (20.0, "#9E2C68"),
        (40.0, "#6E1F4A"),
        (60.0, "#3A0C24"),
    ),
}

# Narrow-street fit categories (the model's), most telling first; the last two are not drawn.
FIT_COLOURS = dict(
    zip(
        FIT_CATEGORIES,
        ("#1B7837", "#7F7F00", "#6B6BD6", "#2B2B2B", STREET_COLOUR, STREET_COLOUR),
        strict=True,
    )
)

LOT_COLOUR = "#5C4B3B"  # parking lots, outline and fill (contrast 7.3:1)


def palette_plan() -> dict[str, dict[str, str]]:
    """
    Every colour the page draws, by meaning: layer -> {class: colour}.

    Returns
    -------
    plan
        ``streets``, ``curb supply``, ``curb gain``, ``congestion``, ``fit``, ``index``,
        ``safety`` and ``lots``; a colour listed under two layers means the same thing in both (only
        `NO_CHANGE` is).
    """
    return {
        "streets": {"street": STREET_COLOUR},
        "curb supply": {f"supply {i + 1}": c for i, c in enumerate(CURB_SUPPLY_COLOURS)},
        "curb gain": {
            "no gain": NO_CHANGE,
            **{f"gain {i + 1}": c for i, c in enumerate(CURB_GAIN_COLOURS)},
        },
        "congestion": {f"V/C from {lower:g}": c for lower, c in BINS["vc_change"]},
        "fit": {k: c for k, c in FIT_COLOURS.items() if k not in FIT_UNDRAWN},
        "index": {f"score from {lower:g}": c for lower, c in BINS["index_score"]},
        "safety": {
            "no change": NO_CHANGE,
            **{f"lower {i + 1}": c for i, c in enumerate(SAFETY_COLOURS)},
        },
        "lots": {"parking lot": LOT_COLOUR},
    }


def union_breaks(values: np.ndarray, count: int, *, decimals: int = 1) -> tuple[float, ...]:
    """
    Class breaks shared by every scenario: quantiles of the positive values of all of them.

    Taking the breaks on the union of the scenarios (not on one) keeps a colour's meaning the
    same at every kei share while each share still spreads over several classes.

    Parameters
    ----------
    values
        The figures of every scenario, pooled (NaN ignored).
    count
        How many classes above the lowest: ``count`` breaks at the ``1/(count+1)``...
        quantiles, rounded to ``decimals`` (the precision the map shows) and kept distinct.
    decimals
        Decimals of the shown figure.

    Returns
    -------
    breaks
        Increasing lower bounds (at least one step of ``10**-decimals`` apart); fewer than
        ``count`` when the values take few distinct shown values; empty with no positive value.
    """
    pooled = np.asarray(values, dtype="float64")
    positive = pooled[np.isfinite(pooled) & (pooled > 0)]
    if not positive.size:
        return ()
    step = 10.0**-decimals
    quantiles = np.quantile(positive, np.arange(1, count + 1) / (count + 1))
    breaks = np.unique(np.maximum(np.round(quantiles, decimals), step))
    return tuple(float(b) for b in breaks)


def sequential_bins(
    breaks: tuple[float, ...], colours: tuple[str, ...], *, start: float = -np.inf
) -> tuple[tuple[float, str], ...]:
    """
    Return the bins ``(lower bound, colour)`` of a sequential scale.

    From ``start`` to the first break, then one per break; with fewer breaks than colours,
    the colours spread over the ramp.
    """
    lowers = (start, *breaks[: len(colours) - 1])
    picks = np.round(np.linspace(0, len(colours) - 1, len(lowers))).astype(int)
    return tuple((float(b), colours[i]) for b, i in zip(lowers, picks, strict=True))


def bins_in_use(values: np.ndarray, bins: tuple[tuple[float, str], ...]) -> int:
    """How many of ``bins`` (lower bound, colour) the finite ``values`` fall in."""
    finite = np.asarray(values, dtype="float64")
    finite = finite[np.isfinite(finite)]
    lowers = np.array([b for b, _ in bins])
    return int(np.unique(np.searchsorted(lowers, finite, side="right") - 1).size)


def bin_legend(bins: tuple[tuple[float, str], ...], unit: str) -> dict[str, str]:
    """Legend entries ``{"2 – 4 spaces/100 m": colour, ...}`` for a bin table."""
    entries: dict[str, str] = {}
    for i, (lower, colour) in enumerate(bins):
        upper = bins[i + 1][0] if i + 1 < len(bins) else None
        if lower == -np.inf:
            entries[f"below {upper:g} {unit}" if upper is not None else unit] = colour
        elif upper is None:
            entries[f"{lower:g} {unit} or more"] = colour
        else:
            entries[f"{lower:g} – {upper:g} {unit}"] = colour
    return entries
