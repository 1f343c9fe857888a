"""The baseline Travel Time Index target: an urban area's published figure, or its size class's.

Pure lookups in the Urban Mobility Report table of `urbanfit.parameters.umr`: which area a
place name lies in, the figure of a listed area, and the mean of a size class for an area the
table does not list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from urbanfit.errors import ModelError
from urbanfit.parameters.calibration import CalibrationParams
from urbanfit.parameters.umr import SIZE_CLASS_LIMITS_K, UrbanMobilityParams

__all__ = [
    "TtiTarget",
    "choose_urban_area",
    "find_urban_area",
    "size_class_of",
    "size_class_tti",
    "tti_target",
    "urban_area_row",
]


@dataclass(frozen=True)
class TtiTarget:
    """A baseline TTI target and what it rests on (for the summary and the report)."""

    value: float
    source: str  # one plain sentence
    urban_area: str | None  # the table's area, None when a size class or a given number
    size_class: str | None  # the class whose mean is used, None otherwise
    edition: str | None
    year: int | None

    def figures(self) -> dict[str, str | None]:
        """Flat summary keys naming the basis of the target."""
        return {
            "tti_urban_area": self.urban_area,
            "tti_size_class": self.size_class,
            "tti_edition": (
                f"{self.edition}, data year {self.year}" if self.edition is not None else None
            ),
        }


def _words(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return " " + " ".join(re.findall(r"[a-z0-9]+", plain)) + " "


def find_urban_area(text: str, umr: UrbanMobilityParams | None = None) -> str | None:
    """
    Find the table's urban area a place name (or preset or file name) lies in.

    An area's full name (``"Columbus OH"``) or one of `UrbanMobilityParams.names` found as
    whole words in ``text`` (case, accents and punctuation ignored) gives the area; the first
    match in the table's order wins. None when nothing matches.
    """
    umr = umr or UrbanMobilityParams()
    words = _words(text)
    for area, _, _ in umr.areas:
        if _words(area) in words:
            return area
    for name, area in umr.names:
        if _words(name) in words:
            return area
    return None


def urban_area_row(area: str, umr: UrbanMobilityParams | None = None) -> tuple[str, float, float]:
    """Give the table row ``(area, thousand people, TTI)`` of an area named exactly or by a name."""
    umr = umr or UrbanMobilityParams()
    found = find_urban_area(area, umr)
    for row in umr.areas:
        if row[0] == found:
            return row
    known = "; ".join(a for a, _, _ in umr.areas)
    raise ModelError(
        f"urban area {area!r} is not in the {umr.edition} table ({known}); give "
        "--baseline-tti with a number or a size class instead"
    )


def size_class_of(population_k: float) -> str:
    """Give the UMR population group of an area of ``population_k`` thousand people."""
    for name, least in SIZE_CLASS_LIMITS_K:
        if population_k >= least:
            return name
    return SIZE_CLASS_LIMITS_K[-1][0]


def size_class_tti(size_class: str, umr: UrbanMobilityParams | None = None) -> tuple[float, int]:
    """
    Mean TTI of the table's areas in a size class, and how many areas it averages.

    Unweighted: the UMR's own class averages are weighted by vehicle-miles travelled, which
    the table does not give.
    """
    umr = umr or UrbanMobilityParams()
    values = [tti for _, people, tti in umr.areas if size_class_of(people) == size_class]
    if not values:
        classes = sorted({size_class_of(people) for _, people, _ in umr.areas})
        raise ModelError(
            f"the {umr.edition} table lists no {size_class!r} urban area (it has "
            f"{', '.join(classes)}); give --baseline-tti with a number instead"
        )
    return sum(values) / len(values), len(values)


def tti_target(params: CalibrationParams) -> TtiTarget:
    """
    Give the baseline TTI target and its basis.

    ``params.target_tti`` when given; else the TTI of ``params.urban_area`` in the table;
    else the mean of ``params.size_class`` (default ``umr.default_size_class``).
    """
    umr = params.umr
    if params.target_tti is not None:
        target = TtiTarget(
            float(params.target_tti), "given (--baseline-tti)", None, None, None, None
        )
    elif params.urban_area is not None:
        area, _, value = urban_area_row(params.urban_area, umr)
        basis = f" ({params.urban_area_basis})" if params.urban_area_basis else ""
        target = TtiTarget(
            value,
            f"{umr.edition}, peak-period TTI of {area} in {umr.year}{basis}",
            area,
            None,
            umr.edition,
            umr.year,
        )
    else:
        name = params.size_class or umr.default_size_class
        value, count = size_class_tti(name, umr)
        target = TtiTarget(
            value,
            f"{umr.edition}: mean peak-period TTI of its {count} {name.replace('_', ' ')} "
            f"urban areas in {umr.year}, as a stand-in: "
            f"{params.urban_area_basis or 'this area is not in the table'}",
            None,
            name,
            umr.edition,
            umr.year,
        )
    if not (math.isfinite(target.value) and 1.0 < target.value < 5.0):
        raise ModelError(f"baseline TTI must lie between 1 and 5, got {target.value:g}")
    return target


def choose_urban_area(
    *,
    given: str | None,
    preset_area: str | None,
    names: list[str],
    country: str = "",
    umr: UrbanMobilityParams | None = None,
) -> tuple[str | None, str | None]:
    """
    Choose the table's urban area of a run, and say how it was chosen.

    ``given`` (the --urban-area option) first, then the preset's ``urban_area``, then the
    first of ``names`` (place, preset and file names) that lies in a listed area; a preset of
    another country than the US is never matched by name (Portland, Maine is not Portland,
    Oregon; Helsinki is in no US table).

    Returns
    -------
    area, basis
        The area's name in the table (None when none is chosen) and how it was chosen.

    Raises
    ------
    ModelError
        When ``given`` or ``preset_area`` is not in the table.
    """
    umr = umr or UrbanMobilityParams()
    if given:
        return urban_area_row(given, umr)[0], "--urban-area"
    if preset_area:
        return urban_area_row(preset_area, umr)[0], "the preset's urban_area"
    if country and country.upper() != "US":
        return None, f"a city outside the US ({country}), which no UMR edition covers"
    for name in names:
        found = find_urban_area(name, umr) if name else None
        if found is not None:
            return found, f"found in the name {name!r}"
    return None, None
