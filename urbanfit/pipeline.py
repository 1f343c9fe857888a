"""The analysis pipeline: source -> city data -> models -> one result. No rendering here."""

from __future__ import annotations

import dataclasses
import gc
import logging
import math
import numbers
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from urbanfit.adoption import load_adoption, with_values
from urbanfit.cities import Preset, load_preset, output_slug, preset_like
from urbanfit.citydata import CityData, build_city
from urbanfit.citydata.widthlayer import apply_width_layer
from urbanfit.council_text import adoption_headline
from urbanfit.errors import ConfigError, ModelError, SourceError, UnknownCityError
from urbanfit.evidence_text import delay_withheld
from urbanfit.inventory import apply_curb_inventory
from urbanfit.models.adoption import AdoptionPath
from urbanfit.models.congestion import congestion_model
from urbanfit.models.congestion.schedule import WorkersFactory
from urbanfit.models.congestion.tti import choose_urban_area
from urbanfit.models.council import council_results
from urbanfit.models.fit import street_fit
from urbanfit.models.hexes import scenario_hexes
from urbanfit.models.index import parking_sides_for, urban_fit_index
from urbanfit.models.parking import parking_model
from urbanfit.models.ranges import headline_ranges
from urbanfit.parameters import EstimateErrorParams, Parameters
from urbanfit.parameters.inputs import InputBounds
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
from urbanfit.units import Units, check_units, choose_units
from urbanfit.vehicles import ScenarioSet, load_vehicles, scenarios

__all__ = ["AnalysisResult", "Progress", "analyze", "gc_frozen", "load_city"]

log = logging.getLogger(__name__)

_MAX_ITER = 100_000
_MIN_GAP = 1e-8  # the tightest gap the solver validation was run to (DESIGN.md, Sioux Falls)

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
    city: str = "",
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
        _refuse_preset_typo(city)
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
            _refuse_preset_typo(city)
            display = name or city
            raw = fetch_overpass(place=city, config=overpass)
        else:
            raise SourceError("name a city (a preset or a place), or give --osm-file or --bbox")
    data = build_city(raw, name=display, params=params.streets)
    return output_slug(city or display, name=name), data


def _refuse_preset_typo(city: str) -> None:
    """Stop before geocoding a name that looks like a mistyped preset (``helsinkii``)."""
    near = preset_like(city, ratio=InputBounds().preset_typo_ratio)
    if near is not None:
        raise UnknownCityError(
            f"{city!r} is not a preset: did you mean {near!r}? To look up a place of that "
            f"name instead, add its region or country after a comma ('{city}, ...')"
        )


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
        raise ConfigError(
            f"--baseline-tti must be above 1 (free flow: no congestion to scale the demand to) "
            f"and below 5, got {value}"
        )
    traffic = dataclasses.replace(params.traffic, calibration=cal)
    return dataclasses.replace(params, traffic=traffic)


def _with_adoption(
    params: Parameters, adoption: str | Path | None
) -> tuple[AdoptionPath | None, Parameters]:
    """Resolve ``--adoption`` before any data is read; its ``[values]`` join the parameters."""
    if adoption is None:
        return None, params
    path, overrides = load_adoption(adoption)
    value = with_values(params.council.value, overrides)
    council = dataclasses.replace(params.council, value=value)
    return path, dataclasses.replace(params, council=council)


def _with_local_error(params: Parameters, check: dict[str, Any]) -> tuple[Parameters, str]:
    """
    Let the estimate's error measured on the user's own curb inventory set its ranges.

    Where the inventory's self-check scored the estimate on at least
    ``InventoryParams.min_scored_km`` of surveyed parking, its precision, recall and spaces
    ratio replace the default survey's (`EstimateErrorParams`) for the whole run; otherwise
    the defaults stay.
    """
    keys = ("precision_share", "recall_share", "spaces_per_km_rel_error", "surveyed_parking_km")
    raw = [check.get(key) for key in keys]
    if any(not isinstance(v, int | float) or not math.isfinite(v) for v in raw):
        return params, ""
    precision, recall, error, surveyed = (float(v) for v in raw if v is not None)
    if surveyed < params.parking.inventory.min_scored_km:
        return params, ""
    if not (0 < precision <= 1 and 0 < recall <= 1 and error > -1):
        return params, ""
    measured = EstimateErrorParams(
        precision_share=precision, recall_share=recall, spaces_ratio=1.0 + error
    )
    ranges = dataclasses.replace(params.ranges, estimate=measured)
    note = (
        f"ranges: the curb estimate's error measured on your inventory (precision "
        f"{precision:.2f}, recall {recall:.2f}, spaces {1.0 + error:.2f}x) sets the range of "
        "every figure that rests on estimated curb elsewhere in this city, in place of the "
        "default survey's"
    )
    return dataclasses.replace(params, ranges=ranges), note


def _with_solver(params: Parameters, *, max_iter: int | None, gap: float | None) -> Parameters:
    """Set the assignments' iteration cap and the scenario gap on every network size."""
    solver = params.traffic.assignment
    if max_iter is not None:
        if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
            raise ConfigError(f"--max-iter must be a whole number of at least 1, got {max_iter!r}")
        if max_iter > _MAX_ITER:
            raise ConfigError(
                f"--max-iter must be at most {_MAX_ITER:,} (about a day of solver time on a "
                f"city network at 1 s per iteration), got {max_iter:,}"
            )
        solver = dataclasses.replace(solver, max_iter=max_iter, large_network_max_iter=max_iter)
    if gap is not None:
        accept = params.traffic.evidence.accept_rel_gap
        if not (isinstance(gap, int | float) and _MIN_GAP <= gap <= accept):
            raise ConfigError(
                f"--gap must lie between {_MIN_GAP:g} and {accept:g} (the loosest relative gap "
                f"whose scenario differences are reported), got {gap!r}"
            )
        solver = dataclasses.replace(
            solver, scenario_rel_gap=float(gap), large_network_rel_gap=float(gap)
        )
    traffic = dataclasses.replace(params.traffic, assignment=solver)
    return dataclasses.replace(params, traffic=traffic)


def _fractions(shares: Sequence[float]) -> tuple[float, ...]:
    """Refuse percentages given where fractions are wanted, saying so in the API's terms."""
    values = tuple(shares)
    if any(isinstance(v, numbers.Real) and v > 1 for v in values):
        shown = ", ".join(f"{v:g}" for v in values)
        hint = ", ".join(f"{v / 100:g}" for v in values)
        raise ConfigError(
            f"kei_shares are fractions of the fleet between 0 and 1, got ({shown}); for "
            f"percentages write ({hint})"
        )
    return values


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
        sides = parking_sides_for(parking.sides, parking.side_spaces, scenario.id)
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
            estimate=params.ranges.estimate,
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
    city: str = "",
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
    od_external: bool = False,
    counts: pd.DataFrame | None = None,
    widths: gpd.GeoDataFrame | None = None,
    baseline_tti: float | str | None = None,
    curb_file: Path | None = None,
    curb_time: str | None = None,
    curb_mapping: Path | None = None,
    adoption: str | Path | None = None,
    max_iter: int | None = None,
    gap: float | None = None,
    urban_area: str | None = None,
    units: str | None = None,
    progress: Progress | None = None,
    workers: WorkersFactory | None = None,
) -> AnalysisResult:
    """
    Run the whole analysis for one city and return its result (nothing is written).

    Parameters
    ----------
    city
        A preset slug, a preset ``.toml`` path, or a place name; may be left out when
        ``osm_file`` or ``bbox`` says where (``analyze(osm_file="city.osm.pbf")``).
    osm_file, name, bbox, overpass, source, clip, dataset
        See `load_city`.
    params
        All model parameters; defaults documented in `urbanfit.parameters`.
    vehicles_file
        A TOML file adding or overriding vehicle profiles and fleets.
    kei_shares
        Scenario kei shares as fractions in [0, 1] (``(0, 0.25, 0.5, 1)``; percentages are
        refused with a message saying so), in any order (sorted into a `ScenarioSet`; the
        0 % baseline is added when absent; a share given twice is refused).
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
    od_external
        ``od`` comes from a regional model: its zones outside the study area enter at the
        boundary roads instead of being refused (`urbanfit.sources.omx.read_user_od`).
    counts
        Hourly traffic counts (`urbanfit.sources.counts.read_counts`): the demand is scaled
        to them and the fit (GEH, correlation, percent RMSE) is reported.
    widths
        The city's street-width layer (`urbanfit.sources.layers.read_width_layer`): its
        widths replace OSM's where it measures a street, and urbanfit's width estimate is
        scored there (``data_quality.width_inventory``).
    baseline_tti
        Baseline peak-hour Travel Time Index the synthetic demand is scaled to: a number, or
        an urban-area size class (``small``, ``medium``, ``large``, ``very_large``) whose
        published figure is used; None keeps the parameters' default.
    curb_file
        A curb inventory (CurbLR, CDS curb zones, or a GDAL layer with `curb_mapping`): the
        sides it covers replace OSM and the estimate there, and
        the estimate is scored against it (`urbanfit.inventory.apply_curb_inventory`).
    curb_time
        Day and time the inventory's rules are read at (``"weekday 12:00"``); None takes
        ``InventoryParams.curb_time``.
    curb_mapping
        A TOML field mapping: `curb_file` is then any vector layer GDAL reads.
    adoption
        An adoption path (`urbanfit.adoption`: a preset ``slow``, ``central``, ``fast`` or a
        ``.toml`` file): adds the year-by-year timeline; None: no timeline. The safety and
        value figures of every scenario are computed either way.
    max_iter
        Iteration cap of every assignment (None keeps ``params``: 2,000, 500 on large
        networks).
    gap
        Relative gap the scenario assignments run to (None keeps ``params``: 1e-5, 1e-4 on
        large networks); between 1e-8 and 1e-4.
    urban_area
        The US urban area whose Urban Mobility Report TTI is the baseline target (e.g.
        ``"Columbus, OH"``); None: the preset's, else one found in the place or file name,
        else the size class's figure.
    units
        Display units of the headlines, report and map text: ``us`` (US customary first,
        metric beside) or ``metric``; None: ``us`` for a place in the United States, else
        ``metric`` (`urbanfit.units.choose_units`). The computed figures stay metric.
    progress
        Optional callback ``(label, fraction done)``.
    workers
        Where the congestion model's independent runs go (`urbanfit.workers`); None runs
        them in this process.

    Returns
    -------
    result
        Tables as GeoDataFrames, model results, and a JSON-ready summary dict.
    """
    started = time.perf_counter()
    report = progress or _noop
    params = _with_solver(
        _with_baseline_tti(params or Parameters(), baseline_tti), max_iter=max_iter, gap=gap
    )
    path, params = _with_adoption(params, adoption)
    kei_shares = _fractions(kei_shares)
    check_units(units)
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
    if widths is not None:
        data, _ = apply_width_layer(data, widths, params=params.widths)
    log.info("%s: %d street edges, %d lots", data.name, len(data.streets), len(data.lots))
    inventory = None
    if curb_file is not None:
        data, inventory = apply_curb_inventory(
            data,
            curb_file,
            catalog=catalog,
            scenarios=runs,
            params=params.parking,
            curb_time=curb_time,
            mapping=curb_mapping,
        )
    params = _with_urban_area(
        params, given=urban_area, city=city, display=data.name, osm_file=osm_file
    )
    notes: list[str] = []
    if inventory is not None:
        params, measured = _with_local_error(params, inventory.summary.get("self_check") or {})
        notes += [measured] if measured else []
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
                od_external=od_external,
                counts=counts,
                progress=step,
                workers=workers,
            )
            note = congestion.summary.get("convergence_note")
            if note:
                notes.append(f"congestion: {note}")
        except ModelError as error:
            if od is not None or counts is not None:  # the user's own data: their error
                raise
            notes.append(f"congestion model not run: {error}")
            log.warning("congestion model not run: %s", error)
    report("narrow-street fit and Urban Fit index", 0.95)
    fit = street_fit(data.streets, parking.sides, catalog, runs, params=params.fit)
    top = runs.headline.id
    links = congestion.link_figures(top) if congestion is not None else None
    # A withheld delay headline rests on too little demand to score streets by it either.
    trusted = None if congestion is None or delay_withheld(congestion.summary) else congestion
    index = _index_in_every_scenario(
        data.streets, parking=parking, congestion=trusted, fit=fit, runs=runs, params=params
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
        congestion_links=links if trusted is not None else None,
        delay_levels=congestion.curve if congestion is not None else None,
        points=data.points,
    )
    council = council_results(
        data,
        parking=parking,
        congestion=congestion,
        catalog=catalog,
        scenarios=runs,
        params=params,
        path=path,
    )
    if congestion is not None and delay_withheld(congestion.summary):
        ranges = ranges[ranges["figure"] != "delay_veh_h_change_pct"].reset_index(drop=True)
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
        inventory=inventory,
        council=council,
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
        units=_display_units(units, city=city, streets=data.streets),
    )
    lead = adoption_headline(summary)
    if lead:  # with an adoption path, the headlines lead with its year, share and value
        summary["headlines"] = [lead, *summary["headlines"]]
    given = _given_inputs(od=od, counts=counts, widths=widths, summary=summary)
    if given:
        summary["provenance"]["inputs"] = given
    report("done", 1.0)
    return dataclasses.replace(result, summary=summary)


def _display_units(given: str | None, *, city: str, streets: gpd.GeoDataFrame) -> tuple[Units, str]:
    """Choose the display units: the option, else the preset's country, else where the data is."""
    preset = load_preset(city) if city else None
    centre = None
    if len(streets):
        west, south, east, north = (
            gpd.GeoSeries(streets.geometry, crs=streets.crs).to_crs(4326).total_bounds
        )
        centre = ((west + east) / 2.0, (south + north) / 2.0)
    country = preset.country if preset is not None else ""
    return choose_units(given, country=country, lonlat=centre)


def _given_inputs(
    *,
    od: pd.DataFrame | None,
    counts: pd.DataFrame | None,
    widths: gpd.GeoDataFrame | None,
    summary: dict[str, Any],
) -> list[dict[str, Any]]:
    """
    List the user's own inputs (their readers' records) with how many of their features matched.

    A trip table matches where its zones were loaded on the network, counts where they were
    placed on a street, a width layer where one of its lines measured an OSM edge.
    """
    congestion = summary.get("congestion") or {}
    matched = {
        "trip table": None,
        "trip table zones": (congestion.get("zones") or 0) + (congestion.get("external_zones") or 0)
        if congestion
        else None,
        "traffic counts": (congestion.get("counts") or {}).get("counts_matched"),
        "street widths": ((summary.get("data_quality") or {}).get("width_inventory") or {}).get(
            "edges_matched"
        ),
    }
    records = []
    for frame in (od, counts, widths):
        for record in [] if frame is None else frame.attrs.get("inputs", []):
            found = matched.get(record["kind"])
            records.append({**record, **({} if found is None else {"features_matched": found})})
    return records
