"""Inputs no city could have, and names that are not what they seem: one sentence each, or it works.

Bounds come from `urbanfit.parameters.inputs.InputBounds`; Overpass cases run against the
loopback server (tests/overpass_server.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from urbanfit import cli

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"
PLACE = "Test Town, Nowhere"
FAST = ("--no-congestion",)


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(cli.app, list(args), env={"COLUMNS": "300", **(env or {})})


def _one_sentence(result, code: int = 2) -> str:
    """The run ended in one error line with ``code``, no internal error or traceback."""
    assert result.exit_code == code, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


# --out ----------------------------------------------------------------------------------------


def test_an_out_folder_name_of_300_characters_is_one_sentence(tmp_path: Path) -> None:
    out = tmp_path / ("a" * 300)  # a file name is at most 255 bytes on Linux file systems
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", str(out)))
    assert f"cannot write outputs to {out}: file name too long; give another --out" in line


def test_an_empty_out_is_refused_rather_than_writing_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", ""))
    assert "--out is empty" in line
    assert list(tmp_path.iterdir()) == []


def test_an_out_under_a_file_names_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("kept")
    out = blocker / "outputs"
    line = _one_sentence(_run("analyze", "--osm-file", str(TOWN), *FAST, "--out", str(out)))
    assert f"cannot write outputs to {out}: {blocker} is a file; give another --out" in line
    assert blocker.read_text() == "kept"
