"""LLM-side throughput through the real litellm path against the fake server.

    python -m tests.llm.fake_throughput

Not a test: prints proposals per second next to the ideal (in flight / server latency).
"""
import asyncio, time, os
os.environ["OPENAI_API_KEY"] = "sk-dummy-000000000"
from agent.llm.fake_server import FakeLLMServer
from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.proposer import LLMProposer
from agent.llm.client import litellm
from agent.proposer import ProgramView, ProposalContext
litellm()
code = open("benchmarks/math/seeds/circle_packing_26.py").read()
parent = ProgramView("p", code, 2.0, 2.0)
N, INFL, LAT = 200, 32, 0.5
with FakeLLMServer(latency=LAT) as srv:
    p = LLMProposer(LLMConfig(models=[ModelSpec(name="openai/fake", api_base=srv.api_base, max_concurrency=INFL, input_cost_per_token=0.0)]))
    async def go():
        sem = asyncio.Semaphore(INFL)
        async def one(s):
            async with sem:
                return await p.propose(ProposalContext("t", "Pack circles.", "python", "max", parent, seed=s))
        await one(-1)  # warm-up
        t = time.monotonic()
        r = await asyncio.gather(*(one(s) for s in range(N)))
        return r, time.monotonic() - t
    r, dt = asyncio.run(go())
ok = sum(x.code is not None for x in r)
print(f"{N} proposals, {INFL} in flight, server latency {LAT}s: {dt:.1f}s, {N/dt:.1f}/s (ideal {INFL/LAT:.0f}/s), ok {ok}")
