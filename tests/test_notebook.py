"""The Python API as a notebook uses it: names, repr, headline table, maps, files, the doc page."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import folium
import pytest

import urbanfit
from urbanfit.errors import ConfigError
from urbanfit.pipeline import AnalysisResult
from urbanfit.render import build_map

DOC = Path(__file__).parents[1] / "docs" / "notebook.md"
TOWN = Path(__file__).parent / "data" / "town.osm"


def test_dir_lists_the_public_names_for_tab_completion() -> None:
    names = dir(urbanfit)
    assert names == sorted(urbanfit.__all__)
    assert {"analyze", "AnalysisResult", "load_city", "write_outputs"} <= set(names)
    assert "annotations" not in names and "TYPE_CHECKING" not in names
    assert urbanfit.analyze is urbanfit.pipeline.analyze  # the lazy import still resolves


def test_a_local_extract_needs_no_city_name() -> None:
    result = urbanfit.analyze(osm_file=TOWN, run_congestion=False)
    # the display name and the output folder come from the file name
    assert (result.city.name, result.slug) == ("town", "town")
    assert len(result.city.streets) == 5  # the drawn town's five street edges


def test_percentages_given_as_kei_shares_are_refused_saying_the_api_takes_fractions() -> None:
    with pytest.raises(ConfigError) as caught:
        urbanfit.analyze(osm_file=TOWN, kei_shares=(0, 25, 50, 100), run_congestion=False)
    assert str(caught.value) == (
        "kei_shares are fractions of the fleet between 0 and 1, got (0, 25, 50, 100); for "
        "percentages write (0, 0.25, 0.5, 1)"
    )


def test_repr_is_one_short_line(helsinki: AnalysisResult) -> None:
    text = repr(helsinki)
    assert len(text) < 300 and "\n" not in text
    # the bundled extract: 1,470 street edges, 39 lots, 444 buildings; four scenarios
    assert text == (
        "<AnalysisResult 'Helsinki (centre)' (helsinki): 1,470 street edges, 39 lots, 444 "
        "buildings; scenarios 0 % kei, 25 % kei, 50 % kei, 100 % kei; models parking, "
        "congestion, fit, index, safety, value>"
    )


def test_the_html_repr_is_the_headline_table(helsinki: AnalysisResult) -> None:
    page = helsinki._repr_html_()
    rows = re.findall(r"<tr><th[^>]*>(\w+)</th><td[^>]*>(.*?)</td></tr>", page)
    headlines = helsinki.summary["headlines"]
    assert [text for kind, text in rows if kind == "headline"] == [
        html.escape(line) for line in headlines
    ]
    assert len(rows) == len(headlines) + len(helsinki.summary["notes"])
    assert len(page) < 5_000


def _shown(fmap: folium.Map) -> set[str]:
    """Names of the overlay layers the map opens with."""
    return {
        g.layer_name
        for g in fmap._children.values()
        if isinstance(g, folium.FeatureGroup) and g.show
    }


def test_explore_returns_the_map_and_opens_on_one_layer(helsinki: AnalysisResult) -> None:
    whole = helsinki.explore()
    assert isinstance(whole, folium.Map)
    # the layers on and off as map.html opens them
    assert _shown(whole) == _shown(build_map(helsinki))
    curb = helsinki.explore("curb")
    assert _shown(curb) == {"Streets by class", "Curb parking"}
    assert "Curb parking" in curb.get_root().render()
    with pytest.raises(ConfigError, match="layer must be one of streets, curb, lots"):
        helsinki.explore("parking")


def test_a_table_explores_itself_with_geopandas(helsinki: AnalysisResult) -> None:
    fmap = helsinki.streets.explore(column="highway")  # mapclassify is what this needs
    assert isinstance(fmap, folium.Map)


def test_to_file_writes_the_outputs_of_the_command_line(
    helsinki: AnalysisResult, tmp_path: Path
) -> None:
    folder = helsinki.to_file(tmp_path)
    assert folder == tmp_path / "helsinki"
    names = {path.name for path in folder.iterdir()}
    assert {"map.html", "report.html", "report.md", "summary.json", "layers.gpkg"} <= names
    assert {"tables", "figures"} <= names
    written = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert written["headlines"] == helsinki.summary["headlines"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_the_notebook_page_runs_on_helsinki(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    space: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), space)  # our own doc page
    printed = capsys.readouterr().out
    result = space["result"]
    assert isinstance(result, AnalysisResult)
    assert [s.kei_share for s in result.scenarios] == [0.0, 0.5, 1.0]
    assert "kei_shares are fractions of the fleet between 0 and 1" in printed
    congestion = result.summary["congestion"]
    # the printed demand line is the multiplier times the buildings' trips
    assigned, synthetic = (
        congestion["demand_assigned_veh_per_h"],
        congestion["demand_synthetic_veh_per_h"],
    )
    assert assigned == pytest.approx(synthetic * congestion["demand_scale"], rel=1e-12)
    assert f"{assigned:,.0f} vehicles/h assigned = {synthetic:,.0f} from buildings" in printed
    assert isinstance(space["curb"], folium.Map) and isinstance(space["classes"], folium.Map)
    assert Path(str(space["folder"])).resolve() == (tmp_path / "outputs" / "helsinki").resolve()
    assert (tmp_path / "outputs" / "helsinki" / "summary.json").is_file()
    assert space["parking_only"].congestion is None  # type: ignore[attr-defined]
