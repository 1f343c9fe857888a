"""Regional extracts: a Geofabrik / BBBike PBF (through pyrosm's downloader) clipped to a place.

For metro-sized areas, where Overpass times out:

- `fetch_extract`: geocode a place's boundary (Nominatim, through OSMnx), download the regional
  extract that holds it (cached: a second run does not download), clip it to the boundary;
- `clip_extract`: clip a local regional extract to a place name (geocoded) or a bounding box,
  offline apart from the geocoding;
- `dataset_for_place`: the documented rule that picks the pyrosm dataset for a place.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from urbanfit.bbox import check_bbox
from urbanfit.errors import EmptyAreaError, NetworkUnavailableError, SourceError
from urbanfit.sources.files import read_file
from urbanfit.sources.geocode import Place, geocode_place
from urbanfit.sources.raw import RawCity, clip
from urbanfit.sources.web import OverpassConfig, default_cache_dir

__all__ = [
    "Place",
    "clip_extract",
    "dataset_for_place",
    "default_extract_dir",
    "fetch_extract",
    "geocode_place",
]

log = logging.getLogger(__name__)

_ALIASES = {
    "united states": "usa",
    "united states of america": "usa",
}
"""Nominatim's English country names that differ from pyrosm's region names."""


def default_extract_dir() -> Path:
    """Where downloaded regional extracts are kept: ``<urbanfit cache>/extracts``."""
    return default_cache_dir() / "extracts"


def _dataset_names() -> dict[str, str]:
    """Map pyrosm's dataset names (lower case) to ``"city"`` (BBBike) or ``"region"``."""
    from pyrosm.data import available  # noqa: PLC0415  (heavy import, only when used)

    group: dict[str, str] = {name.lower(): "city" for name in available["cities"]}
    for continent, names in available["regions"].items():
        group[continent] = "region"
        group.update({name.lower(): "region" for name in names})
    for names in available["subregions"].values():
        group.update({name.lower(): "region" for name in names})
    return group


def _bbbike_extent(city: str) -> BaseGeometry | None:
    """Return a BBBike city's extent from the index pyrosm ships, or None if unreadable."""
    try:
        index = resources.files("pyrosm.data").joinpath("bbbike_index.geojson.gz")
        with index.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
            features = json.load(text)["features"]
        for feature in features:
            if str(feature["properties"]["id"]).lower() == city:
                return shape(feature["geometry"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def dataset_for_place(display_name: str, boundary: BaseGeometry | None = None) -> str:
    """
    Pick the pyrosm dataset (``pyrosm.data.available``) for a geocoded place.

    The rule: split Nominatim's display name at the commas and take the first part, most
    specific first, that names a pyrosm dataset (spaces and dashes may stand for
    underscores; ``United States`` is ``usa``). A BBBike city extract (e.g. ``Portland``)
    counts only when its published extent contains the whole boundary, so ``Portland,
    Maine`` does not take BBBike's Portland, Oregon; a name shared by several regions (the
    US state and the country ``Georgia``) is qualified with the region named later in the
    display name (``usa/georgia``). Examples: ``"Portland, Multnomah County, Oregon, United
    States"`` -> ``portland`` (BBBike); ``"Boise, Ada County, Idaho, United States"`` ->
    ``idaho`` (Geofabrik); ``"Monaco"`` -> ``monaco``.

    Parameters
    ----------
    display_name
        Nominatim's name of the place (`Place.display_name`).
    boundary
        The place's boundary, to check BBBike city extents; without it no city is chosen.

    Returns
    -------
    dataset
        A name for ``pyrosm.get_data``.
    """
    group = _dataset_names()
    parts = [p.strip().lower() for p in display_name.split(",") if p.strip()]
    parts = [_ALIASES.get(p, p) for p in parts]
    spelled = [p.replace(" ", "_").replace("-", "_") for p in parts]
    for at, part in enumerate(parts):
        spellings = dict.fromkeys((part, spelled[at], part.replace(" ", "")))
        cities = [s for s in spellings if group.get(s) == "city"]
        regions = [s for s in spellings if group.get(s) == "region"]
        for city in cities:
            extent = _bbbike_extent(city)
            if boundary is not None and extent is not None and extent.contains(boundary):
                return city
        for name in regions:
            for qualified in (name, *(f"{later}/{name}" for later in spelled[at + 1 :])):
                if _known(qualified):
                    return qualified
    raise SourceError(
        f"no regional extract is known for {display_name!r}; name one with --dataset "
        "(any name in pyrosm.data.available, e.g. 'oregon'), or download an extract and "
        "use --osm-file PATH --clip PLACE"
    )


def _known(name: str) -> bool:
    """Whether pyrosm resolves ``name`` to one download (not unknown, not ambiguous)."""
    from pyrosm.data import search_source  # noqa: PLC0415

    try:
        search_source(name)
    except ValueError:
        return False
    return True


def _covers(path: Path, area: BaseGeometry) -> bool:
    """Whether the extract's header box (when it has one) contains ``area``."""
    import osmium  # noqa: PLC0415

    try:
        header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
        extent = header.box()
    except RuntimeError:
        return True  # not readable here: read_file reports it properly
    if not extent.valid():
        return True
    west, south = extent.bottom_left.lon, extent.bottom_left.lat
    east, north = extent.top_right.lon, extent.top_right.lat
    return bool(box(west, south, east, north).contains(area))


def clip_extract(
    path: Path,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    area: BaseGeometry | None = None,
    config: OverpassConfig | None = None,
) -> RawCity:
    """
    Read a local (regional) extract and keep only a place, a bounding box or a polygon.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` extract (ways wholly outside
        the area's bounding box are dropped while reading).
    place
        A place name, geocoded to its boundary through Nominatim (see `geocode_place`).
    bbox
        ``(west, south, east, north)`` in degrees.
    area
        A polygon in EPSG:4326.
    config
        The Nominatim endpoint and cache, for ``place``.

    Returns
    -------
    raw
        The streets wholly inside the area, and the lots and buildings whose representative
        point is inside (see `urbanfit.sources.raw.clip`); the area is the boundary.
    """
    if sum(x is not None for x in (place, bbox, area)) != 1:
        raise SourceError("clip to exactly one of a place name, a bounding box or an area")
    label = place or (f"bbox {bbox}" if bbox else "the given area")
    if place is not None:
        area = geocode_place(place, config=config).boundary
    elif bbox is not None:
        area = box(*check_bbox(bbox))
    assert area is not None
    return _clipped(Path(path), area, label)


def _clipped(path: Path, area: BaseGeometry, label: str) -> RawCity:
    west, south, east, north = (float(c) for c in shapely.bounds(area))
    raw = clip(read_file(path, bbox=(west, south, east, north)), area)
    if len(raw.edges) == 0:
        raise EmptyAreaError(f"{path.name} holds no drivable streets inside {label}")
    provenance = dataclasses.replace(
        raw.provenance, description=f"{raw.provenance.description}, clipped to {label}"
    )
    return dataclasses.replace(raw, provenance=provenance)


def fetch_extract(
    place: str,
    *,
    dataset: str | None = None,
    cache_dir: Path | None = None,
    config: OverpassConfig | None = None,
    update: bool = False,
    timeout_s: float = 60.0,
    opener: Any = None,
) -> RawCity:
    """
    Analyse-ready data of a metro-sized place from a regional extract, clipped to its boundary.

    The place is geocoded through Nominatim; the extract (Geofabrik or BBBike) is downloaded
    with ``pyrosm.get_data`` into ``cache_dir`` under the file name pyrosm gives it, and a file
    already there is used without downloading.

    Parameters
    ----------
    place
        A place name with a boundary, e.g. ``"Portland, Oregon, USA"``.
    dataset
        A pyrosm dataset name (``pyrosm.data.available``, e.g. ``"oregon"``); by default
        chosen by `dataset_for_place`.
    cache_dir
        Where extracts are kept; default `default_extract_dir`.
    config
        Nominatim endpoint and geocoding cache.
    update
        Download the extract again even when it is cached.
    timeout_s
        Seconds to wait for the download server (connect and each read).
    opener
        Passed to pyrosm: an object with ``open(request, timeout=...)`` (e.g.
        ``urllib.request.build_opener(urllib.request.ProxyHandler(...))``) that makes the
        download requests.

    Returns
    -------
    raw
        The city's raw frames, with the boundary and provenance naming the extract.
    """
    import pyrosm  # noqa: PLC0415  (heavy import, only when used)
    from pyrosm.exceptions import DownloadError  # noqa: PLC0415

    found = geocode_place(place, config=config)
    chosen = dataset or dataset_for_place(found.display_name, found.boundary)
    folder = Path(cache_dir) if cache_dir is not None else default_extract_dir()
    log.info("%s: regional extract %r in %s", place, chosen, folder)
    try:
        path = Path(
            pyrosm.get_data(
                chosen,
                update=update,
                directory=str(folder),
                timeout=timeout_s,
                opener=opener,
                progress=False,
            )
        )
    except DownloadError as error:
        raise NetworkUnavailableError(
            f"could not download the regional extract {chosen!r} ({error.url or 'its server'} "
            f"unreachable); download it yourself and run with --osm-file PATH --clip {place!r}"
        ) from None
    except ValueError as error:
        raise SourceError(f"unknown regional extract {chosen!r}: {error}") from None
    except OSError as error:
        raise SourceError(f"cannot store the extract in {folder}: {error}") from None
    if not _covers(path, found.boundary):
        raise SourceError(
            f"the extract {chosen!r} ({path.name}) does not cover {place!r}; name a larger one "
            "with --dataset"
        )
    return _clipped(path, found.boundary, place)
