"""Narrow-street fit: which streets full-size and kei vehicles can pass, two-abreast or single.

Pure functions of the ``streets`` table, the parking model's curb sides and the vehicle catalog:
no I/O, no printing.

Method
------
Every vehicle class of the scenarios' fleets is assessed (classes are data in
``vehicles.toml``); each class's mix is its profiles in the first scenario holding it (in
kei-share order; the kei class from the headline scenario), renormalised to shares summing to 1.
The comparison the map and headlines show is kei against the *reference class*: the class
with the largest share of the baseline fleet (``full_size`` with the built-in fleets).

- Parked width of a class = share-weighted mean width of its mix + ``curb_gap_m``.
- Moving width = the widest profile of the mix (``moving_width="widest"``, the default) or the
  mean width (``"mean"``).
- Carriageway of an edge = ``width_m``, kerb to kerb (`urbanfit.citydata.width`). Where it is
  a class estimate (``width_source == "estimated_class"``), which counts the parking lanes of
  mapped parking sides only, every side the parking model inferred as parked adds
  ``default_parking_lane_m`` times its carriageway share. Tables without ``width_source`` keep
  the older rule: a ``width_defaulted`` width counts travel lanes only and every parked side
  adds the parking lane.
- Free width = carriageway - sum over parked sides of (carriageway share x parked width). A
  side is parked when its status is ``parking`` (or the parking model inferred it); its share
  comes from its position (`FitParams.carriageway_share`); diagonal and perpendicular sides take
  no carriageway (see `FitParams`). Unknown sides are taken as free of parking and counted in
  ``unknown_sides``.
- A class passes single file when free >= moving width + 2 x ``edge_clearance_m``, and
  two-abreast when free >= 2 x moving width + ``passing_clearance_m`` + 2 x
  ``edge_clearance_m``. A street is passable by a class when it passes two-abreast on a two-way
  street, single file on a one-way street.
- Unknown is not zero: where the width is missing or only a road-class default
  (``width_source == "estimated_class"``: lanes times a standard lane, which says nothing about
  this street), the edge's fit is unknown (``width_unknown``, category ``width unknown``): it
  passes no class and is no kei-only street, and the summary counts it apart
  (``width_unknown_km``), never as a street nothing passes.
- A two-way street that every class passes single file but none two-abreast is a one-lane
  two-way street (category ``narrow two-way: reference class single file only``): cars take
  turns and pass each other at a wider spot, as on the yield streets many cities build. Only a
  street no class passes even single file is one that no vehicle passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanfit.citydata.width import WIDTH_SOURCES
from urbanfit.errors import ModelError
from urbanfit.parameters.fit import FitParams
from urbanfit.results import FIT_CATEGORIES, FitResult
from urbanfit.vehicles import KEI_CLASS, ScenarioSet, VehicleCatalog

__all__ = ["FIT_CATEGORIES", "class_widths", "reference_class", "street_fit"]

_TOL = 1e-9  # a free width equal to the need passes despite binary fractions
_ANGLED = ("diagonal", "perpendicular")
_SHARES = ("share", "inferred", "unknown")


def reference_class(catalog: VehicleCatalog, scenarios: ScenarioSet) -> str:
    """Return the class with the largest share of the baseline fleet (kei compares with it)."""
    shares = catalog.class_shares(scenarios.baseline.shares)
    return max(shares, key=lambda c: shares[c])


def _class_mix(
    catalog: VehicleCatalog, scenarios: ScenarioSet, vehicle_class: str
) -> dict[str, float] | None:
    """Profiles of one class in the first scenario holding it, renormalised (None: absent)."""
    ordered = reversed(scenarios) if vehicle_class == KEI_CLASS else iter(scenarios)
    for scenario in ordered:
        mix = {
            p: float(w)
            for p, w in scenario.shares.items()
            if w > 0 and catalog.profile(p).vehicle_class == vehicle_class
        }
        total = sum(mix.values())
        if total > 0:
            return {p: w / total for p, w in mix.items()}
    return None


def class_widths(
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: FitParams | None = None,
) -> pd.DataFrame:
    """
    Compute the moving and parked widths of each vehicle class and what they need.

    Parameters
    ----------
    catalog
        Vehicle classes and profiles.
    scenarios
        The run's scenarios: each class's mix comes from the first one holding it (kei from
        the headline scenario); classes in no scenario are left out.
    params
        Clearances and the moving-width rule; see `FitParams`.

    Returns
    -------
    widths
        Index: class id (catalog order); columns ``mean_width_m`` (share-weighted),
        ``widest_width_m``, ``moving_width_m``, ``parked_width_m`` (mean + curb gap),
        ``single_need_m`` (moving + 2 edge clearances), ``two_abreast_need_m`` (2 moving +
        passing clearance + 2 edge clearances).
    """
    params = params or FitParams()
    rows = {}
    for vehicle_class in catalog.classes:
        mix = _class_mix(catalog, scenarios, vehicle_class)
        if mix is None:
            continue
        mean = catalog.mean(mix, "width_m")
        widest = max(catalog.profile(p).width_m for p in mix)
        moving = widest if params.moving_width == "widest" else mean
        rows[vehicle_class] = {
            "mean_width_m": mean,
            "widest_width_m": widest,
            "moving_width_m": moving,
            "parked_width_m": mean + params.curb_gap_m,
            "single_need_m": moving + 2 * params.edge_clearance_m,
            "two_abreast_need_m": 2 * moving
            + params.passing_clearance_m
            + 2 * params.edge_clearance_m,
        }
    if KEI_CLASS not in rows:
        raise ModelError("the fit model needs kei vehicles in the scenarios; give a kei share")
    return pd.DataFrame.from_dict(rows, orient="index")


def _column(frame: pd.DataFrame, name: str, default: Any, dtype: str) -> np.ndarray:
    """Return a column as a numpy array, or ``default`` everywhere where it is missing."""
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=dtype)
    if dtype == "float64":
        return np.asarray(pd.to_numeric(frame[name], errors="coerce"), dtype="float64")
    if dtype == "bool":  # true only where the value is true: NaN and None read as false
        return frame[name].eq(True).to_numpy(dtype=bool)
    return frame[name].to_numpy(dtype=dtype)


def _side_shares(sides: pd.DataFrame, params: FitParams) -> pd.DataFrame:
    """Per edge id: carriageway share of parked sides (all, inferred), unknown side count."""
    if sides is None or len(sides) == 0 or "edge_id" not in sides.columns:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in _SHARES})
    status = _column(sides, "status", "unknown", "object")
    source = _column(sides, "source", None, "object")
    orientation = _column(sides, "orientation", "parallel", "object")
    position = pd.Series(_column(sides, "position", None, "object"))
    inferred = source == "inferred"
    estimated = np.isin(source, ["inferred", "inferred_zero"])
    parked = ((status == "parking") | inferred) & ~np.isin(orientation, _ANGLED)
    table = dict(params.carriageway_share)
    share = position.map(table).fillna(params.share_of("*")).to_numpy(dtype="float64")
    edge = pd.to_numeric(sides["edge_id"], errors="coerce").to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {
            "edge_id": edge,
            "share": np.where(parked, share, 0.0),
            "inferred": np.where(parked & inferred, share, 0.0),
            # an estimate of "no parking here" is an answer, not an unknown side
            "unknown": ((status == "unknown") & ~estimated).astype("float64"),
        }
    ).dropna(subset=["edge_id"])
    return frame.groupby("edge_id").sum()[list(_SHARES)]


def street_fit(
    streets: pd.DataFrame,
    sides: pd.DataFrame,
    catalog: VehicleCatalog,
    scenarios: ScenarioSet,
    *,
    params: FitParams | None = None,
) -> FitResult:
    """
    Free carriageway width of every street and which vehicle classes pass it.

    Parameters
    ----------
    streets
        The ``streets`` table (docs/tables.md): ``edge_id``, ``osm_id``, ``name``, ``highway``,
        ``length_m``, ``width_m``, ``width_defaulted``, ``oneway``, geometry. Missing columns
        are tolerated: no width means nothing passes, no flags mean false.
    sides
        The parking model's sides (`ParkingResult.sides`): ``edge_id``, ``status``,
        ``position``, ``orientation`` and ``source``; may be empty (no parking anywhere).
    catalog
        Vehicle classes and profiles.
    scenarios
        The run's scenarios: they give each class's mix (see `class_widths`) and the kei
        share of each scenario.
    params
        Clearances, parked widths and positions; see `FitParams` for units and sources.

    Returns
    -------
    result
        `urbanfit.results.FitResult` with:

        ``edges`` (GeoDataFrame, indexed like `streets`): ``edge_id``, ``osm_id``, ``name``,
        ``highway``, ``length_m``, ``oneway``, ``width_m`` (as in the streets table),
        ``width_defaulted``, ``width_source`` (see `urbanfit.citydata.width`),
        ``width_missing``, ``width_unknown`` (missing or a class default: fit unknown),
        ``parked_share`` (sum over parked sides of their carriageway share,
        0-2), ``unknown_sides`` (0-2), ``carriageway_m``;
        ``kei_only_two_way`` (two-way, kei two-abreast, the reference class not),
        ``kei_only_single`` (kei passes single file, the reference class not at all),
        ``category`` (one of `FIT_CATEGORIES`); geometry.

        ``edge_classes`` (tidy, one row per edge and class): ``edge_id``, ``vehicle_class``,
        ``free_width_m`` (with that class parked), ``single`` (one vehicle passes),
        ``two_abreast`` (two pass each other), ``passable`` (two-abreast on two-way streets,
        single on one-way ones).

        ``streets``: one row per street (edges grouped by name, unnamed ones by OSM way),
        sorted by ``kei_only_two_way_km`` then ``kei_only_single_km`` then length, descending:
        ``street`` (the name, or ``way <osm id>``), ``name`` (None when unnamed), ``ways``,
        ``edges``, ``highway`` (of its longest edge), ``length_km``, ``two_way_km``,
        ``passable_reference_km``, ``passable_kei_km``, ``kei_only_two_way_km``,
        ``kei_only_single_km``, ``width_defaulted_km``, ``min_free_width_reference_m``,
        ``min_free_width_kei_m``.

        ``widths``: see `class_widths`. ``kei_shares``: scenario id -> kei share.

        ``summary`` keys (km of street edges): ``reference_class``, ``edges_count``,
        ``street_km``, ``two_way_km``, ``one_way_km``, ``kei_only_km`` (passable by kei, not by
        the reference class), ``kei_only_two_way_km``, ``kei_only_single_km``,
        ``width_defaulted_km``, ``width_<source>_km`` (the width's coverage per source:
        ``tag``, ``estimated_geometry``, ``estimated_class``), ``width_missing_km``,
        ``width_unknown_km`` (fit unknown: no width, or a class default),
        ``width_known_km`` (the rest: what the km figures speak for),
        ``curb_unknown_km`` (edges with an unknown side, taken as unparked); and per class
        under ``classes.<class>``: ``passable_km``, ``two_abreast_km`` (two-way streets only),
        ``moving_width_m``, ``parked_width_m``, ``single_need_m``, ``two_abreast_need_m``.
    """
    params = params or FitParams()
    widths = class_widths(catalog, scenarios, params=params)
    reference = reference_class(catalog, scenarios)
    kei_shares = MappingProxyType({s.id: catalog.kei_share(s.shares) for s in scenarios})
    n = len(streets)
    edge_id = _column(streets, "edge_id", 0, "int64") if "edge_id" in streets else np.arange(n)
    way_id = _column(streets, "osm_id", -1, "int64") if "osm_id" in streets else edge_id
    length = np.nan_to_num(_column(streets, "length_m", np.nan, "float64"), nan=0.0)
    width = _column(streets, "width_m", np.nan, "float64")
    defaulted = _column(streets, "width_defaulted", False, "bool")
    oneway = _column(streets, "oneway", False, "bool")

    by_edge = _side_shares(sides, params).reindex(edge_id).fillna(0.0)
    parked_share = by_edge["share"].to_numpy(dtype="float64")
    unknown = by_edge["unknown"].to_numpy(dtype="float64")
    if "width_source" in streets.columns:  # kerb to kerb; a class estimate has mapped parking
        width_source = _column(streets, "width_source", None, "object")
        lacking = np.where(
            width_source == "estimated_class",
            by_edge["inferred"].to_numpy(dtype="float64"),
            0.0,
        )
    else:  # a bare class default counts travel lanes only
        lacking = np.where(defaulted, parked_share, 0.0)
        width_source = np.where(defaulted, "estimated_class", "tag").astype("object")
    carriageway = width + lacking * params.default_parking_lane_m

    edges = pd.DataFrame(
        {
            "edge_id": edge_id,
            "osm_id": way_id,
            "name": _column(streets, "name", None, "object"),
            "highway": _column(streets, "highway", None, "object"),
            "length_m": length,
            "oneway": oneway,
            "width_m": width,
            "width_defaulted": defaulted,
            "width_source": width_source,
            "width_missing": ~np.isfinite(width),
            "width_unknown": ~np.isfinite(width) | (width_source == "estimated_class"),
            "parked_share": parked_share,
            "unknown_sides": unknown.astype("int64"),
            "carriageway_m": carriageway,
        },
        index=streets.index,
    )
    known = ~edges["width_unknown"].to_numpy(dtype=bool)
    flags: dict[str, dict[str, np.ndarray]] = {}
    with np.errstate(invalid="ignore"):
        for vehicle_class, row in widths.iterrows():
            free = carriageway - parked_share * row["parked_width_m"]
            single = known & (free >= row["single_need_m"] - _TOL)
            two = known & (free >= row["two_abreast_need_m"] - _TOL)
            flags[str(vehicle_class)] = {
                "free_width_m": free,
                "single": single,
                "two_abreast": two,
                "passable": np.where(oneway, single, two),
            }
    kei, ref = flags[KEI_CLASS], flags[reference]
    edges["kei_only_two_way"] = ~oneway & kei["two_abreast"] & ~ref["two_abreast"]
    edges["kei_only_single"] = kei["single"] & ~ref["single"]
    edges["category"] = np.select(
        [
            ~known,
            edges["kei_only_two_way"].to_numpy(dtype=bool),
            edges["kei_only_single"].to_numpy(dtype=bool),
            ~oneway & ref["single"] & ~ref["two_abreast"],
            ~ref["single"] & ~kei["single"],
        ],
        [FIT_CATEGORIES[-1], *FIT_CATEGORIES[:4]],
        default=FIT_CATEGORIES[4],
    )
    edge_classes = pd.concat(
        [pd.DataFrame({"edge_id": edge_id, "vehicle_class": c, **f}) for c, f in flags.items()],
        ignore_index=True,
    )
    geometry = streets.geometry if isinstance(streets, gpd.GeoDataFrame) else None
    crs = streets.crs if isinstance(streets, gpd.GeoDataFrame) else None
    table = gpd.GeoDataFrame(edges, geometry=geometry, crs=crs)
    return FitResult(
        edges=table,
        edge_classes=edge_classes,
        streets=_by_street(edges, kei=kei, reference=ref),
        widths=widths,
        summary=_summary(edges, flags, widths, reference),
        kei_shares=kei_shares,
    )


def _km(edges: pd.DataFrame, mask: Any) -> float:
    return float(edges["length_m"].to_numpy()[np.asarray(mask, dtype=bool)].sum() / 1000.0)


_WIDTH_FIGURES = ("moving_width_m", "parked_width_m", "single_need_m", "two_abreast_need_m")


def _summary(
    edges: pd.DataFrame,
    flags: Mapping[str, Mapping[str, np.ndarray]],
    widths: pd.DataFrame,
    reference: str,
) -> dict[str, Any]:
    two_way = ~edges["oneway"].to_numpy(dtype=bool)
    kei, ref = flags[KEI_CLASS], flags[reference]
    classes = {
        str(c): {
            "passable_km": _km(edges, flags[str(c)]["passable"]),
            "two_abreast_km": _km(edges, two_way & flags[str(c)]["two_abreast"]),
            **{column: float(row[column]) for column in _WIDTH_FIGURES},
        }
        for c, row in widths.iterrows()
    }
    return {
        "reference_class": reference,
        "edges_count": len(edges),
        "street_km": _km(edges, np.ones(len(edges), dtype=bool)),
        "two_way_km": _km(edges, two_way),
        "one_way_km": _km(edges, ~two_way),
        "kei_only_km": _km(edges, kei["passable"] & ~ref["passable"]),
        "kei_only_two_way_km": _km(edges, edges["kei_only_two_way"]),
        "kei_only_single_km": _km(edges, edges["kei_only_single"]),
        "width_defaulted_km": _km(edges, edges["width_defaulted"]),
        **{
            f"width_{source}_km": _km(edges, edges["width_source"] == source)
            for source in WIDTH_SOURCES
        },
        "width_missing_km": _km(edges, edges["width_missing"]),
        "width_unknown_km": _km(edges, edges["width_unknown"]),
        "width_known_km": _km(edges, ~edges["width_unknown"]),
        "curb_unknown_km": _km(edges, edges["unknown_sides"] > 0),
        "classes": classes,
    }


def _by_street(
    edges: pd.DataFrame,
    *,
    kei: Mapping[str, np.ndarray],
    reference: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """Group edges into streets: by name where named, else by OSM way."""
    name = edges["name"].astype("string").str.strip()
    named = name.notna() & name.ne("")
    way = edges["osm_id"].astype("int64").astype("string")
    key = ("name:" + name).where(named, "way:" + way)
    length = edges["length_m"].to_numpy(dtype="float64")
    two_way = ~edges["oneway"].to_numpy(dtype=bool)

    def km(mask: Any) -> np.ndarray:
        return np.where(np.asarray(mask, dtype=bool), length, 0.0) / 1000.0

    longest = edges.assign(_key=key.to_numpy()).sort_values("length_m", ascending=False)
    highway = longest.groupby("_key", sort=False)["highway"].first()
    frame = pd.DataFrame(
        {
            "key": key.to_numpy(dtype="object"),
            "street": name.where(named, "way " + way).to_numpy(dtype="object"),
            "osm_id": edges["osm_id"].to_numpy(),
            "edges": 1,
            "length_km": length / 1000.0,
            "two_way_km": km(two_way),
            "passable_reference_km": km(reference["passable"]),
            "passable_kei_km": km(kei["passable"]),
            "kei_only_two_way_km": km(edges["kei_only_two_way"]),
            "kei_only_single_km": km(edges["kei_only_single"]),
            "width_defaulted_km": km(edges["width_defaulted"]),
            "min_free_width_reference_m": reference["free_width_m"],
            "min_free_width_kei_m": kei["free_width_m"],
        }
    )
    grouped = frame.groupby("key", sort=False).agg(
        street=("street", "first"),
        ways=("osm_id", "nunique"),
        edges=("edges", "sum"),
        length_km=("length_km", "sum"),
        two_way_km=("two_way_km", "sum"),
        passable_reference_km=("passable_reference_km", "sum"),
        passable_kei_km=("passable_kei_km", "sum"),
        kei_only_two_way_km=("kei_only_two_way_km", "sum"),
        kei_only_single_km=("kei_only_single_km", "sum"),
        width_defaulted_km=("width_defaulted_km", "sum"),
        min_free_width_reference_m=("min_free_width_reference_m", "min"),
        min_free_width_kei_m=("min_free_width_kei_m", "min"),
    )
    keys = grouped.index.to_series()
    grouped.insert(1, "name", keys.str.removeprefix("name:").where(keys.str.startswith("name:")))
    grouped["name"] = grouped["name"].astype("object").where(grouped["name"].notna(), None)
    grouped.insert(4, "highway", highway.reindex(grouped.index).to_numpy(dtype="object"))
    grouped = grouped.sort_values(
        ["kei_only_two_way_km", "kei_only_single_km", "length_km", "street"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    return grouped.reset_index(drop=True)
