"""The congestion model's independent runs on worker processes give the serial run's flows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from urbanfit.errors import ConfigError
from urbanfit.models.congestion import congestion_model
from urbanfit.models.congestion.synthetic import grid_city
from urbanfit.parameters.traffic import AssignmentParams, CalibrationParams, TrafficParams
from urbanfit.vehicles import load_vehicles, scenarios
from urbanfit.workers import congestion_workers, local_worker_count


def test_two_worker_processes_give_the_serial_flows_to_the_last_bit() -> None:
    # 8 x 8 grid, 3 levels x 2 scenarios + 2 level calibrations = 8 tasks. Each task starts
    # from flows fixed before it is sent and runs one AequilibraE thread in both runs (the
    # serial run is below one_thread_below; a 2-process pool on <= 2 cores gives 1 thread
    # each), so the same compiled arithmetic runs in the same order: equal to the last bit,
    # not merely within the gap.
    streets, buildings = grid_city(8, 8, spacing_m=200.0, floor_area_m2=30000.0)
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 1.0))
    params = TrafficParams(calibration=CalibrationParams(target_tti=1.15))
    serial = congestion_model(streets, buildings, catalog, runs, params=params)
    parallel = congestion_model(
        streets,
        buildings,
        catalog,
        runs,
        params=params,
        workers=congestion_workers(workers=2, params=params.assignment),
    )
    pd.testing.assert_frame_equal(serial.link_flows, parallel.link_flows, check_exact=True)
    assert serial.curve is not None and parallel.curve is not None
    assert len(serial.curve) == 3 * 2  # every level ran both scenarios
    pd.testing.assert_frame_equal(serial.curve, parallel.curve, check_exact=True)
    columns = ["vht_veh_h", "delay_veh_h", "iterations", "rel_gap"]
    pd.testing.assert_frame_equal(serial.scenarios[columns], parallel.scenarios[columns])
    assert np.array_equal(serial.scenarios["iterations"], parallel.scenarios["iterations"])


def test_worker_count_is_bounded_by_cores_tasks_and_memory() -> None:
    params = AssignmentParams()
    # 100,000 links: 250 MB + 6 MB x 100 = 850 MB a worker
    each = (params.worker_base_mb + params.worker_mb_per_1000_links * 100) * 1024 * 1024
    assert each == 850 * 1024 * 1024
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
