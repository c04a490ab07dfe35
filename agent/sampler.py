"""Choosing parents: cluster-based sampling with selection pressure driven by diversity.

``adaptive`` (the FM Agent's sampler): draw a cluster with a softmax over cluster quality
(the cluster's best fitness, scaled to [0, 1] within the island) at temperature T, then a
parent inside the cluster by rank, weight 1/(rank+1)**(p * T_max / T) (p = ``rank_power``): the
same temperature sets the pressure inside the cluster, so a collapsed island keeps the flat
weights 1/(rank+1)**p and a diverse one takes the cluster's best almost always
(``rank_temperature=False``: fixed weights 1/(rank+1)**p). T follows measured diversity d: the
island's diversity relative to the largest diversity seen in this run, r = d / d_ref, sets
T = T_min * (T_max / T_min) ** (1 - r). A collapsed island (r -> 0) gets T_max: flat, explore;
a diverse one (r -> 1) gets T_min: sharp, exploit. Inspirations are the best programs of other
clusters and the global elites.

Baselines for ablations: ``random`` (uniform over the island), ``topk`` (uniform over the best
k), ``fitness-proportional`` (weights fitness minus the island's minimum).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from agent.population import Island, Population


@dataclass(frozen=True)
class Choice:
    parent: str
    inspirations: tuple[str, ...]
    second_parent: str | None
    temperature: float | None
    cluster: int | None


@dataclass
class SamplerConfig:
    kind: str = "adaptive"  # adaptive | random | topk | fitness-proportional
    temp_min: float = 0.05
    temp_max: float = 1.0
    topk: int = 5
    n_inspirations: int = 3
    n_elites: int = 2
    crossover_rate: float = 0.15
    diversity_rule: str = "relative"  # relative | fixed (diversity / diversity_target)
    diversity_target: float = 0.1
    use_elites: bool = True
    rank_power: float = 1.0  # parent weight inside a cluster: 1 / (rank + 1) ** rank_power
    rank_temperature: bool = True  # the exponent is rank_power * temp_max / T


KINDS = ("adaptive", "random", "topk", "fitness-proportional")


class Sampler:
    def __init__(self, cfg: SamplerConfig) -> None:
        if cfg.kind not in KINDS:
            raise ValueError(f"unknown sampler {cfg.kind!r}; choose one of {', '.join(KINDS)}")
        self.cfg = cfg
        self.d_ref = 1e-9  # largest diversity seen so far (relative rule)

    def temperature(self, isl: Island) -> float:
        d = isl.diversity()
        if self.cfg.diversity_rule == "fixed":
            r = d / max(self.cfg.diversity_target, 1e-12)
        else:
            self.d_ref = max(self.d_ref, d)
            r = d / self.d_ref
        r = min(1.0, max(0.0, r))
        lo, hi = self.cfg.temp_min, self.cfg.temp_max
        return float(lo * (hi / lo) ** (1.0 - r))

    def observe(self, pop: Population) -> None:
        for isl in pop.islands:
            self.d_ref = max(self.d_ref, isl.diversity())

    def sample(self, pop: Population, island: int, rng: random.Random) -> Choice:
        isl = pop.islands[island]
        if not isl.ranked:
            raise LookupError(f"island {island} is empty")
        kind = self.cfg.kind
        temp: float | None = None
        cluster: int | None = None
        if kind == "adaptive":
            temp = self.temperature(isl)
            cluster = self._draw_cluster(isl, temp, rng)
            members = isl.clusters[cluster].members
            power = self.cfg.rank_power
            if self.cfg.rank_temperature:
                power *= self.cfg.temp_max / max(temp, 1e-6)
            weights = [(r + 1.0) ** -power for r in range(len(members))]
            parent = rng.choices(members, weights=weights, k=1)[0][1]
        elif kind == "random":
            parent = rng.choice(isl.ranked)[1]
        elif kind == "topk":
            parent = rng.choice(isl.ranked[: self.cfg.topk])[1]
        else:
            fits = np.array([-f for f, _ in isl.ranked])
            w = fits - fits.min() + 1e-6 * (abs(fits.max()) + 1e-12)
            parent = rng.choices(isl.ranked, weights=w.tolist(), k=1)[0][1]
        insp = self._inspirations(pop, isl, parent, cluster, temp, rng)
        second = None
        if insp and rng.random() < self.cfg.crossover_rate:
            second = insp[0]
        return Choice(parent, tuple(insp), second, temp, cluster)

    def _draw_cluster(self, isl: Island, temp: float, rng: random.Random,
                      exclude: set[int] | None = None) -> int:
        idx = [i for i, c in enumerate(isl.clusters) if c.members and i not in (exclude or ())]
        if not idx:
            return -1
        bests = np.array([isl.clusters[i].best for i in idx])
        lo, hi = bests.min(), bests.max()
        q = (bests - lo) / (hi - lo) if hi > lo else np.ones_like(bests)
        logits = q / max(temp, 1e-6)
        p = np.exp(logits - logits.max())
        return idx[rng.choices(range(len(idx)), weights=p.tolist(), k=1)[0]]

    def _inspirations(self, pop: Population, isl: Island, parent: str, cluster: int | None,
                      temp: float | None, rng: random.Random) -> list[str]:
        out: list[str] = []
        if self.cfg.kind == "adaptive" and cluster is not None:
            used = {cluster}
            for _ in range(self.cfg.n_inspirations):
                c = self._draw_cluster(isl, temp or 1.0, rng, used)
                if c < 0:
                    break
                used.add(c)
                out.append(isl.clusters[c].members[0][1])
        else:
            pool = [pid for _, pid in isl.ranked[: max(10, self.cfg.n_inspirations * 3)]
                    if pid != parent]
            out = rng.sample(pool, min(self.cfg.n_inspirations, len(pool)))
        if self.cfg.use_elites:
            for _, pid in pop.elites[: self.cfg.n_elites + 1]:
                if pid != parent and pid not in out and pid not in isl.fit:
                    out.append(pid)
                if len(out) >= self.cfg.n_inspirations + self.cfg.n_elites:
                    break
        return [p for p in out if p != parent]


