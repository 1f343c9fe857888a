"""urbanfit: how much kei-sized vehicles would shrink a city's parking footprint and congestion.

The public API: `analyze` runs the whole pipeline for a city (or ``analyze(osm_file=...)`` for
a local extract) and returns an `AnalysisResult`, which a notebook shows as a headline table,
whose ``explore()`` draws its map and ``to_file(folder)`` writes its outputs;
`load_city` returns the typed tables only; `write_outputs` writes a result's files;
`gc_frozen` around both keeps the imported libraries out of Python's full garbage collections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AnalysisResult",
    "CityData",
    "Parameters",
    "UrbanfitError",
    "__version__",
    "analyze",
    "gc_frozen",
    "load_city",
    "load_vehicles",
    "scenarios",
    "write_outputs",
]

if TYPE_CHECKING:
    from urbanfit.citydata import CityData
    from urbanfit.errors import UrbanfitError
    from urbanfit.parameters import Parameters
    from urbanfit.pipeline import AnalysisResult, analyze, gc_frozen, load_city
    from urbanfit.render import write_outputs
    from urbanfit.vehicles import load_vehicles, scenarios

_HOMES = {
    "AnalysisResult": "urbanfit.pipeline",
    "analyze": "urbanfit.pipeline",
    "gc_frozen": "urbanfit.pipeline",
    "load_city": "urbanfit.pipeline",
    "CityData": "urbanfit.citydata",
    "Parameters": "urbanfit.parameters",
    "UrbanfitError": "urbanfit.errors",
    "write_outputs": "urbanfit.render",
    "load_vehicles": "urbanfit.vehicles",
    "scenarios": "urbanfit.vehicles",
}


def __dir__() -> list[str]:
    # The public names, for dir() and tab completion (the lazy ones are not globals yet).
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `urbanfit --version` fast (geopandas and osmnx load on first use).
    if name in _HOMES:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'urbanfit' has no attribute {name!r}")
