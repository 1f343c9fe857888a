"""Every documented default, as frozen dataclasses: one place, each value with unit and source.

One concern per module (``streets``, ``parking``, ``traffic``...); `Parameters` bundles them so
a run's parameters are one value that can be listed in reports and hashed for caching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from urbanfit.parameters.base import assumptions_table, param, parameters_hash
from urbanfit.parameters.council import CouncilParams
from urbanfit.parameters.evidence import EvidenceParams
from urbanfit.parameters.fit import FitParams, IndexParams
from urbanfit.parameters.parking import CurbParams, LotParams, ParkingParams
from urbanfit.parameters.ranges import EstimateErrorParams, RangeParams
from urbanfit.parameters.streets import StreetParams
from urbanfit.parameters.traffic import (
    AssignmentParams,
    CalibrationParams,
    CapacityParams,
    DemandParams,
    TrafficParams,
)
from urbanfit.parameters.units import UnitParams
from urbanfit.parameters.widthlayer import WidthInventoryParams

__all__ = [
    "AssignmentParams",
    "CalibrationParams",
    "CapacityParams",
    "CouncilParams",
    "CurbParams",
    "DemandParams",
    "EstimateErrorParams",
    "EvidenceParams",
    "FitParams",
    "IndexParams",
    "LotParams",
    "Parameters",
    "ParkingParams",
    "RangeParams",
    "StreetParams",
    "TrafficParams",
    "UnitParams",
    "WidthInventoryParams",
    "assumptions_table",
    "param",
    "parameters_hash",
]


@dataclass(frozen=True)
class Parameters:
    """All parameter groups of one run."""

    streets: StreetParams = field(default_factory=StreetParams)
    parking: ParkingParams = field(default_factory=ParkingParams)
    traffic: TrafficParams = field(default_factory=TrafficParams)
    fit: FitParams = field(default_factory=FitParams)
    index: IndexParams = field(default_factory=IndexParams)
    ranges: RangeParams = field(default_factory=RangeParams)
    widths: WidthInventoryParams = field(default_factory=WidthInventoryParams)
    council: CouncilParams = field(default_factory=CouncilParams)
    units: UnitParams = field(default_factory=UnitParams)
