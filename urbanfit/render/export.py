"""Write a run's outputs atomically under ``outputs/<slug>/``.

Everything is written into a hidden staging folder beside the target; only when all files are
complete does the staging folder replace the previous output (the old one is moved aside first
and removed last). A failure, Ctrl-C or SIGTERM at any point leaves the previous complete output
in place; what a killed run (SIGKILL, power loss) leaves behind is cleared by the next run.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio

from urbanfit.errors import OutputError
from urbanfit.folders import folder_problem
from urbanfit.results import AnalysisResult

__all__ = ["WRITERS", "check_out_root", "staged_folder", "write_outputs"]

log = logging.getLogger(__name__)

Writer = Callable[[AnalysisResult, Path], None]
_SQLITE_SYNC = "OGR_SQLITE_SYNCHRONOUS"


def check_out_root(out_root: Path) -> None:
    """
    Refuse an outputs folder that cannot be written, before any analysis runs.

    Creates the folder (and its parents) if missing, then a probe folder inside it.

    Parameters
    ----------
    out_root
        The ``--out`` folder.

    Raises
    ------
    OutputError
        It is a file, or it (or a parent) cannot be created or written.
    """
    root = Path(out_root)
    problem = folder_problem(root)
    if problem is not None:
        raise OutputError(f"cannot write outputs to {root}: {problem}; give another --out")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _remove_stale(target: Path) -> None:
    """
    Clear what a killed run left beside ``target``: staging folders, and a retired output.

    A folder is left alone while the process named in it (``.<name>.partial-<pid>-<token>``)
    still runs. A retired previous output (``.old-``) is put back when ``target`` is missing
    (the run was killed between the two renames), else removed.
    """
    for kind in ("old", "partial"):
        for path in sorted(target.parent.glob(f".{target.name}.{kind}-*")):
            pid = path.name.rsplit(f".{kind}-", 1)[1].split("-")[0]
            if pid.isdigit() and _alive(int(pid)):
                continue
            if kind == "old" and not target.exists():
                path.replace(target)
                log.warning("restored %s, left aside by an interrupted run", target)
            else:
                shutil.rmtree(path, ignore_errors=True)
                log.info("removed %s, left by an interrupted run", path.name)


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """
    Yield an empty staging folder that replaces ``target`` only if the block completes.

    Parameters
    ----------
    target
        The final output folder.

    Yields
    ------
    staging
        Where to write; renamed to ``target`` on success, deleted on failure.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create {target.parent}: {error.strerror}") from None
    _remove_stale(target)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = target.parent / f".{target.name}.partial-{token}"
    retired = target.parent / f".{target.name}.old-{token}"
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        if target.exists():
            target.replace(retired)
        staging.replace(target)
    except OSError as error:
        if retired.exists() and not target.exists():
            retired.replace(target)
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {error.strerror}") from None
    shutil.rmtree(retired, ignore_errors=True)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_summary(result: AnalysisResult, folder: Path) -> None:
    """Write ``summary.json``, checked against the shipped JSON Schema first."""
    from urbanfit.render.schema import validate_summary  # noqa: PLC0415

    validate_summary(result.summary)
    text = json.dumps(result.summary, indent=2, ensure_ascii=False, default=_json_default)
    (folder / "summary.json").write_text(text + "\n", encoding="utf-8")


def write_map(result: AnalysisResult, folder: Path) -> None:
    """Write ``map.html``."""
    from urbanfit.render.map import build_map  # noqa: PLC0415  (folium import is slow)

    build_map(result).save(str(folder / "map.html"))


def _model_tables(result: AnalysisResult) -> dict[str, pd.DataFrame]:
    """Every table of the run by name: the city tables, then each model's result tables."""
    tables: dict[str, pd.DataFrame] = {
        "streets": result.city.streets,
        "lots": result.city.lots,
        "curb": result.city.curb,
    }
    for model_name, model in result.models().items():
        if not dataclasses.is_dataclass(model):
            continue
        for f in dataclasses.fields(model):
            value = getattr(model, f.name)
            if isinstance(value, pd.DataFrame) and len(value.columns):
                tables[f"{model_name}_{f.name}"] = value
    if len(result.ranges):
        tables["ranges"] = result.ranges  # low / central / high of every headline figure
    return tables


def write_tables(result: AnalysisResult, folder: Path) -> None:
    """Write ``tables/*.csv``: every table, geometry left out."""
    csv_folder = folder / "tables"
    csv_folder.mkdir()
    for name, table in _model_tables(result).items():
        plain = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
        _write_csv(plain, csv_folder / f"{name}.csv")


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    """
    Write one CSV with Arrow's writer (several times faster than pandas' on large tables).

    Text is quoted, booleans are ``true``/``false``, missing values empty. A table Arrow
    cannot write (a column mixing types, or holding lists) is written by pandas instead.
    """
    try:
        pacsv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        log.debug("%s: written by pandas (a column Arrow cannot write)", path.name)
        table.to_csv(path, index=False)


def write_layers(result: AnalysisResult, folder: Path) -> None:
    """Write ``layers.gpkg``: every table with geometry, one GeoPackage layer each."""
    gpkg = folder / "layers.gpkg"
    previous = pyogrio.get_gdal_config_option(_SQLITE_SYNC)
    # No disk sync after each layer's transaction: the file is complete only when the whole
    # staging folder is renamed into place (see `staged_folder`), so syncing buys nothing,
    # and on a busy disk it cost ~0.15 s a layer.
    pyogrio.set_gdal_config_options({_SQLITE_SYNC: "OFF"})
    try:
        for name, table in _model_tables(result).items():
            if isinstance(table, gpd.GeoDataFrame) and table.geometry.notna().any():
                layer = table.copy()
                for column in layer.columns:  # GeoPackage columns hold scalars only
                    if column != layer.geometry.name and layer[column].dtype == object:
                        layer[column] = layer[column].astype("string")
                # through Arrow: about twice as fast as feature by feature
                pyogrio.write_dataframe(layer, gpkg, layer=name, driver="GPKG", use_arrow=True)
    finally:
        pyogrio.set_gdal_config_options({_SQLITE_SYNC: previous})


def write_report(result: AnalysisResult, folder: Path) -> None:
    """Write ``figures/*.png``, ``report.html`` and ``report.md``: charts drawn once for all."""
    from urbanfit.render.figures import render_figures, write_figures  # noqa: PLC0415
    from urbanfit.render.report import write_report as write  # noqa: PLC0415

    started = time.perf_counter()
    figures = render_figures(result.summary, result=result)
    write_figures(figures, folder)
    log.debug("drew %d figures in %.2f s", len(figures), time.perf_counter() - started)
    write(result, folder, figures)


WRITERS: tuple[Writer, ...] = (write_summary, write_tables, write_layers, write_report, write_map)


def write_outputs(
    result: AnalysisResult,
    out_root: Path,
    *,
    writers: tuple[Writer, ...] = WRITERS,
    progress: Callable[[str], None] | None = None,
    timings: dict[str, float] | None = None,
) -> Path:
    """
    Write every output of a run to ``out_root/<slug>/``, atomically.

    Parameters
    ----------
    result
        The analysis result.
    out_root
        The outputs folder (``outputs`` by default in the CLI).
    writers
        Functions that each write some files into the staging folder.
    progress
        Optional callback told the name of each writer as it starts.
    timings
        Optional dict that receives the seconds each writer took, by its name (``"map"``);
        they are logged at debug level too.

    Returns
    -------
    folder
        The complete output folder.
    """
    target = Path(out_root) / result.slug
    with staged_folder(target) as staging:
        for writer in writers:
            name = writer.__name__.removeprefix("write_")
            if progress is not None:
                progress(name)
            started = time.perf_counter()
            try:
                writer(result, staging)
            except OSError as error:
                raise OutputError(f"cannot write outputs: {error}") from None
            seconds = time.perf_counter() - started
            log.debug("wrote %s in %.2f s", name, seconds)
            if timings is not None:
                timings[name] = seconds
    log.info("wrote %s", target)
    return target
