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


class KillerEvaluator:
    """Kills its own worker process for one marked candidate (like an out-of-memory kill)."""

    def __init__(self, inner):
        self.inner = inner

    def evaluate(self, code, ctx):
        import os

        if "KILL-THE-WORKER" in code:
            os._exit(137)
        return self.inner.evaluate(code, ctx)


class KillOnceProposer:
    name = "killer"

    def __init__(self):
        from agent.offline import OfflineProposer

        self.inner = OfflineProposer()
        self.n = 0

    async def propose(self, ctx):
        from agent.proposer import Proposal

        self.n += 1
        if self.n == 3:
            return Proposal(code=ctx.parent.code + "\n# KILL-THE-WORKER\n", proposer=self.name)
        return await self.inner.propose(ctx)


@pytest.mark.ray
def test_a_dying_worker_costs_one_evaluation_not_the_run(tmp_path, local_ray):
    from dataclasses import replace

    task = toy_task()
    task = replace(task, evaluator=KillerEvaluator(task.evaluator))
    cfg = load_config(None, {"stop.max_evals": 20, "pools.backend": "ray",
                             "pools.proposals_in_flight": 2, "population.islands": 1,
                             "cold_start.variants_per_island": 4})
    summary = Search(task, cfg, tmp_path, KillOnceProposer).run()
    assert summary["evaluations"] == 20
    import json

    errors = [json.loads(r[0])["error"] for r in sqlite3.connect(tmp_path / "programs.db").execute(
        "select result from programs where valid = 0")]
    assert any("worker died" in (e or "") for e in errors), errors
