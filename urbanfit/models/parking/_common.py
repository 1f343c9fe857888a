"""Shared constants and types of the parking model."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

_EPS = 1e-9  # floor() guard against 19.999999... from binary fractions

Shares = Mapping[str, float]


def edge_values(sides: pd.DataFrame, streets: pd.DataFrame, column: str) -> np.ndarray:
    """Read a street column for every side through ``edge_id`` (NaN where missing)."""
    if column not in streets.columns:
        return np.full(len(sides), np.nan)
    values = pd.Series(streets[column].to_numpy(), index=streets["edge_id"].to_numpy())
    return values.reindex(sides["edge_id"].to_numpy()).to_numpy()
