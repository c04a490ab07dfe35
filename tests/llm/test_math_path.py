"""The real LLM path on a real task: fake server -> litellm -> proposer -> sandboxed evaluator."""

import asyncio

from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.proposer import LLMProposer
from agent.llm.usage import UsageMeter
from agent.proposer import ProgramView, ProposalContext


def test_circle_packing_children_evaluate(server):
    from harness.registry import load_task

    task = load_task("math/circle_packing_26")
    seed_result = task.evaluate(task.seeds[0])
    assert seed_result.valid
    parent = ProgramView("seed", task.seeds[0], seed_result.fitness,
                         task.to_score(seed_result.fitness), seed_result.metrics,
                         seed_result.feedback)
    meter = UsageMeter()
    prop = LLMProposer(LLMConfig(models=[ModelSpec(name="openai/fake", api_base=server.api_base)]),
                       meter)

    async def go():
        return await asyncio.gather(*(prop.propose(ProposalContext(
            task.id, task.statement, task.language, task.direction, parent, seed=s))
            for s in range(3)))

    props = asyncio.run(go())
    assert all(p.code and p.code != task.seeds[0] for p in props), [p.error for p in props]
    results = [task.evaluate(p.code) for p in props]
    assert all(r.valid for r in results), [r.error for r in results]
    assert meter.cost == sum(p.cost for p in props) > 0
    snap = meter.snapshot()["total"]
    assert snap["calls"] == 3 and snap["tokens_in"] == server.counters["tokens_in"]
