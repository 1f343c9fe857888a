"""Renderers: read results, write files. No model code here."""

from __future__ import annotations

from urbanfit.render.export import write_outputs
from urbanfit.render.map import build_map

__all__ = ["build_map", "write_outputs"]
