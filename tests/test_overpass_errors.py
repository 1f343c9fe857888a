"""What a misbehaving Overpass or Nominatim server does to a run: one clear error, or a retry.

Every case runs against the loopback server (tests/overpass_server.py) with scripted replies.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path

import pytest
from overpass_server import FakeOsmServer, Reply

from urbanfit.errors import (
    ConfigError,
    EmptyAreaError,
    NetworkUnavailableError,
    ServiceError,
    SourceError,
    UnknownCityError,
)
from urbanfit.parameters.fetch import FetchParams
from urbanfit.sources import OverpassConfig, fetch_overpass
from urbanfit.sources.geocode import geocode_place

TOWN = Path(__file__).parent / "data" / "town.osm"
PLACE = "Test Town, Nowhere"


def _config(url: str, cache: Path, **options: object) -> OverpassConfig:
    return OverpassConfig(
        overpass_url=f"{url}/api", nominatim_url=f"{url}/", cache_dir=cache, **options
    )


def _posts(server: FakeOsmServer) -> int:
    return sum(r.endswith("/interpreter") for r in server.requests)


def test_http_5xx_names_the_server_that_failed(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", Reply(status=503))
        with pytest.raises(ServiceError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
    message = str(caught.value)
    assert f"Overpass ({server.url}/api)" in message
    assert "HTTP 503" in message
    assert "Nominatim" not in message


def test_nominatim_5xx_names_nominatim(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("nominatim", Reply(status=502))
        with pytest.raises(ServiceError, match=r"Nominatim \(http://127\.0\.0\.1:\d+\).*HTTP 502"):
            geocode_place(PLACE, config=_config(server.url, tmp_path))


def test_429_honours_retry_after_then_succeeds(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", Reply(status=429, headers={"Retry-After": "1"}))
        started = time.perf_counter()
        raw = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        seconds = time.perf_counter() - started
        posts = _posts(server)
    # the street query was refused once and sent again after the 1 s asked for: 3 queries + 1
    assert posts == 4
    assert seconds >= 1.0
    assert len(raw.edges) > 0


def test_429_gives_up_at_the_total_wait_limit(tmp_path: Path) -> None:
    limits = FetchParams(max_wait_s=2.0, max_retries=10)
    busy = Reply(status=429, headers={"Retry-After": "1"})
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", *[busy] * 10)
        started = time.perf_counter()
        with pytest.raises(ServiceError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path, limits=limits))
        seconds = time.perf_counter() - started
        posts = _posts(server)
    # waits of 1 s fit twice in the 2 s limit: the first request and 2 retries, then the error
    assert posts == 3
    assert 2.0 <= seconds < 10.0
    assert "HTTP 429" in str(caught.value) and "limit 2 s" in str(caught.value)


def test_429_backs_off_without_retry_after_and_counts_retries(tmp_path: Path) -> None:
    limits = FetchParams(max_retries=2, backoff_s=0.1)
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", *[Reply(status=429)] * 5)
        started = time.perf_counter()
        with pytest.raises(ServiceError, match="after 2 retries"):
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path, limits=limits))
        seconds = time.perf_counter() - started
        posts = _posts(server)
    # backoff 0.1 s then 0.2 s: 0.3 s of waiting, 1 request + 2 retries
    assert posts == 3
    assert seconds >= 0.3


def test_a_retry_after_beyond_the_limit_fails_at_once(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("nominatim", Reply(status=429, headers={"Retry-After": "3600"}))
        started = time.perf_counter()
        with pytest.raises(ServiceError, match=r"Nominatim .*HTTP 429.*limit 120 s"):
            geocode_place(PLACE, config=_config(server.url, tmp_path))
    assert time.perf_counter() - started < 5.0


def test_max_wait_comes_from_the_environment_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("URBANFIT_MAX_WAIT_S", "30")
    assert OverpassConfig().limits.max_wait_s == 30.0
    monkeypatch.setenv("URBANFIT_MAX_WAIT_S", "two minutes")
    with pytest.raises(ConfigError, match="URBANFIT_MAX_WAIT_S must be a number of seconds"):
        OverpassConfig()


def test_a_garbage_body_is_one_short_error_without_the_body(tmp_path: Path) -> None:
    garbage = b"\x1b[31m<html>overloaded</html>\x00\xff" * 200  # 6 KB with escape bytes
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", Reply(body=garbage, headers={"Content-Type": "text/html"}))
        with pytest.raises(ServiceError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
    message = str(caught.value)
    assert "not JSON" in message and "Overpass" in message
    assert "\x1b" not in message and "overloaded" not in message
    assert len(message) < 300
    # (1 + 4 + 6 + 10 + 7 + 2) = 30 bytes x 200 = 6,000 bytes, counted in the message
    assert "6,000 bytes" in message


def test_json_of_the_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("nominatim", Reply(body=b'{"error": "nope"}'))
        with pytest.raises(ServiceError, match="Nominatim .* not a list of places"):
            geocode_place(PLACE, config=_config(server.url, tmp_path))


def test_a_nominatim_hang_names_nominatim(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("nominatim", Reply(hang_s=2.0))
        with pytest.raises(NetworkUnavailableError) as caught:
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path, timeout_s=0.5))
    message = str(caught.value)
    assert message.startswith(f"Nominatim ({server.url}) did not answer within 0.5 s")
    assert "/api" not in message


def test_an_overpass_hang_names_overpass(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        server.script("overpass", Reply(hang_s=2.0))
        with pytest.raises(NetworkUnavailableError, match=r"^Overpass \(.*/api\) did not answer"):
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path, timeout_s=0.5))


def _cached(cache: Path) -> list[object]:
    return [json.loads(p.read_text()) for p in sorted(cache.glob("*.json"))]


def test_empty_answers_are_not_cached(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE, empty=True) as server:
        with pytest.raises(UnknownCityError):
            fetch_overpass(place="Atlantis", config=_config(server.url, tmp_path))
        assert _cached(tmp_path) == []  # Nominatim's [] was dropped
        with pytest.raises(EmptyAreaError):
            fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
    # the place's boundary stays cached; the empty street answer does not
    kept = _cached(tmp_path)
    assert len(kept) == 1 and isinstance(kept[0], list) and kept[0][0]["display_name"] == PLACE


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2].encode(),  # truncated
        lambda _text: b"{}",
        lambda _text: os.urandom(64) + b"\xff\xfe",  # random bytes, never valid UTF-8
    ],
    ids=["truncated", "empty-object", "random-bytes"],
)
def test_a_corrupted_cache_entry_is_dropped_and_fetched_again(
    tmp_path: Path, damage, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        first = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        entries = sorted(tmp_path.glob("*.json"))
        # 1 Nominatim answer and 3 Overpass answers (streets, lots, buildings)
        assert len(entries) == 4
        for path in entries:
            path.write_bytes(damage(path.read_text()))
        before = _posts(server)
        with caplog.at_level(logging.WARNING, logger="urbanfit"):
            second = fetch_overpass(place=PLACE, config=_config(server.url, tmp_path))
        refetched = _posts(server) - before
    assert refetched == 3
    assert len(second.edges) == len(first.edges)
    assert "corrupted cache file" in caplog.text
    assert all(isinstance(entry, list | dict) and entry for entry in _cached(tmp_path))


def test_a_bbox_over_the_area_cap_is_refused_before_any_request(tmp_path: Path) -> None:
    with FakeOsmServer(TOWN, place=PLACE) as server:
        with pytest.raises(SourceError) as caught:
            # the contiguous US: about 59 deg x 26 deg, some 15 million km2
            fetch_overpass(bbox=(-125.0, 24.0, -66.0, 50.0), config=_config(server.url, tmp_path))
        assert server.requests == []
    message = str(caught.value)
    assert "--source extract" in message and "2,500 km²" in message
    assert list(tmp_path.iterdir()) == []


def test_a_bbox_just_under_the_cap_is_accepted(tmp_path: Path) -> None:
    # 0.4 deg x 0.4 deg at the equator: 44.5 km x 44.2 km = 1,970 km2 < 2,500 km2
    with FakeOsmServer(TOWN, place=PLACE, empty=True) as server:
        with pytest.raises(EmptyAreaError):
            fetch_overpass(bbox=(2.8, -0.2, 3.2, 0.2), config=_config(server.url, tmp_path))
        assert _posts(server) == 1


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ((-200.0, 0.0, 1.0, 1.0), "longitudes must lie in"),
        ((0.0, -95.0, 1.0, 1.0), "latitudes must lie in"),
        ((1.0, 0.0, 0.0, 1.0), "west < east"),
        ((float("nan"), 0.0, 1.0, 1.0), "four numbers"),
    ],
)
def test_bbox_coordinates_are_checked(tmp_path: Path, bbox, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        fetch_overpass(bbox=bbox, config=_config("http://127.0.0.1:9", tmp_path))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_without_network_a_bbox_fails_as_fast_as_a_place(tmp_path: Path) -> None:
    # rate limiting on, as for the public server: OSMnx would wait 60 s for a status slot
    config = _config(f"http://127.0.0.1:{_closed_port()}", tmp_path, rate_limit=True)
    started = time.perf_counter()
    with pytest.raises(NetworkUnavailableError, match=r"could not reach Overpass"):
        fetch_overpass(bbox=(3.0, 0.0, 3.01, 0.01), config=config)
    assert time.perf_counter() - started < 10.0
