"""The summary's headline sentences at each kei share, for the map's title box and the brief.

The summary quotes its headlines at the headline (largest) share; the same sentences at another
share come from the same function, `urbanfit.summary.headlines`, given that share as the
headline. Ranges and the Urban Fit index are computed at the headline share only, so they are
left out at the others rather than quoted under the wrong share.
"""

from __future__ import annotations

from typing import Any

from urbanfit.summary import headlines
from urbanfit.vehicles import ScenarioSet

__all__ = ["HEADLINE_ONLY", "share_headlines"]

HEADLINE_ONLY = ("ranges", "index")
"""Summary sections computed at the headline share only."""


def share_headlines(summary: dict[str, Any], scenarios: ScenarioSet) -> dict[int, list[str]]:
    """
    Return the headline sentences at every kei share but the baseline.

    Parameters
    ----------
    summary
        The run's summary.
    scenarios
        The run's scenarios.

    Returns
    -------
    lines
        Scenario index (1, 2, ...) -> that share's headlines against the baseline.
    """
    out: dict[int, list[str]] = {}
    for k, scenario in enumerate(scenarios):
        if k == 0:
            continue
        quoted = summary
        if scenario.id != scenarios.headline.id:
            quoted = {key: v for key, v in summary.items() if key not in HEADLINE_ONLY}
        out[k] = [
            str(line) for line in headlines(quoted, ScenarioSet((scenarios.baseline, scenario)))
        ]
    return out
