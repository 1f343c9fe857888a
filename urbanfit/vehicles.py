"""Vehicle profiles, fleet mixes and kei-share scenarios.

Profiles and fleets ship as data in ``urbanfit/data/vehicles.toml``; a user file with the same
layout may add or override entries.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, overload

from urbanfit.errors import ConfigError
from urbanfit.parameters.inputs import InputBounds

__all__ = [
    "FRONT_SHAPES",
    "KEI_CLASS",
    "Fleet",
    "Scenario",
    "ScenarioSet",
    "VehicleCatalog",
    "VehicleClass",
    "VehicleProfile",
    "load_vehicles",
    "scenarios",
]

KEI_CLASS = "kei"
"""The class id of kei vehicles: the one definition of what counts as kei."""
FRONT_SHAPES = ("sloped", "blunt", "vertical")
"""Front-end profile of a vehicle (IIHS: sloped or blunt; vertical: a cab-over, no hood)."""
KEI_MAX_LENGTH_M = 3.40
KEI_MAX_WIDTH_M = 1.48
KEI_MAX_HEIGHT_M = 2.00


@dataclass(frozen=True)
class VehicleClass:
    """
    A parking-standard class of vehicles: the stalls its profiles park in. Lengths in metres.

    Attributes
    ----------
    id, label
        Class id (profiles name it in ``class``) and human label.
    curb_stall_width_m
        Width of a perpendicular curb stall (a diagonal stall takes this / sin(angle) of curb).
    lot_stall_width_m, lot_stall_depth_m, lot_aisle_m
        The off-street stall and the two-way aisle of the 90-degree module.
    source
        Where the stall standard comes from.
    """

    id: str
    label: str
    curb_stall_width_m: float
    lot_stall_width_m: float
    lot_stall_depth_m: float
    lot_aisle_m: float
    source: str

    @property
    def lot_m2_per_stall(self) -> float:
        """Area of a double-loaded module per stall: stall width x (depth + half the aisle)."""
        return self.lot_stall_width_m * (self.lot_stall_depth_m + self.lot_aisle_m / 2)


@dataclass(frozen=True)
class VehicleProfile:
    """One kind of vehicle. Lengths in metres."""

    id: str
    label: str
    vehicle_class: str  # a class id of the catalog, e.g. "kei" or "full_size"
    length_m: float
    width_m: float
    height_m: float
    turning_radius_m: float
    source: str
    curb_mass_kg: float | None = None  # safety figures; None: withheld for mixes holding it
    hood_edge_m: float | None = None  # height of the hood's leading edge above the road
    front_shape: str | None = None  # one of FRONT_SHAPES
    safety_source: str | None = None  # where the three safety figures come from

    @property
    def is_kei(self) -> bool:
        """Whether the profile is of the kei class (checked against Japan's limits on load)."""
        return self.vehicle_class == KEI_CLASS

    @property
    def within_kei_limits(self) -> bool:
        """Whether the dimensions fit Japan's kei limits (length, width, height)."""
        return (
            self.length_m <= KEI_MAX_LENGTH_M
            and self.width_m <= KEI_MAX_WIDTH_M
            and self.height_m <= KEI_MAX_HEIGHT_M
        )


@dataclass(frozen=True)
class Fleet:
    """A mix of profiles: shares sum to 1."""

    id: str
    label: str
    shares: Mapping[str, float]
    source: str


@dataclass(frozen=True)
class Scenario:
    """A fleet in which ``kei_share`` of the vehicles are replaced by the kei mix."""

    id: str
    kei_share: float
    shares: Mapping[str, float]

    @property
    def label(self) -> str:
        """Short human label, e.g. ``"25 % kei"``."""
        return f"{self.kei_share * 100:g} % kei"

    @property
    def kei_share_pct(self) -> float:
        """The kei share in percent."""
        return self.kei_share * 100


@dataclass(frozen=True)
class ScenarioSet(Sequence[Scenario]):
    """
    The kei-share scenarios of one run, sorted by kei share; decides baseline and headline once.

    The baseline is the 0 % kei scenario (today's fleet, which capacity tags describe); the
    headline is the largest kei share. Every model, the summary, the map and the report take
    them from here.
    """

    scenarios: tuple[Scenario, ...]

    def __post_init__(self) -> None:
        shares = [s.kei_share for s in self.scenarios]
        if not shares or shares[0] != 0.0:
            raise ConfigError("the scenarios need a 0 % kei baseline")
        if any(b <= a for a, b in itertools.pairwise(shares)):
            raise ConfigError("scenarios must be sorted by kei share without repeats")

    @overload
    def __getitem__(self, index: int) -> Scenario: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Scenario]: ...
    def __getitem__(self, index: int | slice) -> Scenario | Sequence[Scenario]:
        return self.scenarios[index]

    def __len__(self) -> int:
        return len(self.scenarios)

    @property
    def baseline(self) -> Scenario:
        """The 0 % kei scenario."""
        return self.scenarios[0]

    @property
    def headline(self) -> Scenario:
        """The scenario with the largest kei share (the one headlines quote)."""
        return self.scenarios[-1]

    @property
    def ids(self) -> tuple[str, ...]:
        """Scenario ids in kei-share order."""
        return tuple(s.id for s in self.scenarios)

    def get(self, scenario_id: str) -> Scenario:
        """Return one scenario by id."""
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        raise KeyError(scenario_id)


@dataclass(frozen=True)
class VehicleCatalog:
    """All known vehicle classes, profiles and fleets."""

    profiles: Mapping[str, VehicleProfile]
    fleets: Mapping[str, Fleet]
    classes: Mapping[str, VehicleClass] = field(default_factory=lambda: MappingProxyType({}))
    origin: str = field(default="built-in")

    def profile(self, profile_id: str) -> VehicleProfile:
        """Return one profile by id, or raise a readable error."""
        try:
            return self.profiles[profile_id]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise ConfigError(f"unknown vehicle profile {profile_id!r}; known: {known}") from None

    def fleet(self, fleet_id: str) -> Fleet:
        """Return one fleet by id, or raise a readable error."""
        try:
            return self.fleets[fleet_id]
        except KeyError:
            known = ", ".join(sorted(self.fleets))
            raise ConfigError(f"unknown fleet {fleet_id!r}; known: {known}") from None

    def vehicle_class(self, class_id: str) -> VehicleClass:
        """Return one vehicle class by id, or raise a readable error."""
        try:
            return self.classes[class_id]
        except KeyError:
            known = ", ".join(sorted(self.classes))
            raise ConfigError(f"unknown vehicle class {class_id!r}; known: {known}") from None

    def class_of(self, profile_id: str) -> VehicleClass:
        """Return the vehicle class of a profile."""
        return self.vehicle_class(self.profile(profile_id).vehicle_class)

    def mean(self, shares: Mapping[str, float], attribute: str) -> float:
        """Share-weighted mean of a numeric profile attribute (e.g. ``"length_m"``)."""
        return sum(w * float(getattr(self.profiles[p], attribute)) for p, w in shares.items())

    def class_shares(self, shares: Mapping[str, float]) -> dict[str, float]:
        """Shares of a fleet mix summed by vehicle class (classes of the catalog, in order)."""
        out = dict.fromkeys(self.classes, 0.0)
        for profile_id, share in shares.items():
            out[self.profile(profile_id).vehicle_class] += float(share)
        return out

    def kei_share(self, shares: Mapping[str, float]) -> float:
        """Kei share of a fleet mix: the summed shares of its kei-class profiles."""
        return self.class_shares(shares).get(KEI_CLASS, 0.0)


def _number(table: Mapping[str, Any], key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{where}: {key} must be a positive number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
    return float(value)


def _metres(
    table: Mapping[str, Any], key: str, where: str, span: tuple[float, float, str]
) -> float:
    """Return a positive length in metres within ``span``: (low, high, the reason for them)."""
    value = _number(table, key, where)
    low, high, reason = span
    if not low <= value <= high:
        raise ConfigError(
            f"{where}: {key} must lie between {low:g} and {high:g} m ({reason}), got {value:g} m"
        )
    return value


def _source(table: Mapping[str, Any], where: str, what: str) -> str:
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(f"{where}: every {what} needs a source")
    return source


def _safety_fields(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Read the optional safety figures of a profile: all three with their source, or none."""
    keys = ("curb_mass_kg", "hood_edge_m", "front_shape")
    if not any(k in table for k in keys):
        return {}
    missing = [k for k in (*keys, "safety_source") if k not in table]
    if missing:
        raise ConfigError(f"{where}: give all safety figures or none; missing {', '.join(missing)}")
    shape = table["front_shape"]
    if shape not in FRONT_SHAPES:
        raise ConfigError(f"{where}: front_shape must be one of {', '.join(FRONT_SHAPES)}")
    source = table["safety_source"]
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(f"{where}: safety_source must name where the figures come from")
    return {
        "curb_mass_kg": _number(table, "curb_mass_kg", where),
        "hood_edge_m": _number(table, "hood_edge_m", where),
        "front_shape": str(shape),
        "safety_source": source,
    }


def _tables(data: Mapping[str, Any], key: str, origin: str) -> dict[str, Mapping[str, Any]]:
    """Return the ``[<key>.<id>]`` tables of a vehicles file, each checked to be a table."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"{origin}: {key} must be a table of [{key}.<id>] tables, got {type(value).__name__}"
        )
    what = "class" if key == "classes" else key[:-1]
    for name, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: {what} {name!r} must be a table")
    return dict(value)


def _parse(
    data: Mapping[str, Any], origin: str, bounds: InputBounds
) -> tuple[dict[str, VehicleClass], dict[str, VehicleProfile], dict[str, Fleet]]:
    spans = bounds.vehicle_spans()
    classes: dict[str, VehicleClass] = {}
    for cid, table in _tables(data, "classes", origin).items():
        where = f"{origin}: class {cid!r}"
        classes[cid] = VehicleClass(
            id=cid,
            label=str(table.get("label", cid)),
            curb_stall_width_m=_metres(
                table, "curb_stall_width_m", where, spans["curb_stall_width_m"]
            ),
            lot_stall_width_m=_metres(
                table, "lot_stall_width_m", where, spans["lot_stall_width_m"]
            ),
            lot_stall_depth_m=_metres(
                table, "lot_stall_depth_m", where, spans["lot_stall_depth_m"]
            ),
            lot_aisle_m=_metres(table, "lot_aisle_m", where, spans["lot_aisle_m"]),
            source=_source(table, where, "class"),
        )
    profiles: dict[str, VehicleProfile] = {}
    for pid, table in _tables(data, "profiles", origin).items():
        where = f"{origin}: profile {pid!r}"
        vclass = table.get("class", "full_size")
        if not isinstance(vclass, str) or not vclass:
            raise ConfigError(f"{where}: class must be a class id, got {vclass!r}")
        length = _metres(table, "length_m", where, spans["length_m"])
        profiles[pid] = VehicleProfile(
            id=pid,
            label=str(table.get("label", pid)),
            vehicle_class=vclass,
            length_m=length,
            width_m=_metres(table, "width_m", where, spans["width_m"]),
            height_m=_metres(table, "height_m", where, spans["height_m"]),
            turning_radius_m=_metres(
                table,
                "turning_radius_m",
                where,
                (
                    length / 2,
                    bounds.max_turning_radius_m,
                    "a turning vehicle fits inside its turning circle, so at least half its "
                    "length; every road vehicle in the EU must turn within "
                    f"{bounds.max_turning_radius_m:g} m",
                ),
            ),
            source=_source(table, where, "profile"),
            **_safety_fields(table, where),
        )
    fleets: dict[str, Fleet] = {}
    for fid, table in _tables(data, "fleets", origin).items():
        where = f"{origin}: fleet {fid!r}"
        shares = table.get("shares")
        if not isinstance(shares, dict) or not shares:
            raise ConfigError(f"{where} needs a [shares] table")
        source = _source(table, where, "fleet")
        values = {k: _number(shares, k, where) for k in shares}
        total = sum(values.values())
        if abs(total - 1.0) > 1e-6:
            raise ConfigError(f"{where}: shares sum to {total:.4f}, not 1")
        fleets[fid] = Fleet(
            id=fid,
            label=str(table.get("label", fid)),
            shares=MappingProxyType(values),
            source=source,
        )
    return classes, profiles, fleets


def _check(catalog: VehicleCatalog) -> None:
    if KEI_CLASS not in catalog.classes:
        raise ConfigError(f"the vehicle classes must include {KEI_CLASS!r}")
    for profile in catalog.profiles.values():
        catalog.vehicle_class(profile.vehicle_class)
        if profile.is_kei and not profile.within_kei_limits:
            raise ConfigError(
                f"profile {profile.id!r} is in class {KEI_CLASS!r} but exceeds Japan's kei "
                f"limits ({KEI_MAX_LENGTH_M} m long, {KEI_MAX_WIDTH_M} m wide, "
                f"{KEI_MAX_HEIGHT_M} m high)"
            )
    for fleet in catalog.fleets.values():
        missing = sorted(set(fleet.shares) - set(catalog.profiles))
        if missing:
            raise ConfigError(f"fleet {fleet.id!r} names unknown profiles: {', '.join(missing)}")


def load_vehicles(path: Path | None = None) -> VehicleCatalog:
    """
    Load the built-in classes, profiles and fleets, optionally extended by a user TOML file.

    Parameters
    ----------
    path
        A TOML file with ``[classes.<id>]``, ``[profiles.<id>]`` and ``[fleets.<id>]`` tables
        laid out like the built-in ``vehicles.toml``; its entries add to or replace the
        built-in ones. A new class (e.g. ``compact``) needs only its stall sizes and a source.

    Returns
    -------
    catalog
        Classes, profiles and fleets, every profile checked to name a known class (and a kei
        profile to fit Japan's limits), every fleet to name known profiles.
    """
    text = resources.files("urbanfit").joinpath("data/vehicles.toml").read_text("utf-8")
    bounds = InputBounds()
    classes, profiles, fleets = _parse(tomllib.loads(text), "built-in vehicles.toml", bounds)
    origin = "built-in"
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except OSError as error:
            raise ConfigError(f"cannot read vehicle file {path}: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise ConfigError(
                f"vehicle file {path} is not UTF-8 text (byte {error.start}); save it as UTF-8"
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"vehicle file {path} is not valid TOML: {error}") from None
        more_classes, more_profiles, more_fleets = _parse(user, str(path), bounds)
        classes |= more_classes
        profiles |= more_profiles
        fleets |= more_fleets
        origin = f"built-in + {path}"
    catalog = VehicleCatalog(
        MappingProxyType(profiles), MappingProxyType(fleets), MappingProxyType(classes), origin
    )
    _check(catalog)
    return catalog


def scenarios(
    catalog: VehicleCatalog,
    *,
    base_fleet: str = "us_new_sales",
    kei_fleet: str = "kei_japan",
    kei_shares: Sequence[float] = (0.0, 0.25, 0.5, 1.0),
) -> ScenarioSet:
    """
    Build the kei-share scenarios: each replaces a share of the base fleet by the kei mix.

    Parameters
    ----------
    catalog
        Profiles and fleets.
    base_fleet, kei_fleet
        Fleet ids of the baseline (full-size) mix and of the kei mix that replaces it.
    kei_shares
        Fractions in [0, 1] of the fleet that is kei, in any order; the 0 % baseline is added
        when absent. A share given twice (or two shares that round to the same whole percent,
        which names the scenario) is refused.

    Returns
    -------
    scenarios
        A `ScenarioSet` sorted by kei share, each scenario's profile shares summing to 1.
    """
    base = catalog.fleet(base_fleet)
    kei = catalog.fleet(kei_fleet)
    if catalog.kei_share(base.shares) > 0:
        raise ConfigError(f"the baseline fleet {base_fleet!r} must hold no kei profiles")
    if catalog.kei_share(kei.shares) < 1 - 1e-9:
        raise ConfigError(f"the kei fleet {kei_fleet!r} must hold kei profiles only")
    ids: dict[str, float] = {}
    for share in kei_shares:
        if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
            raise ConfigError(f"a kei share must lie between 0 and 100 %, got {share * 100:g} %")
        sid = f"kei{round(share * 100):03d}"
        if sid == "kei000" and share > 0:
            raise ConfigError(
                f"a kei share of {share * 100:g} % rounds to 0 % (scenarios are named by whole "
                "percent), the baseline that is always run: give shares of 1 % or more"
            )
        if sid in ids:
            raise ConfigError(
                f"kei share {round(share * 100)} % is given twice; give each share once"
            )
        ids[sid] = float(share)
    ids.setdefault("kei000", 0.0)
    out = []
    for sid, share in sorted(ids.items(), key=lambda item: item[1]):
        mix: dict[str, float] = {}
        for pid, w in base.shares.items():
            mix[pid] = mix.get(pid, 0.0) + (1.0 - share) * w
        for pid, w in kei.shares.items():
            mix[pid] = mix.get(pid, 0.0) + share * w
        mix = {k: v for k, v in mix.items() if v > 0}
        out.append(Scenario(sid, share, MappingProxyType(mix)))
    return ScenarioSet(tuple(out))
