"""The JSON Schema of ``summary.json`` shipped in the package, and validation against it."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from urbanfit.errors import OutputError

__all__ = ["load_schema", "scenario_figures", "validate_summary"]

_SCHEMA_FILE = "data/summary.schema.json"
_MAX_ERRORS = 5


def load_schema() -> dict[str, Any]:
    """
    Read the summary JSON Schema (draft 2020-12) shipped in ``urbanfit/data``.

    Returns
    -------
    schema
        A fresh dict each call (safe to modify).
    """
    text = resources.files("urbanfit").joinpath(_SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in path]
    return ".".join(parts).replace(".[", "[") or "(top level)"


def _problem(error: ValidationError) -> str:
    """``<path>: <what is wrong>``; an ``anyOf`` miss lists the allowed types or goes deeper."""
    if error.validator == "anyOf" and error.context:
        if all(sub.validator == "type" and not sub.relative_path for sub in error.context):
            allowed: list[str] = []
            for sub in error.context:
                value = sub.validator_value
                allowed += [value] if isinstance(value, str) else list(value)
            message = f"{error.instance!r} is not of type {', '.join(map(repr, allowed))}"
            return f"{_where(error.absolute_path)}: {message}"
        deepest = max(error.context, key=lambda sub: len(sub.relative_path))  # got furthest
        return f"{_where(deepest.absolute_path)}: {deepest.message}"
    return f"{_where(error.absolute_path)}: {error.message}"


def _non_finite(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _non_finite(item, (*path, i))


def validate_summary(summary: Any) -> None:
    """
    Check a summary dict against the shipped schema.

    Parameters
    ----------
    summary
        The parsed ``summary.json`` (or ``AnalysisResult.summary``).

    Raises
    ------
    OutputError
        With the first few problems, each as ``<dotted.path>: <what is wrong>``; also when a
        number is NaN or infinite (not valid JSON, so other tools could not read the file).
    """
    errors = sorted(_validator().iter_errors(summary), key=lambda e: list(map(str, e.path)))
    problems = [_problem(e) for e in errors]
    if isinstance(summary, dict):
        problems += [f"{_where(p)}: not a finite number" for p in _non_finite(summary)]
    if not problems:
        return
    shown = "; ".join(problems[:_MAX_ERRORS])
    more = f" (and {len(problems) - _MAX_ERRORS} more)" if len(problems) > _MAX_ERRORS else ""
    version = summary.get("schema_version", "?") if isinstance(summary, dict) else "?"
    raise OutputError(
        f"summary (schema_version {version}) does not match the summary schema: {shown}{more}"
    )


def scenario_figures(
    section: dict[str, Any], scenario_ids: list[str]
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """
    Split a model section into city-wide figures and per-scenario series.

    Parameters
    ----------
    section
        A model section of the summary (``parking``, ``congestion``, ...): per-scenario figures
        sit under ``scenarios.<id>``, every other key is city-wide.
    scenario_ids
        The run's scenario ids, in order.

    Returns
    -------
    city_wide, per_scenario
        Figures of no scenario (key -> value), and per-scenario figures (key -> one value per
        scenario id, None where absent), in key order.
    """
    city_wide = {k: v for k, v in section.items() if k != "scenarios"}
    per_scenario: dict[str, list[Any]] = {}
    nested = section.get("scenarios") or {}
    for i, sid in enumerate(scenario_ids):
        for key, value in (nested.get(sid) or {}).items():
            per_scenario.setdefault(key, [None] * len(scenario_ids))[i] = value
    return city_wide, per_scenario
