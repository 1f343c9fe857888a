"""The documented-default field helper and the walkers that list and hash parameters."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

__all__ = ["assumptions_table", "param", "parameters_hash"]


def param(default: Any, unit: str, source: str) -> Any:
    """
    Declare a dataclass field with its unit and source.

    Parameters
    ----------
    default
        The default value (immutable: number, string, tuple or frozen mapping).
    unit
        Unit of the value (``"m"``, ``"km/h"``, ``"veh/h/lane"``, ``"-"`` for none).
    source
        Where the value comes from: a standard, a paper, or a stated modelling assumption.

    Returns
    -------
    field
        A `dataclasses.field` carrying ``unit`` and ``source`` in its metadata.
    """
    return dataclasses.field(default=default, metadata={"unit": unit, "source": source})


def _rows(obj: Any, prefix: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            rows.extend(_rows(value, f"{name}."))
            continue
        if isinstance(value, dict | tuple | list) or hasattr(value, "items"):
            shown = json.dumps(_plain(value), sort_keys=True)
        else:
            shown = str(value)
        rows.append(
            {
                "parameter": name,
                "value": shown,
                "unit": f.metadata.get("unit", ""),
                "source": f.metadata.get("source", ""),
            }
        )
    return rows


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def assumptions_table(params: Any) -> list[dict[str, str]]:
    """
    List every parameter of a (nested) parameter dataclass with value, unit and source.

    Parameters
    ----------
    params
        A frozen parameter dataclass, e.g. `Parameters`.

    Returns
    -------
    rows
        One dict per leaf parameter: ``parameter`` (dotted name), ``value``, ``unit``, ``source``.
    """
    return _rows(params, "")


def parameters_hash(params: Any) -> str:
    """Return a short stable hash of a parameter dataclass (for caching and provenance)."""
    blob = json.dumps(_plain(params), sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
