"""Every code a model or the OSM reader puts on the map reads as words a planner knows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from urbanfit.citydata.curb import ORIENTATIONS
from urbanfit.citydata.width import WIDTH_SOURCES
from urbanfit.models.parking.model import CURB_SOURCES, LOT_SOURCES
from urbanfit.pipeline import analyze
from urbanfit.render.labels import CODE_WORDS, code_words
from urbanfit.results import FIT_CATEGORIES, AnalysisResult

TOWN = Path(__file__).parent / "data" / "town.osm"

# The codes each table of words covers, as the models declare them: a code added to a model
# without words here (or words for a code no model emits any more) fails this test.
DECLARED = {
    "curb_source": CURB_SOURCES,
    "lot_source": LOT_SOURCES,
    "width_source": WIDTH_SOURCES,
    "orientation": ORIENTATIONS,
    "side": ("left", "right"),
    "fit_category": FIT_CATEGORIES,
}


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_every_declared_code_has_words_and_no_word_lacks_a_code(kind: str) -> None:
    assert set(CODE_WORDS[kind]) == set(DECLARED[kind])
    for code, words in CODE_WORDS[kind].items():
        assert "_" not in words, f"{kind} {code!r} reads as a code: {words!r}"


def test_the_tables_of_words_are_the_declared_ones() -> None:
    assert set(CODE_WORDS) == set(DECLARED)


@pytest.fixture(scope="module")
def town() -> AnalysisResult:
    """The test town with the curb estimate on, so estimated sides appear too."""
    return analyze("town", osm_file=TOWN, name="Test town")


def test_the_codes_a_run_emits_all_have_words(town: AnalysisResult) -> None:
    emitted = {
        "curb_source": town.parking.sides["source"],
        "lot_source": town.parking.lots["source"],
        "width_source": town.streets["width_source"],
        "orientation": town.parking.sides["orientation"],
        "side": town.parking.sides["side"],
        "fit_category": town.fit.edges["category"],
    }
    for kind, codes in emitted.items():
        unknown = set(codes.dropna()) - set(CODE_WORDS[kind])
        assert unknown == set(), f"{kind} codes without words: {sorted(unknown)}"
    # the town has mapped parking (Main Street, Cross Street) and, with the estimate on,
    # estimated curbs (Back Lane is unclassified and untagged)
    sources = set(town.parking.sides["source"])
    assert {"model", "inferred"} <= sources


def test_code_words_maps_codes_and_passes_other_text_as_words() -> None:
    codes = pd.Series(["tag_capacity", "model_surface", "some_new_code", None])
    assert code_words("lot_source", codes).tolist() == [
        "capacity tag in OSM",
        "counted from the lot's outline",
        "some new code",
        None,
    ]
