import random

import numpy as np
import pytest

from agent.embedding import HashingEmbedder
from agent.population import Population
from agent.records import EvalResult, Program
from agent.sampler import Sampler, SamplerConfig


def prog(code, fit, island=0, valid=True):
    r = EvalResult(valid=True, fitness=fit) if valid else EvalResult.invalid("bad")
    return Program(code=code, island=island, result=r)


def families(n_per=10, islands=1):
    """Programs from three very different code families, fitness rising within each."""
    out = []
    for i in range(n_per):
        out.append(prog(f"def a():\n    return sorted(range({i}))\n", 1.0 + i / 100))
        out.append(prog(f"class B:\n    def go(self):\n        while x < {i}: x += y * z\n", 2.0 + i / 100))
        out.append(prog(f"import numpy as np\nnp.linalg.solve(A, b) + np.eye({i})\n", 3.0 + i / 100))
    return out


def test_embedding_is_deterministic_and_unit_norm():
    e = HashingEmbedder()
    a, b = e("x = 1\ny = x + 2\n"), e("x = 1\ny = x + 2\n")
    assert np.allclose(a, b) and abs(np.linalg.norm(a) - 1) < 1e-5


def test_clusters_follow_code_families_and_capacity_is_kept():
    pop = Population(1, HashingEmbedder(), capacity=25, max_clusters=3, recluster_every=5)
    for p in families():
        pop.add(p)
    isl = pop.islands[0]
    assert len(isl) == 25  # capacity: the worst were retired
    assert len([c for c in isl.clusters if c.members]) == 3
    for c in isl.clusters:  # each cluster is one family (fitness integer part)
        fams = {int(-f) for f, _ in c.members}
        assert len(fams) == 1


def test_invalid_programs_never_enter_islands():
    pop = Population(2, HashingEmbedder())
    pop.add(prog("x = 1", 0, valid=False))
    assert all(len(i) == 0 for i in pop.islands) and pop.n_total == 1 and pop.seen("x = 1")


def test_elite_pool_keeps_the_best_unique():
    pop = Population(2, HashingEmbedder(), elite_size=3)
    for i in range(10):
        pop.add(prog(f"v = {i}", float(i), island=i % 2))
    assert [-f for f, _ in pop.elites] == [9.0, 8.0, 7.0]
    assert pop.best.fitness == 9.0


def test_ring_migration_plan():
    pop = Population(3, HashingEmbedder())
    for i in range(3):
        pop.add(prog(f"v = {i}", float(i), island=i))
    plan = pop.migrants(1)
    assert sorted((dest, p.island) for dest, p in plan) == [(0, 2), (1, 0), (2, 1)]


def _parent_fitness_hist(kind, n=600, **kw):
    pop = Population(1, HashingEmbedder(), capacity=100, max_clusters=3, recluster_every=5)
    for p in families():
        pop.add(p)
    s = Sampler(SamplerConfig(kind=kind, **kw))
    rng = random.Random(0)
    return [pop.programs[s.sample(pop, 0, rng).parent].fitness for _ in range(n)]


def test_samplers_differ_in_selection_pressure():
    topk = _parent_fitness_hist("topk", topk=3)
    rnd = _parent_fitness_hist("random")
    fp = _parent_fitness_hist("fitness-proportional")
    ad = _parent_fitness_hist("adaptive")
    assert min(topk) >= 3.07  # only the best three
    assert min(rnd) < 1.05 and np.mean(rnd) < np.mean(fp) < np.mean(topk)
    assert np.mean(rnd) < np.mean(ad)


def test_temperature_rises_when_island_collapses():
    s = Sampler(SamplerConfig())
    diverse = Population(1, HashingEmbedder())
    for p in families(4):
        diverse.add(p)
    collapsed = Population(1, HashingEmbedder())
    for i in range(12):
        collapsed.add(prog(f"def a():\n    return sorted(range({i}))\n", float(i)))
    s.observe(diverse)
    t_div = s.temperature(diverse.islands[0])
    t_col = s.temperature(collapsed.islands[0])
    assert diverse.islands[0].diversity() > collapsed.islands[0].diversity()
    assert t_col > t_div
    assert t_div == pytest.approx(SamplerConfig().temp_min, rel=1e-6)


def test_elite_pool_can_be_switched_off():
    pop = Population(2, HashingEmbedder(), elite_size=0)
    for i in range(5):
        pop.add(prog(f"v = {i}", float(i), island=i % 2))
    assert pop.elites == [] and pop.best.fitness == 4.0
    s = Sampler(SamplerConfig(use_elites=False))
    choice = s.sample(pop, 0, random.Random(0))
    assert all(pid in pop.islands[0].fit for pid in choice.inspirations)
