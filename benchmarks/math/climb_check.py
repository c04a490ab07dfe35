"""Sanity check that a seed can be improved by the offline proposer: a plain (1+1) hill climb.

    python -m benchmarks.math.climb_check --budget 25 [PROBLEM ...]

Not the benchmark run (that is `fmagent run`, with islands, clusters and a run directory): this
only answers "does mutating the seed's EVOLVE-block literals find better valid programs at all?"
for each problem, with every candidate evaluated through the sandbox as usual. Deterministic for
a given --seed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import benchmarks.math as bm


def climb(name: str, budget: int, seed: int = 0) -> dict[str, float]:
    from agent.offline import OfflineProposer
    from agent.proposer import ProgramView, ProposalContext

    task = bm.load_task(name)
    prop = OfflineProposer()
    t0 = time.monotonic()
    first = task.evaluate(task.seeds[0])
    if not first.valid:
        raise RuntimeError(f"seed of {name} is invalid: {first.error}")
    code, fit = task.seeds[0], float(first.fitness)
    valid = improved = 0
    for i in range(budget):
        view = ProgramView(id="parent", code=code, fitness=fit, score=task.to_score(fit))
        ctx = ProposalContext(task_id=task.id, statement=task.statement, language="python",
                              direction=task.direction, parent=view, seed=seed * 100003 + i)
        child = prop.propose_sync(ctx).code
        if child is None:
            continue
        r = task.evaluate(child)
        if r.valid:
            valid += 1
            if float(r.fitness) > fit:
                code, fit, improved = child, float(r.fitness), improved + 1
    return {"seed_score": task.to_score(float(first.fitness)), "best_score": task.to_score(fit),
            "valid": float(valid), "improvements": float(improved),
            "wall_s": time.monotonic() - t0}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.math.climb_check",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("problems", nargs="*", help="problem names (default: all)")
    ap.add_argument("--budget", type=int, default=25, help="proposals per problem")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    names = args.problems or [t.name for t in bm.list_tasks()]
    print(f"| problem | seed value | best after {args.budget} proposals | valid | improvements "
          "| wall s |")
    print("|---|---|---|---|---|---|")
    for name in names:
        r = climb(name, args.budget, args.seed)
        print(f"| {name} | {r['seed_score']:.10g} | {r['best_score']:.10g} | {int(r['valid'])} | "
              f"{int(r['improvements'])} | {r['wall_s']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
