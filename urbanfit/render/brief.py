"""The report's first page: a one-minute brief for a council member, and its closing sections.

Page 1 holds a dated title, the adoption headline (by a year, on a path, worth how much) when
the run has a path, the findings at a realistic kei share (25 %) and at the largest,
the mapped floor before the estimate, the one biggest caveat and the next step, and the data's
date and attribution. Every figure is read from the summary (its headline sentences, through
`urbanfit.render.share_text`), never computed here beyond a difference of two of its values.
"""

from __future__ import annotations

from typing import Any

from urbanfit.council_text import adoption_headline
from urbanfit.render.document import Block, Bullets, Heading, PageBreak, Para, Untrusted
from urbanfit.render.executive import caveats
from urbanfit.render.labels import kei_size
from urbanfit.render.share_text import share_headlines
from urbanfit.units import display_units
from urbanfit.vehicles import ScenarioSet

__all__ = ["ATTRIBUTION", "REALISTIC_SHARE", "brief_blocks", "limitations_blocks", "next_steps"]

ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
REALISTIC_SHARE = 0.25
"""The share quoted first, when run: a quarter of the fleet, a mid-term share a council can
picture (a choice of presentation, not a forecast); the largest share run follows it."""

# The next step that answers each caveat (keyed by the caveat's opening words).
_NEXT_STEPS = {
    "Curb coverage": (
        "Map curb parking on the untagged streets (OpenStreetMap parking:* tags, or the "
        "city's own curb inventory) and run again: the floor then covers them."
    ),
    "Curb estimation": (
        "Check the estimated curbs: a curb survey (or the city's own curb inventory) on a "
        "sample of the dashed streets on the map tells how far the estimate can be trusted."
    ),
    "Uncongested network": (
        "Run again with the region's own peak-hour trip table (--od) to test a congested peak."
    ),
    "Street widths": "Measure or tag street widths on the narrow streets the map shows.",
    "Synthetic demand": "Run again with counted or surveyed trips (--od).",
}


def next_steps(summary: dict[str, Any]) -> list[str]:
    """Return the next step for each of the run's caveats, in the caveats' order."""
    steps = []
    for caveat in caveats(summary):
        head = "".join(caveat).split(":", 1)[0]
        if head in _NEXT_STEPS:
            steps.append(_NEXT_STEPS[head])
    return steps


def _spaces(value: Any) -> str:
    return f"{float(value):,.0f}"


def _floor_sentence(summary: dict[str, Any], scenario_id: str, label: str) -> str | None:
    """Spaces gained on mapped curb and lots alone, then with the estimated curb added."""
    parking = summary.get("parking")
    if not isinstance(parking, dict):
        return None
    row = (parking.get("scenarios") or {}).get(scenario_id) or {}
    gained, estimated = row.get("spaces_gained"), row.get("curb_spaces_gained_estimated")
    if gained is None:
        return None
    floor = float(gained) - float(estimated or 0)
    if not estimated:
        return f"At {label}, {_spaces(gained)} more parking spaces, all on mapped curb and lots."
    return (
        f"At {label}, mapped curb and lots alone give {_spaces(floor)} more parking spaces "
        f"(the floor); with the estimated curb, up to {_spaces(gained)}."
    )


def _shown_shares(scenarios: ScenarioSet) -> list[int]:
    """Return the realistic share (when run) and the largest, as scenario indices."""
    realistic = [k for k, s in enumerate(scenarios) if abs(s.kei_share - REALISTIC_SHARE) < 1e-9]
    return [*realistic, len(scenarios) - 1] if realistic != [len(scenarios) - 1] else realistic


_PER_CAR = "Per car, the same in every city:"
# the findings page 1 quotes at each share (the rest, with the curb, fit and index detail, is in
# the executive summary): so the brief, its caveat and next step fit one printed page
_FINDINGS = ("Parking at ", "Lot land freed ", "Peak-hour delay")


def brief_blocks(summary: dict[str, Any], scenarios: ScenarioSet) -> list[Block]:
    """
    Lay out page 1: the one-minute brief, ending with a page break in print.

    Parameters
    ----------
    summary
        The run's summary: its headlines, parking figures, caveats, dates and provenance.
    scenarios
        The run's scenarios: 25 % (when run) and the largest share are quoted.

    Returns
    -------
    blocks
        Title; the adoption headline when the run has a path; date and attribution; the
        floor-then-estimate sentence and the findings at
        25 % (when run) and at the largest share; the biggest caveat and the next step.
    """
    city = Untrusted(summary["city"]["name"])
    units = display_units(summary)
    created = str(summary.get("run", {}).get("created", ""))[:10]
    provenance = summary.get("provenance", {})
    dated = provenance.get("data_date") or str(provenance.get("retrieved", ""))[:10]
    lead = adoption_headline(summary)
    blocks: list[Block] = [
        Heading(1, ("Kei cars in ", city, f": council brief, {created}")),
        *((Para((lead,)),) if lead else ()),  # with an adoption path: when, and what worth
        Para(
            (
                f"What a fleet of kei cars (Japan's smallest class: {kei_size(units)}) would "
                "change against today's US full-size fleet. Data: "
                "OpenStreetMap of ",
                Untrusted(dated or "unknown date"),
                f", {ATTRIBUTION}.",
            )
        ),
    ]
    lines = share_headlines(summary, scenarios)
    # the per-car constant is the same at every share and in every city: said once, first
    constant = next(
        (line for found in lines.values() for line in found if line.startswith(_PER_CAR)), None
    )
    if constant:
        blocks.append(Para((constant,)))
    for k in _shown_shares(scenarios):
        scenario = scenarios[k]
        blocks.append(Heading(2, (f"At {scenario.label}",)))
        floor = _floor_sentence(summary, scenario.id, scenario.label)
        if floor:
            blocks.append(Para((floor,)))
        shown = [line for line in lines.get(k, []) if line.startswith(_FINDINGS)]
        blocks.append(Bullets(tuple((line,) for line in shown)))
    found = caveats(summary)
    if found:
        blocks += [Heading(2, ("The biggest caveat",)), Para(found[0])]
    steps = next_steps(summary)
    if steps:
        blocks += [Heading(2, ("Next step",)), Para((steps[0],))]
    blocks.append(PageBreak())
    return blocks


def limitations_blocks(summary: dict[str, Any]) -> list[Block]:
    """Lay out the report's closing section: every caveat, then every recommended next step."""
    found = caveats(summary)
    steps = next_steps(summary)
    blocks: list[Block] = []
    if found:
        blocks += [Heading(2, ("Limitations",)), Bullets(tuple(found))]
    if steps:
        blocks += [Heading(2, ("Recommended next steps",)), Bullets(tuple((s,) for s in steps))]
    return blocks
