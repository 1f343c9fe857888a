"""Compact encoding of a map layer's features, decoded in the page by ``urbanfit/decode.js``.

A layer travels as one object instead of a GeoJSON FeatureCollection:

- ``n``: the number of features;
- ``p``: one array per property (columnar). A text column with many repeats is stored as its
  distinct values ``k`` and one index per feature ``i``;
- ``g``: one block per geometry family (points, lines, polygons), in feature order. Each has a
  kind ``t`` (``"P"``, ``"L"``, ``"A"``), its feature count ``n``, the counts that nest its
  coordinates ``o`` (points per geometry; or parts per geometry then points per part; or
  polygons per geometry, rings per polygon, points per ring; a constant count is one number)
  and the coordinates ``c``.

Coordinates are whole multiples of ``10 ** -COORD_DECIMALS`` degrees (1e-5: about 1.1 m),
written as differences from the previous coordinate on the same axis (longitude and latitude
alternate), each zigzag-mapped to a non-negative integer and written five bits a character
(the sixth bit says another character follows) in the URL-safe base64 alphabet, so the text
needs no escaping in JSON or HTML. A polygon ring leaves out its closing point (the decoder
adds it back). A city street of ~35 m between nodes then costs about 4 characters a point
instead of the ~22 of GeoJSON's ``[-122.60001,45.50002],``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd
import shapely

__all__ = [
    "ALPHABET",
    "COORD_DECIMALS",
    "decode_coordinates",
    "decode_features",
    "encode_coordinates",
    "encode_features",
    "page_layers",
    "to_json",
]

COORD_DECIMALS = 5  # 1e-5 degree: about 1.1 m of latitude, like the 1 m simplification
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_LETTERS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_FAMILIES = (  # block kind, the geometry types it holds, its nesting depth
    ("P", ("Point", "MultiPoint"), 1),
    ("L", ("LineString", "MultiLineString"), 2),
    ("A", ("Polygon", "MultiPolygon"), 3),
)
# Inside a <script>, JSON must not close the element or open a comment; as jinja's tojson does.
_IN_PAGE = re.compile(r"urbanfitDecode\((\{.*\})\)\);$", re.MULTILINE)
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def encode_coordinates(values: np.ndarray) -> str:
    """
    Write integers as zigzag variable-length base64 text, five bits a character.

    Parameters
    ----------
    values
        Signed integers (already differences).

    Returns
    -------
    text
        One to eight characters per value, from `ALPHABET`.
    """
    signed = np.asarray(values, dtype=np.int64)
    zigzag = ((signed << 1) ^ (signed >> 63)).astype(np.uint64)
    chunks = np.ones(len(zigzag), dtype=np.int64)
    for k in range(1, 13):
        chunks += zigzag >= np.uint64(32**k)
    start = np.cumsum(chunks) - chunks
    out = np.empty(int(chunks.sum()), dtype=np.uint8)
    for k in range(int(chunks.max(initial=0))):
        has = chunks > k
        digit = (zigzag[has] >> np.uint64(5 * k)) & np.uint64(31)
        more = (chunks[has] > k + 1).astype(np.uint64) << np.uint64(5)
        out[start[has] + k] = _LETTERS[(digit | more).astype(np.int64)]
    return out.tobytes().decode("ascii")


def decode_coordinates(text: str) -> np.ndarray:
    """
    Read back what `encode_coordinates` wrote (the page's decoder does the same in JS).

    Parameters
    ----------
    text
        Characters from `ALPHABET`.

    Returns
    -------
    values
        The signed integers, int64.
    """
    lookup = np.zeros(128, dtype=np.int64)
    lookup[_LETTERS] = np.arange(len(_LETTERS))
    digits = lookup[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    last = (digits & 32) == 0  # the last character of each value
    group = np.cumsum(last) - last
    starts = np.flatnonzero(np.r_[True, last[:-1]])
    position = np.arange(len(digits)) - starts[group]
    zigzag = np.bincount(group, weights=(digits & 31) * 32.0**position).astype(np.int64)
    return (zigzag >> 1) ^ -(zigzag & 1)


def decode_features(packed: dict[str, Any]) -> tuple[pd.DataFrame, np.ndarray]:
    """
    Read back a layer written by `encode_features`: its properties and WGS 84 geometries.

    Parameters
    ----------
    packed
        The encoded layer.

    Returns
    -------
    properties, geometries
        One row and one shapely geometry per feature, in the encoded order; single-part
        geometries come back as multi-part ones with one part, and polygon rings closed.
    """
    geometries = []
    for block in packed["g"]:
        deltas = decode_coordinates(block["c"]).reshape(-1, 2)
        coords = np.cumsum(deltas, axis=0) / 10**COORD_DECIMALS
        counts = [
            np.full(n, level) if isinstance(level, int) else np.asarray(level)
            for level, n in zip(block["o"], _level_lengths(block), strict=True)
        ]
        offsets = [np.r_[0, np.cumsum(c)] for c in reversed(counts)]
        if block["t"] == "A":  # put each ring's closing point back
            ends = offsets[0][1:]
            coords = np.insert(coords, ends, coords[offsets[0][:-1]], axis=0)
            offsets[0] = offsets[0] + np.arange(len(offsets[0]))
        kind = {"P": "MULTIPOINT", "L": "MULTILINESTRING", "A": "MULTIPOLYGON"}[block["t"]]
        geometries.append(
            shapely.from_ragged_array(shapely.GeometryType[kind], coords, tuple(offsets))
        )
    columns = {
        name: column if isinstance(column, list) else [column["k"][i] for i in column["i"]]
        for name, column in packed["p"].items()
    }
    shapes = np.concatenate(geometries) if geometries else np.array([], dtype=object)
    return pd.DataFrame(columns, index=range(packed["n"])), shapes


def _level_lengths(block: dict[str, Any]) -> list[int]:
    """How many counts each nesting level of a block has (its geometries, parts, rings)."""
    lengths = [block["n"]]
    for level in block["o"][:-1]:
        total = level * lengths[-1] if isinstance(level, int) else sum(level)
        lengths.append(total)
    return lengths


def _counts(offsets: np.ndarray) -> int | list[int]:
    """Lengths between offsets; one number when they are all the same."""
    counts = np.diff(offsets)
    if len(counts) and (counts == counts[0]).all():
        return int(counts[0])
    return counts.tolist()


def _block(kind: str, depth: int, geoms: np.ndarray) -> dict[str, Any]:
    """One geometry family: its nesting counts and its coordinates."""
    geom_type, coords, offsets = shapely.to_ragged_array(geoms)
    # promote single geometries to the multi form's nesting: one part per geometry
    ones = np.arange(len(geoms) + 1)
    levels = list(offsets)
    if geom_type.name in ("POINT", "LINESTRING", "POLYGON"):
        if geom_type.name == "POINT":
            levels = [ones]
        else:
            levels.append(ones)
    if kind == "A":  # leave out each ring's closing point
        rings = levels[0]
        keep = np.ones(len(coords), dtype=bool)
        keep[rings[1:] - 1] = False
        coords = coords[keep]
        levels[0] = rings - np.arange(len(rings))
    scaled = np.round(coords * 10**COORD_DECIMALS).astype(np.int64).ravel()
    deltas = np.empty_like(scaled)
    deltas[1::2] = np.diff(scaled[1::2], prepend=0)
    deltas[0::2] = np.diff(scaled[0::2], prepend=0)
    return {
        "t": kind,
        "n": len(geoms),
        "o": [_counts(level) for level in reversed(levels[:depth])],
        "c": encode_coordinates(deltas),
    }


def _column(values: pd.Series) -> list[Any] | dict[str, list[Any]]:
    """One property column: numbers as they are, repeated text as distinct values + indices."""
    if values.dtype.kind in "biuf":
        if values.dtype.kind != "f":  # integers and booleans, nullable ones included
            return values.astype(object).where(values.notna(), None).tolist()
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        known = np.isfinite(numbers)  # NaN and infinities travel as null
        whole = (numbers[known] == np.round(numbers[known])).all() and (
            np.abs(numbers[known]) < 2**53
        ).all()
        # whole numbers as integers ("12", not "12.0")
        out = np.where(known, numbers, 0).astype(np.int64 if whole else np.float64).astype(object)
        out[~known] = None
        return out.tolist()
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    if len(distinct) * 2 <= len(values):
        keys = [None, *distinct.tolist()]
        return {"k": keys, "i": (codes + 1).tolist()}
    return values.astype("object").where(values.notna(), None).tolist()


def encode_features(properties: pd.DataFrame, geometries: np.ndarray) -> dict[str, Any]:
    """
    Encode features (WGS 84 geometries and their properties) for `urbanfit/decode.js`.

    Parameters
    ----------
    properties
        One row per feature; text already HTML-escaped.
    geometries
        Shapely geometries in WGS 84, one per row; missing or empty ones are left out.

    Returns
    -------
    packed
        The layer as a JSON-ready object (see the module docstring), features ordered by
        geometry family (points, lines, polygons), in their given order within a family.
    """
    geometries = np.asarray(geometries, dtype=object)
    types = pd.Series(shapely.get_type_id(geometries))
    kept = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    names = pd.Series(
        ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"],
        index=[0, 1, 3, 4, 5, 6],
    )
    kinds = types.map(names).to_numpy()
    order: list[np.ndarray] = []
    blocks = []
    for kind, members, depth in _FAMILIES:
        rows = np.flatnonzero(kept & np.isin(kinds, members))
        if len(rows):
            order.append(rows)
            blocks.append(_block(kind, depth, geometries[rows]))
    rows = np.concatenate(order) if order else np.array([], dtype=np.int64)
    table = properties.iloc[rows]
    return {
        "n": len(rows),
        "p": {str(c): _column(table[c].reset_index(drop=True)) for c in table.columns},
        "g": blocks,
    }


def to_json(packed: dict[str, Any]) -> str:
    """Compact JSON text safe inside a ``<script>`` element (``<``, ``>``, ``&``, ``'`` escaped)."""
    text = json.dumps(packed, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.translate(_HTML_SAFE)


def page_layers(page: str) -> list[dict[str, Any]]:
    """
    Find the encoded layers in a written ``map.html``, in page order.

    Parameters
    ----------
    page
        The page's text.

    Returns
    -------
    layers
        One encoded layer (see `encode_features`) per map layer with features.
    """
    return [json.loads(match) for match in _IN_PAGE.findall(page)]
