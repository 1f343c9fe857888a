"""Overpass and Nominatim through OSMnx: endpoints, patience, and one readable error per failure.

OSMnx makes every request with ``requests`` and passes ``osmnx.settings.requests_kwargs`` on to
it; urbanfit puts a response hook there (``requests``' documented event hooks) that

- waits and retries on HTTP 429, as long as the server's ``Retry-After`` (or an exponential
  backoff) says, within a retry count and a total wait limit (`FetchParams`);
- turns any other HTTP error, a body that is not JSON, or JSON of the wrong shape into one
  `ServiceError` naming the service, never echoing the body.

`call_service` runs an OSMnx call under those settings and also names the service in a timeout
or a refused connection, drops corrupted cache entries (truncated, ``{}``, not UTF-8) and fetches
them again with a warning, and forgets an empty answer that ended the run, so that a rerun asks
the server again.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlparse

import numpy as np
import osmnx as ox
import requests

from urbanfit.errors import (
    ConfigError,
    EmptyAreaError,
    NetworkUnavailableError,
    ServiceError,
    UnknownCityError,
)
from urbanfit.folders import folder_problem
from urbanfit.parameters.fetch import FetchParams
from urbanfit.sources._osmnx import osmnx_settings

__all__ = [
    "OverpassConfig",
    "Service",
    "answer_problem",
    "call_service",
    "check_cache",
    "default_cache_dir",
]

log = logging.getLogger(__name__)

Service = Literal["Nominatim", "Overpass"]
T = TypeVar("T")

OFFLINE_HINT = (
    "check the internet connection, or analyse a local extract with --osm-file PATH, "
    "or an offline preset such as `urbanfit analyze helsinki`"
)
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_CACHE_HINT = "point URBANFIT_CACHE (or --cache-dir) at a folder urbanfit can write"


def default_cache_dir() -> Path:
    """``$URBANFIT_CACHE``, else ``$XDG_CACHE_HOME/urbanfit``, else ``~/.cache/urbanfit``."""
    if os.environ.get("URBANFIT_CACHE"):
        return Path(os.environ["URBANFIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "urbanfit"


def _limits_from_env() -> FetchParams:
    text = os.environ.get("URBANFIT_MAX_WAIT_S")
    if text is None:
        return FetchParams()
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigError(f"URBANFIT_MAX_WAIT_S must be a number of seconds >= 0, got {text!r}")
    return FetchParams(max_wait_s=seconds)


@dataclass(frozen=True)
class OverpassConfig:
    """Endpoints, cache and limits of online fetching; environment variables override defaults.

    ``URBANFIT_OVERPASS_URL``, ``URBANFIT_NOMINATIM_URL``, ``URBANFIT_CACHE`` and
    ``URBANFIT_MAX_WAIT_S`` (seconds of waiting on HTTP 429 in all, `FetchParams.max_wait_s`).
    ``rate_limit`` None asks the Overpass status endpoint for a slot before each query on a
    public server and not on a loopback one.
    """

    overpass_url: str = field(
        default_factory=lambda: os.environ.get(
            "URBANFIT_OVERPASS_URL", "https://overpass-api.de/api"
        )
    )
    nominatim_url: str = field(
        default_factory=lambda: os.environ.get(
            "URBANFIT_NOMINATIM_URL", "https://nominatim.openstreetmap.org/"
        )
    )
    cache_dir: Path = field(default_factory=lambda: default_cache_dir() / "overpass")
    timeout_s: float = 180.0
    limits: FetchParams = field(default_factory=_limits_from_env)
    rate_limit: bool | None = None

    def url(self, service: Service) -> str:
        """Return the endpoint of ``service``, without a trailing slash."""
        return (self.overpass_url if service == "Overpass" else self.nominatim_url).rstrip("/")

    def label(self, service: Service) -> str:
        """``"Overpass (https://...)"``: how errors name a service."""
        return f"{service} ({self.url(service)})"


def _retry_after(response: requests.Response) -> float | None:
    """Seconds the server asks to wait (``Retry-After`` as seconds or an HTTP date), or None."""
    text = response.headers.get("Retry-After", "").strip()
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class _Guard:
    """The response hook of one fetch: 429 retries within the limits, then checks the answer."""

    def __init__(self, config: OverpassConfig, service: Service) -> None:
        self.service = service
        self.label = config.label(service)
        self.limits = config.limits
        endpoint = config.url(service)
        self.answers = (
            (f"{endpoint}/interpreter",)
            if service == "Overpass"
            else tuple(f"{endpoint}/{kind}" for kind in ("search", "lookup", "reverse"))
        )
        self.waited_s = 0.0

    def __call__(self, response: requests.Response, **send: Any) -> requests.Response | None:
        url = str(response.request.url or "")
        if not url.startswith(self.answers) or response.is_redirect:
            return None  # the Overpass status endpoint, or a redirect requests follows
        return self._answer(response, send)

    def _answer(self, response: requests.Response, send: dict[str, Any]) -> requests.Response:
        retries = 0
        while response.status_code == 429:
            asked = _retry_after(response)
            wait = asked if asked is not None else self.limits.backoff_s * 2**retries
            if retries >= self.limits.max_retries or self.waited_s + wait > self.limits.max_wait_s:
                response.close()
                raise ServiceError(
                    f"{self.label} is refusing requests (HTTP 429 Too Many Requests) after "
                    f"{retries} retries and {self.waited_s:.0f} s of waiting (limit "
                    f"{self.limits.max_wait_s:.0f} s, URBANFIT_MAX_WAIT_S); try again later"
                )
            log.warning(
                "%s: HTTP 429 Too Many Requests, waiting %.3g s (retry %d of at most %d)",
                self.label,
                wait,
                retries + 1,
                self.limits.max_retries,
            )
            time.sleep(wait)
            self.waited_s += wait
            retries += 1
            response.close()
            response = response.connection.send(response.request, **send)
        try:
            self._check(response)
        except ServiceError:
            response.close()
            raise
        return response

    def _check(self, response: requests.Response) -> None:
        code = response.status_code
        if code >= 500:
            raise ServiceError(
                f"{self.label} failed with HTTP {code} {response.reason}: the server is down or "
                "overloaded; try again later"
            )
        if code >= 400:
            raise ServiceError(
                f"{self.label} refused the request with HTTP {code} {response.reason}"
            )
        body = response.content
        try:
            answer = json.loads(body)
        except ValueError:  # not JSON, or not UTF-8 text
            kind = response.headers.get("Content-Type", "no content type")
            raise ServiceError(
                f"{self.label} sent {len(body):,} bytes that are not JSON ({kind[:60]}); is "
                f"that URL an {self.service} API?"
            ) from None
        problem = answer_problem(answer, self.service)
        if problem is not None:
            raise ServiceError(
                f"{self.label} sent {problem}; the answer was not kept in the cache, so the next "
                "run asks again"
            )
        if self.service == "Nominatim":
            return
        remark = str(answer.get("remark", ""))
        if "error" in remark.lower():
            shown = "".join(c for c in remark if c.isprintable())[:200]
            raise ServiceError(f"{self.label} could not answer the query: {shown}")


def _brief(error: BaseException) -> str:
    text = "".join(c for c in " ".join(str(error).split()) if c.isprintable())
    return text if len(text) <= 160 else text[:157] + "..."


_NUMBERS = (int, float)


def _node_problem(nodes: list[dict[str, Any]]) -> str | None:
    """Return the first node whose latitude or longitude is not a number in range, if any."""
    lat = [node.get("lat") for node in nodes]
    lon = [node.get("lon") for node in nodes]
    numeric = all(type(v) in _NUMBERS for v in lat) and all(type(v) in _NUMBERS for v in lon)
    if numeric:  # the usual case, checked with numpy
        bad = ~((np.abs(np.asarray(lat, dtype=float)) <= 90.0)
                & (np.abs(np.asarray(lon, dtype=float)) <= 180.0))  # fmt: skip
        first = int(np.argmax(bad)) if bad.any() else None
    else:
        first = next(
            i for i, (y, x) in enumerate(zip(lat, lon, strict=True))
            if type(y) not in _NUMBERS or type(x) not in _NUMBERS
        )  # fmt: skip
    if first is None:
        return None
    return (
        f"node {nodes[first].get('id')!r} at lat {str(lat[first])[:20]!r}, lon "
        f"{str(lon[first])[:20]!r} (latitudes lie in [-90, 90] and longitudes in [-180, 180] "
        "degrees)"
    )


def _elements_problem(elements: list[Any]) -> str | None:
    """Return what makes Overpass elements unreadable as OSM data (None when nothing does)."""
    if not all(isinstance(e, dict) for e in elements):
        return "an element that is not an object"
    kinds: dict[str, list[dict[str, Any]]] = {"node": [], "way": [], "relation": []}
    for element in elements:
        kind = kinds.get(element.get("type"))
        if kind is None:
            return "an element that is not an OSM node, way or relation"
        kind.append(element)
    for name, group in kinds.items():
        if not all(type(e.get("id")) is int for e in group):
            return f"a {name} without a numeric id"
    problem = _node_problem(kinds["node"])
    if problem is not None:
        return problem
    refs: list[Any] = [way.get("nodes") for way in kinds["way"]]
    if not all(type(r) is list for r in refs):
        return "a way without its list of nodes"
    missing = set(itertools.chain.from_iterable(refs)) - {n["id"] for n in kinds["node"]}
    if missing:
        # every query urbanfit sends asks for the ways' nodes too ("(._;>;);")
        return f"ways without {len(missing):,} of their nodes (e.g. node {min(missing, key=str)!r})"
    return None


def answer_problem(answer: Any, service: Service) -> str | None:
    """
    Say what makes a parsed answer (or cache entry) unusable; None when it can be read.

    Parameters
    ----------
    answer
        The parsed JSON.
    service
        Nominatim answers a list of places; Overpass an object with a list of OSM elements,
        every node with its latitude and longitude in range and every way's nodes present.

    Returns
    -------
    problem
        A few words that follow "<service> sent ...", or None.
    """
    if service == "Nominatim":
        return None if isinstance(answer, list) else "JSON that is not a list of places"
    if not isinstance(answer, dict) or not isinstance(answer.get("elements"), list):
        return "JSON without a list of OSM elements"
    problem = _elements_problem(answer["elements"])
    return None if problem is None else f"an answer that is not valid OSM data: {problem}"


def _settings(config: OverpassConfig, guard: _Guard, *, rate_limit: bool) -> dict[str, Any]:
    return {
        "use_cache": True,
        "cache_folder": str(config.cache_dir),
        "overpass_url": config.url("Overpass"),
        "nominatim_url": config.url("Nominatim") + "/",
        "requests_timeout": config.timeout_s,
        "overpass_rate_limit": rate_limit,
        "doh_url_template": ox.settings.doh_url_template if rate_limit else None,
        "requests_kwargs": {"hooks": {"response": [guard]}},
    }


def _rate_limit(config: OverpassConfig, service: Service) -> bool:
    """Whether to ask Overpass for a slot first: on for a public server that answers at all.

    When the status endpoint cannot be reached, OSMnx would wait 60 s before each query; the
    query itself then fails at once (or is answered from the cache), so the wait is skipped.
    """
    if service != "Overpass":
        return False
    wanted = config.rate_limit
    if wanted is None:
        wanted = urlparse(config.overpass_url).hostname not in _LOOPBACK
    if not wanted:
        return False
    try:
        requests.get(f"{config.url('Overpass')}/status", timeout=min(config.timeout_s, 10.0))
    except requests.exceptions.RequestException:
        return False
    return True


def _entry_ok(answer: Any) -> bool:
    """Whether a cache entry is a Nominatim list of places or a readable Overpass answer."""
    return isinstance(answer, list) or answer_problem(answer, "Overpass") is None


def _empty(answer: Any) -> bool:
    return answer == [] or (isinstance(answer, dict) and answer.get("elements") == [])


def _read_entry(path: Path) -> Any:
    """Return a cache entry's JSON, or ``...`` when it cannot be parsed."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return ...


def _drop_corrupt(cache: Path) -> list[str]:
    """Delete cache entries that are not a Nominatim list or an Overpass answer; their names."""
    dropped = []
    for path in sorted(cache.glob("*.json")):
        if not _entry_ok(_read_entry(path)):
            path.unlink(missing_ok=True)
            dropped.append(path.name)
    return dropped


def _drop_new(cache: Path, before: set[str]) -> None:
    """Delete the entries cached since ``before`` was listed: an answer that failed to parse."""
    for path in cache.glob("*.json"):
        if path.name not in before:
            path.unlink(missing_ok=True)
            log.info("not keeping the unreadable answer %s in the cache", path.name)


def check_cache(cache: Path) -> None:
    """
    Refuse a cache folder that cannot be used, before any request: one sentence naming it.

    Parameters
    ----------
    cache
        The cache folder (created if missing).

    Raises
    ------
    ConfigError
        It cannot be created or written (a file, a read-only or virtual file system), or an
        entry in it is a folder, where an answer would be written.
    """
    problem = folder_problem(cache)
    if problem is not None:
        raise ConfigError(f"cannot use the download cache {cache}: {problem}; {_CACHE_HINT}")
    entry = next((p for p in sorted(cache.glob("*.json")) if p.is_dir()), None)
    if entry is not None:
        raise ConfigError(
            f"the download cache entry {entry} is a folder, where urbanfit keeps a file: "
            f"remove it, or {_CACHE_HINT}"
        )


def _drop_empty(cache: Path, before: set[str]) -> None:
    """Delete the empty answers cached since ``before`` was listed."""
    for path in cache.glob("*.json"):
        if path.name not in before and _empty(_read_entry(path)):
            path.unlink(missing_ok=True)
            log.info("not keeping the empty answer %s in the cache", path.name)


def call_service(config: OverpassConfig, service: Service, fetch: Callable[[], T]) -> T:
    """
    Run an OSMnx call that talks to ``service``, with urbanfit's endpoints, cache and checks.

    Parameters
    ----------
    config
        Endpoints, cache folder, timeout and limits.
    service
        Which server ``fetch`` asks; errors name it.
    fetch
        The OSMnx call; it may raise `EmptyAreaError` or `UnknownCityError` for an empty answer,
        which is then not kept in the cache.

    Returns
    -------
    answer
        What ``fetch`` returned.
    """
    cache = Path(config.cache_dir)
    check_cache(cache)
    before = {p.name for p in cache.glob("*.json")}
    guard = _Guard(config, service)
    settings = _settings(config, guard, rate_limit=_rate_limit(config, service))
    for attempt in (1, 2):
        try:
            with osmnx_settings(**settings):
                return fetch()
        except requests.exceptions.Timeout:
            raise NetworkUnavailableError(
                f"{config.label(service)} did not answer within {config.timeout_s:g} s; "
                f"try again later, or {OFFLINE_HINT}"
            ) from None
        except requests.exceptions.RequestException as error:
            raise NetworkUnavailableError(
                f"could not reach {config.label(service)} ({type(error).__name__}); {OFFLINE_HINT}"
            ) from None
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            # an answer (fetched now, or cached earlier) that OSMnx could not read
            _drop_new(cache, before)
            dropped = _drop_corrupt(cache) if attempt == 1 else []
            if not dropped:
                raise ServiceError(
                    f"{config.label(service)} sent an answer that could not be read "
                    f"({type(error).__name__}: {_brief(error)}); it was not kept in the cache, "
                    "so the next run asks again"
                ) from None
            log.warning(
                "dropped %d corrupted cache file(s) in %s (%s); fetching again from %s",
                len(dropped),
                cache,
                ", ".join(dropped),
                service,
            )
        except (EmptyAreaError, UnknownCityError):
            _drop_empty(cache, before)
            raise
        except OSError as error:  # the cache, written by OSMnx (requests' errors are caught above)
            raise ConfigError(
                f"cannot use the download cache {error.filename or cache}: "
                f"{(error.strerror or str(error)).lower()}; {_CACHE_HINT}"
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover
