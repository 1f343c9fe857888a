"""The curb estimate's error measured on the user's own inventory sets the run's ranges."""

from __future__ import annotations

from urbanfit.parameters import EstimateErrorParams, Parameters
from urbanfit.pipeline import _with_local_error


def test_an_inventory_with_enough_surveyed_parking_replaces_the_default_error() -> None:
    # 1.0 km of surveyed parking (>= 0.5 km): precision 0.5, recall 0.8, spaces +25 % ->
    # spaces ratio 1.25; by length the estimated part is then taken at 0.5 / 0.8 = 0.625
    check = {
        "precision_share": 0.5,
        "recall_share": 0.8,
        "spaces_per_km_rel_error": 0.25,
        "surveyed_parking_km": 1.0,
    }
    params, note = _with_local_error(Parameters(), check)
    assert params.ranges.estimate == EstimateErrorParams(
        precision_share=0.5, recall_share=0.8, spaces_ratio=1.25
    )
    assert params.ranges.estimate.length_factor == 0.625
    assert "precision 0.50, recall 0.80, spaces 1.25x" in note


def test_too_little_or_unscored_inventory_keeps_the_default_error() -> None:
    default = Parameters()
    thin = {
        "precision_share": 0.5,
        "recall_share": 0.8,
        "spaces_per_km_rel_error": 0.25,
        "surveyed_parking_km": 0.2,  # under the 0.5 km InventoryParams.min_scored_km
    }
    assert _with_local_error(default, thin) == (default, "")
    unscored = {**thin, "surveyed_parking_km": 3.0, "precision_share": None}
    assert _with_local_error(default, unscored) == (default, "")
