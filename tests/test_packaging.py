"""The installed package holds every subpackage (the README installs non-editable)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_pyproject_lists_every_subpackage() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "urbanfit").rglob("__init__.py")
    }
    assert found <= listed, f"missing from pyproject packages: {sorted(found - listed)}"
    assert "urbanfit._cities" in listed


def test_package_data_globs_ship_every_data_file() -> None:
    # map.html inlines Leaflet from urbanfit/data/web: a file the globs miss would be absent
    # after `pip install .` and the map would fail to build there
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["urbanfit"]
    package = ROOT / "urbanfit"
    files = {p for p in (package / "data").rglob("*") if p.is_file()}
    shipped = {p for g in globs for p in package.glob(g)}
    assert sorted(str(p.relative_to(package)) for p in files - shipped) == []
    assert (package / "data/web/leaflet/LICENSE").is_file()
    assert (package / "data/web/leaflet.fullscreen/LICENSE").is_file()
