"""Why does adaptive sampling not beat top-k here? Cheap in-process experiments (issue 13).

The task is math/circle_packing_26 as the offline proposer sees it: the OfflineProposer only
changes numeric literals (and swaps literal rows) inside the seed's EVOLVE block, so a child is
fully described by its 26 centres. The *surrogate* evaluator reads those centres as data (regex,
no candidate code is executed) and scores them with the same linear program the seed runs
(largest radii for fixed centres), so an evaluation costs milliseconds instead of a sandboxed
process. ``--check`` compares it with the real evaluator (through the sandbox) on a few children.

Each variant is a set of dotted config overrides, or a sampler class from this file for changes
that the config cannot express yet (the proposed change to agent/sampler.py). The script prints
mean final best per variant (and per seed) and the sampler's behaviour: the parent's rank in its
island, the temperature and the number of clusters.

    python results/ablation/sampler_experiment.py --evals 600 --seeds 0-4 \
        --variants adaptive,topk,random > results/ablation/sampler_experiment.txt
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.blocks import find_blocks  # noqa: E402
from agent.config import load_config  # noqa: E402
from agent.records import EvalResult, Resources  # noqa: E402
from agent.sampler import Choice, Sampler, SamplerConfig  # noqa: E402
from agent.search import Search  # noqa: E402
from agent.task import EvalContext, Task  # noqa: E402
from harness.proposers import ProposerSpec  # noqa: E402

SEED_FILE = ROOT / "benchmarks" / "math" / "seeds" / "circle_packing_26.py"
_PAIR = re.compile(r"\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)")


def centres_of(code: str) -> np.ndarray | None:
    blocks = find_blocks(code)
    if not blocks:
        return None
    pts = [(float(a), float(b)) for a, b in _PAIR.findall(blocks[0].text(code))]
    return np.array(pts, dtype=float) if len(pts) == 26 else None


def lp_sum_radii(c: np.ndarray) -> float:
    """Largest sum of radii for fixed centres: the LP the seed solves, as trusted code."""
    from scipy.optimize import linprog

    n = len(c)
    c = np.clip(c, 0.0, 1.0)
    i, j = np.triu_indices(n, 1)
    A = np.zeros((len(i), n))
    A[np.arange(len(i)), i] = 1.0
    A[np.arange(len(i)), j] = 1.0
    d = np.hypot(*(c[i] - c[j]).T)
    wall = np.minimum.reduce([c[:, 0], 1 - c[:, 0], c[:, 1], 1 - c[:, 1]])
    res = linprog(-np.ones(n), A_ub=A, b_ub=d, bounds=list(zip(np.zeros(n), wall)),
                  method="highs")
    r = res.x if res.success else np.zeros(n)
    return float(np.maximum(r * (1 - 1e-9) - 1e-12, 0.0).sum())


@dataclass(frozen=True)
class SurrogateEvaluator:
    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        c = centres_of(code)
        if c is None or not np.isfinite(c).all():
            return EvalResult.invalid("centres not readable")
        s = lp_sum_radii(c)
        return EvalResult(valid=True, fitness=s, metrics={"score": s})


def surrogate_task() -> Task:
    return Task(id="surrogate/circle_packing_26", statement="circle packing (surrogate)",
                seeds=(SEED_FILE.read_text(),), evaluator=SurrogateEvaluator(), direction="max",
                resources=Resources(cpus=1, memory_mb=512, timeout_s=30))


# ------------------------------------------------------------------ samplers under study
class Instrumented(Sampler):
    """Records, for every parent drawn, its rank in the island, the temperature, clusters."""

    def __init__(self, cfg: SamplerConfig) -> None:
        super().__init__(cfg)
        self.log: list[tuple[int, int, float | None, int]] = []

    def sample(self, pop, island, rng) -> Choice:  # type: ignore[no-untyped-def]
        ch = super().sample(pop, island, rng)
        isl = pop.islands[island]
        rank = next(i for i, (_, pid) in enumerate(isl.ranked) if pid == ch.parent)
        self.log.append((rank, len(isl), ch.temperature,
                         sum(1 for c in isl.clusters if c.members)))
        return ch


class TopKInCluster(Instrumented):
    """Proposed: inside the chosen cluster, draw among its best ``topk`` by rank weight (the
    cluster's tail of weak programs is never a parent), so cluster choice explores and the
    parent inside a cluster exploits."""

    def sample(self, pop, island, rng) -> Choice:  # type: ignore[no-untyped-def]
        if self.cfg.kind != "adaptive":
            return super().sample(pop, island, rng)
        isl = pop.islands[island]
        saved = {id(c): c.members for c in isl.clusters}
        try:
            for c in isl.clusters:
                c.members = c.members[: self.cfg.topk]
            return super().sample(pop, island, rng)
        finally:
            for c in isl.clusters:
                c.members = saved[id(c)]


class TempRanks(Instrumented):
    """Proposed alternative: the temperature also sharpens the parent's rank weight inside the
    cluster, w = 1 / (rank + 1) ** (rank_power * T_max / T): a collapsed island (T = T_max)
    keeps today's weights, a diverse one (T -> T_min) takes the cluster's best almost always."""

    def sample(self, pop, island, rng) -> Choice:  # type: ignore[no-untyped-def]
        if self.cfg.kind != "adaptive":
            return super().sample(pop, island, rng)
        rp = self.cfg.rank_power
        t = self.temperature(pop.islands[island])
        self.cfg.rank_power = rp * self.cfg.temp_max / max(t, 1e-6)
        try:
            return super().sample(pop, island, rng)
        finally:
            self.cfg.rank_power = rp


SAMPLERS = {"default": Instrumented, "topk-in-cluster": TopKInCluster, "temp-ranks": TempRanks}

VARIANTS: dict[str, dict[str, Any]] = {
    "adaptive": {},
    "topk": {"sampler.kind": "topk"},
    "random": {"sampler.kind": "random"},
    "fitness-proportional": {"sampler.kind": "fitness-proportional"},
    "one-island": {"population.islands": 1, "population.island_capacity": 800},
    "fixed-rule": {"sampler.diversity_rule": "fixed"},
    "rank-power-2": {"sampler.rank_power": 2.0},
    "rank-power-3": {"sampler.rank_power": 3.0},
    "cold-temp": {"sampler.temp_max": 0.1},
    "topk-in-cluster": {"_sampler": "topk-in-cluster"},
    "topk-in-cluster-rp2": {"_sampler": "topk-in-cluster", "sampler.rank_power": 2.0},
    "temp-ranks": {"_sampler": "temp-ranks"},
}


def run_one(variant: str, seed: int, evals: int, base: dict[str, Any]) -> dict[str, Any]:
    over = dict(VARIANTS[variant])
    cls = SAMPLERS[over.pop("_sampler", "default")]
    cfg = load_config(None, {**base, **over, "seed": seed, "stop.max_evals": evals})
    with tempfile.TemporaryDirectory() as d:
        s = Search(surrogate_task(), cfg, Path(d), ProposerSpec())
        s.sampler = cls(SamplerConfig(**cfg.sampler.model_dump(),
                                      use_elites=cfg.population.elite_size > 0))
        t0 = time.monotonic()
        summ = s.run()
        s.store.close()
    lg = s.sampler.log
    ranks = [r for r, _, _, _ in lg]
    temps = [t for _, _, t, _ in lg if t is not None]
    return {"variant": variant, "seed": seed, "best": summ["best_score"],
            "evals": summ["evaluations"], "wall_s": round(time.monotonic() - t0, 1),
            "parent_rank_median": statistics.median(ranks) if ranks else None,
            "parent_top5_share": sum(r < 5 for r in ranks) / len(ranks) if ranks else None,
            "temp_mean": statistics.fmean(temps) if temps else None,
            "clusters_mean": statistics.fmean(c for *_, c in lg) if lg else None}


def check(n: int = 5) -> None:
    """The surrogate agrees with the real evaluator (sandboxed) on offline children."""
    import random

    from agent.offline import OfflineProposer
    from agent.proposer import ProgramView, ProposalContext
    from harness.registry import load_task

    real = load_task("math/circle_packing_26")
    code = SEED_FILE.read_text()
    prop = OfflineProposer()
    rng = random.Random(0)
    for _ in range(n):
        ctx = ProposalContext(task_id="t", statement="", language="python", direction="max",
                              parent=ProgramView("p", code, None, None),
                              seed=rng.getrandbits(32), kind="cold_start")
        child = prop.propose_sync(ctx).code or code
        a = real.evaluate(child)
        b = SurrogateEvaluator().evaluate(child, EvalContext())  # type: ignore[call-arg]
        print(f"real {a.metrics.get('score')!r:24} surrogate {b.fitness!r}")
        code = child


def summarize(path: str, base: str = "adaptive") -> None:
    """Mean final best per variant over every run in a JSONL file, and the difference to
    ``base`` with a 95% Welch t interval (seeds are independent replicates)."""
    from scipy import stats

    runs: dict[str, list[float]] = {}
    for line in Path(path).read_text().splitlines():
        r = json.loads(line)
        runs.setdefault(r["variant"], []).append(r["best"])
    b = np.array(runs[base])
    print(f"{'variant':22} {'n':>3} {'mean':>8} {'sd':>7}   difference to {base} [95% CI]")
    for v, xs in runs.items():
        x = np.array(xs)
        line = f"{v:22} {len(x):3d} {x.mean():8.4f} {x.std(ddof=1):7.4f}"
        if v != base:
            se2 = x.var(ddof=1) / len(x) + b.var(ddof=1) / len(b)
            df = se2 ** 2 / ((x.var(ddof=1) / len(x)) ** 2 / (len(x) - 1)
                             + (b.var(ddof=1) / len(b)) ** 2 / (len(b) - 1))
            half = stats.t.ppf(0.975, df) * se2 ** 0.5
            d = x.mean() - b.mean()
            p = stats.ttest_ind(x, b, equal_var=False).pvalue
            line += f"   {d:+.4f} [{d - half:+.4f}, {d + half:+.4f}]  p={p:.3f}"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evals", type=int, default=600)
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--variants", default="adaptive,topk,random,one-island")
    ap.add_argument("--base", default="{}", help="JSON dotted overrides for every variant")
    ap.add_argument("--check", action="store_true", help="surrogate vs real evaluator, then exit")
    ap.add_argument("--jsonl", help="append per-run results here")
    ap.add_argument("--summarize", metavar="JSONL", help="statistics of a JSONL file, then exit")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.check:
        check()
        return
    if args.summarize:
        summarize(args.summarize)
        return
    a, _, b = args.seeds.partition("-")
    seeds = list(range(int(a), int(b) + 1)) if b else [int(x) for x in a.split(",")]
    base = {"pools.backend": "local", "pools.evals_in_flight": 1, "knowledge.enabled": False,
            **json.loads(args.base)}
    print(f"surrogate circle_packing_26, {args.evals} evals, seeds {seeds}, base {base}")
    print(f"{'variant':22} {'mean best':>10} {'sd':>8}  {'parent rank med':>15} "
          f"{'top-5 share':>11} {'mean T':>7} {'clusters':>8}  per seed")
    for v in args.variants.split(","):
        rows = [run_one(v, s, args.evals, base) for s in seeds]
        if args.jsonl:
            with open(args.jsonl, "a") as f:
                for r in rows:
                    f.write(json.dumps({**r, "base": base, "n_evals": args.evals}) + "\n")
        bests = [r["best"] for r in rows]

        def m(k: str, rows: list[dict[str, Any]] = rows) -> float:
            vals = [r[k] for r in rows if r[k] is not None]
            return statistics.fmean(vals) if vals else float("nan")

        print(f"{v:22} {statistics.fmean(bests):10.5f} {statistics.pstdev(bests):8.5f}  "
              f"{m('parent_rank_median'):15.1f} {m('parent_top5_share'):11.2f} "
              f"{m('temp_mean'):7.3f} "
              f"{m('clusters_mean'):8.2f}  " + " ".join(f"{b:.4f}" for b in bests), flush=True)


if __name__ == "__main__":
    main()
