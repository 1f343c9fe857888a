"""Reading the TNTP Sioux Falls network and its best-known solution (skips without the data)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from urbanfit.errors import SourceError
from urbanfit.models.congestion import beckmann_objective
from urbanfit.sources.tntp import read_tntp

DATA = Path(
    os.environ.get(
        "URBANFIT_SIOUXFALLS_DIR", Path(__file__).parents[2] / "shared/data/tntp/SiouxFalls"
    )
)
needs_data = pytest.mark.skipif(
    not (DATA / "SiouxFalls_net.tntp").is_file(), reason=f"Sioux Falls data not found in {DATA}"
)


@needs_data
def test_reads_the_network_described_in_its_readme() -> None:
    net = read_tntp(DATA)
    # README: 24 zones, 24 nodes, 76 links, 360,600 trips
    assert net.zones == 24
    assert len(net.links) == 76
    assert net.trips.sum() == pytest.approx(360_600.0)
    assert net.best_flows is not None and len(net.best_flows) == 76


@needs_data
def test_best_known_flows_give_the_published_objective() -> None:
    # the assignment itself is checked for every network in test_tntp_collection.py
    net = read_tntp(DATA)
    assert net.best_flows is not None
    links = net.links
    objective = beckmann_objective(
        links["free_flow_time"],
        links["b"],
        links["power"],
        links["capacity"],
        net.best_flows["volume"],
    )
    # README: optimal objective 42.31335287107440 (in units of 1e5 here)
    assert objective / 1e5 == pytest.approx(42.31335287107440, rel=1e-12)


def test_reads_a_hand_written_tntp_network(tmp_path: Path) -> None:
    (tmp_path / "Two_net.tntp").write_text(
        "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 2\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 2\n"
        "<END OF METADATA>\n~ init term cap len fft b power speed toll type ;\n"
        "\t1\t2\t1000\t1\t10\t0.15\t4\t0\t0\t1\t;\n\t2\t1\t500\t1\t5\t0.15\t4\t0\t0\t1\t;\n"
    )
    (tmp_path / "Two_trips.tntp").write_text(
        "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 30.0\n<END OF METADATA>\n\n"
        "Origin 1\n    1 :    0.0;     2 :   20.0;\n\nOrigin 2\n    1 :   10.0;\n"
    )
    net = read_tntp(tmp_path)
    assert net.name == "Two"
    assert net.links["capacity"].tolist() == [1000.0, 500.0]
    assert np.array_equal(net.trips, [[0.0, 20.0], [10.0, 0.0]])
    assert net.best_flows is None
    (tmp_path / "Two_trips.tntp").write_text(
        "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 99.0\n<END OF METADATA>\nOrigin 1\n 2 : 20.0;\n"
    )
    with pytest.raises(SourceError, match="header says"):
        read_tntp(tmp_path)
