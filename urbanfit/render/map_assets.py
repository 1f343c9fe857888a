"""The map page's offline web assets: the shipped scripts and stylesheets, inlined into the page.

The page works offline: `inline_web_assets` puts the JavaScript and CSS the map uses into the
HTML (shipped in ``urbanfit/data/web``, see its README) and drops folium's other CDN links.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

import folium
from branca.element import Element, Figure
from folium.elements import JSCSSMixin

__all__ = ["MAP_BACKGROUND", "descendants", "inline_asset", "inline_web_assets"]

# The plain background the layers are drawn on when tiles cannot load: openstreetmap-carto's
# land colour (@land-color in its style), so the map looks the same with or without tiles.
MAP_BACKGROUND = "#f2efe9"

# folium's resource names -> the shipped file that serves them.
_WEB_ASSETS = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
}
# folium's defaults the map does not use: no marker icons (lots are circles), no Bootstrap
# widgets, no folium.Popup (the only jQuery user; GeoJsonPopup needs none).
_UNUSED_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)
_PAGE_ASSETS = (
    "urbanfit/map.css",
    "urbanfit/features.js",
    "urbanfit/views.js",
    "urbanfit/find.js",
    "urbanfit/downloads.js",
    "urbanfit/map.js",
)
_CSS_URL = re.compile(r"""url\((?!['"]?(?:#|data:))['"]?([^'")]+)['"]?\)""")
_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}


def descendants(element: Element) -> Iterator[Element]:
    """Yield an element and every element below it, depth first, the element itself first."""
    yield element
    for child in element._children.values():
        yield from descendants(child)


@cache
def _web_file(path: str) -> str:
    """Read a shipped web file; a stylesheet's images are inlined as data URIs."""
    folder = resources.files("urbanfit").joinpath("data/web")
    text = folder.joinpath(path).read_text(encoding="utf-8")
    if path.endswith(".css"):
        base = path.rsplit("/", 1)[0]

        def inline(match: re.Match[str]) -> str:
            name = match.group(1)
            data = folder.joinpath(f"{base}/{name}").read_bytes()
            media = _MEDIA_TYPES[name[name.rfind(".") :]]
            return f'url("data:{media};base64,{base64.b64encode(data).decode("ascii")}")'

        text = _CSS_URL.sub(inline, text)
    closing = "</style" if path.endswith(".css") else "</script"
    if closing in text.lower():  # would end the inline element early
        raise ValueError(f"{path} cannot be inlined: it contains {closing}")
    return text


def inline_asset(path: str) -> Element:
    """Return a ``style`` or ``script`` element holding the shipped web file ``path``."""
    tag = "style" if path.endswith(".css") else "script"
    return Element(f"<{tag}>/* {path} */\n{_web_file(path)}</{tag}>")


def inline_web_assets(fmap: folium.Map) -> None:
    """
    Put the scripts and stylesheets the map uses into its page, and drop folium's CDN links.

    Call it last, once every element is on the map: an element that needs a library
    urbanfit does not ship raises, rather than leave a page that needs the network.

    Parameters
    ----------
    fmap
        The map; its elements' CDN links are cleared in place.
    """
    root = fmap.get_root()
    assert isinstance(root, Figure)
    for element in descendants(root):
        if not isinstance(element, JSCSSMixin):
            continue
        for name, url in [*element.default_js, *element.default_css]:
            if name in _UNUSED_ASSETS:
                continue
            if name not in _WEB_ASSETS:
                raise ValueError(f"{type(element).__name__} needs {url}, which is not shipped")
            root.header.add_child(inline_asset(_WEB_ASSETS[name]), name=f"urbanfit_{name}")
        element.default_js = []
        element.default_css = []
    for path in _PAGE_ASSETS:
        root.header.add_child(inline_asset(path), name=f"urbanfit_{path}")
    root.header.add_child(
        Element(f"<style>.folium-map.leaflet-container{{background:{MAP_BACKGROUND}}}</style>"),
        name="urbanfit_background",
    )
