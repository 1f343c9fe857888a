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
- Lots: stalls are sized per vehicle class (full-size: US stall; kei: Japanese kei stall). A
  fleet with kei share ``k`` of vehicles shares each lot's area in proportion, so it parks
  ``1 / ((1 - k) / F + k / K)`` vehicles where ``F`` and ``K`` are the lot's full-size and kei
  stall counts (the harmonic mix of the area each class needs per vehicle), floored. A lot that
  fits no full-size stall parks nobody unless the fleet is all kei.

Baseline and capacity tags
--------------------------
The baseline is the scenario with a kei share of 0. A mapped ``capacity`` tag is ground truth
for the baseline; other scenarios scale it by the model's ratio. For a curb side the ratio is the
pitch ratio ``baseline pitch / scenario pitch`` (the continuous form of the ratio of modelled
spaces: the floor of short sides would otherwise make it noisy or undefined), so the scenario
holds ``floor(tag x baseline pitch / scenario pitch)``; a way split into several edges shares
that among them by length. For a lot it is the central kei ratio of `lot_kei_ratios`: the
packed kei / full-size ratio of its polygon capped at the ratio of the two standard modules;
the module ratio where there is no polygon to pack; the stall-width ratio for multi-storey and
underground structures (the module ratio only as their upper bound). Each lot also carries a
low end (the same-standard MLIT ratio) and a high end.
"""

from __future__ import annotations

from urbanfit.models.parking.curb import (
    curb_pitch_m,
    curb_runs,
    curb_spaces,
    infer_curb,
    usable_curb_length_m,
)
from urbanfit.models.parking.lots import lot_stalls, module_ratio, pack_stalls
from urbanfit.models.parking.model import ParkingResult, class_shares, parking_model
from urbanfit.models.parking.summary import parking_summary

__all__ = [
    "ParkingResult",
    "class_shares",
    "curb_pitch_m",
    "curb_runs",
    "curb_spaces",
    "infer_curb",
    "lot_stalls",
    "module_ratio",
    "pack_stalls",
    "parking_model",
    "parking_summary",
    "usable_curb_length_m",
]
