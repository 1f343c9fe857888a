"""The assignment against every TNTP network with a best-known solution found on this machine.

Folders come from ``URBANFIT_TNTP_DIR`` (one sub-folder per network, original TNTP files:
``<Name>_net.tntp``, ``<Name>_trips.tntp``, ``<Name>_flow.tntp``) or else the shared data's
``tntp`` folder (``../shared/data/tntp`` next to the repository, or ``URBANFIT_SHARED_DATA``).
A network without a flow file has nothing to compare with and is left out. The targets: at
relative gap 1e-5 the total system travel time within 0.05 % and the Beckmann objective within
0.01 % of the best-known solution.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from urbanfit.models.congestion import validate_assignment
from urbanfit.sources.tntp import read_tntp

ROOT = Path(os.environ.get("URBANFIT_TNTP_DIR", SHARED_DATA / "tntp"))


def _networks(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [
        folder
        for folder in sorted(root.iterdir())
        if folder.is_dir()
        and all(any(folder.glob(f"*{end}")) for end in ("_net.tntp", "_trips.tntp", "_flow.tntp"))
    ]


NETWORKS = _networks(ROOT)


@pytest.mark.skipif(not NETWORKS, reason=f"no TNTP network with a *_flow.tntp file in {ROOT}")
@pytest.mark.parametrize("folder", NETWORKS, ids=[f.name for f in NETWORKS])
def test_meets_the_best_known_solution_at_gap_1e_5(folder: Path) -> None:
    report = validate_assignment(read_tntp(folder), rel_gap=1e-5)
    # the gap recomputed here from the final flows, not the solver's own figure
    assert report.checked_gap <= 1e-5
    assert abs(report.tstt_rel_error) <= 5e-4
    assert abs(report.objective_rel_error) <= 1e-4
    assert report.meets_targets
    # flow in = flow out at every node that is not a zone; each zone sends its trips out
    # minus its trips in, to rounding of the largest link flow
    assert report.worst_imbalance <= 1e-6 * max(report.trips, 1.0)
    assert report.centroid_error <= 1e-6 * max(report.trips, 1.0)
