"""Narrow-street fit by hand: free widths, two-abreast and single-file passing, summaries.

Documented defaults used below (urbanfit.parameters.fit.FitParams):
- clearances: 0.3 m between two passing vehicles, 0.15 m to each edge of the free width;
- curb gap of a parallel-parked vehicle 12 in = 0.3048 m; default parking lane 8 ft = 2.4384 m;
- carriageway share by position: lane 1, half_on_kerb 0.5, on_kerb / street_side / shoulder 0;
  diagonal and perpendicular parking take none; moving width = widest profile of the class mix.
Profiles and fleets (urbanfit/data/vehicles.toml), baseline fleet us_new_sales:
- full-size mean width 0.13 x 1.78 + 0.13 x 1.84 + 0.41 x 1.86 + 0.17 x 2.06 + 0.16 x 2.03
  = 0.2314 + 0.2392 + 0.7626 + 0.3502 + 0.3248 = 1.9082 m; widest 2.06 m (full-size SUV);
- kei mix (kei car, kei truck): 1.48 m mean and widest.
Hence:
- parked width: full-size 1.9082 + 0.3048 = 2.2130 m; kei 1.48 + 0.3048 = 1.7848 m;
- single file needs: full-size 2.06 + 2 x 0.15 = 2.36 m; kei 1.48 + 0.30 = 1.78 m;
- two-abreast needs: full-size 2 x 2.06 + 0.3 + 2 x 0.15 = 4.72 m; kei 2.96 + 0.6 = 3.56 m.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from builders import layer_rows, street_table

from urbanfit.errors import ConfigError, ModelError
from urbanfit.models.fit import FitResult, class_widths, street_fit
from urbanfit.parameters.fit import FitParams
from urbanfit.render.labels import code_words
from urbanfit.render.layers import fit_layer
from urbanfit.summary import headlines
from urbanfit.vehicles import VehicleCatalog, load_vehicles, scenarios


def _sides(streets: pd.DataFrame, parked: dict[tuple[int, str], dict[str, Any]]) -> pd.DataFrame:
    """Two sides per edge, no parking unless given: (edge, side) -> status/position/..."""
    rows = []
    for edge in streets["edge_id"]:
        for side in ("left", "right"):
            key = (int(edge), side)
            given = parked.get(key, {})
            status = given.get("status", "parking" if key in parked else "no_parking")
            rows.append(
                {
                    "edge_id": int(edge),
                    "side": side,
                    "status": status,
                    "position": given.get("position", "lane" if status == "parking" else None),
                    "orientation": given.get(
                        "orientation", "parallel" if status == "parking" else None
                    ),
                    "source": given.get("source", "model" if status == "parking" else "tag_zero"),
                }
            )
    return pd.DataFrame(rows)


class _Fit:
    """A fit result whose edges show each class's figures as ``<figure>_<class>`` columns."""

    def __init__(self, result: FitResult) -> None:
        self.result, self.summary, self.streets = result, result.summary, result.streets
        self.kei_shares = result.kei_shares
        spread = result.edge_classes.pivot(
            index="edge_id",
            columns="vehicle_class",
            values=["free_width_m", "single", "two_abreast", "passable"],
        )
        spread.columns = [
            f"free_width_{c}_m" if f == "free_width_m" else f"{f}_{c}" for f, c in spread.columns
        ]
        self.edges = result.edges.join(spread, on="edge_id")


def _fit(
    catalog: VehicleCatalog,
    streets: gpd.GeoDataFrame,
    parked: dict[tuple[int, str], dict[str, Any]] | None = None,
    **options: Any,
) -> _Fit:
    return _Fit(
        street_fit(streets, _sides(streets, parked or {}), catalog, scenarios(catalog), **options)
    )


def test_class_widths_follow_the_documented_defaults(catalog: VehicleCatalog) -> None:
    widths = class_widths(catalog, scenarios(catalog))
    assert widths.loc["full_size", "mean_width_m"] == pytest.approx(1.9082)
    assert widths.loc["full_size", "moving_width_m"] == pytest.approx(2.06)
    assert widths.loc["full_size", "parked_width_m"] == pytest.approx(2.2130)
    assert widths.loc["full_size", "single_need_m"] == pytest.approx(2.36)
    assert widths.loc["full_size", "two_abreast_need_m"] == pytest.approx(4.72)
    assert widths.loc["kei", "parked_width_m"] == pytest.approx(1.7848)
    assert widths.loc["kei", "single_need_m"] == pytest.approx(1.78)
    assert widths.loc["kei", "two_abreast_need_m"] == pytest.approx(3.56)


def test_6_m_two_way_street_parked_on_one_side_fits_two_kei_but_not_two_full_size(
    catalog: VehicleCatalog,
) -> None:
    # tagged 6.0 m, parallel parking in the lane on the left
    # full-size free 6.0 - 2.2130 = 3.7870 < 4.72 (not two-abreast), >= 2.36 (single file)
    # kei free       6.0 - 1.7848 = 4.2152 >= 3.56 (two-abreast)
    result = _fit(catalog, street_table({"width_m": 6.0}), {(0, "left"): {}})
    edge = result.edges.iloc[0]
    assert edge["free_width_full_size_m"] == pytest.approx(3.7870)
    assert edge["free_width_kei_m"] == pytest.approx(4.2152)
    assert not edge["two_abreast_full_size"]
    assert edge["single_full_size"]
    assert edge["two_abreast_kei"]
    assert not edge["passable_full_size"]
    assert edge["passable_kei"]
    assert edge["kei_only_two_way"]
    assert not edge["kei_only_single"]
    assert result.summary["kei_only_two_way_km"] == pytest.approx(0.1)
    assert result.summary["classes"]["full_size"]["two_abreast_km"] == 0.0
    assert result.summary["classes"]["kei"]["two_abreast_km"] == pytest.approx(0.1)


def test_6_m_street_parked_on_both_sides_fits_no_two_abreast(catalog: VehicleCatalog) -> None:
    # full-size free 6.0 - 2 x 2.2130 = 1.5740 < 2.36: not even single file
    # kei free       6.0 - 2 x 1.7848 = 2.4304: single file (>= 1.78), not two-abreast (< 3.56)
    result = _fit(catalog, street_table({"width_m": 6.0}), {(0, "left"): {}, (0, "right"): {}})
    edge = result.edges.iloc[0]
    assert edge["free_width_full_size_m"] == pytest.approx(1.5740)
    assert edge["free_width_kei_m"] == pytest.approx(2.4304)
    assert not edge["single_full_size"]
    assert edge["single_kei"]
    assert not edge["kei_only_two_way"]
    assert edge["kei_only_single"]
    assert result.summary["kei_only_single_km"] == pytest.approx(0.1)
    # a two-way street is passable only two-abreast: neither class passes it
    assert result.summary["classes"]["kei"]["passable_km"] == 0.0
    assert result.summary["kei_only_km"] == 0.0


def test_one_way_street_needs_one_width_plus_edge_clearances(catalog: VehicleCatalog) -> None:
    # 3.6 m one-way, parked on one side:
    # full-size free 3.6 - 2.2130 = 1.3870 < 2.36 -> not passable
    # kei free       3.6 - 1.7848 = 1.8152 >= 1.78 -> passable
    # the 6 m street of the first case as one-way: both pass (3.7870 >= 2.36)
    streets = street_table(
        {"width_m": 3.6, "oneway": True, "length_m": 50.0},
        {"width_m": 6.0, "oneway": True, "length_m": 200.0},
    )
    result = _fit(catalog, streets, {(0, "right"): {}, (1, "left"): {}})
    narrow, wide = result.edges.iloc[0], result.edges.iloc[1]
    assert narrow["free_width_kei_m"] == pytest.approx(1.8152)
    assert not narrow["passable_full_size"]
    assert narrow["passable_kei"]
    assert narrow["kei_only_single"]
    assert not narrow["kei_only_two_way"]
    assert wide["passable_full_size"]
    assert wide["passable_kei"]
    assert not wide["kei_only_two_way"]  # one-way streets are never "two-way kei only"
    summary = result.summary
    assert summary["one_way_km"] == pytest.approx(0.25)
    assert summary["two_way_km"] == 0.0
    assert summary["classes"]["full_size"]["passable_km"] == pytest.approx(0.2)
    assert summary["classes"]["kei"]["passable_km"] == pytest.approx(0.25)
    assert summary["kei_only_km"] == pytest.approx(0.05)


def test_on_kerb_takes_no_width_and_half_on_kerb_takes_half(catalog: VehicleCatalog) -> None:
    # 5.0 m with on_kerb parking both sides: free 5.0 for both classes -> full-size two-abreast
    # 5.5 m with half_on_kerb both sides: full-size 5.5 - 2 x 0.5 x 2.2130 = 3.2870 (< 4.72),
    #   kei 5.5 - 2 x 0.5 x 1.7848 = 3.7152 (>= 3.56) -> only kei two-abreast
    # street_side and shoulder take nothing either: 4.8 m -> 4.8 >= 4.72
    streets = street_table({"width_m": 5.0}, {"width_m": 5.5}, {"width_m": 4.8})
    parked = {
        (0, "left"): {"position": "on_kerb"},
        (0, "right"): {"position": "on_kerb"},
        (1, "left"): {"position": "half_on_kerb"},
        (1, "right"): {"position": "half_on_kerb"},
        (2, "left"): {"position": "street_side"},
        (2, "right"): {"position": "shoulder"},
    }
    edges = _fit(catalog, streets, parked).edges
    assert edges.loc[0, "free_width_full_size_m"] == pytest.approx(5.0)
    assert edges.loc[0, "two_abreast_full_size"]
    assert edges.loc[1, "parked_share"] == pytest.approx(1.0)
    assert edges.loc[1, "free_width_full_size_m"] == pytest.approx(3.2870)
    assert edges.loc[1, "free_width_kei_m"] == pytest.approx(3.7152)
    assert edges.loc[1, "kei_only_two_way"]
    assert edges.loc[2, "free_width_full_size_m"] == pytest.approx(4.8)
    assert edges.loc[2, "two_abreast_full_size"]


def test_angle_parking_takes_no_carriageway(catalog: VehicleCatalog) -> None:
    # 4.0 m two-way with perpendicular and diagonal parking: free 4.0 for both classes
    # full-size 4.0 < 4.72, kei 4.0 >= 3.56 -> only kei two-abreast
    parked = {
        (0, "left"): {"orientation": "perpendicular"},
        (0, "right"): {"orientation": "diagonal"},
    }
    edge = _fit(catalog, street_table({"width_m": 4.0}), parked).edges.iloc[0]
    assert edge["parked_share"] == 0.0
    assert edge["free_width_full_size_m"] == pytest.approx(4.0)
    assert edge["kei_only_two_way"]


def test_defaulted_width_adds_a_parking_lane_per_parked_side(catalog: VehicleCatalog) -> None:
    # a width table without width_source (the rule for tables that do not say where the width
    # came from): a defaulted 6.0 m counts travel lanes only, so the parked side adds 2.4384 m
    # = 8.4384 m carriageway; full-size free 8.4384 - 2.2130 = 6.2254 >= 4.72 -> two-abreast
    # a half_on_kerb side adds half a lane: 6.0 + 1.2192 = 7.2192, free 7.2192 - 1.1065 = 6.1127
    streets = street_table(
        {"width_m": 6.0, "width_defaulted": True, "length_m": 40.0},
        {"width_m": 6.0, "width_defaulted": True, "length_m": 60.0},
        {"width_m": 6.0, "length_m": 100.0},
    ).drop(columns="width_source")
    parked = {(0, "left"): {}, (1, "right"): {"position": "half_on_kerb"}}
    result = _fit(catalog, streets, parked)
    edges = result.edges
    assert edges.loc[0, "carriageway_m"] == pytest.approx(8.4384)
    assert edges.loc[0, "free_width_full_size_m"] == pytest.approx(6.2254)
    # ... but a class default says nothing about this street: its fit is unknown, not a pass
    assert edges.loc[0, "width_unknown"]
    assert not edges.loc[0, "two_abreast_full_size"]
    assert edges.loc[0, "category"] == "width unknown"
    assert edges.loc[1, "carriageway_m"] == pytest.approx(7.2192)
    assert edges.loc[1, "free_width_full_size_m"] == pytest.approx(6.1127)
    assert edges.loc[2, "carriageway_m"] == pytest.approx(6.0)
    assert result.summary["width_defaulted_km"] == pytest.approx(0.1)


def test_a_class_default_width_is_unknown_never_zero_km_pass(catalog: VehicleCatalog) -> None:
    # three two-way edges with no parking: a 4.0 m tag (kei two-abreast needs 3.56 m, full-size
    # 4.72 m: only kei), a 4.0 m class default and a 4.0 m estimate from buildings
    streets = street_table(
        {"width_m": 4.0, "width_source": "tag", "length_m": 100.0},
        {"width_m": 4.0, "width_source": "estimated_class", "length_m": 300.0},
        {"width_m": 4.0, "width_source": "estimated_geometry", "length_m": 50.0},
    )
    result = street_fit(streets, pd.DataFrame(), catalog, scenarios(catalog))
    assert result.edges["category"].tolist() == [
        "only kei pass two-abreast",
        "width unknown",
        "only kei pass two-abreast",
    ]
    summary = result.summary
    # 0.1 + 0.05 km only kei; the 0.3 km default is unknown, counted apart, not "0 km pass"
    assert summary["kei_only_km"] == pytest.approx(0.15)
    assert summary["width_unknown_km"] == pytest.approx(0.3)
    assert summary["width_known_km"] == pytest.approx(0.15)
    assert summary["classes"]["kei"]["passable_km"] == pytest.approx(0.15)


def test_unknown_sides_are_counted_and_inferred_sides_park(catalog: VehicleCatalog) -> None:
    # edge 0: both sides unknown -> taken as unparked, free 6.0, unknown_sides 2
    # edge 1: one side inferred by the parking model (status unknown, source inferred) ->
    #   parked in the lane: kei free 4.2152 as in the 6 m case
    streets = street_table({"width_m": 6.0, "length_m": 30.0}, {"width_m": 6.0, "length_m": 70.0})
    parked = {
        (0, "left"): {"status": "unknown", "source": "unknown", "position": None},
        (0, "right"): {"status": "unknown", "source": "unknown", "position": None},
        (1, "left"): {"status": "unknown", "source": "inferred", "position": None},
    }
    result = _fit(catalog, streets, parked)
    edges = result.edges
    assert edges.loc[0, "unknown_sides"] == 2
    assert edges.loc[0, "free_width_kei_m"] == pytest.approx(6.0)
    assert edges.loc[1, "unknown_sides"] == 0
    assert edges.loc[1, "free_width_kei_m"] == pytest.approx(4.2152)
    assert result.summary["curb_unknown_km"] == pytest.approx(0.03)


def test_mean_moving_width_option(catalog: VehicleCatalog) -> None:
    # full-size moving width 1.9082 (fleet mean): two-abreast needs 2 x 1.9082 + 0.6 = 4.4164
    # a 4.5 m street without parking then passes full-size two-abreast (not with the widest)
    params = FitParams(moving_width="mean")
    widths = class_widths(catalog, scenarios(catalog), params=params)
    assert widths.loc["full_size", "two_abreast_need_m"] == pytest.approx(4.4164)
    streets = street_table({"width_m": 4.5})
    assert _fit(catalog, streets, params=params).edges.loc[0, "two_abreast_full_size"]
    assert not _fit(catalog, streets).edges.loc[0, "two_abreast_full_size"]


def test_per_street_table_groups_by_name_then_way(catalog: VehicleCatalog) -> None:
    # "Kapea" = edges 0 (40 m, kei only two-way) and 1 (60 m, wide) on two ways;
    # edge 2 unnamed way 77 (100 m)
    streets = street_table(
        {"name": "Kapea", "osm_id": 1, "width_m": 6.0, "length_m": 40.0},
        {"name": "Kapea", "osm_id": 2, "width_m": 9.0, "length_m": 60.0, "highway": "tertiary"},
        {"name": None, "osm_id": 77, "width_m": 6.0, "length_m": 100.0},
    )
    table = _fit(catalog, streets, {(0, "left"): {}}).streets
    assert table["street"].tolist() == ["Kapea", "way 77"]
    kapea = table.iloc[0]
    assert kapea["ways"] == 2
    assert kapea["edges"] == 2
    assert kapea["highway"] == "tertiary"  # of its longest edge
    assert kapea["length_km"] == pytest.approx(0.1)
    assert kapea["kei_only_two_way_km"] == pytest.approx(0.04)
    assert kapea["min_free_width_reference_m"] == pytest.approx(3.7870)
    assert table.iloc[1]["name"] is None


def test_empty_streets_give_zeros(catalog: VehicleCatalog) -> None:
    streets = street_table()
    result = street_fit(streets, pd.DataFrame(), catalog, scenarios(catalog))
    assert len(result.edges) == 0
    assert len(result.streets) == 0
    assert result.summary["street_km"] == 0.0
    assert result.summary["kei_only_two_way_km"] == 0.0
    assert result.summary["edges_count"] == 0


def test_malformed_input_does_not_crash(catalog: VehicleCatalog) -> None:
    # no width column -> nothing passes and the km are reported as width_missing;
    # sides with unknown edge ids, a NaN edge id, odd statuses and positions are ignored or
    # read leniently (an unknown position counts as in the lane)
    streets = street_table({"length_m": 10.0}, {"length_m": 20.0}).drop(
        columns=["width_m", "width_defaulted", "oneway"]
    )
    sides = pd.DataFrame(
        {
            "edge_id": [0, 99, np.nan, 1],
            "status": ["parking", "parking", "parking", "weird"],
            "position": ["somewhere", "lane", None, None],
        }
    )
    result = street_fit(streets, sides, catalog, scenarios(catalog))
    assert result.summary["width_missing_km"] == pytest.approx(0.03)
    assert result.summary["classes"]["kei"]["passable_km"] == 0.0
    assert result.edges.loc[0, "parked_share"] == 1.0
    assert result.edges.loc[1, "parked_share"] == 0.0
    # sides without an edge_id column: no parking anywhere
    assert street_fit(street_table({}), pd.DataFrame({"x": [1]}), catalog, scenarios(catalog))
    # unreadable width text, None flags in object columns
    odd = street_table({"length_m": 10.0}, {"length_m": 20.0, "width_m": 5.0})
    odd["width_m"] = pd.Series(["wide", "5.0"], dtype="object")
    odd["oneway"] = pd.Series([None, True], dtype="object")
    odd["width_defaulted"] = pd.Series([None, None], dtype="object")
    result = street_fit(odd, pd.DataFrame(), catalog, scenarios(catalog))
    assert result.edges["width_missing"].tolist() == [True, False]
    assert result.edges["oneway"].tolist() == [False, True]
    assert result.summary["classes"]["full_size"]["passable_km"] == pytest.approx(0.02)


def test_fit_needs_both_classes_and_valid_params(catalog: VehicleCatalog) -> None:
    with pytest.raises(ModelError, match="kei"):
        street_fit(street_table({}), pd.DataFrame(), catalog, scenarios(catalog, kei_shares=(0.0,)))
    with pytest.raises(ConfigError, match="moving_width"):
        FitParams(moving_width="narrowest")
    with pytest.raises(ConfigError, match="edge_clearance_m"):
        FitParams(edge_clearance_m=-1.0)


def test_kei_shares_of_the_scenarios(catalog: VehicleCatalog) -> None:
    result = _fit(catalog, street_table({}))
    assert dict(result.kei_shares) == pytest.approx(
        {"kei000": 0.0, "kei025": 0.25, "kei050": 0.5, "kei100": 1.0}
    )


def test_fit_headline_names_where_widths_came_from() -> None:
    """The headline splits street km by width source instead of calling estimates defaults."""
    runs = scenarios(load_vehicles(), kei_shares=(0.0, 1.0))
    fit = {
        "street_km": 20.0,
        "kei_only_km": 0.25,
        "kei_only_two_way_km": 0.1,
        "width_tag_km": 1.0,
        "width_estimated_geometry_km": 6.0,
        "width_estimated_class_km": 13.0,
    }
    (line,) = headlines({"fit": fit}, runs)
    # 1.0 + 6.0 = 7.0 km with a width worth the name; the 13.0 km of class defaults are
    # unknown, not "0 km pass": 1.0 + 6.0 + 13.0 = 20.0 km, every kilometre accounted for
    # (three significant figures: 0.250 km, 7.00 km)
    assert line == (
        "Narrow streets: 0.250 km that only kei pass (0.100 km two-abreast), on the 7.00 km "
        "whose width is tagged or measured (1.00 km) or estimated from buildings (6.00 km); "
        "unknown on 13.0 km whose width is only a road-class default"
    )
    # in US units, miles first: 0.25 km / 1.609344 = 0.155 mi; 7.0 / 1.609344 = 4.35 mi
    (us,) = headlines({"fit": fit, "units": {"display": "us"}}, runs)
    assert us.startswith(
        "Narrow streets: 0.155 mi (0.250 km) that only kei pass (0.0621 mi (0.100 km) "
        "two-abreast), on the 4.35 mi (7.00 km) whose width"
    )
    # Baltimore-like: every width a class default -> the fit is unknown, no km quoted
    (none,) = headlines(
        {"fit": fit | {"width_tag_km": 0.0, "width_estimated_geometry_km": 0.0}}, runs
    )
    assert none == (
        "Narrow streets: unknown: no street width is tagged or measurable from buildings "
        "(the 20.0 km have road-class defaults only)"
    )


def test_sides_estimated_unparked_are_known(catalog: VehicleCatalog) -> None:
    # edge 0: both sides estimated "no parking" (status unknown, source inferred_zero): an
    #   answer, not an unknown; nothing parked, so kei free width is the whole 6.0 m
    # edge 1: both sides untagged and not estimated: 2 unknown sides over 40 m -> 0.04 km
    streets = street_table({"width_m": 6.0, "length_m": 30.0}, {"width_m": 6.0, "length_m": 40.0})
    untagged = {"status": "unknown", "position": None}
    parked = {
        (0, "left"): {**untagged, "source": "inferred_zero"},
        (0, "right"): {**untagged, "source": "inferred_zero"},
        (1, "left"): {**untagged, "source": "unknown"},
        (1, "right"): {**untagged, "source": "unknown"},
    }
    result = _fit(catalog, streets, parked)
    assert result.edges.loc[0, "unknown_sides"] == 0
    assert result.edges.loc[0, "free_width_kei_m"] == pytest.approx(6.0)
    assert result.edges.loc[1, "unknown_sides"] == 2
    assert result.summary["curb_unknown_km"] == pytest.approx(0.04)


def test_a_3_m_two_way_street_carries_one_car_at_a_time(catalog: VehicleCatalog) -> None:
    # tagged 3.0 m two-way, no parking: single file needs 2.36 m (full-size), 1.78 m (kei),
    # both <= 3.0; two-abreast needs 4.72 m and 3.56 m, both > 3.0: a one-lane two-way
    # street, cars taking turns, not one no car gets through.
    # 1.7 m: under even the kei's 1.78 m single-file need -> no vehicle passes.
    # 4.0 m: kei two-abreast (3.56 <= 4.0), full-size not (4.72 > 4.0) -> only kei pass each other
    streets = street_table({"width_m": 3.0}, {"width_m": 1.7}, {"width_m": 4.0})
    edges = _fit(catalog, streets).edges
    assert edges["single_full_size"].tolist() == [True, False, True]
    assert edges["two_abreast_kei"].tolist() == [False, False, True]
    assert edges["category"].tolist() == [
        "narrow two-way: reference class single file only",
        "no vehicle passes",
        "only kei pass two-abreast",
    ]
    words = code_words("fit_category", edges["category"]).tolist()
    assert words[0] == "two-way, one car at a time: oncoming cars pass at a wider spot"
    assert "too narrow" in words[1]


def test_the_tooltip_carriageway_is_the_one_the_free_widths_come_from(
    catalog: VehicleCatalog,
) -> None:
    # a 3.0 m class default with both sides inferred as parked: the default counts travel lanes
    # only, so each parked side adds an 8 ft lane: carriageway 3.0 + 2 x 2.4384 = 7.8768 m;
    # full-size free 7.8768 - 2 x 2.2130 = 3.4508 m, more than the 3.0 m of the width column
    # (what a tooltip once showed beside it), never more than the carriageway
    inferred = {"status": "unknown", "source": "inferred", "position": None}
    streets = street_table(
        {"width_m": 3.0, "width_source": "estimated_class"},
        {"width_m": 6.0, "width_source": "tag"},
    )
    result = _fit(
        catalog, streets, {(0, "left"): inferred, (0, "right"): inferred, (1, "left"): {}}
    )
    edges = result.edges
    assert edges.loc[0, "carriageway_m"] == pytest.approx(7.8768)
    assert edges.loc[0, "free_width_full_size_m"] == pytest.approx(3.4508)
    free = result.result.edge_classes["free_width_m"].to_numpy()
    carriageway = np.repeat(edges["carriageway_m"].to_numpy()[None, :], 2, axis=0).ravel()
    assert (free <= carriageway + 1e-9).all()
    # the drawn 6 m tagged street (only kei pass each other): its tooltip reads the same
    # carriageway the free widths came from; full-size free 6.0 - 2.2130 = 3.787 -> 3.79 m,
    # 12.4 ft (3.787 / 0.3048 = 12.42); kei 6.0 - 1.7848 = 4.2152 -> 4.22 m, 13.8 ft
    drawn = fit_layer(result.result, units="us")
    assert drawn is not None
    (feature,) = layer_rows(drawn[0])
    assert feature["carriageway"] == "19.7 ft (6.00 m)"  # 6 / 0.3048 = 19.69
    assert feature["free_full"] == "12.4 ft (3.79 m)"
    assert feature["free_kei"] == "13.8 ft (4.22 m)"
