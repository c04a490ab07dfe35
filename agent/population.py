"""Population: islands of embedded, clustered programs, a global elite pool, ring migration.

Only valid programs live in islands (invalid ones are in the database, never parents). Each
island keeps at most ``capacity`` programs (the worst is retired when full), so the work per
insertion stays bounded however long the run is: embedding is O(code), cluster assignment is
O(k), and the periodic k-means refit is O(capacity * k) every ``recluster_every`` insertions.
Diversity is one minus the mean resultant length of the island's unit embeddings (0 = all
programs identical, towards 1 = spread in every direction), kept incrementally.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from agent.embedding import Embedder
from agent.records import Program


def code_hash(code: str) -> str:
    return hashlib.sha1(" ".join(code.split()).encode()).hexdigest()


@dataclass
class Cluster:
    centroid: np.ndarray
    members: list[tuple[float, str]] = field(default_factory=list)  # sorted by -fitness

    def add(self, fitness: float, pid: str) -> None:
        bisect.insort(self.members, (-fitness, pid))

    def remove(self, fitness: float, pid: str) -> None:
        i = bisect.bisect_left(self.members, (-fitness, pid))
        if i < len(self.members) and self.members[i][1] == pid:
            self.members.pop(i)

    @property
    def best(self) -> float:
        return -self.members[0][0]


class Island:
    """One sub-population with its own clusters; evolves on its own between migrations."""

    def __init__(self, index: int, capacity: int, max_clusters: int, recluster_every: int,
                 dim: int) -> None:
        self.index = index
        self.capacity = capacity
        self.max_clusters = max_clusters
        self.recluster_every = recluster_every
        self.emb: dict[str, np.ndarray] = {}
        self.fit: dict[str, float] = {}
        self.cluster_of: dict[str, int] = {}
        self.clusters: list[Cluster] = []
        self.ranked: list[tuple[float, str]] = []  # all members sorted by -fitness
        self.hashes: set[str] = set()
        self.hash_of: dict[str, str] = {}
        self._sum = np.zeros(dim, dtype=np.float64)
        self._since_refit = 0
        self.added = 0  # programs ever added (drives island generations)
        self.best_history: list[float] = []

    def __len__(self) -> int:
        return len(self.fit)

    @property
    def best_id(self) -> str | None:
        return self.ranked[0][1] if self.ranked else None

    @property
    def best_fitness(self) -> float | None:
        return -self.ranked[0][0] if self.ranked else None

    def diversity(self) -> float:
        n = len(self.fit)
        if n < 2:
            return 0.0
        return float(max(0.0, 1.0 - np.linalg.norm(self._sum / n)))

    def add(self, pid: str, fitness: float, emb: np.ndarray, h: str) -> str | None:
        """Add a program; return the id of a program retired to make room, if any."""
        self.emb[pid], self.fit[pid], self.hash_of[pid] = emb, fitness, h
        self.hashes.add(h)
        self._sum += emb
        bisect.insort(self.ranked, (-fitness, pid))
        self._assign(pid)
        self.added += 1
        retired = None
        if len(self.fit) > self.capacity:
            retired = self.ranked[-1][1]
            self.remove(retired)
        self._since_refit += 1
        if self._since_refit >= self.recluster_every:
            self.refit()
        return retired

    def remove(self, pid: str) -> None:
        f = self.fit.pop(pid)
        emb = self.emb.pop(pid)
        self._sum -= emb
        self.hashes.discard(self.hash_of.pop(pid))
        i = bisect.bisect_left(self.ranked, (-f, pid))
        if i < len(self.ranked) and self.ranked[i][1] == pid:
            self.ranked.pop(i)
        c = self.cluster_of.pop(pid)
        self.clusters[c].remove(f, pid)

    def target_clusters(self) -> int:
        return max(1, min(self.max_clusters, int(round(math.sqrt(len(self.fit) / 2.0))) or 1))

    def _assign(self, pid: str) -> None:
        e = self.emb[pid]
        if not self.clusters:
            self.clusters.append(Cluster(e.astype(np.float64).copy()))
            c = 0
        else:
            sims = [float(e @ cl.centroid) / (np.linalg.norm(cl.centroid) + 1e-12)
                    for cl in self.clusters]
            c = int(np.argmax(sims))
            if len(self.clusters) < self.target_clusters() and sims[c] < 0.98:
                self.clusters.append(Cluster(e.astype(np.float64).copy()))
                c = len(self.clusters) - 1
        cl = self.clusters[c]
        n = len(cl.members)
        cl.centroid = (cl.centroid * n + e) / (n + 1)
        cl.add(self.fit[pid], pid)
        self.cluster_of[pid] = c

    def refit(self) -> None:
        """Re-cluster the island with k-means (deterministic seeding) over current members."""
        self._since_refit = 0
        ids = [pid for _, pid in self.ranked]
        k = min(self.target_clusters(), len(ids))
        if k <= 1 or len(ids) < 3:
            self.clusters = [Cluster(np.mean([self.emb[i] for i in ids], axis=0) if ids
                                     else np.zeros_like(self._sum))]
            for pid in ids:
                self.clusters[0].add(self.fit[pid], pid)
                self.cluster_of[pid] = 0
            return
        X = np.stack([self.emb[i] for i in ids]).astype(np.float64)
        labels = _kmeans(X, k)
        self.clusters = [Cluster(X[labels == j].mean(axis=0)) for j in range(k)
                         if (labels == j).any()]
        remap = {j: n for n, j in enumerate(sorted(set(labels.tolist())))}
        for pid, lab in zip(ids, labels):
            c = remap[int(lab)]
            self.clusters[c].add(self.fit[pid], pid)
            self.cluster_of[pid] = c


def _kmeans(X: np.ndarray, k: int, iters: int = 10) -> np.ndarray:
    """Small deterministic k-means (farthest-point init): no RNG, same answer on resume."""
    centers = [X[0]]
    d = np.full(len(X), np.inf)
    for _ in range(1, k):
        d = np.minimum(d, ((X - centers[-1]) ** 2).sum(1))
        centers.append(X[int(np.argmax(d))])
    C = np.stack(centers)
    labels = np.zeros(len(X), dtype=int)
    for _ in range(iters):
        dist = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
        new = dist.argmin(1)
        if (new == labels).all() and _ > 0:
            break
        labels = new
        for j in range(k):
            if (labels == j).any():
                C[j] = X[labels == j].mean(0)
    return labels


class Population:
    """Islands + elite pool + the programs they hold, rebuilt exactly from the database."""

    def __init__(self, n_islands: int, embedder: Embedder, capacity: int = 200,
                 max_clusters: int = 8, recluster_every: int = 25, elite_size: int = 16) -> None:
        self.embedder = embedder
        self.islands = [Island(i, capacity, max_clusters, recluster_every, embedder.dim)
                        for i in range(n_islands)]
        self.elite_size = elite_size
        self.elites: list[tuple[float, str]] = []  # sorted by -fitness, unique code
        self._elite_hashes: set[str] = set()
        self.programs: dict[str, Program] = {}  # only those still referenced (islands, elites)
        self.all_hashes: set[str] = set()  # every code ever evaluated: dedup before evaluation
        self.best: Program | None = None
        self.n_total = 0
        self.n_valid = 0

    def seen(self, code: str) -> bool:
        return code_hash(code) in self.all_hashes

    def add(self, p: Program) -> dict[str, object]:
        """Insert an evaluated program. Returns what changed (new best, retired ids)."""
        self.n_total += 1
        h = code_hash(p.code)
        self.all_hashes.add(h)
        out: dict[str, object] = {"new_best": False, "retired": None}
        if not p.valid:
            return out
        self.n_valid += 1
        fit = float(p.fitness)  # type: ignore[arg-type]
        isl = self.islands[p.island % len(self.islands)]
        if h in isl.hashes:
            return out
        emb = self.embedder(p.code)
        self.programs[p.id] = p
        retired = isl.add(p.id, fit, emb, h)
        if self.best is None or fit > float(self.best.fitness):  # type: ignore[arg-type]
            self.best = p
            out["new_best"] = True
        self._update_elites(p, fit, h)
        if retired:
            out["retired"] = retired
            self._forget(retired)
        return out

    def _update_elites(self, p: Program, fit: float, h: str) -> None:
        if self.elite_size <= 0 or h in self._elite_hashes:
            return
        if len(self.elites) < self.elite_size or fit > -self.elites[-1][0]:
            bisect.insort(self.elites, (-fit, p.id))
            self._elite_hashes.add(h)
            if len(self.elites) > self.elite_size:
                _, out = self.elites.pop()
                self._elite_hashes.discard(code_hash(self.programs[out].code))
                self._forget(out)

    def _forget(self, pid: str) -> None:
        if any(pid in isl.fit for isl in self.islands) or any(pid == e for _, e in self.elites):
            return
        if self.best is not None and self.best.id == pid:
            return
        self.programs.pop(pid, None)

    def elite_programs(self) -> list[Program]:
        return [self.programs[pid] for _, pid in self.elites]

    def migrants(self, count: int = 1) -> list[tuple[int, Program]]:
        """Ring migration plan: the best ``count`` of island i go to island i+1 (not already there)."""
        plan = []
        k = len(self.islands)
        if k < 2:
            return plan
        for i, isl in enumerate(self.islands):
            dest = self.islands[(i + 1) % k]
            for _, pid in isl.ranked[:count]:
                p = self.programs[pid]
                if code_hash(p.code) not in dest.hashes:
                    plan.append((dest.index, p))
        return plan
