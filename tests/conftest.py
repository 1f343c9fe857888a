"""Shared fixtures: the hand-drawn test town in every source format, and the Helsinki run."""

from __future__ import annotations

import bz2
import os
import shutil
from pathlib import Path

import osmium
import pytest

os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")

DATA = Path(__file__).parent / "data"
TOWN_XML = DATA / "town.osm"
SHARED_DATA = Path(
    os.environ.get("URBANFIT_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data")
)


@pytest.fixture(scope="session")
def town_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test town as .osm, .osm.bz2, .osm.gz and .osm.pbf (converted with osmium)."""
    folder = tmp_path_factory.mktemp("town")
    xml = folder / "town.osm"
    shutil.copy(TOWN_XML, xml)
    compressed = folder / "town.osm.bz2"
    compressed.write_bytes(bz2.compress(TOWN_XML.read_bytes()))
    pbf = folder / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(TOWN_XML)):
            writer.add(obj)
    return {"osm": xml, "bz2": compressed, "pbf": pbf}


@pytest.fixture(scope="session")
def catalog():
    """The built-in vehicle profiles and fleets."""
    from urbanfit.vehicles import load_vehicles

    return load_vehicles()


@pytest.fixture(scope="session")
def helsinki():
    """One offline analysis of the bundled Helsinki extract, shared by the tests."""
    from urbanfit.pipeline import analyze

    return analyze("helsinki")
