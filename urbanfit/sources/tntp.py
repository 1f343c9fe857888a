"""Read networks in the TNTP format (Transportation Networks for Research, Bar-Gera et al.).

A TNTP folder holds ``<name>_net.tntp`` (links: init node, term node, capacity, length,
free-flow time, BPR b and power...), ``<name>_trips.tntp`` (an origin-destination matrix in
``Origin i`` blocks of ``j : trips;`` pairs) and, for a few networks, ``<name>_flow.tntp`` (the
best-known equilibrium link flows). Nodes ``1..zones`` are the zones; nodes below
``<FIRST THRU NODE>`` may not be passed through. Some networks weight toll and length in the
generalised cost of a link (``<TOLL FACTOR>``, ``<DISTANCE FACTOR>`` in the net file's header):
``cost = time + toll factor x toll + distance factor x length``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from urbanfit.errors import SourceError

__all__ = ["TntpNetwork", "read_tntp", "read_tntp_flows", "read_tntp_links", "read_tntp_trips"]

_NET_COLUMNS = [
    "init_node",
    "term_node",
    "capacity",
    "length",
    "free_flow_time",
    "b",
    "power",
    "speed",
    "toll",
    "link_type",
]


@dataclass(frozen=True)
class TntpNetwork:
    """One TNTP network.

    Attributes
    ----------
    links
        One row per directed link, TNTP order: ``init_node``, ``term_node`` (int64),
        ``capacity``, ``length``, ``free_flow_time``, ``b``, ``power`` (float64)...
    trips
        Zones x zones demand matrix; ``trips[i - 1, j - 1]`` is the demand from zone i to j.
    zones
        Number of zones (nodes ``1..zones``).
    first_thru_node
        Nodes numbered below it may not be passed through.
    best_flows
        Best-known flow per link (``volume``, ``cost``), aligned with ``links``, or None.
    name
        The file stem, e.g. ``"SiouxFalls"``.
    toll_factor, distance_factor
        Weights of ``toll`` and ``length`` in the generalised cost (0 when the header has none).
    """

    links: pd.DataFrame
    trips: np.ndarray
    zones: int
    first_thru_node: int
    best_flows: pd.DataFrame | None
    name: str
    toll_factor: float = 0.0
    distance_factor: float = 0.0


def _metadata(text: str) -> dict[str, str]:
    return {m[0].upper(): m[1].strip() for m in re.findall(r"<([^>]+)>([^\n<]*)", text)}


def _body(text: str) -> str:
    marker = "<END OF METADATA>"
    at = text.find(marker)
    return text[at + len(marker) :] if at >= 0 else text


def _factor(meta: dict[str, str], key: str, path: Path) -> float:
    text = meta.get(key, "").strip() or "0"
    try:
        value = float(text)
    except ValueError:
        raise SourceError(f"{path}: <{key}> is not a number: {text[:30]!r}") from None
    if not np.isfinite(value) or value < 0:
        raise SourceError(f"{path}: <{key}> must be a non-negative number, got {text[:30]!r}")
    return value


def _count(meta: dict[str, str], key: str, path: Path, *, default: int) -> int:
    text = meta.get(key, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise SourceError(f"{path}: <{key}> is not a whole number: {text[:30]!r}")
    return int(text)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError as error:
        raise SourceError(f"cannot read TNTP file {path}: {error.strerror}") from None


def read_tntp_links(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """
    Read a TNTP ``_net.tntp`` file.

    Parameters
    ----------
    path
        The network file.

    Returns
    -------
    links, metadata
        One row per link with the TNTP columns, and the ``<KEY> value`` header entries.
    """
    text = _read(path)
    meta = _metadata(text)
    rows = []
    for raw in _body(text).splitlines():
        line = raw.strip()
        if not line or line.startswith("~"):
            continue
        fields = line.rstrip(";").split()
        if len(fields) < 7:
            raise SourceError(f"{path}: malformed link line {line[:60]!r}")
        rows.append(fields[:10])
    if not rows:
        raise SourceError(f"{path}: no links")
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + ["0"] * (width - len(r)) for r in rows], columns=_NET_COLUMNS[:width])
    try:
        frame = frame.astype(float)
    except ValueError:
        raise SourceError(f"{path}: non-numeric link data") from None
    frame["init_node"] = frame["init_node"].astype("int64")
    frame["term_node"] = frame["term_node"].astype("int64")
    expected = meta.get("NUMBER OF LINKS")
    if expected is not None and expected.isdigit() and int(expected) != len(frame):
        raise SourceError(f"{path}: header says {expected} links, found {len(frame)}")
    return frame, meta


def read_tntp_trips(path: Path, zones: int | None = None) -> np.ndarray:
    """
    Read a TNTP ``_trips.tntp`` demand file into a dense zones x zones matrix.

    Parameters
    ----------
    path
        The trips file.
    zones
        Number of zones; taken from the file header when None.

    Returns
    -------
    trips
        ``trips[i - 1, j - 1]`` = demand from zone i to zone j (float64).
    """
    text = _read(path)
    meta = _metadata(text)
    if zones is None:
        try:
            zones = int(meta["NUMBER OF ZONES"])
        except (KeyError, ValueError):
            raise SourceError(f"{path}: no <NUMBER OF ZONES> header") from None
    matrix = np.zeros((zones, zones))
    blocks = re.split(r"Origin\s+", _body(text))[1:]
    for block in blocks:
        head, _, rest = block.partition("\n")
        try:
            origin = int(head.split()[0])
        except (IndexError, ValueError):
            raise SourceError(f"{path}: malformed origin line {head[:40]!r}") from None
        pairs = re.findall(r"(\d+)\s*:\s*([-+0-9.eE]+)", rest)
        if not pairs:
            continue
        dest = np.array([int(d) for d, _ in pairs]) - 1
        vals = np.array([float(v) for _, v in pairs])
        if origin < 1 or origin > zones or dest.min() < 0 or dest.max() >= zones:
            raise SourceError(f"{path}: zone number out of range near origin {origin}")
        matrix[origin - 1, dest] = vals
    total = meta.get("TOTAL OD FLOW")
    if total is not None:
        try:
            stated = float(total)
        except ValueError:
            stated = None
        if stated is not None and abs(matrix.sum() - stated) > 1e-6 * max(stated, 1.0):
            raise SourceError(f"{path}: trips sum to {matrix.sum():.1f}, header says {stated:.1f}")
    return matrix


def read_tntp_flows(path: Path) -> pd.DataFrame:
    """
    Read a TNTP best-known flow file (``From To Volume Cost`` per line).

    Parameters
    ----------
    path
        The flow file.

    Returns
    -------
    flows
        Columns ``init_node``, ``term_node`` (int64), ``volume``, ``cost`` (float64).
    """
    text = _read(path)
    rows = []
    for line in text.splitlines():
        fields = line.replace(";", " ").split()
        if len(fields) >= 3 and fields[0].isdigit() and fields[1].isdigit():
            rows.append(
                (
                    int(fields[0]),
                    int(fields[1]),
                    float(fields[2]),
                    float(fields[3]) if len(fields) > 3 else np.nan,
                )
            )
    if not rows:
        raise SourceError(f"{path}: no flows")
    return pd.DataFrame(rows, columns=["init_node", "term_node", "volume", "cost"])


def _find(folder: Path, suffix: str) -> Path | None:
    found = sorted(folder.glob(f"*{suffix}"))
    return found[0] if found else None


def _align_flows(
    links: pd.DataFrame, flows: pd.DataFrame, flow_path: Path, net_path: Path
) -> pd.DataFrame:
    """Align the best-known flows with the links; parallel links pair up in file order."""
    keys = ["init_node", "term_node"]
    left = links[keys].assign(_k=links.groupby(keys).cumcount())
    right = flows.assign(_k=flows.groupby(keys).cumcount())
    merged = left.merge(right, on=[*keys, "_k"], how="left", validate="one_to_one")
    if merged["volume"].isna().any() or len(flows) != len(links):
        raise SourceError(
            f"{flow_path}: {len(flows)} flows do not match the {len(links)} links of "
            f"{net_path.name} (each link needs one From/To line)"
        )
    return merged[["volume", "cost"]].reset_index(drop=True)


def read_tntp(folder: Path) -> TntpNetwork:
    """
    Read a TNTP network folder (net, trips and, when present, best-known flows).

    Parameters
    ----------
    folder
        A folder holding ``*_net.tntp`` and ``*_trips.tntp`` (and optionally ``*_flow.tntp``).

    Returns
    -------
    network
        The links, the demand matrix and the best-known flows aligned with the links.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"TNTP folder {folder} does not exist")
    net_path = _find(folder, "_net.tntp")
    trips_path = _find(folder, "_trips.tntp")
    if net_path is None or trips_path is None:
        raise SourceError(f"{folder} holds no *_net.tntp and *_trips.tntp files")
    links, meta = read_tntp_links(net_path)
    zones = _count(meta, "NUMBER OF ZONES", net_path, default=0)
    trips = read_tntp_trips(trips_path, zones or None)
    zones = trips.shape[0]
    first_thru = _count(meta, "FIRST THRU NODE", net_path, default=1)
    flow_path = _find(folder, "_flow.tntp")
    best = None
    if flow_path is not None:
        best = _align_flows(links, read_tntp_flows(flow_path), flow_path, net_path)
    return TntpNetwork(
        links=links,
        trips=trips,
        zones=zones,
        first_thru_node=first_thru,
        best_flows=best,
        name=net_path.name.removesuffix("_net.tntp"),
        toll_factor=_factor(meta, "TOLL FACTOR", net_path),
        distance_factor=_factor(meta, "DISTANCE FACTOR", net_path),
    )
