"""Adoption paths: the named presets and the TOML form of ``--adoption``.

A TOML adoption file::

    label = "Kei class allowed from 2028"
    source = "our council's scenario"

    [sales_share]        # kei share of new-vehicle sales: linear between years, flat after
    2028 = 0.05
    2035 = 0.20

    [values]             # optional: overrides of urbanfit.parameters.council.ValueParams
    land_usd_per_acre = 1500000
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from urbanfit.errors import ConfigError
from urbanfit.models.adoption import AdoptionPath, path_points
from urbanfit.parameters.council import ValueParams

__all__ = ["PRESETS", "load_adoption", "with_values"]

_JAPAN = (
    "Japan's kei share of new-vehicle sales, about 35 % (Japan Automobile Dealers Association "
    "and Japan Mini Vehicles Association, 2023: about 1.7 million kei of 4.8 million new "
    "vehicles)"
)

PRESETS: dict[str, AdoptionPath] = {
    "slow": AdoptionPath(
        "slow",
        "Slow: 1 % of new sales in 2028, rising to 10 % by 2040",
        ((2028, 0.01), (2040, 0.10)),
        "scenario (modelling assumption): a niche class, a tenth of sales after a decade",
    ),
    "central": AdoptionPath(
        "central",
        "Central: 5 % of new sales in 2028, rising to 20 % by 2035",
        ((2028, 0.05), (2035, 0.20)),
        "scenario (modelling assumption): a class that wins a fifth of sales in seven years, "
        "about half of " + _JAPAN,
    ),
    "fast": AdoptionPath(
        "fast",
        "Fast: 10 % of new sales in 2027, rising to 35 % by 2032",
        ((2027, 0.10), (2032, 0.35)),
        "scenario (modelling assumption): sales reach " + _JAPAN + " within five years",
    ),
}
"""The named adoption paths of ``--adoption``."""

_VALUE_FIELDS = {
    f.name for f in dataclasses.fields(ValueParams) if not isinstance(f.default, tuple)
}  # the numbers a file may override (not the county table)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read adoption file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"adoption file {path} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"adoption file {path} is not valid TOML: {error}") from None


def load_adoption(spec: str | Path) -> tuple[AdoptionPath, dict[str, float]]:
    """
    Resolve ``--adoption``: a preset name or a TOML file.

    Parameters
    ----------
    spec
        ``slow``, ``central``, ``fast``, or the path of a ``.toml`` file (see the module note).

    Returns
    -------
    path, values
        The adoption path and the file's ``[values]`` overrides (empty for a preset).
    """
    text = str(spec)
    if text in PRESETS:
        return PRESETS[text], {}
    file = Path(text)
    if file.suffix.lower() != ".toml":
        known = ", ".join(PRESETS)
        raise ConfigError(f"--adoption must be a preset ({known}) or a .toml file, got {text!r}")
    data = _read(file)
    shares = data.get("sales_share")
    if not isinstance(shares, dict) or not shares:
        raise ConfigError(f"adoption file {file} needs a [sales_share] table of year = share")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(f"adoption file {file} needs a source (who assumes this path)")
    points = path_points(shares, f"adoption file {file}: [sales_share]")
    path = AdoptionPath(file.stem, str(data.get("label", file.stem)), points, source)
    values = data.get("values", {})
    if not isinstance(values, dict):
        raise ConfigError(f"adoption file {file}: [values] must be a table")
    overrides: dict[str, float] = {}
    for key, value in values.items():
        if key not in _VALUE_FIELDS:
            known = ", ".join(sorted(_VALUE_FIELDS))
            raise ConfigError(f"adoption file {file}: unknown value {key!r}; known: {known}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                f"adoption file {file}: {key} must be a number of 0 or more, got {value!r}"
            )
        overrides[key] = float(value)
    return path, overrides


def with_values(params: ValueParams, overrides: dict[str, float]) -> ValueParams:
    """Return the value parameters with a file's ``[values]`` overrides applied."""
    numbers: dict[str, Any] = dict(overrides)  # only number fields: `_VALUE_FIELDS`
    return dataclasses.replace(params, **numbers) if overrides else params
