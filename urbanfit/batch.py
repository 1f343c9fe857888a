"""Many-city studies: each city one task on Dask distributed, then one comparison table.

A city whose ``out_root/<slug>/summary.json`` exists and validates is skipped (resumable);
a city that fails is reported with its error while the others finish. Each task runs
`urbanfit.pipeline.analyze` and `urbanfit.render.export.write_outputs` in a worker and sends
back only its summary (or the error text).
"""

from __future__ import annotations

import csv
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from urbanfit.adoption import load_adoption
from urbanfit.cities import output_slug, slugify
from urbanfit.errors import ConfigError, OutputError, UrbanfitError

__all__ = [
    "COMPARISON_FOLDER",
    "BatchReport",
    "CityOutcome",
    "city_inputs",
    "read_city_list",
    "run_batch",
]

log = logging.getLogger(__name__)

COMPARISON_FOLDER = "_comparison"
"""Sub-folder of ``out_root`` for the combined table (no city slug starts with ``_``)."""

Status = Literal["done", "skipped", "failed"]


@dataclass(frozen=True)
class CityOutcome:
    """What happened to one city of a batch."""

    city: str  # as given: a preset slug, a preset .toml path or a place name
    slug: str  # its output folder under out_root
    status: Status  # "done" (analysed now), "skipped" (finished earlier) or "failed"
    error: str | None = None  # the readable error of a failed city
    seconds: float = 0.0  # analysis and writing time in the worker
    summary: dict[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BatchReport:
    """All outcomes, in input order, and where the comparison table went."""

    outcomes: list[CityOutcome]
    out_root: Path
    comparison: Path | None = None  # None when no city has a summary

    def by_status(self, status: Status) -> list[CityOutcome]:
        """Return the outcomes with this status, in input order."""
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        """True when no city failed."""
        return not self.by_status("failed")


BatchProgress = Callable[[CityOutcome, int, int], None]
"""Called as each city finishes: ``(outcome, cities finished so far, cities in the batch)``."""


def read_city_list(path: Path) -> list[str]:
    """
    Read a list of cities: a CSV with a ``place`` (or ``city``) column, or one name a line.

    Parameters
    ----------
    path
        With a header row naming a ``place`` or ``city`` column, a CSV whose column of that
        name is read (quote names holding commas). Otherwise each line is one name, commas
        and all (``Somerville, Massachusetts, USA``). Blank lines and lines starting with
        ``#`` are skipped. Each name is a place name, a preset slug or a preset ``.toml`` path.

    Returns
    -------
    cities
        The names, in file order.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"cannot read the city list {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the city list {path} is not UTF-8 text") from None
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    header = [cell.strip().lower() for cell in next(csv.reader(lines[:1]), [])]
    column = next((header.index(k) for k in ("place", "city") if k in header), None)
    if column is None:
        cities = [line.strip() for line in lines]
    else:
        rows = csv.reader(lines[1:])
        cities = [row[column].strip() for row in rows if len(row) > column and row[column].strip()]
    if not cities:
        raise ConfigError(f"the city list {path} names no city")
    return cities


def city_inputs(items: Sequence[str]) -> list[str]:
    """
    Expand command-line items into cities: a ``.csv`` item becomes its rows.

    Parameters
    ----------
    items
        Preset slugs, preset ``.toml`` paths, place names and CSV files (see `read_city_list`).

    Returns
    -------
    cities
        In the given order.
    """
    cities: list[str] = []
    for item in items:
        cities.extend(read_city_list(Path(item)) if item.lower().endswith(".csv") else [item])
    return cities


def _slug(city: str) -> str:
    """Return the output folder of ``city`` (see `output_slug`; a bad preset keeps its stem)."""
    try:
        return output_slug(city)
    except UrbanfitError:
        return slugify(Path(city).stem if city.endswith(".toml") else city)


def _path_id(adoption: str | Path | None) -> str | None:
    """Resolve the batch's ``--adoption`` once, before any city runs (a bad one stops it)."""
    return None if adoption is None else load_adoption(adoption)[0].id


def _finished(folder: Path, *, path_id: str | None = None) -> dict[str, Any] | None:
    """Return the summary of an earlier complete run in ``folder`` (on ``path_id``), or None."""
    from urbanfit.render.compare import load_summary  # noqa: PLC0415

    if not (folder / "summary.json").is_file():
        return None
    try:
        summary = load_summary(folder)
    except OutputError as error:
        log.warning("%s: analysing again (%s)", folder.name, error)
        return None
    if path_id is not None and (summary.get("adoption") or {}).get("path_id") != path_id:
        log.warning("%s: analysing again (no timeline of the %s path)", folder.name, path_id)
        return None
    return summary


def analyze_city(city: str, out_root: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """
    Analyse one city and write its outputs; the task each Dask worker runs.

    Parameters
    ----------
    city
        A preset slug, a preset ``.toml`` path or a place name.
    out_root
        The outputs folder (shared with the client: the worker writes ``<slug>/`` there).
    options
        Keyword arguments for `urbanfit.pipeline.analyze`.

    Returns
    -------
    result
        ``{"summary": ..., "seconds": ...}`` on success, ``{"error": ..., "seconds": ...}``
        when the city failed: never raises, so that one city cannot stop the batch.
    """
    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")
    started = time.perf_counter()
    try:
        from urbanfit.pipeline import analyze, gc_frozen  # noqa: PLC0415
        from urbanfit.render.compare import load_summary  # noqa: PLC0415
        from urbanfit.render.export import write_outputs  # noqa: PLC0415

        with gc_frozen():
            result = analyze(city, **dict(options))
            folder = write_outputs(result, Path(out_root))
        summary = load_summary(folder)  # what is on disk, as plain JSON
    except UrbanfitError as error:
        return {"error": str(error), "seconds": time.perf_counter() - started}
    except Exception as error:  # an unexpected failure is still this city's alone
        log.exception("%s failed", city)
        text = f"unexpected {type(error).__name__}: {error}"
        return {"error": text, "seconds": time.perf_counter() - started}
    return {"summary": summary, "seconds": time.perf_counter() - started}


@contextmanager
def dask_client(scheduler: Any, workers: int | None, tasks: int) -> Iterator[Any]:
    """Yield a client of ``scheduler`` (an address or a Client), or of a new LocalCluster."""
    from distributed import Client, LocalCluster  # noqa: PLC0415  (heavy import, only when used)

    if not log.isEnabledFor(logging.INFO):
        # distributed sets its loggers to INFO when imported; quiet unless -v asked for INFO
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        try:
            client = Client(str(scheduler), timeout="20s")
        except OSError as error:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
        with client:
            yield client
        return
    count = workers or max(1, min(tasks, os.cpu_count() or 1))
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never a clash with a running cluster
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _outcome(city: str, slug: str, answer: dict[str, Any]) -> CityOutcome:
    if "summary" in answer:
        return CityOutcome(city, slug, "done", seconds=answer["seconds"], summary=answer["summary"])
    return CityOutcome(city, slug, "failed", error=answer["error"], seconds=answer["seconds"])


def run_batch(
    cities: Sequence[str],
    *,
    out_root: Path,
    scheduler: Any = None,
    workers: int | None = None,
    progress: BatchProgress | None = None,
    options: Mapping[str, Any] | None = None,
) -> BatchReport:
    """
    Analyse many cities, one Dask task each, and write a combined comparison table.

    Parameters
    ----------
    cities
        Preset slugs, preset ``.toml`` paths or place names (see `city_inputs` for CSVs).
    out_root
        The outputs folder: each city goes to ``<slug>/``, the comparison to
        ``_comparison/`` (``comparison.csv``, ``.md``, ``.html``, ``.png``).
    scheduler
        The address of a running Dask scheduler (``tcp://host:8786``; its workers must see
        ``out_root``) or a ``distributed.Client``; by default a LocalCluster of worker
        processes is started and closed again.
    workers
        Worker processes of the LocalCluster (one thread each); default one per city, at
        most one per CPU.
    progress
        Called as each city finishes (see `BatchProgress`); skipped cities come first.
    options
        Keyword arguments for `urbanfit.pipeline.analyze` (e.g. ``run_congestion=False``);
        with ``adoption`` (a path for every city), a finished city counts as done only when
        its summary has that path's timeline.

    Returns
    -------
    report
        One outcome per city, in input order: ``done``, ``skipped`` (its summary.json was
        already there and valid) or ``failed`` (with its error); a failed city does not stop
        the others.
    """
    if not cities:
        raise ConfigError("the batch names no city")
    out_root = Path(out_root)
    options = dict(options or {})
    path_id = _path_id(options.get("adoption"))
    outcomes: dict[int, CityOutcome] = {}
    todo: dict[int, str] = {}
    owner: dict[str, str] = {}
    for at, city in enumerate(cities):
        slug = _slug(city)
        if slug in owner:
            error = f"writes to the same folder {slug}/ as {owner[slug]!r}; give it another name"
            outcomes[at] = CityOutcome(city, slug, "failed", error=error)
            continue
        owner[slug] = city
        summary = _finished(out_root / slug, path_id=path_id)
        if summary is not None:
            outcomes[at] = CityOutcome(city, slug, "skipped", summary=summary)
        else:
            todo[at] = slug
    total = len(cities)
    tell = progress or (lambda _outcome, _done, _total: None)
    for done, outcome in enumerate(outcomes.values(), start=1):
        tell(outcome, done, total)
    if todo:
        _run(
            cities,
            todo=todo,
            out_root=out_root,
            options=options,
            scheduler=scheduler,
            workers=workers,
            outcomes=outcomes,
            tell=tell,
        )
    ordered = [outcomes[at] for at in range(total)]
    return BatchReport(ordered, out_root, _compare(ordered, out_root))


def _run(
    cities: Sequence[str],
    *,
    todo: dict[int, str],
    out_root: Path,
    options: dict[str, Any],
    scheduler: Any,
    workers: int | None,
    outcomes: dict[int, CityOutcome],
    tell: BatchProgress,
) -> None:
    """Submit the cities of ``todo`` and record each outcome as it arrives."""
    from distributed import as_completed  # noqa: PLC0415

    batch = uuid.uuid4().hex[:8]
    with dask_client(scheduler, workers, len(todo)) as client:
        futures, index = [], {}
        for at, slug in todo.items():
            future = client.submit(
                analyze_city,
                cities[at],
                str(out_root.resolve()),
                options,
                key=f"urbanfit-{slug}-{batch}",
                pure=False,
                retries=0,
            )
            futures.append(future)
            index[future.key] = at
        for future in as_completed(futures):
            at = index[future.key]
            try:
                outcome = _outcome(cities[at], todo[at], future.result())
            except Exception as error:  # the worker died (memory, crash) or was lost
                text = f"the Dask task failed: {type(error).__name__}: {error}"
                outcome = CityOutcome(cities[at], todo[at], "failed", error=text)
            outcomes[at] = outcome
            tell(outcome, len(outcomes), len(cities))


def _compare(outcomes: list[CityOutcome], out_root: Path) -> Path | None:
    """Write the comparison of every city with a summary; None when there is none."""
    from urbanfit.render.compare import compare_summaries, write_comparison  # noqa: PLC0415
    from urbanfit.render.export import staged_folder  # noqa: PLC0415

    summaries = [o.summary for o in outcomes if o.summary is not None]
    if not summaries:
        return None
    target = out_root / COMPARISON_FOLDER
    with staged_folder(target) as staging:
        write_comparison(compare_summaries(summaries), staging)
    return target
