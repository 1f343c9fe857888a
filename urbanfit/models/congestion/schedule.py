"""The assignments of one congestion run as tasks, run here or on an executor's workers.

After the demand calibration of the target level (a search: one run after another), every
remaining assignment is independent of the others: the calibration of each other congestion
level, and one run per fleet scenario and level. Each task starts from flows fixed before it
is sent (the calibrated baseline flows of the target level, or of its own level for a
scenario), never from whichever run happened to finish before it, so a task gives the same
flows wherever and in whatever order it runs: the serial run and a run on many processes
compute the same tasks. The executor is the caller's (`urbanfit.workers` makes one of
local processes or of a Dask cluster); the model starts no process itself.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, wait
from contextlib import AbstractContextManager
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from urbanfit.models.congestion.assignment import GraphCache
from urbanfit.models.congestion.calibration import ScaleSearch
from urbanfit.models.congestion.curve import Level
from urbanfit.models.congestion.runs import Runner
from urbanfit.models.congestion.vdf import first_slope, vdf_parameters
from urbanfit.vehicles import Scenario

__all__ = ["Level", "LevelRuns", "Workers", "WorkersFactory", "run_levels"]

FloatArray = npt.NDArray[np.float64]
Warm = tuple[FloatArray, float] | None


@dataclasses.dataclass(frozen=True)
class Workers:
    """
    Where the tasks run: an executor, and the AequilibraE threads each task may use.

    ``threads`` 0 keeps the parameters' own choice (``AssignmentParams.cores``); a local pool
    of one process per core gives 1, so that its processes do not share cores.
    """

    executor: Executor
    threads: int = 0


WorkersFactory = Callable[[int, int], AbstractContextManager[Workers | None]]
"""Given (tasks, assigned links), a context giving the `Workers` to use, or None: run here."""


@dataclasses.dataclass(frozen=True)
class LevelRuns:
    """The runs of one congestion level: its demand scale and search, and per-scenario rows."""

    level: Level
    scale: float
    search: ScaleSearch | None
    rows: dict[str, dict[str, Any]]
    blocks: dict[str, pd.DataFrame]


@dataclasses.dataclass(frozen=True)
class _Job:
    """
    What every task of one congestion run shares: its runner and scenarios.

    ``payload`` is them pickled with cloudpickle (the catalog's and scenarios' read-only
    mappings are beyond the standard pickle), once for every task; ``runner`` is set instead
    when the tasks run in this process.
    """

    key: str
    payload: bytes = b""
    runner: Runner | None = None
    scenarios: tuple[Scenario, ...] = ()


_CACHE: dict[str, tuple[Runner, tuple[Scenario, ...]]] = {}
"""In a worker process: the last job, unpickled once, so its tasks share one prepared graph."""


def _unpack(job: _Job) -> tuple[Runner, tuple[Scenario, ...]]:
    if job.runner is not None:
        return job.runner, job.scenarios
    found = _CACHE.get(job.key)
    if found is None:
        import cloudpickle  # noqa: PLC0415  (a dependency of distributed)

        _CACHE.clear()
        found = _CACHE[job.key] = cloudpickle.loads(job.payload)
    return found


def _scenario_task(
    job: _Job, which: int, scale: float, warm: Warm, keep_links: bool
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    runner, scenarios = _unpack(job)
    runner.warm = warm
    return runner.scenario(scenarios[which], scale, keep_links=keep_links)


def _level_task(
    job: _Job, baseline: int, target: float, start: float, warm: Warm
) -> tuple[ScaleSearch, Warm]:
    runner, scenarios = _unpack(job)
    runner.warm = warm
    search = runner.calibrate(scenarios[baseline], target, start=start)
    return search, runner.warm


def _portable(runner: Runner) -> Runner:
    """Copy ``runner`` to send to workers: links without geometry, no progress, no graph."""
    network = runner.network
    links = gpd.GeoDataFrame(pd.DataFrame(network.links).drop(columns="geometry"))
    portable = copy.copy(runner)
    portable.network = dataclasses.replace(network, links=links)
    portable.graphs = GraphCache()
    portable.progress = None
    return portable


class _Here(Executor):
    """Runs each task at once, in this process (the serial run)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def run_levels(
    runner: Runner,
    levels: Sequence[Level],
    scenarios: Sequence[Scenario],
    *,
    baseline: Scenario,
    scale: float,
    search: ScaleSearch | None,
    workers: Workers | None = None,
    done: Callable[[int, int], None] | None = None,
) -> list[LevelRuns]:
    """
    Run every scenario at every level, the first level's demand already calibrated.

    ``runner.warm`` holds the calibrated ``baseline`` flows of ``levels[0]`` (at ``scale``,
    found by ``search``). Each other level is calibrated from them, starting its search at the
    multiplier the BPR curve predicts; each scenario starts from its level's calibrated
    baseline flows. Only the first level keeps link figures. ``workers`` None runs every task
    here, one after another; ``done(finished, total)`` is called as tasks finish.

    Returns
    -------
    runs
        One `LevelRuns` per level, in the order of ``levels``.
    """
    # the slope of log(TTI - 1) on log(demand) of the volume-delay function, for a first guess
    beta = first_slope(*vdf_parameters(runner.params.assignment))
    total = len(levels) - 1 + len(levels) * len(scenarios)
    if workers is None:
        executor: Executor = _Here()
        job = _Job("here", runner=runner, scenarios=tuple(scenarios))
    else:
        import cloudpickle  # noqa: PLC0415  (a dependency of distributed)

        executor = workers.executor
        portable = _portable(runner)
        if workers.threads:
            assignment = dataclasses.replace(portable.params.assignment, cores=workers.threads)
            portable.params = dataclasses.replace(portable.params, assignment=assignment)
        job = _Job(uuid.uuid4().hex, cloudpickle.dumps((portable, tuple(scenarios))))
    base = [s.id for s in scenarios].index(baseline.id)
    found: dict[int, tuple[float, ScaleSearch | None]] = {0: (scale, search)}
    results: dict[tuple[int, str], tuple[dict[str, Any], pd.DataFrame | None]] = {}
    pending: dict[Future[Any], tuple[int, str]] = {}

    def send(level: int, warm: Warm) -> None:
        at = found[level][0]
        for which, scenario in enumerate(scenarios):
            future = executor.submit(_scenario_task, job, which, at, warm, level == 0)
            pending[future] = (level, scenario.id)

    warm0 = runner.warm
    send(0, warm0)
    for k, level in enumerate(levels[1:], start=1):
        guess = scale * ((level[1] - 1.0) / (levels[0][1] - 1.0)) ** (1.0 / beta)
        pending[executor.submit(_level_task, job, base, level[1], guess, warm0)] = (k, "")
    finished = 0
    while pending:
        ready, _ = wait(list(pending), return_when="FIRST_COMPLETED")
        for future in ready:
            k, sid = pending.pop(future)
            answer = future.result()
            finished += 1
            if sid:
                results[k, sid] = answer
            else:
                level_search, warm = answer
                found[k] = (level_search.scale, level_search)
                send(k, warm)
            if done is not None:
                done(finished, total)
    out = []
    for k, level in enumerate(levels):
        rows = {s.id: results[k, s.id][0] for s in scenarios}
        blocks = {s.id: b for s in scenarios if (b := results[k, s.id][1]) is not None}
        out.append(LevelRuns(level, found[k][0], found[k][1], rows, blocks))
    return out
