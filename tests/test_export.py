"""Outputs are written atomically: a failure mid-write keeps the previous complete output."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbanfit.pipeline import AnalysisResult, analyze
from urbanfit.render.export import WRITERS, write_outputs, write_summary

TOWN = Path(__file__).parent / "data" / "town.osm"


@pytest.fixture(scope="module")
def town() -> AnalysisResult:
    return analyze("", osm_file=TOWN, name="Town")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_crash_after_the_first_file_keeps_the_previous_output(
    town: AnalysisResult, tmp_path: Path
) -> None:
    first = write_outputs(town, tmp_path)
    before = _snapshot(first)
    assert {
        "summary.json",
        "map.html",
        "report.html",
        "report.md",
        "report.docx",
        "layers.gpkg",
    } <= set(before)

    def crash(_result: AnalysisResult, _folder: Path) -> None:
        raise RuntimeError("injected failure after summary.json was written")

    with pytest.raises(RuntimeError, match="injected failure"):
        write_outputs(town, tmp_path, writers=(write_summary, crash, *WRITERS[1:]))
    assert _snapshot(first) == before  # every file as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["town"]  # no partial folders left


def test_ctrl_c_mid_write_keeps_the_previous_output(town: AnalysisResult, tmp_path: Path) -> None:
    first = write_outputs(town, tmp_path)
    before = _snapshot(first)

    def interrupt(_result: AnalysisResult, _folder: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_outputs(town, tmp_path, writers=(write_summary, interrupt))
    assert _snapshot(first) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["town"]


def test_a_complete_rerun_replaces_the_output(town: AnalysisResult, tmp_path: Path) -> None:
    folder = write_outputs(town, tmp_path)
    (folder / "stale.txt").write_text("from an older run")
    write_outputs(town, tmp_path)
    assert not (folder / "stale.txt").exists()
    assert (folder / "summary.json").is_file()
