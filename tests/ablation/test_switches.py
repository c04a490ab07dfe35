"""Every ablation switch is a real code path: turning it changes what the engine does.

Sampler switches are checked on one fixed population (the parents' distribution differs);
population and search switches on short offline runs of the toy task (local pools).
"""

import json
import random
import sqlite3
from collections import Counter

import pytest

from agent.embedding import HashingEmbedder
from agent.offline import OfflineProposer
from agent.population import Population
from agent.records import EvalResult, Program
from agent.sampler import Sampler, SamplerConfig
from agent.search import Search
from harness.ablate import SETTINGS, apply_setting
from tests.core.toytask import toy_task

N_DRAWS = 3000


def _population(elite_size=16, islands=1):
    """Three code families with rising fitness inside each: clusters and a clear ranking."""
    pop = Population(islands, HashingEmbedder(), capacity=200, max_clusters=4, recluster_every=5,
                     elite_size=elite_size)
    for i in range(20):
        for fam, base in (("def a():\n    return sorted(range({i}))\n", 1.0),
                          ("class B:\n    def go(self):\n        while x < {i}: x += y\n", 2.0),
                          ("import numpy as np\nnp.eye({i}) @ np.ones({i})\n", 3.0)):
            pop.add(Program(code=fam.format(i=i), island=0,
                            result=EvalResult(valid=True, fitness=base + i / 100)))
    for isl in pop.islands:
        isl.refit()
    return pop


def _parents(kind, pop=None, **kw):
    pop = pop or _population()
    s = Sampler(SamplerConfig(kind=kind, **kw))
    rng = random.Random(1)
    return Counter(s.sample(pop, 0, rng).parent for _ in range(N_DRAWS))


def _tv(a, b):
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a[k] / N_DRAWS - b[k] / N_DRAWS) for k in keys)


def test_each_sampler_draws_parents_from_a_different_distribution():
    pop = _population()
    dist = {k: _parents(k, pop) for k in ("adaptive", "random", "topk", "fitness-proportional")}
    ranked = [pid for _, pid in pop.islands[0].ranked]
    # topk: only the five best, roughly uniformly
    assert set(dist["topk"]) <= set(ranked[:5]) and len(dist["topk"]) == 5
    # random: (nearly) every member, none much more often than the rest
    assert len(dist["random"]) >= 0.95 * len(ranked)
    assert max(dist["random"].values()) < 4 * N_DRAWS / len(ranked)
    # fitness-proportional: better programs are drawn more often than worse ones
    fp = dist["fitness-proportional"]
    top, bottom = ranked[:10], ranked[-10:]
    assert sum(fp[p] for p in top) > 2 * sum(fp[p] for p in bottom)
    # every pair of samplers differs clearly (total variation distance)
    kinds = list(dist)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            assert _tv(dist[a], dist[b]) > 0.15, (a, b, _tv(dist[a], dist[b]))


def test_adaptive_sampler_follows_clusters_and_temperature():
    pop = _population()
    isl = pop.islands[0]
    assert len([c for c in isl.clusters if c.members]) >= 3
    cold = _parents("adaptive", pop, temp_min=0.01, temp_max=0.02)  # sharp: best cluster
    hot = _parents("adaptive", pop, temp_min=50.0, temp_max=100.0)  # flat: every cluster
    best_family = {pid for f, pid in isl.ranked if -f >= 3.0}  # the best family's clusters
    share = lambda d: sum(v for p, v in d.items() if p in best_family) / N_DRAWS  # noqa: E731
    assert share(cold) > 0.97 and share(hot) < 0.6


def test_fixed_and_relative_diversity_rules_give_different_temperatures():
    pop = _population()
    isl = pop.islands[0]
    rel = Sampler(SamplerConfig(diversity_rule="relative"))
    rel.observe(pop)
    fixed = Sampler(SamplerConfig(diversity_rule="fixed", diversity_target=10.0))
    t_rel, t_fixed = rel.temperature(isl), fixed.temperature(isl)
    assert t_rel == pytest.approx(SamplerConfig().temp_min)  # the most diverse island seen
    assert t_fixed > 5 * t_rel  # far below the fixed target: near temp_max
    assert _tv(_parents("adaptive", pop, diversity_rule="fixed", diversity_target=10.0),
               _parents("adaptive", pop)) > 0.1


def test_elites_off_means_no_elite_inspirations():
    pop = _population(elite_size=4, islands=2)
    # island 1 holds one weak program; the elites all live on island 0
    pop.add(Program(code="z = 0\n", island=1, result=EvalResult(valid=True, fitness=0.0)))
    elite_ids = {pid for _, pid in pop.elites}
    rng = random.Random(0)
    on = Sampler(SamplerConfig(kind="random", use_elites=True))
    off = Sampler(SamplerConfig(kind="random", use_elites=False))
    got_on = {i for _ in range(50) for i in on.sample(pop, 1, rng).inspirations}
    got_off = {i for _ in range(50) for i in off.sample(pop, 1, rng).inspirations}
    assert got_on & elite_ids and not (got_off & elite_ids)
    pop0 = _population(elite_size=0)
    assert pop0.elites == [] and pop0.elite_programs() == []


# ------------------------------------------------------------------ short runs per setting
BASE = {"pools": {"backend": "local", "evals_in_flight": 2},
        "population": {"islands": 3, "generation_size": 2, "migration_interval": 1,
                       "island_capacity": 30, "elite_size": 4},
        "cold_start": {"variants_per_island": 2}, "stop": {"max_evals": 30},
        "knowledge": {"enabled": False}, "stats_every": 5}


class RecordingProposer(OfflineProposer):
    contexts: list = []

    def propose_sync(self, ctx):
        RecordingProposer.contexts.append(ctx)
        return super().propose_sync(ctx)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name in ("full", "no-islands", "no-cold-start", "no-elites", "no-migration"):
        RecordingProposer.contexts = []
        cfg = apply_setting(BASE, name)
        d = tmp_path_factory.mktemp(name)
        Search(toy_task(), cfg, d, RecordingProposer).run()
        db = sqlite3.connect(d / "programs.db")
        rows = db.execute("SELECT island, proposer, meta FROM programs").fetchall()
        stats = db.execute("SELECT island, temperature FROM island_stats").fetchall()
        db.close()
        out[name] = {"cfg": cfg, "rows": rows, "stats": stats,
                     "contexts": list(RecordingProposer.contexts)}
    return out


def _kinds(rows):
    return Counter(json.loads(m or "{}").get("kind") for _, _, m in rows)


def test_no_islands_is_one_island_of_the_same_total_size(runs):
    full, one = runs["full"], runs["no-islands"]
    assert one["cfg"].population.islands == 1
    assert one["cfg"].population.island_capacity == 3 * 30
    assert {i for i, _, _ in one["rows"] if i >= 0} == {0}
    assert {i for i, _, _ in full["rows"] if i >= 0} == {0, 1, 2}
    assert {i for i, _ in one["stats"]} == {0}


def test_no_cold_start_means_no_cold_start_variants(runs):
    assert _kinds(runs["full"]["rows"])["cold_start"] == 6  # 2 per island x 3 islands
    assert _kinds(runs["no-cold-start"]["rows"])["cold_start"] == 0
    assert not any(c.kind == "cold_start" for c in runs["no-cold-start"]["contexts"])


def test_no_elites_means_no_elites_in_any_proposal(runs):
    assert any(c.elites for c in runs["full"]["contexts"])
    assert not any(c.elites for c in runs["no-elites"]["contexts"])


def test_no_migration_means_no_migration_rows(runs):
    migr = lambda r: sum(p == "migration" for _, p, _ in r["rows"])  # noqa: E731
    assert migr(runs["full"]) > 0
    assert migr(runs["no-migration"]) == 0
    assert migr(runs["no-islands"]) == 0  # one island: nowhere to migrate


def test_every_setting_changes_the_config():
    base = apply_setting(BASE, "full")
    dumps = {n: apply_setting(BASE, n).model_dump() for n in SETTINGS}
    for n, d in dumps.items():
        assert (d == base.model_dump()) == (n == "full"), n
    assert len({json.dumps(d, sort_keys=True) for d in dumps.values()}) == len(SETTINGS)
