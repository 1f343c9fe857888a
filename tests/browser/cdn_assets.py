"""Serve the CDN assets that folium's map.html references from local npm packages.

The test machine reaches no CDN, so the browser test intercepts every request and answers the
known CDN URLs from ``web/node_modules`` (installed by ``.ci/install-browser`` from the committed
``web/package-lock.json``). A URL is only served when the installed package has exactly the
version the URL names, so a folium upgrade that moves to new versions fails loudly instead of
silently testing against other code.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

WEB = Path(__file__).parent / "web"
NODE_MODULES = WEB / "node_modules"

# Map tiles are blocked, never served: the test checks our layers, not the base map.
TILE_HOSTS = ("tile.openstreetmap.org",)

# Two stylesheets folium links that exist in no npm package. The map uses neither (no
# glyphicons, no rotated awesome-markers), so they are answered with an empty stylesheet.
STUBS = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "Bootstrap 3.0.0 is not on npm, and its separate glyphicons sheet was never published there"
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css": "served from folium's GitHub repository, not npm",
}

_JSDELIVR_NPM = re.compile(r"https://cdn\.jsdelivr\.net/npm/(@?[^@]+)@([^/]+)/(.+)")
_JQUERY = re.compile(r"https://code\.jquery\.com/jquery-([\d.]+)\.min\.js")
_AWESOME_MARKERS = re.compile(
    r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/([\d.]+)/(.+)"
)
# Leaflet.awesome-markers is on cdnjs, not npm under that name; this npm package republishes
# the same release (js/ and css/ folders instead of cdnjs's flat layout).
_AWESOME_MARKERS_NPM = "drmonty-leaflet-awesome-markers"


@cache
def installed_version(package: str) -> str | None:
    """Version of an installed npm package, or None when it is not installed."""
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def _file_in(package: str, version: str, path: str) -> Path | None:
    if installed_version(package) != version:
        return None
    wanted = NODE_MODULES / package / path
    if wanted.is_file():
        return wanted
    # jsDelivr minifies on the fly: "X.min.js" is served for a package that ships only "X.js"
    # (leaflet.fullscreen 3.0.0 does this). The unminified file is the same code.
    plain = NODE_MODULES / package / re.sub(r"\.min\.(js|css)$", r".\1", path)
    return plain if plain != wanted and plain.is_file() else None


def local_file(url: str) -> Path | None:
    """
    The local copy of a CDN URL, or None when it is not a known CDN asset.

    Parameters
    ----------
    url
        A request URL, query string and fragment ignored.

    Returns
    -------
    path
        A file under ``web/node_modules`` from the package and version the URL names.
    """
    url = url.split("?", 1)[0].split("#", 1)[0]
    if match := _JSDELIVR_NPM.fullmatch(url):
        return _file_in(*match.groups())
    if match := _JQUERY.fullmatch(url):
        return _file_in("jquery", match.group(1), "dist/jquery.min.js")
    if match := _AWESOME_MARKERS.fullmatch(url):
        version, name = match.groups()
        folder = "js" if name.endswith(".js") else "css"
        return _file_in(_AWESOME_MARKERS_NPM, version, f"{folder}/{name}")
    return None


def is_tile(url: str) -> bool:
    """Whether a URL is a base-map tile (blocked on purpose)."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host in TILE_HOSTS or host.endswith(tuple(f".{h}" for h in TILE_HOSTS))
