"""Vectorised parsers of OSM tag values. Each returns values plus a quality code per row.

Quality codes: ``"missing"`` (no tag), ``"ok"`` (standard form), ``"recovered"`` (a
non-standard form read anyway, such as ``width=3 m`` or ``maxspeed=50;30``), ``"invalid"``
(unreadable; the caller falls back to a default and flags it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "QUALITY_CODES",
    "parse_count",
    "parse_length_m",
    "parse_maxspeed_kmh",
    "parse_oneway",
    "quality_counts",
]

QUALITY_CODES = ("missing", "ok", "recovered", "invalid")

_NUMBER = r"(\d+(?:[.,]\d+)?)"


def _quality(raw: pd.Series, ok: pd.Series, recovered: pd.Series) -> pd.Series:
    present = raw.notna()
    codes = np.select(
        [~present, ok & present, recovered & present],
        ["missing", "ok", "recovered"],
        default="invalid",
    )
    return pd.Series(codes, index=raw.index, dtype="object")


def _to_float(text: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(
        text.astype("string").str.replace(",", ".", regex=False), errors="coerce"
    )
    return pd.Series(numbers.to_numpy(dtype="float64", na_value=np.nan), index=text.index)


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    return text.str.fullmatch(pattern).fillna(value=False).astype(bool)


def parse_count(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """
    Parse a whole-number tag such as ``lanes``, ``capacity`` or ``building:levels``.

    Parameters
    ----------
    raw
        Tag values as strings (None where untagged).

    Returns
    -------
    values, quality
        Float values (NaN unless readable) and a quality code per row. ``"2"`` is ok;
        ``" 2 "`` and ``"2.0"`` are recovered; ``"2;3"``, ``"-1"``, ``"many"`` are invalid.
    """
    exact = _matches(raw.astype("string"), r"\d+")
    text = raw.astype("string").str.strip()
    recovered = _matches(text, r"\d+(?:\.0+)?") & ~exact
    values = _to_float(text.where(exact | recovered))
    return values, _quality(raw, exact, recovered)


def parse_length_m(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    r"""
    Parse a length tag such as ``width`` into metres.

    Parameters
    ----------
    raw
        Tag values as strings.

    Returns
    -------
    values, quality
        Metres (NaN unless readable) and a quality code. ``"3.5"`` is ok (metres is the OSM
        default unit); ``"3 m"``, ``"3,5"``, ``"12 ft"``, ``"12'"`` and ``"10'6\""`` are
        recovered; anything else (``"wide"``, ``"3;4"``, ``"0"``) is invalid.
    """
    text = raw.astype("string").str.strip()
    ok = _matches(text, r"\d+(?:\.\d+)?")
    metres = text.str.extract(rf"^{_NUMBER}\s*m$", expand=False)
    feet = text.str.extract(rf"^{_NUMBER}\s*(?:ft|')$", expand=False)
    feet_inches = text.str.extract(r"^(\d+)\s*'\s*(\d+(?:\.\d+)?)\s*\"$")
    comma = text.str.extract(r"^(\d+,\d+)$", expand=False)
    value = _to_float(text.where(ok))
    value = value.fillna(_to_float(metres)).fillna(_to_float(comma))
    value = value.fillna(_to_float(feet) * 0.3048)
    value = value.fillna((_to_float(feet_inches[0]) * 12 + _to_float(feet_inches[1])) * 0.0254)
    value = value.where(value > 0)
    good = value.notna()
    quality = _quality(raw, ok & good, good & ~ok)
    return value.astype("float64"), quality


def parse_maxspeed_kmh(
    raw: pd.Series, *, zones: dict[str, float], mph_to_kmh: float
) -> tuple[pd.Series, pd.Series]:
    """
    Parse ``maxspeed`` into km/h.

    Parameters
    ----------
    raw
        Tag values as strings.
    zones
        Implicit limits such as ``{"FI:urban": 50.0}`` (km/h).
    mph_to_kmh
        Conversion factor.

    Returns
    -------
    values, quality
        km/h and a quality code. ``"50"``, ``"30 mph"`` and zone codes are ok, as are
        ``XX:zoneNN`` / ``XX:zone:NN`` zones; ``"50;30"`` (first value) and ``"50 km/h"`` are
        recovered; ``"none"`` is ok without a number; ``"signals"``, ``"variable"`` and the
        rest are invalid. Without a number the class default applies.
    """
    text = raw.astype("string").str.strip()
    plain = _matches(text, r"\d+(?:\.\d+)?")
    value = _to_float(text.where(plain))
    mph = text.str.extract(r"^(\d+(?:\.\d+)?)\s*mph$", expand=False)
    value = value.fillna(_to_float(mph) * mph_to_kmh)
    zone_value = _to_float(text.map(zones, na_action="ignore"))
    zone_number = text.str.extract(r"^[A-Z]{2}:zone:?(\d+)$", expand=False)
    value = value.fillna(zone_value).fillna(_to_float(zone_number))
    ok = value.notna()
    kmh = text.str.extract(r"^(\d+(?:\.\d+)?)\s*km/h$", expand=False)
    first = text.str.extract(r"^(\d+(?:\.\d+)?)\s*;", expand=False)
    value = value.fillna(_to_float(kmh)).fillna(_to_float(first))
    value = value.where(value > 0)
    good = value.notna()
    no_limit = _matches(text.str.lower(), "none")  # valid tag, no number: class default applies
    return value.astype("float64"), _quality(raw, (ok & good) | no_limit, good & ~ok)


def parse_oneway(raw: pd.Series, *, implied: pd.Series) -> tuple[pd.Series, pd.Series]:
    """
    Parse ``oneway`` into a direction: 1 along the way, -1 against it, 0 two-way.

    Parameters
    ----------
    raw
        Tag values as strings.
    implied
        Bool per row: one-way unless tagged otherwise (roundabouts, motorways).

    Returns
    -------
    direction, quality
        Int8 direction and a quality code. ``yes``/``no``/``-1`` are ok; ``true``, ``1``,
        ``false``, ``0``, ``reverse`` are recovered; ``reversible`` and ``alternating`` are ok
        and two-way (they serve both directions over a day); other text is invalid (two-way
        unless implied).
    """
    text = raw.astype("string").str.strip().str.lower()
    forward_ok = text.isin(["yes"])
    forward_rec = text.isin(["true", "1"])
    back_ok = text.eq("-1")
    back_rec = text.isin(["reverse"])
    two_ok = text.isin(["no", "reversible", "alternating"])
    two_rec = text.isin(["false", "0"])
    ok = (forward_ok | back_ok | two_ok).fillna(value=False).astype(bool)
    recovered = (forward_rec | back_rec | two_rec).fillna(value=False).astype(bool)
    forward = (forward_ok | forward_rec).fillna(value=False).astype(bool)
    back = (back_ok | back_rec).fillna(value=False).astype(bool)
    readable = ok | recovered
    direction = np.where(forward, 1, np.where(back, -1, 0))
    direction = np.where(~readable & implied.to_numpy(dtype=bool), 1, direction)
    quality = _quality(raw, ok, recovered)
    return pd.Series(direction, index=raw.index, dtype="int8"), quality


def quality_counts(quality: pd.Series) -> dict[str, int]:
    """Count each quality code (all four keys always present)."""
    counts = quality.value_counts()
    return {code: int(counts.get(code, 0)) for code in QUALITY_CODES}
