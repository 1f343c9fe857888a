"""Property-based: odd OSM XML and odd tag values give a result or an UrbanfitError, nothing else.

Random files with empty ways, dangling node references, duplicate ids, empty relations, huge
and odd tag values, right-to-left and non-UTF-8 text, and NaN/inf-like numbers go through the
reader, the typed tables and the curb parser; the tag parsers get random text directly.
Bounded (about 80 files and 100 value lists) so it runs in CI in well under a minute.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urbanfit.citydata import build_city
from urbanfit.citydata.curb import curb_sides, malformed_tag_count
from urbanfit.citydata.tagvalues import (
    parse_count,
    parse_length_m,
    parse_maxspeed_kmh,
    parse_oneway,
)
from urbanfit.errors import UrbanfitError
from urbanfit.sources import read_file

ODD_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e-999", "0", "-3",
               "2;3", "3,5", " 4 ", "0x10", "1_000", "", "١٢", "５"]  # fmt: skip
ODD_TEXT = ["שדרות רוטשילד", "شارع", "\u202eevil\u202c", "<b>&amp;</b>", "名古屋", "😀",
            "x" * 255, "a\tb", "yes;no", "-1", "reversible"]  # fmt: skip
KEYS = ["highway", "name", "lanes", "width", "maxspeed", "oneway", "access", "service", "area",
        "amenity", "parking", "capacity", "building", "building:levels", "height",
        "parking:lane:both", "parking:right", "parking:right:orientation",
        "parking:left:capacity", "parking:condition:both", "crossing", "emergency",
        "type"]  # fmt: skip
VALUES = ["residential", "primary", "service", "driveway", "parking", "yes", "no", "private",
          "parallel", "diagonal", "lane", "no_parking", "multipolygon", "fire_hydrant", "surface",
          "30 mph", "FI:urban", "RU:urban", "signals", *ODD_NUMBERS, *ODD_TEXT]  # fmt: skip

# few ids, so duplicates and dangling refs are common (sampled: integers() favours 0)
ids = st.sampled_from(range(-3, 13))
tags = st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=6)
plain = st.floats(min_value=-0.01, max_value=0.01)
coordinate = st.one_of(plain, plain, plain, st.sampled_from([1e-12, 89.999999, -180.0, 180.0]))


def _tags(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in pairs)


def _deleted(draw: st.DrawFn) -> str:
    # one in eight (not integers(0, 7) == 0: hypothesis favours the smallest integer)
    return " action='delete'" if draw(st.sampled_from([False] * 7 + [True])) else ""


@st.composite
def osm_files(draw: st.DrawFn) -> bytes:
    parts = []
    node_ids = draw(st.lists(ids, min_size=2, max_size=12, unique=draw(st.booleans())))
    for node in node_ids:
        lat, lon = draw(coordinate), draw(coordinate) + 3.0
        parts.append(
            f'<node id="{node}"{_deleted(draw)} lat="{lat!r}" lon="{lon!r}" version="1">'
            f"{_tags(draw(tags))}</node>"
        )
    refs_from = st.sampled_from([*node_ids] * 6 + [13])  # mostly nodes there, some dangling
    # the first way is a street; later ones are streets half the time
    for at in range(draw(st.integers(1, 6))):
        unique = draw(st.booleans())  # half the ways do not revisit a node
        drawn = draw(st.lists(refs_from, min_size=2 if at == 0 else 0, max_size=6, unique=unique))
        refs = "".join(f'<nd ref="{r}"/>' for r in drawn)
        street = [("highway", "residential")] if at == 0 or draw(st.booleans()) else []
        parts.append(
            f'<way id="{draw(ids)}"{_deleted(draw)} version="1">{refs}'
            f"{_tags(street + draw(tags))}</way>"
        )
    for _ in range(draw(st.integers(0, 2))):
        members = "".join(
            f'<member type="{t}" ref="{r}" role="{role}"/>'
            for t, r, role in draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["way", "node", "relation"]),
                        ids,
                        st.sampled_from(["outer", "inner", "", "weird"]),
                    ),
                    max_size=4,
                )
            )
        )
        relation = f'<relation id="{draw(ids)}" version="1">{members}{_tags(draw(tags))}'
        parts.append(relation + "</relation>")
    draw(st.randoms()).shuffle(parts)  # any element order
    body = "".join(parts).encode()
    odd = draw(st.sampled_from(["none", "none", "none", "bytes", "huge"]))
    if odd == "bytes":  # non-UTF-8 bytes inside a value
        body = body.replace(b'v="yes"', b'v="y\xff\xfes"', 1)
    elif odd == "huge":  # a value far beyond OSM's 255-character limit
        body = body.replace(b'v="yes"', b'v="' + b"x" * 20_000 + b'"', 1)
    return b'<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">' + body + b"</osm>"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(osm_files())
def test_odd_osm_xml_gives_tables_or_a_clear_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "odd.osm"
        path.write_bytes(data)
        try:
            raw = read_file(path)
            city = build_city(raw, name="odd")
            malformed = malformed_tag_count(curb_sides(city.streets))
        except UrbanfitError:
            return
    # what did come through is well-formed: one edge per node pair, ids and counts sane
    assert (city.streets["u"] != city.streets["v"]).all()
    assert np.isfinite(city.streets["length_m"]).all()
    assert np.isfinite(city.streets[["lanes", "width_m", "speed_kmh"]].to_numpy()).all()
    assert isinstance(malformed, int)
    # every street edge starts and ends at a node the file holds (and did not delete)
    assert set(city.streets["u"]) | set(city.streets["v"]) <= set(raw.edges["u"]) | set(
        raw.edges["v"]
    )


texts = st.lists(
    st.one_of(st.none(), st.sampled_from(VALUES), st.text(max_size=30)), min_size=1, max_size=20
)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_tag_parsers_give_finite_numbers_or_nan(values: list[str | None]) -> None:
    raw = pd.Series(values, dtype="object")
    present = raw.notna().to_numpy()
    results = [
        parse_count(raw),
        parse_length_m(raw),
        parse_maxspeed_kmh(raw, zones={"FI:urban": 50.0}, mph_to_kmh=1.609344),
    ]
    for numbers, quality in results:
        values_ = numbers.to_numpy(dtype="float64")
        # never inf ("1e999", "inf"): a number is finite or missing
        assert not np.isinf(values_).any()
        assert set(quality) <= {"missing", "ok", "recovered", "invalid"}
        assert (quality.to_numpy()[~present] == "missing").all()
    direction, quality = parse_oneway(raw, implied=pd.Series(False, index=raw.index))
    assert set(direction.tolist()) <= {-1, 0, 1}
    assert not any(math.isnan(float(d)) for d in direction)
