"""The report section on what a council asks next: when (adoption), how safe, and what worth.

Every number is read from the summary's ``adoption``, ``safety`` and ``value`` sections (and the
safety model's edge table for the street list) and only formatted here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from urbanfit.council_text import adoption_headline
from urbanfit.council_text import finite as _num
from urbanfit.council_text import land_text as _land
from urbanfit.council_text import pct_text as _pct
from urbanfit.council_text import plain_number as _short
from urbanfit.council_text import ranged_text as _ranged
from urbanfit.models.council import VALUE_UNITS
from urbanfit.render.document import Block, Bullets, Heading, Image, Para, Table, Untrusted
from urbanfit.units import display_units, hectares, in_units

__all__ = [
    "COUNCIL_CAPTIONS",
    "adoption_headline",
    "council_blocks",
    "council_charts",
    "council_columns",
]

COUNCIL_CAPTIONS = {
    "adoption_timeline": "Adoption path: kei share of the fleet, curb spaces gained and "
    "peak-hour delay saved by year (bands: ranges)",
}
"""Caption of each chart of this section, by name."""

_NOT_MODELLED = (
    ("How often crashes happen: these are risks per crash, not crash counts; a kei fleet's "
     "exposure, braking, visibility and driver behaviour are not modelled.",),
    ("Changes a US-market kei would need to meet FMVSS (crash structures, airbags, mass): the "
     "profiles are Japanese kei as sold.",),
    ("Size and crush space beyond mass: the mass-ratio law says how risk is shared between two "
     "vehicles; it does not make two kei crashing as safe as two pickups (Evans & Frick 1993 "
     "found risk lower when both cars are heavier), so read the 100 % kei occupant figure with "
     "care.",),
    ("Crashes with heavy trucks, buses, cyclists and motorcyclists, single-vehicle crashes, "
     "pedestrian age, and braking before impact (impact speed = the street's speed).",),
)  # fmt: skip


def _ratio(row: dict[str, Any], key: str) -> str:
    central, low, high = (_num(row.get(k)) for k in (key, f"{key}_low", f"{key}_high"))
    if central is None:
        return "n/a (no kei)"
    ends = "" if low is None or high is None else f" ({low:.2f}–{high:.2f})"
    return f"{central:.2f}x{ends}"


def _labels(summary: dict[str, Any]) -> dict[str, str]:
    return {str(s["id"]): str(s["label"]) for s in summary.get("scenarios", [])}


def council_charts(summary: dict[str, Any]) -> dict[str, Figure]:
    """
    Draw the adoption timeline chart when the summary has an adoption path.

    Parameters
    ----------
    summary
        A run's summary.

    Returns
    -------
    charts
        Name -> matplotlib figure (empty without an ``adoption`` section).
    """
    adoption = summary.get("adoption")
    if not isinstance(adoption, dict) or not adoption.get("timeline"):
        return {}
    table = pd.DataFrame(adoption["timeline"]).astype("float64")
    figure = Figure(figsize=(9.6, 3.2), layout="constrained")
    axes = figure.subplots(1, 3)
    years = table["year"]
    axes[0].plot(years, 100 * table["sales_kei_share"], color="#999999", label="of new sales")
    axes[0].plot(years, 100 * table["fleet_kei_share"], color="#1f77b4", label="of the fleet")
    axes[0].plot(
        years,
        100 * table["fleet_kei_share_fast_turnover"],
        color="#1f77b4",
        linestyle="--",
        label="of the fleet, fast turnover",
    )
    axes[0].set_ylabel("kei share (%)")
    axes[0].legend(fontsize=7, loc="lower right")
    for ax, key, label in (
        (axes[1], "curb_spaces_gained", "curb spaces gained (count)"),
        (axes[2], "delay_saved_veh_h", "peak-hour delay saved (veh-h)"),
    ):
        if table[key].isna().all():
            ax.text(0.5, 0.5, "not computed in this run", ha="center", transform=ax.transAxes)
        else:
            ax.fill_between(years, table[f"{key}_low"], table[f"{key}_high"], alpha=0.25)
            ax.plot(years, table[key])
        ax.set_ylabel(label)
    for ax in axes:
        ax.set_xlabel("year")
        ax.tick_params(labelsize=8)
    figure.suptitle(COUNCIL_CAPTIONS["adoption_timeline"], fontsize=10)
    return {"adoption_timeline": figure}


def _adoption_blocks(summary: dict[str, Any], figures: dict[str, bytes]) -> list[Block]:
    adoption = summary.get("adoption")
    if not isinstance(adoption, dict):
        return []
    halves = adoption.get("half_years") or {}
    errors = adoption.get("interpolation_error") or {}
    units = display_units(summary)
    timeline = adoption.get("timeline") or []
    last = int(timeline[-1]["year"]) if timeline else None
    blocks: list[Block] = [
        Heading(3, ("When: the adoption path",)),
        *((Para((Untrusted(line),)),) if (line := adoption_headline(summary)) else ()),
        Para(
            (
                "Path: ",
                Untrusted(adoption.get("path_label", "")),
                " (",
                Untrusted(adoption.get("path_source", "")),
                "). A kei share of new sales reaches the street only as older vehicles are "
                "scrapped: each year's fleet share adds up the surviving vehicles of every model "
                "year, weighted by that year's kei share of sales (NHTSA survival schedule DOT HS "
                f"809 952, stretched {adoption.get('survival_stretch')}x in age so the fleet's "
                f"mean age is {adoption.get('fleet_mean_age_years')} years as today; the range "
                "adds the unstretched schedule, mean age "
                f"{adoption.get('fleet_mean_age_fast_turnover_years')} years). Each year's "
                "figures are interpolated linearly in kei share between this run's scenarios "
                "(never past its largest share). The fleet share by year is the path's own, the "
                "same in every city; the city enters through its scenario figures. The cohort "
                "sum of "
                f"{adoption.get('cohort_year')} is in tables/adoption_cohorts.csv.",
            )
        ),
    ]
    error_items = []
    for key, label, unit in (
        ("curb_spaces_gained", "curb spaces gained", "spaces"),
        ("land_freed_ha", "lot land freed", "ha"),
        ("delay_saved_veh_h", "delay saved", "veh-h"),
        ("curb_freed_km", "curb freed for the same cars", "km"),
    ):
        worst = _num(errors.get(f"{key}_max_abs"))
        if worst is None:
            continue
        share = _num(errors.get(f"{key}_at_share"))
        pct = _num(errors.get(f"{key}_max_pct_of_full"))
        size = hectares(worst, units) if unit == "ha" else f"{_short(worst)} {unit}"
        error_items.append(
            (
                f"{label}: {size} at {100 * (share or 0):g} % kei"
                + (f" ({pct:.1f} % of its 100 % value)" if pct is not None else ""),
            )
        )
    if error_items:
        blocks.append(
            Para(
                (
                    "Interpolation error, measured: each inner scenario of this run interpolated "
                    "from its two neighbours and compared with its exact figure (a grid twice as "
                    "coarse as the one used, so an upper bound for smooth figures). Measured "
                    "once on Helsinki against exact runs at 10 % and 20 % kei: curb spaces and "
                    "delay within 7 % of the exact figure, lot land up to 172 % high at 10 % "
                    "(whole stalls per lot make it a step function at small shares); add small "
                    "shares to --kei-shares (e.g. 0,10,20,25,50,100) to tighten a timeline:",
                )
            )
        )
        blocks.append(Bullets(tuple(error_items)))
    half_items = []
    for key, label in (
        ("curb_spaces_gained", "curb spaces gained"),
        ("land_freed_ha", "lot land freed"),
        ("delay_saved_veh_h", "peak-hour delay saved"),
    ):
        year, fast = halves.get(f"{key}_half_year"), halves.get(f"{key}_half_year_fast_turnover")
        if year is None and fast is None:
            text = f"{label}: not by {last} on this path"
        elif year is None:
            text = f"{label}: {fast} with the fast turnover, not by {last} with today's"
        else:
            text = f"{label}: {year}" + (f" ({fast} with the fast turnover)" if fast else "")
        half_items.append((text,))
    if (_num(adoption.get("largest_run_kei_share")) or 0.0) < 1.0:
        blocks.append(Para(("No half-way years: this run has no 100 % kei scenario.",)))
    else:
        blocks.append(Para(("Year each figure reaches half its value at 100 % kei:",)))
        blocks.append(Bullets(tuple(half_items)))
        top_sales = max((_num(r.get("sales_kei_share")) or 0.0 for r in timeline), default=0.0)
        if top_sales < 0.5:
            blocks.append(
                Para(
                    (
                        f"On this path kei never pass {100 * top_sales:.0f} % of new sales, so "
                        "their share of the fleet stays below that too: a figure that grows "
                        "about in step with the share stays under half its 100 % value.",
                    )
                )
            )
    rows = []
    for row in timeline:
        year = int(row["year"])
        if (year - int(timeline[0]["year"])) % 2 and row is not timeline[-1]:
            continue
        rows.append(
            (
                str(year),
                f"{100 * row['sales_kei_share']:.1f}",
                f"{100 * row['fleet_kei_share']:.1f} "
                f"({100 * row['fleet_kei_share_fast_turnover']:.1f})",
                _ranged(row, "curb_spaces_gained", whole=True),
                _land(row, units),
                _ranged(row, "delay_saved_veh_h"),
                _ranged(row, "curb_structured_usd", money=True),
                _ranged(row, "delay_usd_per_year", money=True),
            )
        )
    header = (
        "year",
        "kei % of sales",
        "kei % of fleet (fast turnover)",
        "curb spaces gained",
        "lot land freed",
        "peak delay saved (veh-h)",
        "curb value as structured spaces",
        "delay value a year",
    )
    blocks.append(Table(header, tuple(rows)))
    if "adoption_timeline" in figures:
        caption = COUNCIL_CAPTIONS["adoption_timeline"]
        blocks.append(Image("figures/adoption_timeline.png", caption, figures["adoption_timeline"]))
    return blocks


def _safety_blocks(summary: dict[str, Any], edges: pd.DataFrame | None) -> list[Block]:
    safety = summary.get("safety")
    if not isinstance(safety, dict):
        return []
    labels = _labels(summary)
    blocks: list[Block] = [
        Heading(3, ("How safe: relative fatality risk per crash",)),
        Para(
            (
                "These are relative risks per crash, not crash counts. Pedestrians: the risk "
                "that a struck pedestrian dies at the street's speed (Tefft 2013, AAA "
                "Foundation), with the odds raised by tall or blunt front ends (IIHS, Hu, "
                "Monfort & Cicchino 2023), averaged over the fleet mix and weighted over the "
                "city by pedestrian exposure: the "
                f"{safety.get('exposure_points_count', 0):,} crossings and bus stops mapped "
                f"near {safety.get('exposure_edges_count', 0):,} street edges. Occupants: "
                "driver fatality risk in a two-vehicle crash as a power of the mass ratio "
                "(Evans 2004), vehicles paired at random by their shares. The occupant figures "
                "depend on the fleet mix alone: the same in every city and on every street. "
                "Ranges: the two published fits of Tefft's curve; Evans' exponent 2.7-4.3. The "
                "IIHS odds ratios are point estimates (their confidence intervals are not "
                "applied) and the profiles' front classes are estimates (see the vehicles "
                "section).",
            )
        ),
    ]
    if safety.get("exposure_note"):
        blocks.append(Para(("Note: ", Untrusted(safety["exposure_note"]), ".")))
    if safety.get("withheld"):
        blocks.append(Para(("Withheld: ", Untrusted(safety["withheld"]))))
    rows = []
    for sid, row in (safety.get("scenarios") or {}).items():
        rows.append(
            (
                Untrusted(labels.get(sid, sid)),
                _pct(row, "pedestrian_risk_change_pct"),
                _pct(row, "pedestrian_risk_change_length_weighted_pct"),
                _pct(row, "occupant_risk_change_pct"),
                _ratio(row, "kei_driver_risk_ratio"),
            )
        )
    header = (
        "scenario",
        "pedestrian death risk per crash, exposure-weighted",
        "same, length-weighted",
        "occupant death risk per two-vehicle crash",
        "kei driver's risk vs today's average driver",
    )
    blocks.append(Table(header, tuple(rows)))
    if edges is not None and len(edges) and "name" in edges.columns:
        exposed = edges[edges["exposure_points"] > 0].copy()
        exposed["avoided"] = -exposed["pedestrian_risk_change_pct"] * exposed["exposure_points"]
        named = exposed[exposed["name"].notna()].groupby("name", sort=False)
        top = named.agg(
            points=("exposure_points", "sum"),
            speed=("speed_kmh", "max"),
            change=("pedestrian_risk_change_pct", "mean"),
            avoided=("avoided", "sum"),
        ).nlargest(10, "avoided")
        if len(top):
            blocks.append(
                Para(("Streets where a kei fleet helps pedestrians most (exposure x change):",))
            )
            speeds, speed_unit = in_units(top["speed"].to_numpy(), "km/h", display_units(summary))
            street_rows = tuple(
                (Untrusted(str(name)), f"{int(r.points):,}", f"{speed:.0f}", f"{r.change:+.1f} %")
                for (name, r), speed in zip(top.iterrows(), speeds, strict=True)
            )
            blocks.append(
                Table(
                    ("street", "crossings and bus stops", f"speed ({speed_unit})", "risk change "
                     "at the headline scenario"),
                    street_rows,
                )
            )  # fmt: skip
    blocks.append(Para(("Not modelled:",)))
    blocks.append(Bullets(_NOT_MODELLED))
    return blocks


_VALUE_ROWS = (
    ("curb_surface_usd", "curb spaces gained, as surface spaces not built", True),
    ("curb_structured_usd", "curb spaces gained, as structured spaces not built", True),
    ("land_freed_acres", "lot land freed (acres)", False),
    ("homes", "homes on the freed lot land at the stated density", False),
    ("land_usd", "lot land freed at the given land price", True),
    ("delay_person_h_per_year", "delay saved (person-hours a year)", False),
    ("delay_usd_per_year", "delay saved, valued a year", True),
    ("bike_lane_km", "curb freed for the same cars, as one-way bike lane (km)", False),
    ("loading_zones", "or as curb loading zones", False),
    ("street_trees", "or as street trees", False),
)


def _value_blocks(summary: dict[str, Any]) -> list[Block]:
    value = summary.get("value")
    if not isinstance(value, dict):
        return []
    labels = _labels(summary)
    per = value.get("scenarios") or {}
    ids = [sid for sid in per if sid != summary["scenario_roles"]["baseline"]]
    rows = tuple(
        (
            label,
            VALUE_UNITS[key][1],
            *(_ranged(per[sid], key, money=money) for sid in ids),
        )
        for key, label, money in _VALUE_ROWS
    )
    blocks: list[Block] = [
        Heading(3, ("What it is worth",)),
        Para(
            (
                "Freed curb, lot land and delay priced with the sourced defaults listed under "
                "Assumptions (council.value.*), each with its range; override them in an "
                "adoption file's [values] table. Curb spaces and lot land are priced apart (the "
                "lot spaces gained and the lot land freed are two readings of one gain). "
                "Dollars are of each source's year, not adjusted for inflation. The curb the "
                "same cars no longer need is read three ways, as bike lane, loading zones or "
                "street trees at the stated standards: alternatives, not a sum, and a length "
                "scattered along every parked curb, not a connected network.",
            )
        ),
        Table(("figure", "formula", *(Untrusted(labels.get(s, s)) for s in ids)), rows),
    ]
    top = summary["scenario_roles"]["headline"]
    estimated = _num((per.get(top) or {}).get("curb_gain_estimated_share"))
    if estimated:
        blocks.append(
            Para(
                (
                    f"{100 * estimated:.0f} % of the curb spaces gained at "
                    f"{labels.get(top, top)} are on curbs estimated where OSM has no parking "
                    "tags: the curb values are an upper bound.",
                )
            )
        )
    if value.get("land_price_note"):
        blocks.append(Para((Untrusted(value["land_price_note"]), ".")))
    return blocks


def council_blocks(
    summary: dict[str, Any], figures: dict[str, bytes], *, safety_edges: pd.DataFrame | None
) -> list[Block]:
    """
    Lay out the section: adoption timeline (with a path), safety per crash, value.

    Parameters
    ----------
    summary
        The run's summary.
    figures
        Charts drawn for the report (``adoption_timeline`` among them when present).
    safety_edges
        The safety model's edge table (street names, exposure, change), or None.

    Returns
    -------
    blocks
        Empty when the summary has none of the three sections.
    """
    parts = [
        *_adoption_blocks(summary, figures),
        *_safety_blocks(summary, safety_edges),
        *_value_blocks(summary),
    ]
    if not parts:
        return []
    return [Heading(2, ("When, how safe, and what worth",)), *parts]


def council_columns(summary: dict[str, Any]) -> dict[str, Any]:
    """
    Give the comparison table's columns of the three sections for one city's summary.

    Parameters
    ----------
    summary
        A parsed summary.

    Returns
    -------
    columns
        Column name (unit in it) -> value; absent sections give no columns.
    """
    top = summary["scenario_roles"]["headline"]
    label = _labels(summary).get(top, top)
    out: dict[str, Any] = {}
    safety = ((summary.get("safety") or {}).get("scenarios") or {}).get(top) or {}
    value = ((summary.get("value") or {}).get("scenarios") or {}).get(top) or {}
    for column, row, key in (
        (f"pedestrian death risk per crash change, {label} (%)", safety,
         "pedestrian_risk_change_pct"),
        (f"occupant death risk per two-vehicle crash change, {label} (%)", safety,
         "occupant_risk_change_pct"),
        (f"curb spaces gained as structured spaces, {label} (USD)", value, "curb_structured_usd"),
        (f"delay saved a year, {label} (USD)", value, "delay_usd_per_year"),
    ):  # fmt: skip
        if _num(row.get(key)) is not None:
            out[column] = row[key]
    adoption = summary.get("adoption")
    if isinstance(adoption, dict):
        year, path = adoption.get("headline_year"), adoption.get("path_id")
        rows = [r for r in adoption.get("timeline") or [] if r.get("year") == year]
        if rows:
            out[f"kei share of the fleet in {year}, {path} path (%)"] = (
                100 * rows[0]["fleet_kei_share"]
            )
            out[f"curb spaces gained in {year}, {path} path (count)"] = rows[0][
                "curb_spaces_gained"
            ]
            out[f"curb spaces gained in {year} as structured spaces, {path} path (USD)"] = rows[
                0
            ].get("curb_structured_usd")
        half = (adoption.get("half_years") or {}).get("curb_spaces_gained_half_year")
        out[f"curb gain at half its 100 % kei value, {path} path (year)"] = half
    return out
