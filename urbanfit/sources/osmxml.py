"""
What libosmium does not give from an OSM XML file's text, read in one scan of its bytes.

Holds `scan_xml`: the ids of elements an editor's save marks ``action='delete'``.
"""

from __future__ import annotations

import bz2
import gzip
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

__all__ = ["scan_xml"]

_DELETED = re.compile(rb"<(node|way|relation)\b[^>]*?\baction\s*=\s*[\"']delete[\"'][^>]*>")
_ID = re.compile(rb"\sid\s*=\s*[\"'](-?\d+)[\"']")


def scan_xml(path: Path, fmt: str) -> dict[str, set[int]]:
    """
    Read what libosmium does not give from an XML file's text.

    Returns the ids of the elements an editor's save marks ``action='delete'`` (libosmium
    ignores the attribute), by kind (``node``, ``way``, ``relation``; kinds with none left out).
    """
    opener: Any = {"osm.bz2": bz2.open, "osm.gz": gzip.open}.get(fmt, open)
    deleted: dict[str, set[int]] = {"node": set(), "way": set(), "relation": set()}
    tail = b""
    with opener(path, "rb") as stream:
        for chunk in _chunks(stream):
            text = tail + chunk
            if b"action" in text:
                for match in _DELETED.finditer(text):
                    number = _ID.search(match.group(0))
                    if number:
                        deleted[match.group(1).decode()].add(int(number.group(1)))
            tail = text[-4096:]
    return {kind: ids for kind, ids in deleted.items() if ids}


def _chunks(stream: IO[bytes], size: int = 1 << 22) -> Iterable[bytes]:
    while chunk := stream.read(size):
        yield chunk
