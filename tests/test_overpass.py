"""The Overpass path through OSMnx, against a loopback server that serves the test town."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest
from overpass_server import FakeOsmServer

from urbanfit.citydata import build_city
from urbanfit.errors import EmptyAreaError, NetworkUnavailableError, UnknownCityError
from urbanfit.sources import OverpassConfig, fetch_overpass, read_file

TOWN = Path(__file__).parent / "data" / "town.osm"
PLACE = "Test Town, Nowhere"


def _config(server_url: str, cache: Path) -> OverpassConfig:
    return OverpassConfig(
        overpass_url=f"{server_url}/api", nominatim_url=f"{server_url}/", cache_dir=cache
    )


def test_place_from_overpass_gives_the_same_tables_as_the_file(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        raw = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        posts = [r for r in server.requests if r.endswith("/interpreter")]
    # one query for the drive network, one for parking, one for buildings
    assert len(posts) == 3
    online = build_city(raw, name="t")
    offline = build_city(read_file(TOWN), name="t")
    pd.testing.assert_frame_equal(
        online.streets.drop(columns="geometry"),
        offline.streets.drop(columns="geometry"),
        check_dtype=False,
    )
    assert sorted(online.lots["osm_id"]) == [15, 200]
    assert sorted(online.buildings["osm_id"]) == [300, 301]
    assert online.provenance.kind == "overpass"


def test_second_run_is_served_from_the_cache(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        first = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        url = server.url
    # the server is gone: only the cache can answer now
    second = fetch_overpass(place=PLACE, config=_config(url, tmp_path))
    pd.testing.assert_frame_equal(second.edges, first.edges)
    assert len(build_city(second, name="t").streets) == 5
    assert any(tmp_path.iterdir())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_network_is_one_clear_error_suggesting_offline_options(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(NetworkUnavailableError) as caught:
        fetch_overpass(place=PLACE, config=_config(url, tmp_path))
    message = str(caught.value)
    assert "could not reach" in message and "--osm-file" in message and "helsinki" in message


def test_unknown_place_is_an_unknown_city_error(tmp_path: Path) -> None:
    with (
        FakeOsmServer(TOWN, place=PLACE) as server,
        pytest.raises(UnknownCityError, match="Atlantis"),
    ):
        fetch_overpass(place="Atlantis", config=_config(server.url, tmp_path))


def test_place_without_streets_is_an_empty_area_error(tmp_path: Path) -> None:
    with (
        FakeOsmServer(TOWN, place=PLACE, empty=True) as server,
        pytest.raises(EmptyAreaError, match="no drivable streets"),
    ):
        fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))


def test_empty_bbox_is_an_empty_area_error(tmp_path: Path) -> None:
    with (
        FakeOsmServer(TOWN, place=PLACE, empty=True) as server,
        pytest.raises(EmptyAreaError, match="no drivable streets"),
    ):
        fetch_overpass(bbox=(10.0, 10.0, 10.01, 10.01), config=_config(server.url, tmp_path))
