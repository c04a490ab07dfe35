"""Measure the real local path: N proposals from the embedded model, each child evaluated.

    python -m tests.llm.local_demo --proposals 24 --max-tokens 256

Prints how many proposals parsed, applied and evaluated valid, and the time per proposal.
Not a test (the machine's speed decides the time); the figures go into reports.
"""

import argparse
import asyncio
import json
import time

from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.local import LocalServer, resolve_local
from agent.llm.proposer import LLMProposer
from agent.llm.usage import UsageMeter
from agent.proposer import ProgramView, ProposalContext
from harness.registry import load_task


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="math/circle_packing_26")
    ap.add_argument("--proposals", type=int, default=24)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    task = load_task(a.task)
    cfg, srv = resolve_local(LLMConfig(models=[ModelSpec(name="local", timeout_s=300)],
                                       max_retries=1, max_parse_retries=1),
                             LocalServer(n_threads=a.threads), max_tokens=a.max_tokens)
    meter = UsageMeter()
    prop = LLMProposer(cfg, meter)
    seed = task.evaluate(task.seeds[0])
    parent = ProgramView("seed", task.seeds[0], seed.fitness, task.to_score(seed.fitness),
                         seed.metrics, seed.feedback)
    counts = {"proposals": 0, "code": 0, "valid": 0, "parse_failures": 0, "apply_failures": 0}
    best = task.to_score(seed.fitness)
    errors: dict[str, int] = {}
    t0 = time.monotonic()
    try:
        for s in range(a.proposals):
            p = asyncio.run(prop.propose(ProposalContext(task.id, task.statement, task.language,
                                                         task.direction, parent, seed=s)))
            counts["proposals"] += 1
            for e in p.meta.get("call_errors", []):
                errors[e[:160]] = errors.get(e[:160], 0) + 1
            counts["parse_failures"] += p.meta.get("parse_failures", 0)
            counts["apply_failures"] += p.meta.get("apply_failures", 0)
            if p.code is not None:
                counts["code"] += 1
                r = task.evaluate(p.code)
                if r.valid:
                    counts["valid"] += 1
                    best = max(best, task.to_score(r.fitness)) if task.direction == "max" \
                        else min(best, task.to_score(r.fitness))
    finally:
        srv.stop() if srv else None
    dt = time.monotonic() - t0
    print(json.dumps({**counts, "seed_score": task.to_score(seed.fitness), "best_score": best,
                      "seconds_per_proposal": round(dt / max(1, a.proposals), 2),
                      "usage": meter.snapshot()["total"], "call_errors": errors}, indent=1))


if __name__ == "__main__":
    main()
