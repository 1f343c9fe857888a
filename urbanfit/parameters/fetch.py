"""Limits of online fetching: the largest area sent to Overpass, the patience with busy servers."""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["FetchParams"]


@dataclass(frozen=True)
class FetchParams:
    """How much urbanfit asks of the public Overpass and Nominatim servers, and how patiently."""

    max_area_km2: float = param(
        2500.0,
        "km²",
        "modelling assumption: one OSMnx query cell (osmnx.settings.max_query_area_size, "
        "default 50 km x 50 km = 2,500 km², OSMnx 2.x documentation). A larger area is split by "
        "OSMnx into one Overpass request per cell (a box over the contiguous US is thousands), "
        "which the public servers' fair-use rules do not allow; every city proper in the US is "
        "smaller except a few consolidated city-counties, for which --source extract reads the "
        "regional extract instead",
    )
    max_wait_s: float = param(
        120.0,
        "s",
        "modelling assumption: total time spent waiting on HTTP 429 (Too Many Requests) before "
        "giving up, so that a busy server ends the run in at most two minutes instead of "
        "retrying forever (override with URBANFIT_MAX_WAIT_S)",
    )
    max_retries: int = param(
        4,
        "requests",
        "modelling assumption: retries of one request after HTTP 429; with the backoff below "
        "and no Retry-After header they wait 5 + 10 + 20 + 40 = 75 s, within max_wait_s",
    )
    backoff_s: float = param(
        5.0,
        "s",
        "modelling assumption: first wait after an HTTP 429 without a Retry-After header, "
        "doubled at each retry (exponential backoff, RFC 9110 section 10.2.3 lets the server "
        "name the wait in Retry-After; it is honoured when given)",
    )
