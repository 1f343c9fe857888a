"""The report's first page, and its notes on how the run was made.

The headline figures in plain words, what was mapped and what was estimated, and the caveats
that matter most, all read from the summary (nothing shown is computed here).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from urbanfit.council_text import adoption_headline
from urbanfit.evidence_text import delay_withheld, demand_text
from urbanfit.figures import KIND_WORDS
from urbanfit.render.document import Block, Bullets, Heading, PageBreak, Para, Table, Text
from urbanfit.render.labels import counted, fmt_figure, label_of, quantity_writer, row_label
from urbanfit.summary import range_text
from urbanfit.units import Units, display_units, kilometres

__all__ = ["executive_summary", "figure_text", "method_notes", "ranges_blocks"]

_KEY_FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("parking", "spaces_gained_mapped", True),
    ("parking", "spaces_gained", True),
    ("parking", "spaces_gained_pct", True),
    ("parking", "land_freed_ha", True),
    ("congestion", "delay_veh_h_change_pct", True),
    ("congestion", "queue_storage_veh_change", True),  # the % is the fleets', not the city's
    ("fit", "kei_only_km", False),
    ("index", "city_score", False),
)
"""(section, key, per scenario): the figures of the key-figure table, headline scenario."""
_RANGE_NOTE = (
    "In brackets: low to high over the documented parameter ranges and, for figures that rest "
    "on estimated curb, the estimate's error measured on a US curb survey (see Ranges)."
)
_RANGES_NOTE = (
    "Each headline figure from the documented parameter ranges (see Assumptions): low and high "
    "are its smallest and largest value over the runs at the ends:"
)


def _range(summary: dict[str, Any], section: str, key: str) -> dict[str, Any] | None:
    """Find the low/central/high entry of ``summary["ranges"]`` for a figure, if there is one."""
    ranges = summary.get("ranges")
    names = (f"{section}.{key}", key)
    entry: Any = None
    if isinstance(ranges, dict):
        entry = next((ranges[n] for n in names if n in ranges), None)
    elif isinstance(ranges, list):
        entry = next(
            (
                r
                for r in ranges
                if isinstance(r, dict) and (r.get("figure") or r.get("key")) in names
            ),
            None,
        )
    return entry if isinstance(entry, dict) and "low" in entry and "high" in entry else None


def figure_text(summary: dict[str, Any], section: str, key: str, value: Any) -> str:
    """``central (low–high)`` when the summary has a range for the figure, else ``central``."""
    span = _range(summary, section, key)
    units = display_units(summary)
    writer = quantity_writer(key, units)
    if writer is not None and isinstance(value, int | float):
        ends = span or {}
        return writer(value, units, low=ends.get("low"), high=ends.get("high"))
    if span is None or span["low"] is None or span["high"] is None:
        return fmt_figure(key, value)
    central = fmt_figure(key, span.get("central", value))
    low, high = fmt_figure(key, span["low"]), fmt_figure(key, span["high"])
    return range_text(central, low, high, negative=span["low"] < 0)


def _key_rows(summary: dict[str, Any], top: str) -> tuple[tuple[str, ...], ...]:
    kinds = summary.get("figures") or {}
    rows: list[tuple[str, ...]] = []
    for section, key, per_scenario in _KEY_FIGURES:
        figures = summary.get(section)
        if not isinstance(figures, dict):
            continue
        if section == "congestion" and key.startswith("delay") and delay_withheld(figures):
            withheld = (row_label(key), "withheld (see below)")
            rows.append((*withheld, "") if kinds else withheld)
            continue
        if per_scenario:
            figures = (figures.get("scenarios") or {}).get(top) or {}
        kind = str((kinds.get(key) or {}).get("kind") or "")
        if key not in figures and not kind:
            continue
        value = kinds[key]["value"] if key in kinds else figures[key]  # unknown stays unknown
        text = "unknown" if value is None else figure_text(summary, section, key, value)
        row = (row_label(key, display_units(summary)), text)
        rows.append((*row, KIND_WORDS.get(kind, "")) if kinds else row)
    return tuple(rows)


def _km(value: Any, units: Units) -> str:
    return kilometres(None if value is None else float(value), units)


def _mapped_and_estimated(summary: dict[str, Any]) -> list[Text]:
    items: list[Text] = []
    units = display_units(summary)
    km = partial(_km, units=units)
    network, lots, parking = summary["network"], summary["lots"], summary.get("parking")
    items.append((
        f"Mapped in OpenStreetMap: {km(network['street_km'])} of streets, "
        f"{counted(lots['count'], 'parking lot')} "
        f"({fmt_figure('count', lots['with_capacity_tag_count'])} with a capacity tag), "
        f"{counted(summary['buildings']['count'], 'building')}.",
    ))  # fmt: skip
    if isinstance(parking, dict):
        inferred = parking.get("curb_inferred_km") or 0
        items.append((
            f"Curb: {km(parking.get('curb_parking_km'))} with parking mapped, "
            f"{km(parking.get('curb_unknown_km'))} with no parking tags; "
            + (f"{km(inferred)} of those estimated by road class, counted apart from mapped "
               "curb." if inferred else
               "none estimated (untagged curbs are left out, not counted)."),
        ))  # fmt: skip
        items.append((
            f"Lots: {fmt_figure('count', parking.get('lots_modelled_count'))} sized from their "
            f"outline, {fmt_figure('count', parking.get('lots_tag_capacity_count'))} from their "
            f"capacity tag, {fmt_figure('count', parking.get('lots_unknown_count'))} of unknown "
            "size (left out).",
        ))  # fmt: skip
    fit = summary.get("fit")
    if isinstance(fit, dict) and "width_unknown_km" in fit:
        items.append((
            f"Street widths: mapped on {km(fit.get('width_tag_km'))}, estimated from the "
            f"buildings either side on {km(fit.get('width_estimated_geometry_km'))}, unknown "
            f"(a road-class default only, so no fit figure) on {km(fit['width_unknown_km'])} "
            f"of {km(fit.get('street_km'))}.",
        ))  # fmt: skip
    elif isinstance(fit, dict) and "width_defaulted_km" in fit:
        items.append((
            f"Street widths: mapped on {km(fit.get('width_tag_km'))}, estimated on "
            f"{km(fit['width_defaulted_km'])} of {km(fit.get('street_km'))}.",
        ))  # fmt: skip
    congestion = summary.get("congestion")
    if isinstance(congestion, dict):
        assigned = demand_text(congestion) or (
            f"{fmt_figure('trips_veh_per_h', congestion.get('trips_veh_per_h'))} vehicles/h"
        )
        basis = (
            "estimated from building floor area, not counted on the street"
            if congestion.get("demand_source") == "synthetic"
            else "the given trip table"
        )
        items.append((f"Traffic: peak-hour demand of {assigned}; {basis}.",))  # fmt: skip
    return items


def _baseline_congestion(summary: dict[str, Any]) -> dict[str, Any]:
    congestion = summary.get("congestion")
    if not isinstance(congestion, dict):
        return {}
    base = summary["scenario_roles"]["baseline"]
    figures = (congestion.get("scenarios") or {}).get(base)
    return figures if isinstance(figures, dict) else {}


def caveats(summary: dict[str, Any]) -> list[Text]:
    """
    List the run's caveats, most important first.

    The order is fixed: untagged curbs (the parking headline is a lower bound), an uncongested
    modelled network (delay changes are small in absolute terms), estimated street widths
    (more than half the length), synthetic travel demand.
    """
    found: list[Text] = []
    units = display_units(summary)
    km = partial(_km, units=units)
    parking = summary.get("parking")
    if isinstance(parking, dict):
        unknown, tagged = parking.get("curb_unknown_km") or 0, parking.get("curb_parsed_km") or 0
        inferred = parking.get("curb_inferred_km") or 0
        if unknown and not inferred:
            found.append((
                f"Curb coverage: {km(unknown)} of curb has no parking tags (beside "
                f"{km(tagged)} tagged), so its spaces are not counted; the parking figures are a "
                "lower bound.",
            ))  # fmt: skip
        elif inferred:
            found.append((
                f"Curb estimation: {km(inferred)} of untagged curb is estimated as parallel "
                "parking by road class, a rule that finds parking poorly on a real US survey "
                f"({_survey(summary)}); the figures that rest on it are quoted after the mapped "
                "floor, with that error in their range.",
            ))  # fmt: skip
    if _baseline_congestion(summary).get("share_km_vc_over_0_9") == 0:
        found.append((
            "Uncongested network: with the modelled demand no street is above 90 % of its "
            "capacity even with a full-size fleet, so delay changes are small in absolute terms "
            "and say little about a congested peak.",
        ))  # fmt: skip
    fit = summary.get("fit")
    if (
        isinstance(fit, dict)
        and (fit.get("width_defaulted_km") or 0) > (fit.get("street_km") or 0) / 2
    ):
        found.append((
            f"Street widths: estimated on {km(fit.get('width_defaulted_km'))} of "
            f"{km(fit.get('street_km'))}; the narrow-street figures rest on those estimates"
            + (f", and are unknown on the {km(fit['width_unknown_km'])} whose width is only "
               "a road-class default." if fit.get("width_unknown_km") else "."),
        ))  # fmt: skip
    congestion = summary.get("congestion")
    if isinstance(congestion, dict) and congestion.get("demand_source") == "synthetic":
        found.append((
            "Synthetic demand: trips are estimated from building floor area with trip-generation "
            "rates, not from counts or a travel survey.",
        ))  # fmt: skip
    return found


def executive_summary(summary: dict[str, Any]) -> list[Block]:
    """
    Lay out the one-page executive summary, ending with a page break in print.

    Parameters
    ----------
    summary
        The run's summary.

    Returns
    -------
    blocks
        The adoption headline first when the run has a path; key figures (with ranges when
        the summary has them), the headline sentences verbatim,
        what was mapped and estimated, and the biggest caveat.
    """
    runs = {s["id"]: s["label"] for s in summary["scenarios"]}
    roles = summary["scenario_roles"]
    top, base = runs[roles["headline"]], runs[roles["baseline"]]
    kinds = summary.get("figures")
    lead = adoption_headline(summary)
    blocks: list[Block] = [
        Heading(2, ("Executive summary",)),
        *((Para((lead,)),) if lead else ()),  # with an adoption path: when, and what worth
        Para(
            (
                f"What replacing cars with kei vehicles would change, at {top} against {base} "
                "(a US full-size fleet of cars, SUVs and pickups).",
            )
        ),
    ]
    rows = _key_rows(summary, roles["headline"])
    if rows:
        head = ("figure", f"at {top}", *(("what it rests on",) if kinds else ()))
        blocks.append(Table(head, rows))
        if summary.get("ranges"):
            blocks.append(Para((_RANGE_NOTE,)))
    said = [line for line in summary.get("headlines", []) if line != lead]
    blocks.append(Bullets(tuple((line,) for line in said)))
    blocks += [Heading(3, ("What was mapped and what was estimated",)),
               Bullets(tuple(_mapped_and_estimated(summary)))]  # fmt: skip
    found = caveats(summary)
    if found:
        blocks += [Heading(3, ("Biggest caveat",)), Para(found[0])]
        if len(found) > 1:
            blocks += [Para(("Also:",)), Bullets(tuple(found[1:]))]
    blocks.append(PageBreak())
    return blocks


def _assumed(summary: dict[str, Any], prefix: str, names: tuple[str, ...]) -> list[float] | None:
    """Read numbers of the run's assumptions table (``prefix`` + each name); None if any lacks."""
    values = {
        row.get("parameter", ""): row.get("value") for row in summary.get("assumptions") or []
    }
    try:
        return [float(values[prefix + name]) for name in names]
    except (KeyError, TypeError, ValueError):
        return None


def _survey(summary: dict[str, Any]) -> str:
    """Quote the estimate's error measured on a US curb survey, from the assumptions table."""
    found = _assumed(
        summary, "ranges.estimate.", ("precision_share", "recall_share", "spaces_ratio")
    )
    if found is None:
        return "no survey figures in this run"
    precision, recall, spaces = found
    return (
        f"{precision * 100:.0f} % of the curb it calls parked is parkable, it finds "
        f"{recall * 100:.0f} % of the parkable curb, and it puts {spaces:.2f}x the spaces "
        "the surveyed curb holds"
    )


def _gaps(congestion: dict[str, Any]) -> str:
    reached, target = congestion.get("rel_gap_reached"), congestion.get("rel_gap_target")
    if reached is None or target is None:
        return "gap reached not reported"
    return f"reached {reached:.3g} against {target:g}"


def method_notes(summary: dict[str, Any]) -> list[Text]:
    """How this run was made: which models ran, with what demand, estimation on or off."""
    notes: list[Text] = []
    units = display_units(summary)
    km = partial(_km, units=units)
    parking = summary.get("parking")
    if isinstance(parking, dict):
        inferred = parking.get("curb_inferred_km") or 0
        notes.append((
            "Parking: curb spaces are counted along each street side from its OSM parking tags "
            "(orientation, clearances at junctions, stall pitch of each vehicle); "
            + (f"curb estimation was on: {km(inferred)} of untagged curb estimated as parallel "
               "parking by road class and width, counted and reported apart from mapped curb."
               + " On the CurbLR field survey of downtown Portland, "
               f"Oregon: {_survey(summary)}; the ranges of estimated figures include this "
               "error." if inferred else
               "curb estimation was off: untagged curbs are reported as unknown, never counted.")
            + " Lots are packed with stalls of each vehicle class inside their outline, or take "
            "their capacity tag.",
        ))  # fmt: skip
    fit = summary.get("fit")
    if isinstance(fit, dict) and "width_tag_km" in fit:
        notes.append((
            f"Street widths: mapped on {km(fit['width_tag_km'])} of {km(fit.get('street_km'))}; "
            f"estimated from the gap between buildings on "
            f"{km(fit.get('width_estimated_geometry_km'))} and from the road class and lane "
            f"count on {km(fit.get('width_estimated_class_km'))}. A street passes a vehicle "
            "class when its carriageway, less parked cars, fits the class's width and clearances.",
        ))  # fmt: skip
    congestion = summary.get("congestion")
    if isinstance(congestion, dict):
        converged = congestion.get("converged")
        notes.append((
            f"Congestion: a static user-equilibrium assignment (AequilibraE) of "
            f"{congestion.get('demand_source', 'modelled')} peak-hour demand over "
            f"{fmt_figure('zones', congestion.get('zones'))} zones on "
            f"{fmt_figure('assigned_links', congestion.get('assigned_links'))} links, one run per "
            "scenario; "
            + ("converged to the relative-gap target." if converged else
               "convergence not reported." if converged is None else
               f"stopped short of the relative-gap target ({_gaps(congestion)}); see Notes."),
        ))  # fmt: skip
    else:
        notes.append(("Congestion: not modelled in this run (see Notes for why, if any).",))
    index = summary.get("index")
    if isinstance(index, dict):
        included = index.get("congestion_included")
        notes.append((
            "Urban Fit index: parking, congestion and narrow-street scores per hexagon, weighted "
            + ("with congestion included." if included else "without congestion (not modelled)."),
        ))  # fmt: skip
    return notes


def ranges_blocks(summary: dict[str, Any]) -> list[Block]:
    """
    Lay out the ``ranges`` table of the summary: each headline figure's low, central and high.

    Parameters
    ----------
    summary
        The run's summary; ``ranges`` is a list of rows (``figure``, ``low``, ``central``,
        ``high``, ``unit``, ``basis``: the parameters varied). No blocks when it is absent.

    Returns
    -------
    blocks
        A heading, a sentence and the table, counts printed whole.
    """
    rows = summary.get("ranges")
    if not isinstance(rows, list) or not rows:
        return []
    units = display_units(summary)

    def unit(figure: str, given: Any) -> str:
        """Return the unit column: empty where each cell carries its own (US units)."""
        return "" if quantity_writer(figure, units) is not None else str(given or "")

    cells = tuple(
        (
            label_of(str(row.get("figure"))).text,
            *(
                fmt_figure(str(row.get("figure")), row.get(k), units)
                for k in ("low", "central", "high")
            ),
            unit(str(row.get("figure")), row.get("unit")),
            str(row.get("basis") or ""),
        )
        for row in rows
        if isinstance(row, dict)
    )
    return [
        Heading(3, ("Ranges",)),
        Para((_RANGES_NOTE,)),
        Table(("figure", "low", "central", "high", "unit", "varied"), cells),
    ]
