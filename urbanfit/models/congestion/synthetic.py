"""A synthetic grid city (streets and buildings tables) for tests and benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["grid_city"]


def grid_city(
    nx: int,
    ny: int,
    *,
    spacing_m: float = 200.0,
    arterial_every: int = 5,
    floor_area_m2: float = 3000.0,
    spurs: int = 0,
    segments: int = 1,
    origin: tuple[float, float] = (385_000.0, 6_672_000.0),
    crs: str = "EPSG:32635",
    seed: int = 0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """
    Build ``streets`` and ``buildings`` tables of a rectangular grid city.

    Every ``arterial_every``-th row and column is a 4-lane primary street at 50 km/h, the
    rest 2-lane residential streets at 30 km/h, all two-way. ``spurs`` one-way dead ends
    stick out of the west edge (sinks that network preparation must remove). Each block
    holds one building: residential, commercial or other in the ratio 6:3:1 (seeded).
    ``segments`` > 1 splits every street into that many equal edges through new degree-2
    nodes, like unsimplified OSM graphs from pyrosm or OSMnx (one edge per pair of
    consecutive OSM nodes).

    Returns
    -------
    streets, buildings
        Tables following docs/tables.md (only the columns the congestion model reads, plus
        geometry), in ``crs``.
    """
    rng = np.random.default_rng(seed)
    ox, oy = origin
    ids = np.arange(nx * ny).reshape(ny, nx) + 1
    # horizontal edges (i, j) -> (i, j+1), vertical (i, j) -> (i+1, j)
    hu, hv = ids[:, :-1].ravel(), ids[:, 1:].ravel()
    h_row = np.repeat(np.arange(ny), nx - 1)
    vu, vv = ids[:-1, :].ravel(), ids[1:, :].ravel()
    v_col = np.tile(np.arange(nx), ny - 1)
    u = np.concatenate([hu, vu])
    v = np.concatenate([hv, vv])
    major = np.concatenate([h_row % arterial_every == 0, v_col % arterial_every == 0])
    x = ox + ((np.concatenate([hu, vu]) - 1) % nx) * spacing_m
    y = oy + ((np.concatenate([hu, vu]) - 1) // nx) * spacing_m
    x2 = ox + ((v - 1) % nx) * spacing_m
    y2 = oy + ((v - 1) // nx) * spacing_m
    oneway = np.zeros(len(u), dtype=bool)
    if spurs:
        rows = rng.choice(ny, size=min(spurs, ny), replace=False)
        su = ids[rows, 0]
        sv = nx * ny + 1 + np.arange(len(su))
        u = np.concatenate([u, su])
        v = np.concatenate([v, sv])
        major = np.concatenate([major, np.zeros(len(su), dtype=bool)])
        x = np.concatenate([x, np.full(len(su), ox)])
        y = np.concatenate([y, oy + rows * spacing_m])
        x2 = np.concatenate([x2, np.full(len(su), ox - spacing_m)])
        y2 = np.concatenate([y2, oy + rows * spacing_m])
        oneway = np.concatenate([oneway, np.ones(len(su), dtype=bool)])
    if segments > 1:
        u, v, x, y, x2, y2, major, oneway = _subdivide(
            segments, int(max(u.max(), v.max())), u, v, x, y, x2, y2, major, oneway
        )
    n = len(u)
    coords = np.stack([np.stack([x, y], 1), np.stack([x2, y2], 1)], axis=1)
    streets = gpd.GeoDataFrame(
        {
            "edge_id": np.arange(n, dtype=np.int64),
            "osm_id": np.arange(n, dtype=np.int64) + 1000,
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "highway": np.where(major, "primary", "residential"),
            "length_m": np.hypot(x2 - x, y2 - y),
            "lanes": np.where(major, 4.0, 2.0),
            "speed_kmh": np.where(major, 50.0, 30.0),
            "oneway": oneway,
        },
        geometry=shapely.linestrings(coords),
        crs=crs,
    )
    bx = ox + (np.arange(nx - 1) + 0.5) * spacing_m
    by = oy + (np.arange(ny - 1) + 0.5) * spacing_m
    gx, gy = np.meshgrid(bx, by)
    centres = np.stack([gx.ravel(), gy.ravel()], 1)
    half = spacing_m * 0.2
    uses = rng.choice(["residential", "commercial", "other"], size=len(centres), p=[0.6, 0.3, 0.1])
    levels = rng.integers(1, 6, size=len(centres)).astype(float)
    footprint = np.full(len(centres), (2 * half) ** 2)
    scale = floor_area_m2 / float(np.mean(footprint * levels)) if len(centres) else 1.0
    buildings = gpd.GeoDataFrame(
        pd.DataFrame(
            {
                "building_id": np.arange(len(centres), dtype=np.int64),
                "use": uses,
                "levels": levels,
                "footprint_m2": footprint,
                "floor_area_m2": footprint * levels * scale,
            }
        ),
        geometry=shapely.box(
            centres[:, 0] - half, centres[:, 1] - half, centres[:, 0] + half, centres[:, 1] + half
        ),
        crs=crs,
    )
    return streets, buildings


def _subdivide(k: int, last_id: int, u: np.ndarray, v: np.ndarray, *arrays: np.ndarray) -> tuple:
    """Split each edge into ``k`` equal edges through ``k - 1`` new nodes (ids after last)."""
    x, y, x2, y2, major, oneway = arrays
    n = len(u)
    mid = last_id + 1 + np.arange(n * (k - 1)).reshape(n, k - 1)
    nodes = np.column_stack([u, mid, v])  # n x (k + 1)
    f = np.arange(k + 1) / k
    px = x[:, None] + (x2 - x)[:, None] * f
    py = y[:, None] + (y2 - y)[:, None] * f
    return (
        nodes[:, :-1].ravel(),
        nodes[:, 1:].ravel(),
        px[:, :-1].ravel(),
        py[:, :-1].ravel(),
        px[:, 1:].ravel(),
        py[:, 1:].ravel(),
        np.repeat(major, k),
        np.repeat(oneway, k),
    )
