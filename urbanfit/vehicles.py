"""Vehicle profiles, fleet mixes and kei-share scenarios.

Profiles and fleets ship as data in ``urbanfit/data/vehicles.toml``; a user file with the same
layout may add or override entries.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from urbanfit.errors import ConfigError

__all__ = [
    "Fleet",
    "Scenario",
    "VehicleCatalog",
    "VehicleProfile",
    "load_vehicles",
    "scenarios",
]

KEI_MAX_LENGTH_M = 3.40
KEI_MAX_WIDTH_M = 1.48
KEI_MAX_HEIGHT_M = 2.00


@dataclass(frozen=True)
class VehicleProfile:
    """One kind of vehicle. Lengths in metres."""

    id: str
    label: str
    vehicle_class: str  # "kei" or "full_size"
    length_m: float
    width_m: float
    height_m: float
    turning_radius_m: float
    source: str

    @property
    def is_kei(self) -> bool:
        """Whether the profile fits Japan's kei limits."""
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


@dataclass(frozen=True)
class VehicleCatalog:
    """All known profiles and fleets."""

    profiles: Mapping[str, VehicleProfile]
    fleets: Mapping[str, Fleet]
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

    def mean(self, shares: Mapping[str, float], attribute: str) -> float:
        """Share-weighted mean of a numeric profile attribute (e.g. ``"length_m"``)."""
        return sum(w * float(getattr(self.profiles[p], attribute)) for p, w in shares.items())


def _number(table: Mapping[str, Any], key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{where}: {key} must be a positive number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
    return float(value)


def _tables(data: Mapping[str, Any], key: str, origin: str) -> dict[str, Any]:
    """Return the ``[<key>.<id>]`` tables of a vehicles file, checked to be a table."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"{origin}: {key} must be a table of [{key}.<id>] tables, got {type(value).__name__}"
        )
    return value


def _parse(
    data: Mapping[str, Any], origin: str
) -> tuple[dict[str, VehicleProfile], dict[str, Fleet]]:
    profiles: dict[str, VehicleProfile] = {}
    for pid, table in _tables(data, "profiles", origin).items():
        where = f"{origin}: profile {pid!r}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        vclass = table.get("class", "full_size")
        if vclass not in {"kei", "full_size"}:
            raise ConfigError(f"{where}: class must be 'kei' or 'full_size', got {vclass!r}")
        if not str(table.get("source", "")).strip():
            raise ConfigError(f"{where}: every profile needs a source")
        profiles[pid] = VehicleProfile(
            id=pid,
            label=str(table.get("label", pid)),
            vehicle_class=vclass,
            length_m=_number(table, "length_m", where),
            width_m=_number(table, "width_m", where),
            height_m=_number(table, "height_m", where),
            turning_radius_m=_number(table, "turning_radius_m", where),
            source=str(table["source"]),
        )
    fleets: dict[str, Fleet] = {}
    for fid, table in _tables(data, "fleets", origin).items():
        where = f"{origin}: fleet {fid!r}"
        shares = table.get("shares") if isinstance(table, dict) else None
        if not isinstance(shares, dict) or not shares:
            raise ConfigError(f"{where} needs a [shares] table")
        if not str(table.get("source", "")).strip():
            raise ConfigError(f"{where}: every fleet needs a source")
        values = {k: _number(shares, k, where) for k in shares}
        total = sum(values.values())
        if abs(total - 1.0) > 1e-6:
            raise ConfigError(f"{where}: shares sum to {total:.4f}, not 1")
        fleets[fid] = Fleet(
            id=fid,
            label=str(table.get("label", fid)),
            shares=MappingProxyType(values),
            source=str(table["source"]),
        )
    return profiles, fleets


def load_vehicles(path: Path | None = None) -> VehicleCatalog:
    """
    Load the built-in profiles and fleets, optionally extended by a user TOML file.

    Parameters
    ----------
    path
        A TOML file with ``[profiles.<id>]`` and ``[fleets.<id>]`` tables laid out like the
        built-in ``vehicles.toml``; its entries add to or replace the built-in ones.

    Returns
    -------
    catalog
        Profiles and fleets, every fleet checked to reference known profiles.
    """
    text = resources.files("urbanfit").joinpath("data/vehicles.toml").read_text("utf-8")
    profiles, fleets = _parse(tomllib.loads(text), "built-in vehicles.toml")
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
        more_profiles, more_fleets = _parse(user, str(path))
        profiles |= more_profiles
        fleets |= more_fleets
        origin = f"built-in + {path}"
    for fleet in fleets.values():
        missing = sorted(set(fleet.shares) - set(profiles))
        if missing:
            raise ConfigError(f"fleet {fleet.id!r} names unknown profiles: {', '.join(missing)}")
    return VehicleCatalog(MappingProxyType(profiles), MappingProxyType(fleets), origin)


def scenarios(
    catalog: VehicleCatalog,
    *,
    base_fleet: str = "us_new_sales",
    kei_fleet: str = "kei_japan",
    kei_shares: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0),
) -> list[Scenario]:
    """
    Build the kei-share scenarios: each replaces a share of the base fleet by the kei mix.

    Parameters
    ----------
    catalog
        Profiles and fleets.
    base_fleet, kei_fleet
        Fleet ids of the baseline (full-size) mix and of the kei mix that replaces it.
    kei_shares
        Fractions in [0, 1] of the fleet that is kei in each scenario.

    Returns
    -------
    scenarios
        One `Scenario` per kei share, in the given order, each with profile shares summing to 1.
    """
    base = catalog.fleet(base_fleet)
    kei = catalog.fleet(kei_fleet)
    out = []
    for share in kei_shares:
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"kei share must lie between 0 and 1, got {share}")
        mix: dict[str, float] = {}
        for pid, w in base.shares.items():
            mix[pid] = mix.get(pid, 0.0) + (1.0 - share) * w
        for pid, w in kei.shares.items():
            mix[pid] = mix.get(pid, 0.0) + share * w
        mix = {k: v for k, v in mix.items() if v > 0}
        out.append(Scenario(f"kei{round(share * 100):03d}", share, MappingProxyType(mix)))
    return out
