"""Regional extracts clipped to a place: geocoded through the loopback Nominatim, read offline."""

from __future__ import annotations

import shutil
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from overpass_server import FakeOsmServer
from shapely.geometry import Polygon

from urbanfit.citydata import build_city
from urbanfit.errors import EmptyAreaError, NetworkUnavailableError, SourceError
from urbanfit.sources import OverpassConfig
from urbanfit.sources.extract import clip_extract, dataset_for_place, fetch_extract

TOWN = Path(__file__).parent / "data" / "town.osm"
PLACE = "Test Town"

# The west part of the town, with a notch cut out of its west edge between lat 0.0011 and
# 0.0019. Inside: nodes 1 (3.000, 0.001), 2 (3.001, 0.001), 4 (3.001, 0.000), 5 (3.001,
# 0.002); outside: nodes 3 and 6 (lon 3.002), so Main Street keeps 1->2 only, Cross Street
# keeps both of its segments 4->2 and 2->5 and Back Lane (6->3) goes. Of the buildings, the
# apartments (3.0003-3.0007, 0.0003-0.0007) are inside; the shop (3.0003-3.0006,
# 0.0013-0.0016) lies in the notch, inside the polygon's bounding box but not the polygon.
# Both lots (node 15 at lon 3.0015; Market Lot centred at lon 3.0015) are east of the edge.
WEST_RING = [
    (2.9995, -0.0005),
    (3.0014, -0.0005),
    (3.0014, 0.0025),
    (2.9995, 0.0025),
    (2.9995, 0.0019),
    (3.0008, 0.0019),
    (3.0008, 0.0011),
    (2.9995, 0.0011),
    (2.9995, -0.0005),
]


class WestTownServer(FakeOsmServer):
    """Geocodes the place to `WEST_RING` (part of the town) instead of the whole town."""

    def nominatim(self, q: str) -> list[dict[str, Any]]:
        found = super().nominatim(q)
        for hit in found:
            hit["geojson"] = {"type": "Polygon", "coordinates": [[list(p) for p in WEST_RING]]}
            hit["boundingbox"] = ["-0.0005", "0.0025", "2.9995", "3.0014"]
        return found


def _config(url: str, cache: Path) -> OverpassConfig:
    return OverpassConfig(overpass_url=f"{url}/api", nominatim_url=f"{url}/", cache_dir=cache)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _segments(raw: Any) -> list[tuple[int, int, int]]:
    """The drivable street segments (way id, from node, to node) of the clipped data."""
    streets = build_city(raw, name="clipped").streets
    return sorted(zip(streets["osm_id"], streets["u"], streets["v"], strict=True))


@pytest.mark.parametrize("kind", ["pbf", "osm"])
def test_clip_to_a_geocoded_place_keeps_exactly_the_streets_inside_it(
    kind: str, town_files: dict[str, Path], tmp_path: Path
) -> None:
    with WestTownServer(TOWN, place=PLACE) as server:
        raw = clip_extract(town_files[kind], place=PLACE, config=_config(server.url, tmp_path))
        asked = list(server.requests)
    assert asked == ["/search"]  # geocoding only: the streets come from the file
    assert _segments(raw) == [(100, 1, 2), (101, 2, 5), (101, 4, 2)]
    assert raw.lots.empty
    assert list(raw.buildings["osm_id"]) == [300]  # the shop in the notch is left out
    assert raw.boundary.equals(Polygon(WEST_RING))
    assert "clipped to Test Town" in raw.provenance.description


def test_clip_to_a_bbox(town_files: dict[str, Path]) -> None:
    raw = clip_extract(town_files["pbf"], bbox=(2.9995, -0.0005, 3.0014, 0.0025))
    assert _segments(raw) == [(100, 1, 2), (101, 2, 5), (101, 4, 2)]
    assert sorted(raw.buildings["osm_id"]) == [300, 301]  # a box has no notch


def test_clip_to_an_area_without_streets_is_an_empty_area_error(
    town_files: dict[str, Path],
) -> None:
    with pytest.raises(EmptyAreaError, match="no drivable streets inside"):
        clip_extract(town_files["pbf"], bbox=(2.9, 0.5, 2.95, 0.6))


def test_clip_needs_exactly_one_area(town_files: dict[str, Path]) -> None:
    with pytest.raises(SourceError, match="exactly one"):
        clip_extract(town_files["pbf"])


class NoDownload:
    """An opener for pyrosm that fails the test if any download is attempted."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def open(self, request: object, timeout: float | None = None) -> Any:
        self.calls.append(request)
        raise AssertionError("the cached extract should have been used")


def test_a_cached_extract_is_clipped_without_downloading(
    town_files: dict[str, Path], tmp_path: Path
) -> None:
    # pyrosm.get_data stores a dataset under <directory>/<its file name> and downloads only
    # when that file is missing (pyrosm.utils.download.download); Monaco's is Geofabrik's
    # monaco-latest.osm.pbf. Put the test town there as if it had been downloaded earlier.
    cache = tmp_path / "extracts"
    cache.mkdir()
    shutil.copy(town_files["pbf"], cache / "monaco-latest.osm.pbf")
    opener = NoDownload()
    with WestTownServer(TOWN, place=PLACE) as server:
        raw = fetch_extract(
            PLACE,
            dataset="monaco",
            cache_dir=cache,
            config=_config(server.url, tmp_path / "geocode"),
            opener=opener,
        )
    assert opener.calls == []
    assert _segments(raw) == [(100, 1, 2), (101, 2, 5), (101, 4, 2)]
    assert "monaco-latest.osm.pbf" in raw.provenance.description
    assert sorted(p.name for p in cache.iterdir()) == ["monaco-latest.osm.pbf"]


def test_an_unreachable_download_is_one_clear_error(tmp_path: Path) -> None:
    # every request goes through a proxy on a closed loopback port: nothing leaves the machine
    dead = f"http://127.0.0.1:{_closed_port()}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": dead, "https": dead}))
    with (
        WestTownServer(TOWN, place=PLACE) as server,
        pytest.raises(NetworkUnavailableError) as caught,
    ):
        fetch_extract(
            PLACE,
            dataset="monaco",
            cache_dir=tmp_path / "extracts",
            config=_config(server.url, tmp_path / "geocode"),
            opener=opener,
            timeout_s=2,
        )
    message = str(caught.value)
    assert message.startswith("could not download the regional extract 'monaco'")
    assert "--osm-file PATH --clip 'Test Town'" in message
    assert "\n" not in message
    assert not list((tmp_path / "extracts").glob("*.pbf"))  # no partial file left behind


def test_no_geocoder_is_a_network_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(NetworkUnavailableError, match="could not reach"):
        fetch_extract(PLACE, dataset="monaco", cache_dir=tmp_path, config=_config(url, tmp_path))


@pytest.mark.parametrize(
    ("display_name", "bounds", "dataset"),
    [
        # BBBike's Portland extract contains the city
        (
            "Portland, Multnomah County, Oregon, United States",
            (-122.8, 45.45, -122.5, 45.6),
            "portland",
        ),
        # BBBike's Portland is in Oregon: Maine's Portland takes the state extract
        ("Portland, Cumberland County, Maine, United States", (-70.3, 43.6, -70.2, 43.7), "maine"),
        ("Boise, Ada County, Idaho, United States", (-116.3, 43.5, -116.1, 43.7), "idaho"),
        # 'georgia' alone is ambiguous (the country): qualified by the later 'United States'
        (
            "Atlanta, Fulton County, Georgia, United States",
            (-84.5, 33.7, -84.3, 33.8),
            "usa/georgia",
        ),
        ("Monaco", (7.41, 43.72, 7.44, 43.75), "monaco"),
    ],
)
def test_dataset_rule(display_name: str, bounds: tuple[float, ...], dataset: str) -> None:
    from shapely.geometry import box

    assert dataset_for_place(display_name, box(*bounds)) == dataset


def test_a_place_no_dataset_matches_asks_for_one() -> None:
    with pytest.raises(SourceError, match="--dataset"):
        dataset_for_place("Test Town, Nowhere")
