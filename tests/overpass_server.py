"""A loopback HTTP server that answers like Overpass and Nominatim from a hand-written OSM file."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def osm_json(xml_path: Path) -> list[dict[str, Any]]:
    """Convert an OSM XML file into Overpass JSON elements."""
    elements: list[dict[str, Any]] = []
    for item in ET.parse(xml_path).getroot():
        tags = {t.get("k"): t.get("v") for t in item.findall("tag")}
        if item.tag == "node":
            element = {
                "type": "node",
                "id": int(item.get("id")),
                "lat": float(item.get("lat")),
                "lon": float(item.get("lon")),
            }
        elif item.tag == "way":
            element = {
                "type": "way",
                "id": int(item.get("id")),
                "nodes": [int(n.get("ref")) for n in item.findall("nd")],
            }
        else:
            continue
        if tags:
            element["tags"] = tags
        elements.append(element)
    return elements


@dataclass(frozen=True)
class Reply:
    """A scripted answer: status, headers, a body (None: the normal answer) and a delay."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0


class FakeOsmServer:
    """Serve ``/api/interpreter`` (Overpass) and ``/search`` (Nominatim) on 127.0.0.1.

    ``server.script("overpass" | "nominatim", Reply(...), ...)`` queues answers that the next
    requests to that service get, in order, before the normal answers resume.
    """

    def __init__(self, xml_path: Path, *, place: str, empty: bool = False) -> None:
        self.elements = [] if empty else osm_json(xml_path)
        self.place = place
        self.requests: list[str] = []
        self.scripted: dict[str, list[Reply]] = {"overpass": [], "nominatim": []}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def _send(self, payload: Any, service: str) -> None:
                reply = server.next_reply(service)
                time.sleep(reply.hang_s)
                body = json.dumps(payload).encode() if reply.body is None else reply.body
                try:
                    self.send_response(reply.status)
                    for key, value in {"Content-Type": "application/json", **reply.headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (a timeout test)
                    return

            def do_GET(self) -> None:
                url = urllib.parse.urlparse(self.path)
                server.requests.append(url.path)
                query = urllib.parse.parse_qs(url.query)
                if url.path.endswith("/search"):
                    self._send(server.nominatim(query.get("q", [""])[0]), "nominatim")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                server.requests.append(self.path)
                self._send(server.overpass(form.get("data", [""])[0]), "overpass")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeOsmServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, service: str, *replies: Reply) -> None:
        """Queue ``replies`` for the next requests to ``"overpass"`` or ``"nominatim"``."""
        with self.lock:
            self.scripted[service].extend(replies)

    def next_reply(self, service: str) -> Reply:
        with self.lock:
            queue = self.scripted[service]
            return queue.pop(0) if queue else Reply()

    def nominatim(self, q: str) -> list[dict[str, Any]]:
        if q != self.place:
            return []
        ring = [[2.999, -0.001], [3.003, -0.001], [3.003, 0.003], [2.999, 0.003], [2.999, -0.001]]
        return [
            {
                "place_id": 1,
                "osm_type": "relation",
                "osm_id": 1,
                "boundingbox": ["-0.001", "0.003", "2.999", "3.003"],
                "lat": "0.001",
                "lon": "3.001",
                "display_name": self.place,
                "class": "boundary",
                "type": "administrative",
                "importance": 0.5,
                "geojson": {"type": "Polygon", "coordinates": [ring]},
            }
        ]

    def overpass(self, query: str) -> dict[str, Any]:
        """Answer a query by the kind of ways it asks for, with the nodes they use."""
        if "amenity" in query:
            wanted = lambda tags: tags.get("amenity") == "parking"  # noqa: E731
        elif "building" in query:
            wanted = lambda tags: "building" in tags  # noqa: E731
        else:
            wanted = lambda tags: "highway" in tags  # noqa: E731
        picked = [e for e in self.elements if wanted(e.get("tags", {}))]
        used = {n for e in picked if e["type"] == "way" for n in e["nodes"]}
        nodes = [
            e for e in self.elements if e["type"] == "node" and e["id"] in used and e not in picked
        ]
        return {"version": 0.6, "generator": "test", "elements": picked + nodes}
