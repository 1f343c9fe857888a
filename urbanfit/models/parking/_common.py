"""Shared constants and types of the parking model."""

from __future__ import annotations

from collections.abc import Mapping

_EPS = 1e-9  # floor() guard against 19.999999... from binary fractions

Shares = Mapping[str, float]
