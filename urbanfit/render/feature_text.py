"""A map feature's figures as text: short numbers, and the ``_s`` property of every scenario.

The ``_s`` format (scenarios split by ``;``, a scenario's figures by ``,``) is read by the page
script; see `urbanfit.render.map_base.scenario_values`.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import pandas as pd

from urbanfit.vehicles import ScenarioSet

__all__ = ["hex_score_blocks", "number_text", "scenario_text", "whole_text"]


def whole_text(values: pd.Series, *, missing: str) -> pd.Series:
    """Numbers as whole-number text (``"60"``), missing ones as ``missing``."""
    return values.round().astype("Int64").astype("string").fillna(missing)


def number_text(values: pd.Series | np.ndarray, decimals: int) -> pd.Series:
    """Numbers rounded to ``decimals`` as short text (``"12"``, ``"0.4"``), missing as ``""``."""
    rounded = pd.Series(values, dtype="float64").round(decimals) + 0.0  # no "-0"
    text = rounded.astype("Float64").astype("string").str.replace(r"\.0$", "", regex=True)
    return text.fillna("")


def scenario_text(blocks: list[list[pd.Series]]) -> pd.Series:
    """
    Join each scenario's figures with ``,`` and the scenarios with ``;`` (the ``_s`` property).

    ``blocks[k]`` holds scenario ``k``'s figures (already as text), in `ScenarioSet` order.
    """
    joined = [reduce(lambda a, b: a + "," + b, block) for block in blocks]
    return reduce(lambda a, b: a + ";" + b, joined)


def hex_score_blocks(
    tidy: pd.DataFrame, cells: pd.Series, scenarios: ScenarioSet
) -> list[list[pd.Series]]:
    """Each scenario's hexagon scores (``h3_cell``, ``scenario``, ``score``) as ``_s`` text."""
    scores = tidy.pivot(index="h3_cell", columns="scenario", values="score")  # noqa: PD010
    scores = scores.reindex(index=cells, columns=list(scenarios.ids))
    return [[number_text(scores[sid].to_numpy(), 1)] for sid in scenarios.ids]
