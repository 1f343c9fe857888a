"""The congestion model's independent runs on worker processes give the serial run's flows."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster

from urbanfit.errors import ConfigError
from urbanfit.models.congestion import congestion_model
from urbanfit.models.congestion.schedule import WorkersFactory
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import AssignmentParams, CalibrationParams, TrafficParams
from urbanfit.results import CongestionResult
from urbanfit.vehicles import load_vehicles, scenarios
from urbanfit.workers import congestion_workers, local_worker_count

PARAMS = TrafficParams(calibration=CalibrationParams(target_tti=1.15))


def _grid_run(workers: WorkersFactory | None) -> CongestionResult:
    # 8 x 8 grid, 3 levels x 2 scenarios + 2 level calibrations = 8 tasks
    streets, buildings = grid_city(8, 8, spacing_m=200.0, floor_area_m2=30000.0)
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    return congestion_model(streets, buildings, catalog, runs, params=PARAMS, workers=workers)


@pytest.fixture(scope="module")
def serial() -> CongestionResult:
    return _grid_run(None)


def _assert_same(serial: CongestionResult, other: CongestionResult) -> None:
    pd.testing.assert_frame_equal(serial.link_flows, other.link_flows, check_exact=True)
    assert serial.curve is not None and other.curve is not None
    assert len(serial.curve) == 3 * 2  # every level ran both scenarios
    pd.testing.assert_frame_equal(serial.curve, other.curve, check_exact=True)
    assert np.array_equal(serial.scenarios["iterations"], other.scenarios["iterations"])


def test_two_worker_processes_give_the_serial_flows_to_the_last_bit(
    serial: CongestionResult,
) -> None:
    # Each task starts from flows fixed before it is sent and runs one AequilibraE thread in
    # both runs (the serial run is below one_thread_below; a 2-process pool on <= 2 cores gives
    # 1 thread each), so the same compiled arithmetic runs in the same order: equal to the
    # last bit, not merely within the gap.
    _assert_same(serial, _grid_run(congestion_workers(workers=2, params=PARAMS.assignment)))


def test_a_dask_scheduler_gets_the_runs_with_the_same_flows(serial: CongestionResult) -> None:
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.ERROR,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        # the scheduler's worker runs AequilibraE as the parameters say: one thread here
        _assert_same(serial, _grid_run(congestion_workers(scheduler=address)))


def test_worker_count_is_bounded_by_cores_tasks_and_memory() -> None:
    params = AssignmentParams()
    # 100,000 links: 250 MB + 14 MB x 100 = 1,650 MB a worker
    each = (params.worker_base_mb + params.worker_mb_per_1000_links * 100) * 1024 * 1024
    assert each == 1650 * 1024 * 1024
    # 0.8 x 10 workers' worth of memory -> 8 workers by memory; 16 cores; 14 tasks -> 8
    memory = int(10 * each)
    assert local_worker_count(14, 100_000, params=params, cores=16, available_bytes=memory) == 8
    # plenty of memory: one per core, at most one per task
    plenty = 10**13
    assert local_worker_count(14, 100_000, params=params, cores=16, available_bytes=plenty) == 14
    assert local_worker_count(14, 100_000, params=params, cores=2, available_bytes=plenty) == 2
    # not even one worker's worth: still one (the serial run)
    assert local_worker_count(14, 100_000, params=params, cores=16, available_bytes=1) == 1


def test_a_small_network_runs_in_this_process_unless_workers_are_asked() -> None:
    factory = congestion_workers()
    with factory(14, AssignmentParams().parallel_above_links) as workers:
        assert workers is None
    with congestion_workers(workers=1)(14, 10**6) as workers:
        assert workers is None


def test_zero_workers_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        congestion_workers(workers=0)
