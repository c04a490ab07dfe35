"""The Ray backend: a real local Ray instance, evaluations as resource-aware tasks."""

import sqlite3

import pytest

from agent.config import load_config
from agent.search import Search
from harness.proposers import ProposerSpec
from tests.core.toytask import toy_task

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


@pytest.mark.ray
def test_search_on_ray_pools(tmp_path, local_ray):
    cfg = load_config(None, {"stop.max_evals": 24, "pools.backend": "ray",
                             "pools.proposals_in_flight": 4, "population.islands": 2,
                             "cold_start.variants_per_island": 2})
    summary = Search(toy_task(), cfg, tmp_path, ProposerSpec()).run()
    assert summary["evaluations"] == 24
    assert summary["best_score"] <= summary["seed_score"]
    n = sqlite3.connect(tmp_path / "programs.db").execute(
        "select count(*) from programs where proposer not in ('migration', 'cold_start_copy')").fetchone()[0]
    assert n == 24
    assert summary["pool_utilisation"]["evaluation"] > 0
