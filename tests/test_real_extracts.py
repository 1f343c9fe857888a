"""Every real extract in ../shared/data/osm runs end to end through the command line.

The extracts (see that folder's README) are OpenStreetMap data nobody here drew: US downtowns
and campuses without curb tags, a JOSM save with deleted elements. Each is analysed through
``urbanfit analyze --osm-file``; the summary must validate against the schema, and two
figures are checked against a count made here without urbanfit: the XML parsed with the
standard library (which sees JOSM's ``action='delete'``), the PBF read with osmium.
"""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import osmium
import pytest
from conftest import SHARED_DATA
from typer.testing import CliRunner

from urbanfit.cli import app
from urbanfit.render.schema import validate_summary

OSM_DIR = SHARED_DATA / "osm"
FILES = (
    sorted(p for p in OSM_DIR.iterdir() if p.name.endswith((".osm", ".osm.pbf", ".osm.gz")))
    if OSM_DIR.is_dir()
    else []
)
# Congestion (demand and assignment) runs for the smallest file only; elsewhere it is not the
# point and would take most of the time.
WITH_CONGESTION = "seattle-roosevelt.osm"

pytestmark = [
    pytest.mark.skipif(not FILES, reason=f"no shared real extracts in {OSM_DIR}"),
    # about 40 s of CPU in all, most of it writing the 65,868-edge Columbus tables
    pytest.mark.timeout(300),
]

# Drive classes written out here rather than imported, so the count stays independent.
DRIVE = {
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential",
    "living_street", "road",
}  # fmt: skip
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def _elements(path: Path) -> Iterator[tuple[str, int, dict[str, str], list[int], Any]]:
    """(kind, id, tags, node refs, (lon, lat) of a node) of every element not deleted."""
    if path.name.endswith(".osm"):
        for _, element in ET.iterparse(path):
            if element.tag not in ("node", "way", "relation"):
                continue
            if element.get("action") != "delete":
                tags = {t.get("k", ""): t.get("v", "") for t in element.findall("tag")}
                refs = [int(n.get("ref", "0")) for n in element.findall("nd")]
                where = (
                    (float(element.get("lon", "nan")), float(element.get("lat", "nan")))
                    if element.tag == "node"
                    else None
                )
                yield element.tag, int(element.get("id", "0")), tags, refs, where
            element.clear()
        return
    kinds = {"n": "node", "w": "way", "r": "relation"}
    for obj in osmium.FileProcessor(str(path)):
        kind = kinds[obj.type_str()]
        refs = [n.ref for n in obj.nodes] if kind == "way" else []
        where = (obj.location.lon, obj.location.lat) if kind == "node" else None
        yield kind, obj.id, dict(obj.tags), refs, where


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2
    h += math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _independent_count(path: Path) -> tuple[int, float, int]:
    """Parking features (nodes, closed ways, multipolygons), km of drivable ways, and ways
    urbanfit reads (streets, driveways, lots, buildings) that lack a node."""
    where: dict[int, tuple[float, float]] = {}
    lots = 0
    streets: list[list[int]] = []
    wanted: list[list[int]] = []
    for kind, osm_id, tags, refs, at in _elements(path):
        parking = tags.get("amenity") == "parking"
        if kind == "node":
            where[osm_id] = at
            lots += parking
        elif kind == "way":
            lots += parking and len(refs) >= 4 and refs[0] == refs[-1]
            highway = tags.get("highway", "")
            closed = tags.get("access") in ("no", "private") or tags.get("area") == "yes"
            if highway in DRIVE and not closed:
                streets.append(refs)
            driveway = highway == "service" and tags.get("service") == "driveway"
            if highway.split(";")[0] in DRIVE or driveway or parking or "building" in tags:
                wanted.append(refs)
        else:
            lots += parking and tags.get("type") == "multipolygon"
    broken = sum(len(refs) < 2 or any(r not in where for r in refs) for refs in wanted)
    streets = [refs for refs in streets if all(r in where for r in refs)]
    km = sum(
        _haversine_km(where[a], where[b]) for refs in streets for a, b in itertools.pairwise(refs)
    )
    return lots, km, broken


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_extract_runs_end_to_end(path: Path, tmp_path: Path) -> None:
    congestion = "--congestion" if path.name == WITH_CONGESTION else "--no-congestion"
    args = ["analyze", "--osm-file", str(path), "--name", "extract", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, congestion])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "extract"
    assert (folder / "map.html").stat().st_size > 0
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    validate_summary(summary)

    lots, km, broken = _independent_count(path)
    # Lots: every amenity=parking node, closed way and multipolygon that is not deleted is a
    # lot, and none of these files has a parking way that also outlines a parking
    # multipolygon (which urbanfit would count once), so the counts must agree exactly.
    assert summary["lots"]["count"] == lots
    # Street km: the same drivable ways, measured here on a sphere (haversine, mean Earth
    # radius) and by urbanfit in UTM metres on the WGS 84 ellipsoid. The sphere is off the
    # ellipsoid by at most ~0.5 % in a given direction and the UTM scale within a zone by
    # 0.04 %, so the two agree to 0.5 %. These files tag no way that the simpler access rule
    # here (access=no/private only) would treat differently.
    assert summary["network"]["street_km"] == pytest.approx(km, rel=5e-3)
    # Ways with a node the file lacks are skipped and counted, whatever the file order.
    assert summary["data_quality"]["ways_missing_nodes"] == broken
