"""The column contract of the city tables (docs/tables.md) and its validator.

`TABLES` holds one `Column` entry per column, in the order docs/tables.md lists them; a test
parses that page and checks it agrees with `TABLES` entry by entry, so adding a column means
adding one entry here and one row there. Extra columns are allowed (models add their own);
a missing column, a wrong dtype, a null where none is allowed, a duplicate id, a geometry of
the wrong type and a missing, geographic or non-metre CRS are not.

The checks are whole-column numpy/pandas operations (no loop over rows), so a model can call
`validate_table` on its input for a few milliseconds, naming only the columns it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from urbanfit.errors import TableError
from urbanfit.osmkeys import BUS_LANE_KEYS, PARKING_KEYS

if TYPE_CHECKING:
    from urbanfit.citydata import CityData

__all__ = ["TABLES", "Column", "table_problems", "validate_table", "validate_tables"]

Dtype = Literal["int64", "float64", "bool", "str", "geometry"]
Values = Literal["unique", "required", "nullable"]

_SHOWN = 5  # problems quoted in an error message


@dataclass(frozen=True)
class Column:
    """
    One column of a city table.

    Attributes
    ----------
    name
        Column name.
    dtype
        ``int64``, ``float64``, ``bool``, ``str`` (text: object or pandas string dtype) or
        ``geometry``.
    values
        ``unique`` (no nulls and no duplicates: an id), ``required`` (no nulls) or ``nullable``
        (None / NaN allowed).
    geom_types
        For the geometry column: the allowed geometry types (shapely names).
    """

    name: str
    dtype: Dtype
    values: Values = "required"
    geom_types: tuple[str, ...] = ()


TABLES: dict[str, tuple[Column, ...]] = {
    "streets": (
        Column("edge_id", "int64", "unique"),
        Column("osm_id", "int64"),
        Column("u", "int64"),
        Column("v", "int64"),
        Column("u_junction", "bool"),
        Column("v_junction", "bool"),
        Column("name", "str", "nullable"),
        Column("highway", "str"),
        Column("length_m", "float64"),
        Column("lanes", "float64"),
        Column("width_m", "float64"),
        Column("width_low_m", "float64"),
        Column("width_high_m", "float64"),
        Column("width_source", "str"),
        Column("speed_kmh", "float64"),
        Column("oneway", "bool"),
        Column("lanes_defaulted", "bool"),
        Column("width_defaulted", "bool"),
        Column("speed_defaulted", "bool"),
        *(Column(key, "str", "nullable") for key in PARKING_KEYS),
        *(Column(key, "str", "nullable") for key in BUS_LANE_KEYS),
        Column("geometry", "geometry", geom_types=("LineString",)),
    ),
    "lots": (
        Column("lot_id", "int64", "unique"),
        Column("osm_id", "int64"),
        Column("osm_type", "str"),
        Column("name", "str", "nullable"),
        Column("parking", "str", "nullable"),
        Column("kind", "str"),
        Column("levels", "float64", "nullable"),
        Column("capacity", "float64", "nullable"),
        Column("access", "str", "nullable"),
        Column("area_m2", "float64"),
        Column("is_point", "bool"),
        Column("geometry", "geometry", geom_types=("Polygon", "MultiPolygon", "Point")),
    ),
    "buildings": (
        Column("building_id", "int64", "unique"),
        Column("osm_id", "int64"),
        Column("use", "str"),
        Column("levels", "float64"),
        Column("levels_defaulted", "bool"),
        Column("footprint_m2", "float64"),
        Column("floor_area_m2", "float64"),
        Column("geometry", "geometry", geom_types=("Polygon", "MultiPolygon")),
    ),
    "curb": (
        Column("edge_id", "int64"),
        Column("osm_id", "int64"),
        Column("side", "str"),
        Column("status", "str"),
        Column("position", "str", "nullable"),
        Column("orientation", "str", "nullable"),
        Column("orientation_defaulted", "bool"),
        Column("capacity", "float64", "nullable"),
        Column("capacity_share", "float64", "nullable"),
        Column("restriction", "str", "nullable"),
        Column("access", "str", "nullable"),
        Column("schema", "str", "nullable"),
        Column("schema_conflict", "bool"),
        Column("malformed", "bool"),
        Column("malformed_keys", "str", "nullable"),
        Column("length_m", "float64"),
        Column("u", "int64"),
        Column("v", "int64"),
        Column("u_junction", "bool"),
        Column("v_junction", "bool"),
        Column("highway", "str"),
        Column("geometry", "geometry", geom_types=("LineString", "MultiLineString")),
    ),
}


def _dtype_ok(dtype: object, expected: Dtype) -> bool:
    if expected == "str":
        return dtype == np.dtype("object") or isinstance(dtype, pd.StringDtype)
    if expected == "geometry":
        return getattr(dtype, "name", None) == "geometry"
    return dtype == np.dtype(expected)


def _crs_problem(crs: CRS | None, expected: CRS | None) -> str | None:
    if crs is None:
        return "has no CRS; expected a projected CRS in metres (the city's UTM zone)"
    if not crs.is_projected:
        return (
            f"has the geographic CRS {crs.to_string()}; expected a projected CRS in metres "
            "(the city's UTM zone)"
        )
    units = {axis.unit_name for axis in crs.axis_info}
    if not units <= {"metre", "meter"}:
        return f"has the CRS {crs.to_string()} in {', '.join(sorted(units))}; expected metres"
    if expected is not None and crs != expected:
        return f"has the CRS {crs.to_string()}; expected the city's CRS {expected.to_string()}"
    return None


def _duplicated(values: np.ndarray) -> np.ndarray:
    """Bool per row: the value appeared in an earlier row."""
    if (
        values.dtype == np.int64
        and len(values)
        and values.min() >= 0
        and values.max() < 4 * len(values)
    ):
        counts = np.bincount(values)  # ids are small non-negative ints: count them directly
        if counts.max() <= 1:
            return np.zeros(len(values), dtype=bool)
    return pd.Series(values).duplicated().to_numpy()


def _column_problems(column: Column, series: pd.Series) -> list[str]:
    label = f"column {column.name!r}"
    if not _dtype_ok(series.dtype, column.dtype):
        return [f"{label} has dtype {series.dtype}, expected {column.dtype}"]
    problems = []
    geometry = np.asarray(series.array) if column.dtype == "geometry" else None
    type_id = None if geometry is None else shapely.get_type_id(geometry)
    if column.values != "nullable" and column.dtype in {"float64", "str", "geometry"}:
        missing = type_id < 0 if type_id is not None else series.isna().to_numpy()
        if missing.any():
            first = series.index[int(np.argmax(missing))]
            count = int(missing.sum())
            problems.append(f"{label} has {count} missing values (first at row {first})")
    if column.values == "unique":
        values = series.to_numpy()
        duplicated = _duplicated(values)
        if duplicated.any():
            value = values[int(np.argmax(duplicated))]
            problems.append(f"{label} has {int(duplicated.sum())} duplicate ids (e.g. {value})")
    if type_id is not None and column.geom_types:
        allowed = [shapely.GeometryType[kind.upper()].value for kind in column.geom_types]
        wrong = ~np.isin(type_id, allowed) & (type_id >= 0)
        if wrong.any():
            found = shapely.GeometryType(int(type_id[int(np.argmax(wrong))])).name
            problems.append(
                f"{label} has {int(wrong.sum())} geometries that are not "
                f"{' / '.join(column.geom_types)} (e.g. {found.title()})"
            )
    return problems


def table_problems(
    name: str,
    frame: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    crs: CRS | None = None,
) -> list[str]:
    """
    List how a table breaks its contract (empty when it holds).

    Parameters
    ----------
    name
        A key of `TABLES` (``streets``, ``lots``, ``buildings``).
    frame
        The table.
    columns
        Check only these contract columns (what a model reads); all of them by default. The
        CRS is checked whenever ``geometry`` is among them.
    crs
        The CRS the table must be in (the city's); any projected metre CRS when None.

    Returns
    -------
    problems
        One readable sentence per problem, in contract order.

    Raises
    ------
    KeyError
        ``name`` is not a contract table, or ``columns`` names a column outside it.
    """
    contract = TABLES[name]
    if columns is not None:
        wanted = set(columns)
        unknown = wanted - {column.name for column in contract}
        if unknown:
            raise KeyError(f"not columns of the {name} contract: {sorted(unknown)}")
        contract = tuple(column for column in contract if column.name in wanted)
    problems = []
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        problems.append(f"columns {sorted(set(map(str, repeated)))} appear more than once")
    for column in contract:
        if column.name not in frame.columns:
            problems.append(f"column {column.name!r} is missing")
        elif column.name not in repeated:
            problems.extend(_column_problems(column, frame[column.name]))
    geometry = next((column for column in contract if column.dtype == "geometry"), None)
    if geometry is not None and geometry.name in frame.columns:
        series = frame[geometry.name]
        if _dtype_ok(series.dtype, "geometry"):
            problem = _crs_problem(series.array.crs, crs)
            if problem is not None:
                problems.append(f"geometry {problem}")
    return problems


def _raise(problems: list[str]) -> None:
    shown = "; ".join(problems[:_SHOWN])
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    raise TableError(f"city tables do not match docs/tables.md: {shown}{more}")


def validate_table(
    name: str,
    frame: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    crs: CRS | None = None,
) -> None:
    """
    Check one table against its contract; see `table_problems` for the parameters.

    Raises
    ------
    TableError
        Listing the first few problems, each prefixed with the table name.
    """
    problems = table_problems(name, frame, columns=columns, crs=crs)
    if problems:
        _raise([f"{name}: {problem}" for problem in problems])


def validate_tables(city: CityData) -> None:
    """
    Check every table of `TABLES` held by ``city`` against its contract and the city's CRS.

    Parameters
    ----------
    city
        The typed tables (each table of `TABLES` is an attribute of the same name).

    Raises
    ------
    TableError
        Listing the first few problems over all tables, each prefixed with the table name.
    """
    problems = [
        f"{name}: {problem}"
        for name in TABLES
        for problem in table_problems(name, getattr(city, name), crs=city.crs)
    ]
    if problems:
        _raise(problems)
