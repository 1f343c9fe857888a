"""Map benchmark: map.html of a synthetic metro-scale city, its bytes per layer and load time.

Run: ``python benchmarks/bench_map.py [--edges 500000] [--work DIR] [--repeat 3]``.

The synthetic city (`synthetic_city.write_city`) is analysed once without the congestion model
(minutes at 500k edges) and the result cached as a pickle in ``--work``; later runs only
build the map. Printed: the seconds to build and write ``map.html``, its size, and per layer
the features and megabytes with the heaviest properties and the coordinates; then the time
to the page's load event in headless Chromium (Debian's ``/usr/bin/chromium`` through
Playwright, every network request refused as in tests/browser), the median of ``--repeat``
loads, and when the map has drawn its first frame after that.
"""

from __future__ import annotations

import argparse
import copyreg
import os
import pickle
import statistics
import sys
import time
import types
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
JS_MAP = "window[document.querySelector('.folium-map').id]"

# the catalog's read-only mappings pickle as plain dicts (the map only reads them)
copyreg.pickle(types.MappingProxyType, lambda proxy: (dict, (dict(proxy),)))


def cached_result(edges: int, work: Path) -> Any:
    """The analysis result of the synthetic city, computed once (no congestion) and cached."""
    cache = work / f"result-{edges}.pickle"
    if cache.is_file():
        return pickle.loads(cache.read_bytes())  # our own cache file
    sys.path.insert(0, str(HERE))
    from synthetic_city import write_city  # noqa: PLC0415

    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")
    from urbanfit import pipeline  # noqa: PLC0415

    path = work / f"synthetic-{edges}.osm.pbf"
    if not path.is_file():
        print(f"writing {path.name}: {write_city(path, edges=edges)}")
    started = time.perf_counter()
    result = pipeline.analyze(
        "synthetic", osm_file=path, name=f"synthetic {edges}", run_congestion=False
    )
    print(f"analysed {len(result.streets):,} edges in {time.perf_counter() - started:.0f} s")
    cache.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def layer_figures(fmap: Any) -> list[dict[str, Any]]:
    """Per overlay: name, features, and encoded bytes per property and of the coordinates."""
    import folium  # noqa: PLC0415

    from urbanfit.render.map_base import feature_count, layer_bytes  # noqa: PLC0415

    rows = []
    for child in fmap._children.values():
        if isinstance(child, folium.FeatureGroup):
            sizes = layer_bytes(child)
            rows.append(
                {
                    "layer": child.layer_name,
                    "features": feature_count(child),
                    "bytes": sum(sizes.values()),
                    "parts": sizes,
                }
            )
    return rows


def load_seconds(path: Path, *, repeat: int) -> list[dict[str, float]]:
    """Seconds to the load event and to the first drawn frame, for each of ``repeat`` loads."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        for _ in range(repeat):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.abort("internetdisconnected")
                    if route.request.url.startswith(("http://", "https://"))
                    else route.continue_()
                ),
            )
            page.goto(path.as_uri(), wait_until="load", timeout=300_000)
            frame = page.evaluate(
                "() => new Promise(done => requestAnimationFrame(() => done(performance.now())))"
            )
            load = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].loadEventStart"
            )
            features = page.evaluate(
                f"""() => {{
                  const map = {JS_MAP};
                  let n = 0;
                  map.eachLayer(l => {{ if (l.feature) n++; }});
                  return n;
                }}"""
            )
            runs.append({"load": load / 1000, "frame": frame / 1000, "drawn": features})
            context.close()
        browser.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/urbanfit-bench-map"))
    parser.add_argument("--repeat", type=int, default=3, help="page loads to time")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    result = cached_result(args.edges, args.work)
    from urbanfit.render.map import build_map  # noqa: PLC0415

    started = time.perf_counter()
    fmap = build_map(result)
    built = time.perf_counter() - started
    out = args.work / f"map-{args.edges}.html"
    started = time.perf_counter()
    fmap.save(str(out))
    saved = time.perf_counter() - started
    size = out.stat().st_size
    print(
        f"\n{len(result.streets):,} street edges: map built in {built:.1f} s, "
        f"written in {saved:.1f} s; map.html {size / 1e6:.1f} MB"
    )
    print(f"  {'layer':<48}{'features':>10}{'MB':>8}   heaviest parts (MB)")
    layers = layer_figures(fmap)
    for row in layers:
        parts = sorted(row["parts"].items(), key=lambda item: -item[1])[:4]
        heaviest = ", ".join(f"{name} {value / 1e6:.1f}" for name, value in parts)
        print(f"  {row['layer']:<48}{row['features']:>10,}{row['bytes'] / 1e6:>8.1f}   {heaviest}")
    rest = size - sum(row["bytes"] for row in layers)
    print(f"  {'page, libraries and scripts':<48}{'':>10}{rest / 1e6:>8.1f}")
    if not CHROMIUM.is_file():
        print(f"no {CHROMIUM}: load time not measured (run .ci/install-browser)")
        return
    runs = load_seconds(out, repeat=args.repeat)
    for run in runs:
        print(
            f"  load event {run['load']:.2f} s, first frame {run['frame']:.2f} s, "
            f"{run['drawn']:,.0f} features on the map"
        )
    print(f"load event, median of {len(runs)}: {statistics.median(r['load'] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
