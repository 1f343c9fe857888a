"""The city-table contract: docs/tables.md and the code agree, and the validator catches breaks."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from builders import building_table, lot_table, street_table
from pyproj import CRS

import urbanfit
from urbanfit.citydata import CityData
from urbanfit.citydata.curb import curb_sides
from urbanfit.citydata.schema import TABLES, table_problems, validate_table, validate_tables
from urbanfit.errors import TableError, UrbanfitError
from urbanfit.sources.raw import Provenance

DOCS = Path(__file__).parents[1] / "docs" / "tables.md"


def _documented() -> dict[str, list[tuple[str, str, str]]]:
    """(column, dtype, values) per table, read from the markdown tables of docs/tables.md."""
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current: list[tuple[str, str, str]] = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = tables.setdefault(line[3:].split()[0], [])
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in {"column", "---"}:
            continue
        group = re.fullmatch(r"every key of `([\w.]+)\.(\w+)`", cells[0])
        if group:
            names = list(getattr(importlib.import_module(group[1]), group[2]))
        else:
            names = re.findall(r"`([^`]+)`", cells[0])
        current.extend((name, cells[1], cells[2]) for name in names)
    return tables


def _contract() -> dict[str, list[tuple[str, str, str]]]:
    return {
        table: [
            (c.name, " / ".join(c.geom_types) if c.geom_types else c.dtype, c.values)
            for c in columns
        ]
        for table, columns in TABLES.items()
    }


def test_docs_tables_md_lists_exactly_the_contract_in_code() -> None:
    documented = _documented()
    assert documented == _contract()
    # the parser read the page: 19 named street columns + the parking keys + the bus-lane
    # keys + geometry
    keys = len(urbanfit.osmkeys.PARKING_KEYS) + len(urbanfit.osmkeys.BUS_LANE_KEYS)
    assert len(documented["streets"]) == 19 + keys + 1
    assert documented["lots"][-1] == ("geometry", "Polygon / MultiPolygon / Point", "required")


def test_the_test_builders_satisfy_the_contract() -> None:
    assert table_problems("streets", street_table({}, {"name": "Kapea"})) == []
    assert table_problems("streets", street_table()) == []
    lots = lot_table({"geometry": shapely.box(0, 0, 10, 20)}, {"geometry": shapely.Point(0, 0)})
    assert table_problems("lots", lots) == []
    assert table_problems("buildings", building_table({}, {"use": "commercial"})) == []


def test_a_missing_column_is_named() -> None:
    streets = street_table({}).drop(columns=["width_m"])
    with pytest.raises(TableError, match=r"streets: column 'width_m' is missing"):
        validate_table("streets", streets)


def test_a_wrong_dtype_is_named_with_the_expected_one() -> None:
    streets = street_table({}, {})
    streets["lanes"] = ["2", "4"]
    with pytest.raises(
        TableError, match=r"column 'lanes' has dtype (str|object), expected float64"
    ):
        validate_table("streets", streets)


def test_a_null_in_a_required_column_is_counted() -> None:
    streets = street_table({}, {}, {})
    streets.loc[[1, 2], "speed_kmh"] = np.nan
    # rows 1 and 2: 2 missing values, the first at row 1
    with pytest.raises(TableError, match=r"'speed_kmh' has 2 missing values \(first at row 1\)"):
        validate_table("streets", streets)
    # a nullable column may be empty
    assert table_problems("streets", street_table({"name": None})) == []


def test_duplicate_ids_are_refused() -> None:
    lots = lot_table(*({"geometry": shapely.box(0, 0, 10, 10)} for _ in range(3)))
    lots["lot_id"] = [0, 1, 1]
    with pytest.raises(TableError, match=r"'lot_id' has 1 duplicate ids \(e.g. 1\)"):
        validate_table("lots", lots)


def test_a_geometry_of_the_wrong_type_is_refused() -> None:
    buildings = building_table({}, {"geometry": shapely.Point(0, 0)})
    with pytest.raises(TableError, match=r"1 geometries that are not Polygon / MultiPolygon"):
        validate_table("buildings", buildings)


@pytest.mark.parametrize(
    ("crs", "message"),
    [
        (4326, r"geometry has the geographic CRS EPSG:4326; expected a projected CRS"),
        (None, r"geometry has no CRS"),
        # EPSG:2263, NAD83 / New York Long Island, is in US survey feet
        (2263, r"geometry has the CRS EPSG:2263 in US survey foot; expected metres"),
    ],
    ids=["geographic", "none", "feet"],
)
def test_a_crs_other_than_projected_metres_is_refused(crs: int | None, message: str) -> None:
    streets = street_table({})
    streets = streets.to_crs(crs) if crs else streets.set_crs(None, allow_override=True)
    with pytest.raises(TableError, match=message):
        validate_table("streets", streets)


def test_tables_in_another_crs_than_the_citys_are_refused() -> None:
    city = CityData(
        name="test",
        streets=street_table({}),
        lots=lot_table().to_crs(32634),
        buildings=building_table({}),
        curb=curb_sides(street_table({})),
        crs=CRS.from_epsg(32635),
        provenance=Provenance(kind="file", description="built in the test"),
    )
    with pytest.raises(TableError, match=r"lots: geometry has the CRS EPSG:32634; expected "):
        validate_tables(city)


def test_only_the_first_five_problems_are_listed() -> None:
    # 7 problems: 6 missing columns and a duplicate id
    streets = street_table({}, {}).drop(columns=["u", "v", "lanes", "width_m", "oneway", "name"])
    streets["edge_id"] = [3, 3]
    with pytest.raises(TableError) as caught:
        validate_table("streets", streets)
    message = str(caught.value)
    assert isinstance(caught.value, UrbanfitError)
    assert message.count("streets: ") == 5
    assert message.endswith("; and 2 more")


def test_a_model_may_check_only_the_columns_it_reads() -> None:
    streets = street_table({}, {})[["edge_id", "length_m", "geometry"]]
    validate_table("streets", streets, columns=["edge_id", "length_m", "geometry"])
    frame = pd.DataFrame(streets[["edge_id", "length_m"]])  # no geometry: no CRS to check
    assert table_problems("streets", frame, columns=["edge_id", "length_m"]) == []
    with pytest.raises(KeyError, match="not columns of the streets contract"):
        table_problems("streets", frame, columns=["edge_id", "lenght_m"])


def test_helsinki_tables_pass_the_validator() -> None:
    _, city = urbanfit.load_city("helsinki")
    validate_tables(city)
    assert {name: table_problems(name, getattr(city, name)) for name in TABLES} == {
        "streets": [],
        "lots": [],
        "buildings": [],
        "curb": [],
    }
