"""The map's year switch: each year of an adoption timeline, shown at its fleet share.

Each year maps to the kei share of the fleet the path gives it. The map's layers show the run's
nearest kei share (a layer is drawn only at the shares the models ran), and the title box gives
the year's interpolated figures and says which run share the layers show. The page script
``urbanfit/years.js`` builds the switch from the data this module writes into the page.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import numpy as np

from urbanfit.council_text import timeline_sentence
from urbanfit.render.map_assets import inline_asset
from urbanfit.units import display_units
from urbanfit.vehicles import ScenarioSet

__all__ = ["add_year_switch", "year_choices"]


def year_choices(summary: dict[str, Any], scenarios: ScenarioSet) -> dict[str, Any] | None:
    """
    Lay out the year switch's choices from the summary's adoption timeline.

    Parameters
    ----------
    summary
        The run's summary.
    scenarios
        The run's scenarios: each year shows the one whose kei share is nearest its fleet share.

    Returns
    -------
    choices
        ``label`` (the path's) and ``years``: one entry per timeline year with ``year``,
        ``share`` (kei % of the fleet, as shown), ``scenario`` (index of the nearest run share) and
        ``lines`` (the title box's sentences); None without a timeline.
    """
    adoption = summary.get("adoption")
    if not isinstance(adoption, dict) or not adoption.get("timeline"):
        return None
    runs = np.array([s.kei_share for s in scenarios], dtype="float64")
    years = []
    for row in adoption["timeline"]:
        share = float(row["fleet_kei_share"])
        nearest = int(np.argmin(np.abs(runs - share)))
        shown = scenarios[nearest].label
        years.append(
            {
                "year": int(row["year"]),
                "share": f"{100 * share:.1f}",
                "scenario": nearest,
                "lines": [
                    timeline_sentence(adoption, row, units=display_units(summary)),
                    f"Figures interpolated between the run's kei shares at {100 * share:.1f} % "
                    f"of the fleet; the map's layers show the nearest run share, {shown}.",
                ],
            }
        )
    return {"label": f"Year, {adoption.get('path_id')} path", "years": years}


def add_year_switch(fmap: folium.Map, summary: dict[str, Any], scenarios: ScenarioSet) -> None:
    """
    Put the year switch's data and script into the page when the run has a timeline.

    Parameters
    ----------
    fmap
        The map (its page gets a data script and ``urbanfit/years.js``).
    summary, scenarios
        As for `year_choices`.
    """
    choices = year_choices(summary, scenarios)
    if choices is None:
        return
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    # "<" escaped: the data (a path label from a user's file) cannot end the script early
    data = json.dumps(choices).replace("<", "\\u003c")
    root.html.add_child(folium.Element(f"<script>var urbanfitYearData = {data};</script>"))
    root.header.add_child(inline_asset("urbanfit/years.js"), name="urbanfit_years")
