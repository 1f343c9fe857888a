"""Parking footprint model: curb spaces per street side and stalls per lot, by fleet scenario.

Pure functions of city tables and parameters: no I/O, no printing.

Fleet mixes
-----------
- Curb: a mixed fleet parks at the share-weighted mean pitch (sum of share x pitch of each
  profile), and a continuous curb run (`curb_runs`: sides joined through nodes that are not
  junctions) holds ``floor(usable length / mean pitch)`` vehicles, shared among its edges by
  usable length. On an unmarked curb this is the expected number of vehicles of a random
  sequence that fit; on a marked curb it assumes the stalls are re-striped in proportion to
  the fleet.
- Lots: stalls are sized per vehicle class (classes are data in ``vehicles.toml``: full-size
  follows the US stall, kei Japan's kei stall). A fleet whose class ``c`` has share ``s_c``
  shares each lot's area in proportion, so it parks ``1 / sum_c (s_c / N_c)`` vehicles where
  ``N_c`` is the lot's stall count for class ``c`` (the harmonic mix of the area each class
  needs per vehicle), floored. A lot that fits no stall of a class the fleet holds parks
  nobody.

Baseline and capacity tags
--------------------------
The baseline is the scenario with a kei share of 0. A mapped ``capacity`` tag is ground truth
for the baseline; other scenarios scale it by the model's ratio. For a curb side the ratio is the
pitch ratio ``baseline pitch / scenario pitch`` (the continuous form of the ratio of modelled
spaces: the floor of short sides would otherwise make it noisy or undefined), so the scenario
holds ``floor(tag x baseline pitch / scenario pitch)``; a way split into several edges shares
that among them by length. For a lot each class's stalls are the tag
times the ratio of that class's packed stalls to the baseline fleet's packed vehicles, or,
where the lot has no polygon to pack (underground, point, other kinds), the same ratio from the
area per stall of the standard modules (``module`` ratio source).
"""

from __future__ import annotations

from urbanfit.models.parking.curb import curb_pitch_m, curb_runs, curb_spaces, run_usable_m
from urbanfit.models.parking.estimate import (
    estimate_curb,
    feature_clearances,
    junction_clearances_m,
    usable_curb_length_m,
)
from urbanfit.models.parking.lots import (
    lot_kei_ratios,
    lot_method,
    lot_stalls,
    module_m2_per_stall,
    module_ratio,
    pack_stalls,
    same_standard_ratio,
    structure_ratios,
)
from urbanfit.models.parking.model import (
    mixed_lot_spaces,
    parking_model,
    scenario_lot_spaces,
    scenario_side_spaces,
)
from urbanfit.models.parking.summary import parking_summary
from urbanfit.results import ParkingResult

__all__ = [
    "ParkingResult",
    "curb_pitch_m",
    "curb_runs",
    "curb_spaces",
    "estimate_curb",
    "feature_clearances",
    "junction_clearances_m",
    "lot_kei_ratios",
    "lot_method",
    "lot_stalls",
    "mixed_lot_spaces",
    "module_m2_per_stall",
    "module_ratio",
    "pack_stalls",
    "parking_model",
    "parking_summary",
    "run_usable_m",
    "same_standard_ratio",
    "scenario_lot_spaces",
    "scenario_side_spaces",
    "structure_ratios",
    "usable_curb_length_m",
]
