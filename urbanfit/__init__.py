"""urbanfit: how much kei-sized vehicles would shrink a city's parking footprint and congestion."""

from __future__ import annotations

__version__ = "0.1.0"
