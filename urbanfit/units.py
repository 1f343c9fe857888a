"""Lengths and areas as a person reads them: US customary first with metric beside, or metric.

The one place every renderer (headlines, executive summary, report, report.docx, map text)
formats a length or an area. Figures stay metric everywhere else: summary.json's machine fields,
the tables and layers carry metres, km, m2 and ha; only the words are converted.

- ``us``: ``12.4 mi (20.0 km)`` for street and curb km, ``11.3 ft (3.45 m)`` for a width or a
  car's length, ``3.04 acres (1.23 ha)`` for lot land, ``135 sq ft (12.5 m²)`` for a stall;
- ``metric``: ``20.0 km``, ``3.45 m``, ``1.23 ha``, ``12.5 m²``.

Numbers carry `UnitParams.significant_figures` (3): ``0.205 km``, ``20.0 km``, ``1,230 km``; a
range's ends take the central figure's decimals (``0.205 (0.011–0.811) km``).

The default for a run (`choose_units`): ``us`` for a place in the United States, else
``metric``. A preset's ``country`` decides when it has one; otherwise the centre of the data's
extent (the streets' bounding box, whether read from a file, a bbox or a geocoded place)
decides, inside or outside `urbanfit.parameters.units.US_OUTLINE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import shapely

from urbanfit.errors import ConfigError
from urbanfit.parameters.units import US_OUTLINE, UnitParams

__all__ = [
    "UNITS",
    "MetricUnit",
    "Units",
    "area_m2",
    "check_units",
    "choose_units",
    "display_units",
    "hectares",
    "in_units",
    "kilometres",
    "metres",
    "sig",
    "texts",
]

Units = Literal["us", "metric"]
UNITS: tuple[Units, ...] = ("us", "metric")
_PARAMS = UnitParams()
_US = shapely.MultiPolygon([shapely.Polygon(ring) for ring in US_OUTLINE])


def check_units(value: str | None) -> Units | None:
    """
    Return a units choice, None when not given; refuse anything but ``us`` or ``metric``.

    Raises
    ------
    ConfigError
        One sentence naming the allowed values.
    """
    if value is None:
        return None
    chosen = str(value).strip().lower()
    if chosen not in UNITS:
        raise ConfigError(f"--units must be 'us' or 'metric', got {value!r}")
    return cast("Units", chosen)


def display_units(summary: Mapping[str, Any]) -> Units:
    """Return a summary's display units (``units.display``); metric where it names none."""
    chosen = (summary.get("units") or {}).get("display")
    return "us" if chosen == "us" else "metric"


def choose_units(
    given: str | None,
    *,
    country: str = "",
    lonlat: tuple[float, float] | None = None,
) -> tuple[Units, str]:
    """
    Choose the display units of a run and say why.

    Parameters
    ----------
    given
        The ``--units`` option (``us``, ``metric``) or None.
    country
        The preset's ISO country code (``"US"``, ``"FI"``), or ``""`` for no preset.
    lonlat
        The centre of the data's extent in WGS 84 degrees, or None when unknown.

    Returns
    -------
    units, basis
        ``us`` or ``metric``, and one phrase saying how it was chosen.
    """
    chosen = check_units(given)
    if chosen is not None:
        return chosen, "--units"
    if country:
        found: Units = "us" if country.strip().upper() == "US" else "metric"
        return found, f"the preset's country ({country})"
    if lonlat is not None and all(math.isfinite(v) for v in lonlat):
        inside = bool(_US.covers(shapely.Point(lonlat)))
        where = "inside" if inside else "outside"
        return ("us" if inside else "metric"), f"the data's centre lies {where} the United States"
    return "metric", "no place to judge by"


def sig(value: float, *, figures: int | None = None) -> str:
    """
    Write a number to ``figures`` significant figures (3), with thousands separators.

    ``20.0``, ``0.205``, ``12.4``, ``1,230``; never in exponent form; 0 reads ``0``.
    """
    return _fixed(value, _places(value, figures))


def _places(value: float, figures: int | None = None) -> int:
    """Decimal places that give ``figures`` significant figures (negative: round to tens...)."""
    figures = _PARAMS.significant_figures if figures is None else figures
    if not math.isfinite(value) or value == 0:
        return 0
    places = figures - 1 - math.floor(math.log10(abs(value)))
    rounded = round(abs(value), places)  # 9.996 -> 10.0: one place fewer
    if rounded and math.floor(math.log10(rounded)) > math.floor(math.log10(abs(value))):
        places -= 1
    return places


def _fixed(value: float, places: int) -> str:
    if not math.isfinite(value):
        return "n/a"
    if places <= 0:
        return f"{round(value, places):,.0f}"
    return f"{value:,.{places}f}"


def _end(value: float, places: int) -> str:
    """Write a range end at the central figure's decimals; ``0`` where it rounds to nothing."""
    text = _fixed(value, places)
    return "0" if text.strip("-0.,") == "" else text


def _quantity(
    value: float | None,
    low: float | None,
    high: float | None,
    *,
    units: Units,
    metric: tuple[float, str],
    us: tuple[float, str],
) -> str:
    """``central (low–high) unit`` in the first system, the central figure in metric beside."""
    if value is None or not math.isfinite(value):
        return "n/a"

    def written(scale: float, symbol: str) -> str:
        central = value / scale
        places = _places(central)
        text = _fixed(central, places)
        if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
            ends = _end(low / scale, places), _end(high / scale, places)
            if ends != (text, text):
                text += f" ({ends[0]}{' to ' if low < 0 else '–'}{ends[1]})"
        return f"{text} {symbol}"

    if units == "metric" or (value == 0 and low is None):
        return written(*(metric if units == "metric" else us))  # 0 mi, not 0 mi (0 km)
    return f"{written(*us)} ({_fixed(value / metric[0], _places(value / metric[0]))} {metric[1]})"


def kilometres(
    km: float | None, units: Units, *, low: float | None = None, high: float | None = None
) -> str:
    """Write a total length given in km (street, curb): ``12.4 mi (20.0 km)`` or ``20.0 km``."""
    return _quantity(
        _scaled(km, 1000.0),
        _scaled(low, 1000.0),
        _scaled(high, 1000.0),
        units=units,
        metric=(1000.0, "km"),
        us=(_PARAMS.mile_m, "mi"),
    )


def metres(
    m: float | None, units: Units, *, low: float | None = None, high: float | None = None
) -> str:
    """Write a length in m (a width, a car's curb): ``11.3 ft (3.45 m)`` or ``3.45 m``.

    Lengths of `UnitParams.feet_below_m` or more read in miles (km in metric).
    """
    if m is not None and math.isfinite(m) and abs(m) >= _PARAMS.feet_below_m:
        return kilometres(m / 1000.0, units, low=_scaled(low, 1e-3), high=_scaled(high, 1e-3))
    return _quantity(m, low, high, units=units, metric=(1.0, "m"), us=(_PARAMS.foot_m, "ft"))


def hectares(
    ha: float | None, units: Units, *, low: float | None = None, high: float | None = None
) -> str:
    """Write land given in ha (lot land): ``3.04 acres (1.23 ha)`` or ``1.23 ha``."""
    return _quantity(
        _scaled(ha, 10_000.0),
        _scaled(low, 10_000.0),
        _scaled(high, 10_000.0),
        units=units,
        metric=(10_000.0, "ha"),
        us=(_PARAMS.acre_m2, "acres"),
    )


def area_m2(
    m2: float | None, units: Units, *, low: float | None = None, high: float | None = None
) -> str:
    """Write an area in m² (a stall): ``135 sq ft (12.5 m²)``; an acre or more as `hectares`."""
    if m2 is not None and math.isfinite(m2) and abs(m2) >= _PARAMS.sq_ft_below_m2:
        return hectares(m2 / 10_000.0, units, low=_scaled(low, 1e-4), high=_scaled(high, 1e-4))
    return _quantity(
        m2, low, high, units=units, metric=(1.0, "m²"), us=(_PARAMS.foot_m**2, "sq ft")
    )


def texts(values: Iterable[float | None], units: Units, write: Callable[..., str]) -> list[str]:
    """
    Write each value of a column with one of this module's writers (for map tooltips).

    Parameters
    ----------
    values
        The metric figures (NaN or None read ``n/a``).
    units
        The display units.
    write
        `metres`, `kilometres`, `hectares` or `area_m2`.

    Returns
    -------
    texts
        One text per value, in order.
    """
    return [write(None if v is None else float(v), units) for v in values]


MetricUnit = Literal["m", "km", "m2", "ha", "km/h", "per 100 m"]


def in_units(
    values: npt.ArrayLike, unit: MetricUnit, units: Units
) -> tuple[npt.NDArray[np.float64], str]:
    """
    Convert metric figures to one unit of the display units, for a column or a bin's number.

    Unlike the text writers above, one unit for every value (a table column, a legend's bins):
    ``us`` gives ft, mi, sq ft, acres, mph and "per 100 ft"; ``metric`` keeps the figures.

    Parameters
    ----------
    values
        Figures in ``unit`` (NaN stays NaN).
    unit
        Their metric unit: ``m``, ``km``, ``m2``, ``ha``, ``km/h`` or ``per 100 m`` (a count
        per 100 m of curb or street).
    units
        The display units.

    Returns
    -------
    values, symbol
        The figures in the display unit (float), and its symbol (``ft``, ``per 100 ft``...).
    """
    figures = np.asarray(values, dtype="float64")
    if units == "metric":
        return figures, unit
    foot, mile, acre = _PARAMS.foot_m, _PARAMS.mile_m, _PARAMS.acre_m2
    scale, symbol = {
        "m": (1.0 / foot, "ft"),
        "km": (1000.0 / mile, "mi"),
        "m2": (1.0 / foot**2, "sq ft"),
        "ha": (10_000.0 / acre, "acres"),
        "km/h": (1000.0 / mile, "mph"),
        "per 100 m": (foot, "per 100 ft"),  # n per 100 m = n x (100 ft / 100 m) per 100 ft
    }[unit]
    return figures * scale, symbol


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else float(value) * factor
