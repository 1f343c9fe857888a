"""Typed results: what each model returns and what renderers read.

Models build these; renderers and the summary read them and never recompute, rename or
re-decide them. Per-scenario tables are tidy: one row per feature and scenario with a
``scenario`` column, in `ScenarioSet` order, each scenario's block in the same row order as the
feature table it belongs to (so `scenario_rows` returns rows aligned with that table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from urbanfit.notebook import ResultDisplay
from urbanfit.vehicles import Scenario, ScenarioSet, VehicleCatalog

if TYPE_CHECKING:
    from urbanfit.citydata import CityData
    from urbanfit.parameters import Parameters

__all__ = [
    "FIT_CATEGORIES",
    "FIT_UNDRAWN",
    "RANGE_COLUMNS",
    "AnalysisResult",
    "CongestionResult",
    "FitResult",
    "IndexResult",
    "ParkingResult",
    "Scenario",
    "ScenarioSet",
    "scenario_rows",
    "tidy",
]

FIT_CATEGORIES = (
    "only kei pass two-abreast",
    "only kei pass at all",
    "narrow two-way: reference class single file only",
    "no vehicle passes",
    "reference class passes",
    "width unknown",
)
"""Fit category of a street edge, most telling first (`FitResult.edges` column ``category``)."""

FIT_UNDRAWN = ("reference class passes", "width unknown")
"""Fit categories the map leaves out: nothing to see, or nothing known."""

RANGE_COLUMNS = ("figure", "low", "central", "high", "unit", "basis")
"""Columns of `AnalysisResult.ranges` (see `urbanfit.models.ranges.headline_ranges`)."""


def tidy(blocks: Mapping[str, pd.DataFrame], *, key: str) -> pd.DataFrame:
    """
    Stack per-scenario blocks into one tidy table with a ``scenario`` column.

    Parameters
    ----------
    blocks
        Scenario id -> a table of that scenario's figures (same rows, same order, each
        block with the ``key`` column naming its feature).
    key
        The feature id column (``side_id``, ``lot_id``, ``link_id``...).

    Returns
    -------
    table
        ``key``, ``scenario``, then the figures; blocks in the given order.
    """
    frames = [
        block.assign(scenario=sid)[[key, "scenario", *(c for c in block if c != key)]]
        for sid, block in blocks.items()
    ]
    return pd.concat(frames, ignore_index=True)


def scenario_rows(table: pd.DataFrame, scenario_id: str) -> pd.DataFrame:
    """
    One scenario's rows of a tidy table, in the row order of the feature table.

    Parameters
    ----------
    table
        A tidy per-scenario table (see `tidy`).
    scenario_id
        The scenario.

    Returns
    -------
    rows
        The scenario's block, re-indexed 0..n-1.
    """
    # compared as a column (Arrow-backed text): no Python string per row
    rows = (table["scenario"] == scenario_id).to_numpy(dtype=bool)
    return table[rows].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class ParkingResult:
    """
    Everything the parking model returns (see `urbanfit.models.parking.parking_model`).

    Attributes
    ----------
    sides
        One row per street side (the city's curb table plus the model columns).
    side_spaces
        Tidy: ``side_id``, ``scenario``, ``spaces``, ``gained``, ``gained_per_100m``.
    profile_spaces
        Tidy: ``side_id``, ``profile``, ``spaces`` (each profile parked alone).
    lots
        One row per lot: model and tag figures, source, baseline stalls.
    lot_classes
        Tidy: ``lot_id``, ``vehicle_class``, ``model_stalls`` (packed), ``stalls`` (the
        figure used: tag-scaled where a capacity is mapped).
    lot_spaces
        Tidy: ``lot_id``, ``scenario``, ``spaces``, ``gained``.
    calibration
        Model vs mapped capacity, curb way sides and lots.
    summary
        City-wide figures, and per scenario under ``summary["scenarios"][id]``.
    """

    sides: gpd.GeoDataFrame
    side_spaces: pd.DataFrame
    profile_spaces: pd.DataFrame
    lots: gpd.GeoDataFrame
    lot_classes: pd.DataFrame
    lot_spaces: pd.DataFrame
    calibration: pd.DataFrame
    summary: dict[str, Any]

    def side_figures(self, scenario_id: str) -> pd.DataFrame:
        """Return the sides with one scenario's ``spaces``, ``gained``, ``gained_per_100m``."""
        rows = scenario_rows(self.side_spaces, scenario_id).drop(columns=["side_id", "scenario"])
        return self.sides.reset_index(drop=True).join(rows)

    def lot_figures(self, scenario_id: str) -> pd.DataFrame:
        """Return the lots with one scenario's ``spaces`` and ``gained``."""
        rows = scenario_rows(self.lot_spaces, scenario_id).drop(columns=["lot_id", "scenario"])
        return self.lots.reset_index(drop=True).join(rows)

    def lot_class_stalls(self, column: str = "stalls") -> pd.DataFrame:
        """Return stalls per lot (rows, by lot id) and vehicle class (columns)."""
        return self.lot_classes.pivot(index="lot_id", columns="vehicle_class", values=column)  # noqa: PD010


@dataclass(frozen=True, eq=False)
class CongestionResult:
    """
    Everything the congestion model returns (see `urbanfit.models.congestion`).

    Attributes
    ----------
    links
        One row per assigned directed link: its static columns (capacity, free-flow time...).
    link_flows
        Tidy: ``link_id``, ``scenario``, ``flow_veh_h``, ``pce_flow``, ``vc``, ``time_min``,
        ``vc_change`` (V/C minus the baseline's).
    scenarios
        One row per scenario id (index ``scenario``): the network figures and their changes.
    summary
        City-wide figures, and per scenario under ``summary["scenarios"][id]``.
    zones
        Demand zones (points) with productions and attractions.
    pce
        Per profile: length, saturation headway, PCE, jam density.
    curve
        The kei effect at each baseline congestion level, one row per level and scenario
        (``level``, ``scenario``, ``kei_share`` and the figures); None when not computed.
    """

    links: gpd.GeoDataFrame
    link_flows: pd.DataFrame
    scenarios: pd.DataFrame
    summary: dict[str, Any]
    zones: gpd.GeoDataFrame
    pce: pd.DataFrame
    curve: pd.DataFrame | None = None

    def link_figures(self, scenario_id: str) -> pd.DataFrame:
        """Return the links with one scenario's flows, V/C, times and V/C change."""
        rows = scenario_rows(self.link_flows, scenario_id).drop(columns=["link_id", "scenario"])
        return self.links.reset_index(drop=True).join(rows)


@dataclass(frozen=True, eq=False)
class FitResult:
    """
    Everything the narrow-street fit returns (see `urbanfit.models.fit.street_fit`).

    Attributes
    ----------
    edges
        One row per street edge: widths, and the kei vs reference-class comparison.
    edge_classes
        Tidy: ``edge_id``, ``vehicle_class``, ``free_width_m``, ``single``, ``two_abreast``,
        ``passable``.
    streets
        One row per named street (unnamed edges grouped by OSM way), for the report.
    widths
        One row per vehicle class (index): the widths behind the flags.
    summary
        City figures (fit has none per scenario: it compares vehicle classes).
    kei_shares
        Scenario id -> kei share of that scenario's fleet (used by the index to scale fit).
    """

    edges: gpd.GeoDataFrame
    edge_classes: pd.DataFrame
    streets: pd.DataFrame
    widths: pd.DataFrame
    summary: dict[str, Any]
    kei_shares: Mapping[str, float]


@dataclass(frozen=True, eq=False)
class IndexResult:
    """
    Everything `urbanfit.models.index.urban_fit_index` returns.

    Attributes
    ----------
    edges
        One row per street edge: the three parts and the score.
    hexes
        One row per H3 cell holding an edge midpoint.
    city_score
        Length-weighted mean score of the scored edges (those with a known part), 0-100
        (None when they have no length).
    weights
        Weights used: ``parking``, ``congestion``, ``fit`` (rescaled without congestion).
    congestion_included
        Whether a congestion result entered the score.
    scenario_id
        The scenario scored (the headline scenario).
    formula
        One paragraph explaining the formula with the weights used (for the report).
    summary
        City figures (points 0-100) for the scored scenario.
    scenario_hexes
        Tidy: ``h3_cell``, ``scenario``, ``score``: the cells of ``hexes`` scored in every
        scenario of the run (`urbanfit.models.hexes.scenario_hexes`); None when not
        computed.
    """

    edges: gpd.GeoDataFrame
    hexes: gpd.GeoDataFrame
    city_score: float | None
    weights: Mapping[str, float]
    congestion_included: bool
    scenario_id: str
    formula: str
    summary: dict[str, Any]
    scenario_hexes: pd.DataFrame | None = None


@dataclass(frozen=True, eq=False, repr=False)
class AnalysisResult(ResultDisplay):
    """
    Everything one run produced: the city tables, each model's result and the summary.

    ``ranges`` is the low / central / high table of the headline figures (columns
    `RANGE_COLUMNS`, one row per figure; empty when not computed). ``council`` holds the
    safety, value and (with an adoption path) adoption results by section name
    (`urbanfit.models.council.council_results`).
    `RANGE_COLUMNS`, one row per figure; empty when not computed). In a notebook the result
    shows its headline table; ``explore()`` draws its map and ``to_file(folder)`` writes its
    outputs (`urbanfit.notebook.ResultDisplay`).
    """

    slug: str
    city: CityData
    params: Parameters
    catalog: VehicleCatalog
    scenarios: ScenarioSet
    parking: ParkingResult
    fit: FitResult
    index: IndexResult
    congestion: CongestionResult | None = None
    notes: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    ranges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(RANGE_COLUMNS)))
    inventory: Any = None  # `urbanfit.inventory.InventoryCheck` when a curb inventory was given
    council: Mapping[str, Any] = field(default_factory=dict)  # safety, value, adoption results

    @property
    def streets(self) -> gpd.GeoDataFrame:
        """The `streets` GeoDataFrame."""
        return self.city.streets

    @property
    def lots(self) -> gpd.GeoDataFrame:
        """The `lots` GeoDataFrame."""
        return self.city.lots

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        """The `buildings` GeoDataFrame."""
        return self.city.buildings

    def models(self) -> dict[str, Any]:
        """Return the model results that ran, by section name (``parking``, ``fit``...)."""
        out: dict[str, Any] = {"parking": self.parking}
        if self.congestion is not None:
            out["congestion"] = self.congestion
        out |= {"fit": self.fit, "index": self.index}
        if self.inventory is not None:
            out["curb_inventory"] = self.inventory
        return out | dict(self.council)
