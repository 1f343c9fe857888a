"""What a run's result offers in a notebook: a short repr, a headline table, its map, its files.

`ResultDisplay` is a base of `urbanfit.results.AnalysisResult`; its methods read the result
and hand it to the renderers (`urbanfit.render`), computing nothing of their own.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import folium

    from urbanfit.results import AnalysisResult

__all__ = ["ResultDisplay"]


class ResultDisplay:
    """Notebook display and shortcuts of an `AnalysisResult` (see each method)."""

    def _result(self) -> AnalysisResult:
        from urbanfit.results import AnalysisResult  # noqa: PLC0415  (results imports this)

        assert isinstance(self, AnalysisResult)
        return self

    def __repr__(self) -> str:
        """One line: the city, its tables' sizes, the scenarios and the models that ran."""
        from urbanfit.render.labels import counted  # noqa: PLC0415  (renderers load on use)

        result = self._result()
        city = result.city
        shares = ", ".join(s.label for s in result.scenarios)
        return (
            f"<AnalysisResult {city.name!r} ({result.slug}): "
            f"{counted(len(city.streets), 'street edge')}, {counted(len(city.lots), 'lot')}, "
            f"{counted(len(city.buildings), 'building')}; scenarios {shares}; "
            f"models {', '.join(result.models())}>"
        )

    def _repr_html_(self) -> str:
        """Show the headline table: each headline sentence and note of the run, escaped."""
        result = self._result()
        summary = result.summary
        rows = [("headline", line) for line in summary.get("headlines", [])]
        rows += [("note", note) for note in summary.get("notes", [])]
        body = "".join(
            f"<tr><th style='text-align:left'>{kind}</th>"
            f"<td style='text-align:left'>{html.escape(str(text))}</td></tr>"
            for kind, text in rows
        )
        return (
            f"<div><b>urbanfit: {html.escape(result.city.name)}</b> "
            f"<code>{html.escape(result.slug)}</code>"
            f"<table>{body}</table>"
            "<small>result.explore() draws the map; result.to_file(folder) writes the "
            "outputs</small></div>"
        )

    def explore(self, layer: str | None = None) -> folium.Map:
        """
        Draw the interactive map of ``map.html``, for inline display.

        Parameters
        ----------
        layer
            None for the whole map; or ``"curb"``, ``"lots"``, ``"congestion"``, ``"fit"``,
            ``"index"`` or ``"streets"`` to open it on that layer (with the streets) and the
            others off.

        Returns
        -------
        map
            A folium map.
        """
        from urbanfit.render.explore import explore_map  # noqa: PLC0415  (folium is heavy)

        return explore_map(self._result(), layer)

    def to_file(self, folder: str | Path = "outputs", **options: Any) -> Path:
        """
        Write the outputs the command line writes, atomically, to ``folder/<slug>/``.

        Parameters
        ----------
        folder
            The outputs folder (the CLI's ``--out``).
        options
            Passed to `urbanfit.render.write_outputs` (``progress``, ``timings``).

        Returns
        -------
        path
            The complete output folder.
        """
        from urbanfit.render.export import check_out_root, write_outputs  # noqa: PLC0415

        check_out_root(Path(folder))
        return write_outputs(self._result(), Path(folder), **options)
