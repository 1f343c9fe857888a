"""Curb-parking tags -> one row per street side (the parser behind the parking model).

Reads both OSM street-parking schemas from the raw tag columns of the ``streets`` table (one
column per key of `urbanfit.osmkeys.PARKING_KEYS`, named exactly as the key; a missing column
means the key is not tagged anywhere):

- new: ``parking:<side>`` = lane | street_side | on_kerb | half_on_kerb | shoulder | no |
  separate, with ``parking:<side>:orientation`` = parallel | diagonal | perpendicular,
  ``:restriction``, ``:capacity``, ``:access``;
- old: ``parking:lane:<side>`` = parallel | diagonal | perpendicular | marked | yes |
  no_parking | no_stopping | fire_lane | no | separate, with ``parking:lane:<side>:<type>``
  (the position: on_street, half_on_kerb, on_kerb, lay_by, painted_area_only, street_side,
  shoulder), ``parking:lane:<side>:capacity`` and ``parking:condition:<side>`` (free, ticket,
  residents, ..., no_parking, no_stopping).

Resolution rules, key by key and side by side:

1. ``<side>`` is ``left`` or ``right`` relative to the way's drawing direction; a ``both`` key
   applies to each side, and a side-specific key wins over ``both`` (also for a capacity:
   ``parking:both:capacity`` is read as the capacity of each side).
   A capacity tags an OSM way, which the street graph may split into several edges: every
   edge keeps the way's value in ``capacity`` and gets ``capacity_share``, its part of the
   way side's length (1 where the way is one edge), so the way's capacity is counted once.
2. Where both schemas are tagged on a side, the new schema wins; the old schema then only
   fills a missing orientation. Sides whose two schemas disagree on the status are flagged
   (``schema_conflict``).
3. A parking side whose orientation is not tagged is taken as parallel and flagged
   (``orientation_defaulted``).
4. ``no``, ``no_parking``, ``no_stopping``, ``fire_lane`` and a restriction or condition of
   ``no_parking`` / ``no_stopping`` / ``no_standing`` give status ``no_parking`` (zero spaces).
   ``separate`` means the parking is mapped as its own ``amenity=parking`` feature (counted
   with the lots, not here).
5. A value outside the lists above never raises: the side is flagged ``malformed``, the key is
   listed in ``malformed_keys``, and the value is ignored (a malformed main key leaves the
   status to the other schema, else ``unknown``). New-schema ``yes`` is read leniently as
   parking with no position.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = [
    "CURB_SIDE_COLUMNS",
    "NO_PARKING_VALUES",
    "STATUSES",
    "curb_sides",
    "malformed_tag_count",
]

STATUSES = ("parking", "no_parking", "separate", "unknown")
ORIENTATIONS = ("parallel", "diagonal", "perpendicular")
NO_PARKING_VALUES = ("no_parking", "no_stopping", "no_standing")

_NEW_POSITIONS = ("lane", "street_side", "on_kerb", "half_on_kerb", "shoulder")
_OLD_POSITIONS = {
    "on_street": "lane",
    "painted_area_only": "lane",
    "lay_by": "street_side",
    "street_side": "street_side",
    "on_kerb": "on_kerb",
    "half_on_kerb": "half_on_kerb",
    "shoulder": "shoulder",
}
_OLD_NO = ("no_parking", "no_stopping", "fire_lane", "no")

CURB_SIDE_COLUMNS = (
    "edge_id",
    "osm_id",
    "side",
    "status",
    "position",
    "orientation",
    "orientation_defaulted",
    "capacity",
    "capacity_share",
    "restriction",
    "access",
    "schema",
    "schema_conflict",
    "malformed",
    "malformed_keys",
    "length_m",
    "u",
    "v",
    "u_junction",
    "v_junction",
    "highway",
    "geometry",
)


def _text(streets: pd.DataFrame, key: str) -> pd.Series:
    """Normalised tag text (stripped, lower case) as object, NaN where untagged or empty."""
    if key not in streets.columns:
        return pd.Series(np.nan, index=streets.index, dtype="object")
    raw = streets[key]
    tagged = raw.notna().to_numpy(dtype=bool)
    out = np.full(len(raw), np.nan, dtype="object")
    if tagged.any():  # most keys are on few ways: normalise only those values
        text = raw[tagged].astype("string").str.strip().str.lower()
        out[tagged] = text.mask(text.eq("")).to_numpy(dtype="object", na_value=np.nan)
    return pd.Series(out, index=streets.index, dtype="object")


def _resolved(streets: pd.DataFrame, side: str, template: str) -> tuple[pd.Series, pd.Series]:
    """Resolve a tag for one side: the side-specific key, else ``both``; also the key used."""
    own_key = template.format(side=side)
    both_key = template.format(side="both")
    own = _text(streets, own_key)
    value = own.where(own.notna(), _text(streets, both_key))
    used = pd.Series(np.where(own.notna(), own_key, both_key), index=streets.index, dtype="object")
    return value, used


def _bad(value: pd.Series, allowed: tuple[str, ...] | list[str]) -> np.ndarray:
    return (value.notna() & ~value.isin(list(allowed))).to_numpy(dtype=bool)


def _capacity(value: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a capacity value: a non-negative number, else NaN and flagged malformed."""
    number = pd.to_numeric(value, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(number) & (number >= 0)
    return np.where(ok, number, np.nan), (value.notna().to_numpy(dtype=bool) & ~ok)


def _parse_side(streets: pd.DataFrame, side: str) -> pd.DataFrame:
    """Resolve every curb-parking field of one side, vectorised over all edges."""
    index = streets.index
    malformed_keys = pd.Series("", index=index, dtype="object")

    def flag(mask: np.ndarray, key: pd.Series) -> None:
        nonlocal malformed_keys
        malformed_keys = malformed_keys + np.where(mask, key.to_numpy(dtype="object") + ";", "")

    # --- new schema ----------------------------------------------------------------------
    new_main, new_main_key = _resolved(streets, side, "parking:{side}")
    new_orient, new_orient_key = _resolved(streets, side, "parking:{side}:orientation")
    new_restr, _ = _resolved(streets, side, "parking:{side}:restriction")
    new_cap_text, new_cap_key = _resolved(streets, side, "parking:{side}:capacity")
    access, _ = _resolved(streets, side, "parking:{side}:access")

    new_parking = new_main.isin([*_NEW_POSITIONS, "yes"]).to_numpy(dtype=bool)
    new_no = new_main.eq("no").to_numpy(dtype=bool)
    new_separate = new_main.eq("separate").to_numpy(dtype=bool)
    new_restricted = new_restr.isin(list(NO_PARKING_VALUES)).to_numpy(dtype=bool)
    bad_new_main = new_main.notna().to_numpy(dtype=bool) & ~(new_parking | new_no | new_separate)
    flag(bad_new_main, new_main_key)
    bad_new_orient = _bad(new_orient, ORIENTATIONS)
    flag(bad_new_orient, new_orient_key)
    new_cap, bad_new_cap = _capacity(new_cap_text)
    flag(bad_new_cap, new_cap_key)

    new_status = np.select(
        [new_no | (new_restricted & ~new_separate), new_separate, new_parking],
        ["no_parking", "separate", "parking"],
        default="unknown",
    )

    # --- old schema ----------------------------------------------------------------------
    old_main, old_main_key = _resolved(streets, side, "parking:lane:{side}")
    old_cond, _ = _resolved(streets, side, "parking:condition:{side}")
    old_cap_lane, old_cap_lane_key = _resolved(streets, side, "parking:lane:{side}:capacity")
    old_cap_cond, old_cap_cond_key = _resolved(streets, side, "parking:condition:{side}:capacity")
    old_cap_text = old_cap_lane.where(old_cap_lane.notna(), old_cap_cond)
    old_cap_key = old_cap_lane_key.where(old_cap_lane.notna(), old_cap_cond_key)

    old_oriented = old_main.isin(list(ORIENTATIONS)).to_numpy(dtype=bool)
    old_generic = old_main.isin(["marked", "yes"]).to_numpy(dtype=bool)
    old_no = old_main.isin(list(_OLD_NO)).to_numpy(dtype=bool)
    old_separate = old_main.eq("separate").to_numpy(dtype=bool)
    old_cond_no = old_cond.isin([*NO_PARKING_VALUES, "no"]).to_numpy(dtype=bool)
    bad_old_main = old_main.notna().to_numpy(dtype=bool) & ~(
        old_oriented | old_generic | old_no | old_separate
    )
    flag(bad_old_main, old_main_key)
    old_cap, bad_old_cap = _capacity(old_cap_text)
    flag(bad_old_cap, old_cap_key)

    old_status = np.select(
        [old_no | (old_cond_no & ~old_separate), old_separate, old_oriented | old_generic],
        ["no_parking", "separate", "parking"],
        default="unknown",
    )
    old_orient = old_main.where(old_oriented)

    # old position: parking:lane:<side>:<type>, where <type> is the side's own orientation
    old_position = np.full(len(index), np.nan, dtype="object")
    for layout in ORIENTATIONS:  # three keys, not a loop over rows
        value, key = _resolved(streets, side, f"parking:lane:{{side}}:{layout}")
        applies = (old_main == layout).to_numpy(dtype=bool) & value.notna().to_numpy(bool)
        mapped = value.map(_OLD_POSITIONS)
        bad = applies & mapped.isna().to_numpy(dtype=bool)
        flag(bad, key)
        old_position = np.where(applies, mapped.to_numpy(dtype="object"), old_position)

    # --- combine: the new schema wins where it gives a status --------------------------------
    use_new = new_status != "unknown"
    use_old = ~use_new & (old_status != "unknown")
    status = np.where(use_new, new_status, np.where(use_old, old_status, "unknown"))
    schema = np.full(len(index), None, dtype="object")
    schema[use_old] = "old"
    schema[use_new] = "new"
    conflict = use_new & (old_status != "unknown") & (old_status != new_status)

    orientation = new_orient.where(new_orient.isin(list(ORIENTATIONS)))
    orientation = orientation.where(orientation.notna() | ~use_new, other=old_orient)
    orientation = orientation.where(use_new, other=old_orient)
    parking = status == "parking"
    orientation_defaulted = parking & orientation.isna().to_numpy(dtype=bool)
    orientation = orientation.where(~orientation_defaulted, "parallel").where(parking)

    position = np.where(
        use_new & new_main.isin(list(_NEW_POSITIONS)).to_numpy(dtype=bool),
        new_main.to_numpy(dtype="object"),
        np.where(use_old, old_position, np.nan),
    )
    capacity = np.where(use_new, new_cap, np.where(use_old, old_cap, np.nan))
    restriction = np.where(
        use_new,
        new_restr.to_numpy(dtype="object"),
        np.where(use_old, old_cond.to_numpy(dtype="object"), np.nan),
    )

    malformed = malformed_keys.str.len().to_numpy() > 0
    return pd.DataFrame(
        {
            "status": status.astype("object"),
            "position": pd.Series(position, index=index, dtype="object").where(parking),
            "orientation": orientation.astype("object"),
            "orientation_defaulted": orientation_defaulted,
            "capacity": np.where(parking, capacity, np.nan).astype("float64"),
            "restriction": restriction.astype("object"),
            "access": access.where(use_new).astype("object"),
            "schema": schema.astype("object"),
            "schema_conflict": conflict,
            "malformed": malformed,
            "malformed_keys": malformed_keys.str.rstrip(";").where(malformed),
        },
        index=index,
    )


def curb_sides(streets: gpd.GeoDataFrame, *, offset_m: float = 0.0) -> gpd.GeoDataFrame:
    """Parse the curb-parking tags of every street into one row per side (left, right).

    Parameters
    ----------
    streets
        The ``streets`` table (docs/tables.md): ``edge_id``, ``length_m``, ``u_junction``,
        ``v_junction``, ``highway``, geometry, and the raw tag columns named as the keys of
        `urbanfit.osmkeys.PARKING_KEYS`. A missing tag column means untagged; missing
        ``u_junction``/``v_junction`` columns mean both ends are junctions (the conservative
        choice); a missing ``length_m`` is measured from the geometry.
    offset_m
        Each side's geometry is the street line offset by this many metres to its side (left
        positive, right negative); 0 keeps the street line.

    Returns
    -------
    sides
        Two rows per edge, left then right, in edge order, with columns:

        - ``edge_id`` (int64), ``side`` (``left`` / ``right``, relative to the drawing
          direction of the street line);
        - ``status``: ``parking`` | ``no_parking`` | ``separate`` | ``unknown`` (untagged or
          unreadable);
        - ``position``: lane | street_side | on_kerb | half_on_kerb | shoulder (NaN unless
          parking and tagged);
        - ``orientation``: parallel | diagonal | perpendicular (parking sides only) and
          ``orientation_defaulted`` (bool: untagged, taken as parallel);
        - ``osm_id``: the OSM way of the edge (the edge id where the table has none);
        - ``capacity``: the capacity tag of a parking side, as mapped on its way (float, NaN if
          none), and ``capacity_share``: this edge's part of the way side's length (the way's
          capacity is shared among its edges by length; 1 for a one-edge way);
        - ``restriction`` (new ``:restriction`` or old ``parking:condition``), ``access``;
        - ``schema``: ``new`` / ``old`` / None, ``schema_conflict`` (bool);
        - ``malformed`` (bool) and ``malformed_keys`` (the offending keys, ``;``-separated);
        - ``length_m``, ``u``, ``v`` (node ids; -1 where the table has none),
          ``u_junction``, ``v_junction``, ``highway`` copied from the street;
        - ``geometry``: the side's line, in the streets' CRS.

    """
    n = len(streets)
    edge_id = (
        streets["edge_id"].to_numpy(dtype="int64")
        if "edge_id" in streets.columns
        else np.arange(n, dtype="int64")
    )
    way_id = streets["osm_id"].to_numpy(dtype="int64") if "osm_id" in streets.columns else edge_id
    geom = streets.geometry.to_numpy()
    if "length_m" in streets.columns:
        length = streets["length_m"].to_numpy(dtype="float64")
    else:
        length = shapely.length(geom).astype("float64")
    ends = {
        column: (
            streets[column].to_numpy(dtype=bool)
            if column in streets.columns
            else np.ones(n, dtype=bool)
        )
        for column in ("u_junction", "v_junction")
    }
    nodes = {
        column: (
            streets[column].to_numpy(dtype="int64")
            if column in streets.columns
            else np.full(n, -1, dtype="int64")
        )
        for column in ("u", "v")
    }
    highway = (
        streets["highway"].to_numpy(dtype="object")
        if "highway" in streets.columns
        else np.full(n, None, dtype="object")
    )

    parts = []
    for number, side in enumerate(("left", "right")):
        part = _parse_side(streets, side).reset_index(drop=True)
        part.insert(0, "side", side)
        part.insert(0, "edge_id", edge_id)
        part["length_m"] = length
        part["u"] = nodes["u"]
        part["v"] = nodes["v"]
        part["u_junction"] = ends["u_junction"]
        part["v_junction"] = ends["v_junction"]
        part["highway"] = highway
        if offset_m:
            distance = offset_m if number == 0 else -offset_m
            part["geometry"] = shapely.offset_curve(geom, distance)
        else:
            part["geometry"] = geom
        part["_order"] = np.arange(n, dtype="int64") * 2 + number
        parts.append(part)
    table = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    table = table.drop(columns="_order").reset_index(drop=True)
    table.insert(1, "osm_id", np.repeat(way_id, 2))
    table["capacity_share"] = _capacity_share(table)
    return gpd.GeoDataFrame(table[list(CURB_SIDE_COLUMNS)], geometry="geometry", crs=streets.crs)


def _capacity_share(table: pd.DataFrame) -> np.ndarray:
    """Each tagged side's part of its way side's length (equal parts where lengths are 0)."""
    tagged = table["capacity"].notna().to_numpy(dtype=bool)
    share = np.full(len(table), np.nan)
    if not tagged.any():
        return share
    sub = table.loc[tagged, ["osm_id", "side", "capacity", "length_m"]]
    groups = sub.groupby(["osm_id", "side", "capacity"], sort=False)
    total = groups["length_m"].transform("sum").to_numpy(dtype="float64")
    count = groups["length_m"].transform("size").to_numpy(dtype="float64")
    length = sub["length_m"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share[tagged] = np.where(total > 0, length / total, 1.0 / count)
    return share


def malformed_tag_count(sides: pd.DataFrame) -> int:
    """Count malformed tag values, each (edge, key) once.

    A malformed ``both`` key flags both sides of its edge; it is counted once here.

    Parameters
    ----------
    sides
        The output of `curb_sides`.

    Returns
    -------
    count
        Number of distinct (edge_id, key) pairs whose value could not be read.

    """
    flagged = sides.loc[sides["malformed"], ["edge_id", "malformed_keys"]]
    if flagged.empty:
        return 0
    keys = flagged.assign(key=flagged["malformed_keys"].str.split(";")).explode("key")
    return len(keys.drop_duplicates(["edge_id", "key"]))
