"""`newsum batch --engine dask` on a real dask.distributed LocalCluster gives the local output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_batch
from test_batch import CHUNK, LEAD, _interrupted_run, batch

distributed = pytest.importorskip("distributed")

# the same input and single-worker reference output as the local-engine tests
stories = test_batch.stories
big = test_batch.big
reference = test_batch.reference


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def on_dask(tmp_path: Path, big: Path, out: str, scheduler: str, chunk: str):
    """`newsum batch BIG OUT` with Lead-3 on the Dask cluster at `scheduler`."""
    return batch(
        str(big),
        out,
        *LEAD,
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        "--chunk-size",
        chunk,
        cwd=tmp_path,
    )


def test_dask_engine_matches_local_engine(tmp_path: Path, big, reference, scheduler):
    res = on_dask(tmp_path, big, "out.jsonl", scheduler, CHUNK)
    assert res.returncode == 1, res.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_dask_engine_finishes_a_local_run(tmp_path: Path, big, reference, scheduler):
    _interrupted_run(tmp_path, big, n=4)
    res = on_dask(tmp_path, big, "out.jsonl", scheduler, CHUNK)
    assert res.returncode == 1, res.stderr
    assert "4 chunks already done" in res.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]


def test_dask_engine_parquet_output(tmp_path: Path, big, reference, scheduler):
    pq = pytest.importorskip("pyarrow.parquet")
    res = on_dask(tmp_path, big, "out.parquet", scheduler, "200")
    assert res.returncode == 1, res.stderr
    expect = [json.loads(line) for line in reference[0].splitlines()]
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == expect


def test_unreachable_scheduler_is_a_usage_error(tmp_path: Path, big):
    res = batch(
        str(big),
        "out.jsonl",
        *LEAD,
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
        cwd=tmp_path,
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler tcp://127.0.0.1:9" in lines[0]
