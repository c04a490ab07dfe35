"""LLM-side throughput through the real litellm path against the fake server.

    python -m tests.llm.fake_throughput [--proposals 200] [--inflight 32] [--latency 0.5]

Not a test: prints proposals per second next to the ideal (in flight / server latency).
"""

import argparse
import asyncio
import os
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--proposals", type=int, default=200)
    ap.add_argument("--inflight", type=int, default=32)
    ap.add_argument("--latency", type=float, default=0.5)
    a = ap.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "dummy-key-for-the-fake-server")
    from agent.llm.client import litellm
    from agent.llm.config import LLMConfig, ModelSpec
    from agent.llm.fake_server import FakeLLMServer
    from agent.llm.proposer import LLMProposer
    from agent.proposer import ProgramView, ProposalContext

    litellm()
    root = Path(__file__).resolve().parents[2]
    code = (root / "benchmarks/math/seeds/circle_packing_26.py").read_text()
    parent = ProgramView("p", code, 2.0, 2.0)
    with FakeLLMServer(latency=a.latency) as srv:
        p = LLMProposer(LLMConfig(models=[ModelSpec(
            name="openai/fake", api_base=srv.api_base, max_concurrency=a.inflight,
            input_cost_per_token=0.0)]))

        async def go():
            sem = asyncio.Semaphore(a.inflight)

            async def one(s):
                async with sem:
                    return await p.propose(ProposalContext("t", "Pack circles.", "python",
                                                           "max", parent, seed=s))

            await one(-1)  # warm-up: litellm's first call sets up its clients
            t = time.monotonic()
            r = await asyncio.gather(*(one(s) for s in range(a.proposals)))
            return r, time.monotonic() - t

        r, dt = asyncio.run(go())
    ok = sum(x.code is not None for x in r)
    print(f"{a.proposals} proposals, {a.inflight} in flight, server latency {a.latency}s: "
          f"{dt:.1f}s, {a.proposals / dt:.1f}/s (ideal {a.inflight / a.latency:.0f}/s), "
          f"usable {ok}")


if __name__ == "__main__":
    main()
