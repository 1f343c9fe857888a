"""Batch runs on a real Dask LocalCluster: error isolation, resumability, the comparison."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from urbanfit.batch import COMPARISON_FOLDER, CityOutcome, city_inputs, read_city_list, run_batch
from urbanfit.errors import ConfigError

TOWN = Path(__file__).parent / "data" / "town.osm"


@pytest.fixture
def presets(tmp_path: Path) -> list[str]:
    """Two copies of the test town under different names, and a city whose PBF is corrupt."""
    folder = tmp_path / "presets"
    folder.mkdir()
    shutil.copy(TOWN, folder / "town.osm")
    (folder / "broken.osm.pbf").write_bytes(b"\x00\x00\x00\x0dnot a PBF file at all" * 20)
    for stem, name, extract in (
        ("alpha", "Alpha Town", "town.osm"),
        ("beta", "Beta Town", "town.osm"),
        ("broken", "Broken City", "broken.osm.pbf"),
    ):
        (folder / f"{stem}.toml").write_text(
            f'name = "{name}"\ncountry = "XX"\nextract = "{extract}"\n', encoding="utf-8"
        )
    # the same preset file name in another folder: it would write outputs/alpha/ again
    (tmp_path / "other").mkdir()
    shutil.copy(folder / "alpha.toml", tmp_path / "other" / "alpha.toml")
    paths = [str(folder / f"{stem}.toml") for stem in ("alpha", "beta", "broken")]
    return [*paths, str(tmp_path / "other" / "alpha.toml")]


def test_batch_isolates_a_broken_city_and_a_rerun_skips_the_finished_ones(
    presets: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "outputs"
    seen: list[tuple[str, str, int, int]] = []

    def progress(outcome: CityOutcome, done: int, total: int) -> None:
        seen.append((outcome.slug, outcome.status, done, total))

    first = run_batch(presets, out_root=out, workers=2, progress=progress)

    assert [(o.slug, o.status) for o in first.outcomes] == [
        ("alpha", "done"),
        ("beta", "done"),
        ("broken", "failed"),
        ("alpha", "failed"),
    ]
    assert "same folder alpha/" in (first.outcomes[3].error or "")
    broken = first.outcomes[2]
    assert broken.error is not None
    assert "cannot read broken.osm.pbf as an OSM PBF extract" in broken.error
    assert "Traceback" not in broken.error
    assert not first.ok
    assert seen[0] == ("alpha", "failed", 1, 4)  # the clash is known before anything runs
    assert sorted(s[:2] for s in seen[1:]) == [
        ("alpha", "done"),
        ("beta", "done"),
        ("broken", "failed"),
    ]
    assert [s[2] for s in seen] == [1, 2, 3, 4] and {s[3] for s in seen} == {4}
    for slug, name in (("alpha", "Alpha Town"), ("beta", "Beta Town")):
        summary = json.loads((out / slug / "summary.json").read_text(encoding="utf-8"))
        assert summary["city"]["name"] == name
        assert (out / slug / "map.html").is_file()
    assert not (out / "broken").exists()
    assert first.comparison == out / COMPARISON_FOLDER
    table = pd.read_csv(out / COMPARISON_FOLDER / "comparison.csv")
    assert list(table["slug"]) == ["alpha", "beta"]
    # the same town under two names: the same figures
    assert table["street length (km)"].nunique() == 1

    before = {
        slug: (
            (out / slug / "summary.json").stat().st_mtime_ns,
            (out / slug / "summary.json").read_bytes(),
        )
        for slug in ("alpha", "beta")
    }
    seen.clear()
    second = run_batch(presets, out_root=out, workers=2, progress=progress)

    assert [(o.slug, o.status) for o in second.outcomes] == [
        ("alpha", "skipped"),
        ("beta", "skipped"),
        ("broken", "failed"),  # tried again: it never finished
        ("alpha", "failed"),
    ]
    assert seen[:3] == [
        ("alpha", "skipped", 1, 4),
        ("beta", "skipped", 2, 4),
        ("alpha", "failed", 3, 4),
    ]
    after = {
        slug: (
            (out / slug / "summary.json").stat().st_mtime_ns,
            (out / slug / "summary.json").read_bytes(),
        )
        for slug in ("alpha", "beta")
    }
    assert after == before
    assert second.outcomes[0].summary is not None  # read back for the comparison
    assert list(pd.read_csv(out / COMPARISON_FOLDER / "comparison.csv")["slug"]) == [
        "alpha",
        "beta",
    ]


def test_an_invalid_summary_is_not_a_finished_city(presets: list[str], tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    (out / "alpha").mkdir(parents=True)
    (out / "alpha" / "summary.json").write_text("{truncated", encoding="utf-8")
    report = run_batch(presets[:1], out_root=out, workers=1)
    assert [o.status for o in report.outcomes] == ["done"]
    assert json.loads((out / "alpha" / "summary.json").read_text())["city"]["name"] == "Alpha Town"


def test_read_city_list_with_and_without_a_header(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("Somerville, Massachusetts, USA\n\n# a comment\nhelsinki\n", encoding="utf-8")
    assert read_city_list(plain) == ["Somerville, Massachusetts, USA", "helsinki"]
    headed = tmp_path / "headed.csv"
    headed.write_text(
        'note,place\nbig,"Somerville, Massachusetts, USA"\nsmall,helsinki\n', encoding="utf-8"
    )
    assert read_city_list(headed) == ["Somerville, Massachusetts, USA", "helsinki"]
    assert city_inputs(["kyoto", str(headed)]) == [
        "kyoto",
        "Somerville, Massachusetts, USA",
        "helsinki",
    ]
    empty = tmp_path / "empty.csv"
    empty.write_text("place\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="names no city"):
        read_city_list(empty)


def test_batch_command_reports_each_city_and_exits_1_when_one_failed(
    presets: list[str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from typer.testing import CliRunner

    from urbanfit.cli import app

    out = tmp_path / "cli-outputs"
    args = ["batch", *presets[:3], "--out", str(out), "--workers", "1", "--no-congestion"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "2 analysed, 0 already done, 1 failed" in result.output
    assert "cannot read broken.osm.pbf" in result.output
    assert (out / "alpha" / "summary.json").is_file()
    assert "Traceback" not in result.output
    # without -v, Dask's scheduler and nanny log nothing below WARNING to the terminal
    chatter = [r.getMessage() for r in caplog.records if r.name.startswith("distributed")]
    assert [r for r in caplog.records if r.levelno < logging.WARNING] == [], chatter[:3]


def test_batch_with_an_adoption_path_redoes_cities_without_it_and_compares_the_timelines(
    presets: list[str], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from urbanfit.cli import app

    out = tmp_path / "outputs"
    first = run_batch(presets[:1], out_root=out, workers=1, options={"run_congestion": False})
    assert [o.status for o in first.outcomes] == ["done"]
    args = ["batch", *presets[:2], "--out", str(out), "--workers", "1", "--no-congestion"]
    result = CliRunner().invoke(app, [*args, "--adoption", "central"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # alpha's earlier run has no timeline: it is analysed again, not skipped
    assert "2 analysed, 0 already done, 0 failed" in result.output
    table = pd.read_csv(out / COMPARISON_FOLDER / "comparison.csv").set_index("slug")
    for slug in ("alpha", "beta"):
        summary = json.loads((out / slug / "summary.json").read_text(encoding="utf-8"))
        adoption = summary["adoption"]
        assert adoption["path_id"] == "central"
        row = next(r for r in adoption["timeline"] if r["year"] == 2040)
        # the value column is the 2040 row's curb gain x $52,000 per structured space
        usd = table.loc[slug, "curb spaces gained in 2040 as structured spaces, central path (USD)"]
        assert usd == pytest.approx(row["curb_spaces_gained"] * 52_000, rel=1e-6)
        # the central path sells at most 20 % kei: the fleet never reaches half the 100 % gain
        half = table.loc[slug, "curb gain at half its 100 % kei value, central path (year)"]
        assert adoption["half_years"]["curb_spaces_gained_half_year"] is None
        assert pd.isna(half)
    bad = CliRunner().invoke(app, [*args, "--adoption", "soon"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2
    assert "--adoption must be a preset" in bad.output
