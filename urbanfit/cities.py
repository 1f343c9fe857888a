"""City presets: one TOML file each in the top-level ``cities/`` folder."""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from urbanfit.bbox import check_bbox
from urbanfit.errors import ConfigError

__all__ = ["Preset", "list_presets", "load_preset", "output_slug", "preset_like", "slugify"]


@dataclass(frozen=True)
class Preset:
    """A named city: where its data comes from and a note for the reader."""

    slug: str
    name: str
    country: str = ""
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    bundled: str | None = None
    extract: str | None = None
    notes: str = ""
    urban_area: str | None = None  # its Urban Mobility Report area, for the baseline TTI

    @property
    def source_label(self) -> str:
        """How the preset is fetched, for listings."""
        if self.bundled:
            return f"bundled extract ({self.bundled}), offline"
        if self.extract:
            return f"local extract {self.extract}"
        if self.bbox:
            return f"Overpass bbox {', '.join(f'{c:g}' for c in self.bbox)}"
        return f"Overpass place {self.place!r}"


_LATIN = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
"""Latin letters that Unicode does not decompose into a base letter and an accent."""


def slugify(text: str) -> str:
    """
    Turn a city name into a safe folder name (ASCII letters, digits and hyphens).

    Parameters
    ----------
    text
        Any text, possibly untrusted (``"../../etc"`` becomes ``"etc"``).

    Returns
    -------
    slug
        Lower-case slug, at most 80 characters. Accents are dropped (``"Zürich"`` ->
        ``"zurich"``). A name with letters, digits or symbols outside the Latin alphabet keeps
        its Latin part (``"city"`` if none) and gains the first 8 hex digits of the SHA-1 of
        the name, so that ``"京都"``, ``"Москва"`` and ``"🚗🚙"`` get distinct, stable folders;
        so does a name with no letter or digit at all (``".."``), which would otherwise share
        the folder ``city``.
    """
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text).translate(_LATIN)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = plain.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    dropped = any(not c.isascii() and unicodedata.category(c)[0] in "LNS" for c in plain)
    if dropped or not slug:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]  # noqa: S324  (not a secret)
        slug = f"{slug[:71].strip('-') or 'city'}-{digest}"
    return slug


def output_slug(city: str, *, name: str | None = None) -> str:
    """
    Return the output folder of a run: ``--name`` if given, else the preset's slug, else the name.

    The one rule used by ``urbanfit analyze``, ``compare`` and ``batch``.

    Parameters
    ----------
    city
        A preset slug, a preset ``.toml`` path, a place name (or a file's display name).
    name
        The ``--name`` given, if any.

    Returns
    -------
    slug
        See `slugify`.
    """
    if name:
        return slugify(name)
    preset = load_preset(city) if city else None
    return preset.slug if preset is not None else slugify(city)


def _parse(data: dict[str, Any], slug: str, origin: str) -> Preset:
    allowed = {"name", "country", "place", "bbox", "bundled", "extract", "notes", "urban_area"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{origin}: unknown keys {', '.join(unknown)}")
    sources = [k for k in ("place", "bbox", "bundled", "extract") if data.get(k) is not None]
    if len(sources) != 1:
        raise ConfigError(f"{origin}: give exactly one of place, bbox, bundled or extract")
    for key in ("name", "country", "place", "bundled", "extract", "notes", "urban_area"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(
                f"{origin}: {key} must be text in quotes, got {type(value).__name__} {value!r}"
            )
    bbox = data.get("bbox")
    if bbox is not None:
        if not isinstance(bbox, list):
            raise ConfigError(f"{origin}: bbox must be [west, south, east, north] in degrees")
        bbox = check_bbox(bbox, origin=f"{origin}: bbox")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{origin}: a preset needs a name")
    return Preset(
        slug=slug,
        name=name,
        country=str(data.get("country", "")),
        place=data.get("place"),
        bbox=bbox,
        bundled=data.get("bundled"),
        extract=data.get("extract"),
        notes=str(data.get("notes", "")),
        urban_area=data.get("urban_area"),
    )


def _read(path: Path | Any, slug: str) -> Preset:
    origin = f"preset {getattr(path, 'name', path)}"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {origin}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{origin} is not valid TOML: {error}") from None
    return _parse(data, slug, origin)


def _presets() -> Traversable:
    """Find the shipped presets: package data once installed, ``cities/`` in a checkout."""
    try:
        return resources.files("urbanfit._cities")
    except ModuleNotFoundError:  # run from the repository (``python -m urbanfit`` in it)
        return Path(__file__).resolve().parents[1] / "cities"


def list_presets() -> list[Preset]:
    """Return every shipped preset, sorted by slug."""
    folder = _presets()
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return [_read(f, f.name.removesuffix(".toml")) for f in files]


def load_preset(name: str) -> Preset | None:
    """
    Find a preset by slug (``helsinki``) or by the path of a preset TOML file.

    Parameters
    ----------
    name
        A preset slug or a ``.toml`` path.

    Returns
    -------
    preset
        The preset, or None when ``name`` is neither (then it is treated as a place name).
    """
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise ConfigError(f"preset file not found: {name}")
        preset = _read(path, slugify(path.stem))
        if preset.extract and not Path(preset.extract).is_absolute():
            preset = Preset(**{**preset.__dict__, "extract": str(path.parent / preset.extract)})
        return preset
    slug = slugify(name)
    resource = _presets().joinpath(f"{slug}.toml")
    if slug == name.strip().lower() and resource.is_file():
        return _read(resource, slug)
    return None


def preset_like(name: str, *, ratio: float) -> str | None:
    """
    Return the preset slug that ``name`` looks like a typo of, or None.

    Parameters
    ----------
    name
        A name that is not a preset. One with a comma (``"Helsinki, Finland"``) is a place
        name for the geocoder and never matches.
    ratio
        How similar the name's slug must be to a preset slug (`difflib.SequenceMatcher`
        ratio); see `urbanfit.parameters.inputs.InputBounds.preset_typo_ratio`.

    Returns
    -------
    slug
        The closest preset slug at or above ``ratio`` (``"helsinkii"`` -> ``"helsinki"``).
    """
    if "," in name or name.endswith(".toml"):
        return None
    slugs = [f.name.removesuffix(".toml") for f in _presets().iterdir() if f.name.endswith(".toml")]
    close = difflib.get_close_matches(slugify(name), slugs, n=1, cutoff=ratio)
    return close[0] if close else None
