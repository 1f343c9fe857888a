"""Exception classes. The CLI prints ``str(error)`` and exits non-zero, no traceback."""

from __future__ import annotations


class UrbanfitError(Exception):
    """Base class of every error a user can cause (bad input, missing data, no network)."""

    exit_code: int = 2


class UnknownCityError(UrbanfitError):
    """A city name is neither a preset nor a place the geocoder knows."""


class SourceError(UrbanfitError):
    """OSM data could not be read or fetched."""


class NetworkUnavailableError(SourceError):
    """The Overpass or Nominatim service could not be reached."""


class ServiceError(SourceError):
    """Overpass or Nominatim answered with an error status, a malformed body, or too many 429s."""


class EmptyAreaError(UrbanfitError):
    """The requested area holds no drivable streets."""


class ConfigError(UrbanfitError):
    """A preset, parameter file or vehicle file is malformed."""


class TableError(UrbanfitError):
    """A city table breaks the contract of docs/tables.md (columns, dtypes, CRS, ids)."""


class ModelError(UrbanfitError):
    """A model cannot run on the given data (e.g. no zones with demand)."""


class OutputError(UrbanfitError):
    """Outputs could not be written."""
