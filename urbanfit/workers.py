"""Where the congestion model's independent runs go: local processes or a Dask cluster.

`congestion_workers` gives the ``workers`` callable that `urbanfit.models.congestion` takes.
By default a network of more than ``AssignmentParams.parallel_above_links`` assigned links runs
its tasks on one spawned process per core (fewer if memory or the task count says so), each
task on one AequilibraE thread; a smaller network runs them in this process, where starting
processes would cost more than they save. With a Dask scheduler address the tasks go to its
workers. Processes are started with ``spawn``, never forked: a forked child inherits the
parent's objects without their threads (a PBF reader's, a thread pool's), and a garbage
collection of one of them in the child once hung the test suite for good.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager

from urbanfit.errors import ConfigError
from urbanfit.models.congestion.schedule import Workers, WorkersFactory
from urbanfit.parameters.traffic import AssignmentParams

__all__ = ["congestion_workers", "local_worker_count"]

log = logging.getLogger(__name__)

_MB = 1024 * 1024


def local_worker_count(
    tasks: int,
    n_links: int,
    *,
    params: AssignmentParams,
    cores: int | None = None,
    available_bytes: int | None = None,
) -> int:
    """
    Worker processes for ``tasks`` runs on ``n_links`` assigned links: one per core at most.

    Each worker is expected to hold ``params.worker_base_mb`` plus
    ``params.worker_mb_per_1000_links`` per 1,000 links; at most
    ``params.worker_memory_share`` of the available memory is given to them all.
    """
    import psutil  # noqa: PLC0415  (a dependency of distributed)

    cores = cores or os.cpu_count() or 1
    if available_bytes is None:
        available_bytes = int(psutil.virtual_memory().available)
    each = (params.worker_base_mb + params.worker_mb_per_1000_links * n_links / 1000.0) * _MB
    by_memory = int(params.worker_memory_share * available_bytes // max(each, 1.0))
    return max(1, min(cores, tasks, by_memory))


def _quiet_worker() -> None:
    """Start a worker process: AequilibraE's progress bars off (as in the parent)."""
    os.environ["AEQ_SHOW_PROGRESS"] = "FALSE"


def congestion_workers(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    params: AssignmentParams | None = None,
) -> WorkersFactory:
    """
    Give the ``workers`` callable of `congestion_model`.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``): the runs go to its workers.
    workers
        Local worker processes; 1 runs everything in this process; None chooses (one per
        core, bounded by memory and tasks, on networks above ``parallel_above_links``).
    params
        Assignment parameters holding the thresholds and the per-worker memory estimate.
    """
    params = params or AssignmentParams()
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")

    def factory(tasks: int, n_links: int) -> AbstractContextManager[Workers | None]:
        if scheduler is not None:
            return _dask(scheduler)
        if workers is None and n_links <= params.parallel_above_links:
            return _none()
        count = workers or local_worker_count(tasks, n_links, params=params)
        return _local(min(count, tasks))

    return factory


@contextmanager
def _none() -> Iterator[Workers | None]:
    yield None


@contextmanager
def _local(count: int) -> Iterator[Workers | None]:
    if count <= 1:
        yield None
        return
    cores = os.cpu_count() or 1
    log.info("congestion runs on %d worker processes", count)
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_quiet_worker,
    ) as pool:
        yield Workers(pool, threads=max(1, cores // count))


@contextmanager
def _dask(scheduler: str) -> Iterator[Workers | None]:
    from urbanfit.batch import dask_client  # noqa: PLC0415  (distributed: heavy, only when used)

    with dask_client(scheduler, None, 1) as client:
        client.run(_quiet_worker)
        yield Workers(client.get_executor())
