"""The analysis pipeline: source -> city data -> models -> one result. No rendering here."""

from __future__ import annotations

import dataclasses
import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from urbanfit.cities import Preset, load_preset, output_slug
from urbanfit.citydata import CityData, build_city
from urbanfit.errors import ConfigError, ModelError, SourceError
from urbanfit.models.congestion import congestion_model
from urbanfit.models.congestion.tti import choose_urban_area
from urbanfit.models.fit import street_fit
from urbanfit.models.hexes import scenario_hexes
from urbanfit.models.index import urban_fit_index
from urbanfit.models.parking import parking_model
from urbanfit.models.ranges import headline_ranges
from urbanfit.parameters import Parameters
from urbanfit.results import (
    AnalysisResult,
    CongestionResult,
    FitResult,
    IndexResult,
    ParkingResult,
    scenario_rows,
)
from urbanfit.sources import OverpassConfig, RawCity, fetch_overpass, read_bundled, read_file
from urbanfit.sources.extract import clip_extract, fetch_extract
from urbanfit.summary import build_summary
from urbanfit.vehicles import ScenarioSet, load_vehicles, scenarios

__all__ = ["AnalysisResult", "Progress", "analyze", "gc_frozen", "load_city"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
"""Progress callback: ``(step label, fraction of the whole run done in [0, 1])``."""


@contextmanager
def gc_frozen() -> Iterator[None]:
    """
    Keep every object that exists on entry out of Python's full garbage collections until exit.

    Entered right after the heavy imports (the CLI, the batch worker and the scale benchmark
    do), it spares each full collection of a run the some 170,000 objects of the imported
    libraries, which live as long as the process. Measured on the quiet 2-core machine, full
    collections took 0.43 s of a Helsinki run and 3.1 s of a 100k-edge run without congestion,
    and 0.16 s and 1.3 s with the imports frozen. On exit the objects are collectable again.

    Returns
    -------
    context
        A context manager; nothing is yielded.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _noop(_label: str, _fraction: float) -> None:
    return None


def load_city(
    city: str,
    *,
    osm_file: Path | None = None,
    name: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    params: Parameters | None = None,
    overpass: OverpassConfig | None = None,
    source: str = "auto",
    clip: str | None = None,
    dataset: str | None = None,
) -> tuple[str, CityData]:
    """
    Resolve a city (preset, preset file, place name, bbox or local extract) into city data.

    Parameters
    ----------
    city
        A preset slug (``helsinki``), a preset ``.toml`` path, or a place name for Nominatim.
        Ignored for the source when ``osm_file`` is given (then it is the display name).
    osm_file
        A local ``.osm`` / ``.osm.bz2`` / ``.osm.gz`` / ``.osm.pbf`` extract.
    name
        Display name (defaults to the preset's name, the place name or the file name).
    bbox
        ``(west, south, east, north)``: fetch this box from Overpass, or clip a PBF file to it.
    params
        Parameters (street defaults are used here).
    overpass
        Endpoints and cache folder for online fetching.
    source
        ``"auto"`` (preset, file or Overpass) or ``"extract"``: download the regional extract
        that holds the place (Geofabrik/BBBike through pyrosm, cached) and clip it to the
        place's boundary, for areas too large for Overpass.
    clip
        A place name whose boundary (geocoded) clips ``osm_file``.
    dataset
        The pyrosm dataset name of the regional extract (e.g. ``"oregon"``), when the place
        name does not give it.

    Returns
    -------
    slug, city
        The output folder slug and the typed tables.
    """
    params = params or Parameters()
    raw: RawCity
    if source not in {"auto", "extract"}:
        raise ConfigError(f"--source must be 'auto' or 'extract', got {source!r}")
    if osm_file is not None:
        display = name or (city if city else Path(osm_file).name.split(".")[0])
        if clip is not None:
            raw = clip_extract(Path(osm_file), place=clip, config=overpass)
        else:
            raw = read_file(Path(osm_file), bbox=bbox)
    elif source == "extract":
        if not city:
            raise SourceError("--source extract needs a place name")
        display = name or city
        raw = fetch_extract(city, dataset=dataset, config=overpass)
    else:
        preset = load_preset(city) if city else None
        if preset is not None:
            display = name or preset.name
            raw = _from_preset(preset, overpass)
            city = preset.slug
        elif bbox is not None:
            display = name or city or "bbox"
            raw = fetch_overpass(bbox=bbox, config=overpass)
        elif city:
            display = name or city
            raw = fetch_overpass(place=city, config=overpass)
        else:
            raise SourceError("name a city (a preset or a place), or give --osm-file or --bbox")
    data = build_city(raw, name=display, params=params.streets)
    return output_slug(city or display, name=name), data


def _from_preset(preset: Preset, overpass: OverpassConfig | None) -> RawCity:
    if preset.bundled:
        return read_bundled(preset.bundled)
    if preset.extract:
        return read_file(Path(preset.extract), bbox=preset.bbox)
    if preset.bbox:
        return fetch_overpass(bbox=preset.bbox, config=overpass)
    return fetch_overpass(place=preset.place, config=overpass)


def _with_baseline_tti(params: Parameters, value: float | str | None) -> Parameters:
    if value is None:
        return params
    cal = params.traffic.calibration
    try:
        cal = dataclasses.replace(cal, target_tti=float(value))
    except ValueError:
        known = ("very_large", "large", "medium")
        if str(value) not in known:
            raise ConfigError(
                f"--baseline-tti must be a number or a size class ({', '.join(known)}), "
                f"got {value!r}"
            ) from None
        cal = dataclasses.replace(cal, size_class=str(value), target_tti=None)
    if cal.target_tti is not None and not 1.0 < cal.target_tti < 5.0:
        raise ConfigError(f"--baseline-tti must lie between 1 and 5, got {value!r}")
    traffic = dataclasses.replace(params.traffic, calibration=cal)
    return dataclasses.replace(params, traffic=traffic)


def _with_urban_area(
    params: Parameters, *, given: str | None, city: str, display: str, osm_file: Path | None
) -> Parameters:
    """Set the Urban Mobility Report area whose TTI is the target (see `choose_urban_area`)."""
    preset = load_preset(city) if city else None
    names = [display, city, Path(osm_file).name if osm_file is not None else ""]
    try:
        area, basis = choose_urban_area(
            given=given,
            preset_area=preset.urban_area if preset is not None else None,
            names=[n for n in names if n],
            country=preset.country if preset is not None else "",
            umr=params.traffic.calibration.umr,
        )
    except ModelError as error:
        raise ConfigError(str(error)) from None
    cal = dataclasses.replace(params.traffic.calibration, urban_area=area, urban_area_basis=basis)
    return dataclasses.replace(params, traffic=dataclasses.replace(params.traffic, calibration=cal))


def _index_in_every_scenario(
    streets: pd.DataFrame,
    *,
    parking: ParkingResult,
    congestion: CongestionResult | None,
    fit: FitResult,
    runs: ScenarioSet,
    params: Parameters,
) -> IndexResult:
    """Score the index at the headline scenario, and its hexagons in every scenario too."""
    results = {}
    for scenario in runs:
        gains = scenario_rows(parking.side_spaces, scenario.id)["gained_per_100m"]
        sides = pd.DataFrame(
            {"edge_id": parking.sides["edge_id"].to_numpy(), "gained_per_100m": gains.to_numpy()}
        )
        links = None
        if congestion is not None:
            change = scenario_rows(congestion.link_flows, scenario.id)["vc_change"]
            links = pd.DataFrame(
                {"edge_id": congestion.links["edge_id"].to_numpy(), "vc_change": change.to_numpy()}
            )
        results[scenario.id] = urban_fit_index(
            streets,
            parking_sides=sides,
            congestion_links=links,
            fit=fit,
            scenario_id=scenario.id,
            params=params.index,
            with_hexes=False,  # drawn below, with every scenario's, from one pass over H3
        )
    index = results[runs.headline.id]
    hexes, table = scenario_hexes(
        index.edges,
        {sid: result.edges["score"].to_numpy() for sid, result in results.items()},
        headline=runs.headline.id,
        resolution=params.index.h3_resolution,
    )
    summary = {**index.summary, "hex_count": len(hexes)}
    return dataclasses.replace(index, hexes=hexes, scenario_hexes=table, summary=summary)


def analyze(
    city: str,
    *,
    osm_file: Path | None = None,
    name: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    params: Parameters | None = None,
    vehicles_file: Path | None = None,
    kei_shares: Sequence[float] = (0.0, 0.25, 0.5, 1.0),
    base_fleet: str = "us_new_sales",
    overpass: OverpassConfig | None = None,
    source: str = "auto",
    clip: str | None = None,
    dataset: str | None = None,
    infer_curb: bool = True,
    run_congestion: bool = True,
    od: pd.DataFrame | None = None,
    baseline_tti: float | str | None = None,
    urban_area: str | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """
    Run the whole analysis for one city and return its result (nothing is written).

    Parameters
    ----------
    city
        A preset slug, a preset ``.toml`` path, or a place name.
    osm_file, name, bbox, overpass, source, clip, dataset
        See `load_city`.
    params
        All model parameters; defaults documented in `urbanfit.parameters`.
    vehicles_file
        A TOML file adding or overriding vehicle profiles and fleets.
    kei_shares
        Scenario kei shares in [0, 1], in any order (sorted into a `ScenarioSet`; the 0 %
        baseline is added when absent; a share given twice is refused).
    base_fleet
        Fleet id of the full-size baseline mix.
    infer_curb
        Estimate every untagged curb side from its class, width, lanes and the clearances
        (`urbanfit.models.parking.estimate`), labelled ``inferred`` / ``inferred_zero`` and
        reported apart from the mapped sides; False leaves them unknown.
    run_congestion
        Run the congestion model (demand synthesis and equilibrium assignment).
    od
        A user origin-destination table replacing the synthetic demand (see
        `urbanfit.models.congestion.user_demand` for its columns).
    baseline_tti
        Baseline peak-hour Travel Time Index the synthetic demand is scaled to: a number, or
        an urban-area size class (``small``, ``medium``, ``large``, ``very_large``) whose
        published figure is used; None keeps the parameters' default.
    urban_area
        The US urban area whose Urban Mobility Report TTI is the baseline target (e.g.
        ``"Columbus, OH"``); None: the preset's, else one found in the place or file name,
        else the size class's figure.
    progress
        Optional callback ``(label, fraction done)``.

    Returns
    -------
    result
        Tables as GeoDataFrames, model results, and a JSON-ready summary dict.
    """
    started = time.perf_counter()
    report = progress or _noop
    params = _with_baseline_tti(params or Parameters(), baseline_tti)
    catalog = load_vehicles(vehicles_file)
    runs = scenarios(catalog, base_fleet=base_fleet, kei_shares=kei_shares)
    report("reading OSM data", 0.0)
    slug, data = load_city(
        city,
        osm_file=osm_file,
        name=name,
        bbox=bbox,
        params=params,
        overpass=overpass,
        source=source,
        clip=clip,
        dataset=dataset,
    )
    log.info("%s: %d street edges, %d lots", data.name, len(data.streets), len(data.lots))
    params = _with_urban_area(
        params, given=urban_area, city=city, display=data.name, osm_file=osm_file
    )
    notes: list[str] = []
    report("parking model", 0.3)
    parking = parking_model(
        data.curb,
        data.lots,
        catalog,
        runs,
        params=params.parking,
        infer=infer_curb,
        streets=data.streets,
        points=data.points,
    )
    congestion: CongestionResult | None = None
    if run_congestion:

        def step(done: int, total: int, label: str) -> None:
            report(f"congestion: {label}", 0.4 + 0.55 * done / max(total, 1))

        try:
            congestion = congestion_model(
                data.streets,
                data.buildings,
                catalog,
                runs,
                params=params.traffic,
                od=od,
                progress=step,
            )
            note = congestion.summary.get("convergence_note")
            if note:
                notes.append(f"congestion: {note}")
        except ModelError as error:
            if od is not None:  # the user's own matrix does not fit: that is their error
                raise
            notes.append(f"congestion model not run: {error}")
            log.warning("congestion model not run: %s", error)
    report("narrow-street fit and Urban Fit index", 0.95)
    fit = street_fit(data.streets, parking.sides, catalog, runs, params=params.fit)
    top = runs.headline.id
    links = congestion.link_figures(top) if congestion is not None else None
    index = _index_in_every_scenario(
        data.streets, parking=parking, congestion=congestion, fit=fit, runs=runs, params=params
    )
    ranges = headline_ranges(
        data.streets,
        parking=parking,
        fit=fit,
        index=index,
        catalog=catalog,
        scenarios=runs,
        params=params,
        congestion_summary=congestion.summary if congestion is not None else None,
        congestion_links=links,
        delay_levels=congestion.curve if congestion is not None else None,
        points=data.points,
    )
    result = AnalysisResult(
        slug=slug,
        city=data,
        params=params,
        catalog=catalog,
        scenarios=runs,
        parking=parking,
        fit=fit,
        index=index,
        congestion=congestion,
        notes=tuple(notes),
        ranges=ranges,
    )
    report("summarising", 0.97)
    summary = build_summary(
        data,
        slug=slug,
        params=params,
        catalog=catalog,
        scenarios=runs,
        models=result.models(),
        notes=notes,
        ranges=ranges,
        run_seconds=time.perf_counter() - started,
    )
    report("done", 1.0)
    return dataclasses.replace(result, summary=summary)
