"""LLMProposer against the fake OpenAI-compatible server, through the real litellm path."""

import asyncio
import json
import pickle

import pytest

from agent.blocks import outside_blocks
from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.fake_server import GARBAGE, HANG, Behaviour
from agent.llm.proposer import LLMProposer
from agent.llm.usage import UsageMeter
from agent.proposer import ProgramView, ProposalContext

from .conftest import PRICE_IN, PRICE_OUT

PROG = '''import math

# EVOLVE-BLOCK-START
def f(x):
    a = 1.5
    b = 2
    return a * x + b
# EVOLVE-BLOCK-END


def run():
    return f(3)
'''
DIFF = "<<<<<<< SEARCH\n    a = 1.5\n=======\n    a = 2.5\n>>>>>>> REPLACE\n"
DIFF2 = DIFF + "<<<<<<< SEARCH\n    b = 2\n=======\n    b = 4\n>>>>>>> REPLACE\n"
BAD_DIFF = "<<<<<<< SEARCH\n    c = 9\n=======\n    c = 1\n>>>>>>> REPLACE\n"


def ctx(seed=0, **kw):
    parent = ProgramView("p1", PROG, 3.0, 3.0, {"score": 3.0}, "ran in 0.1 s", None)
    return ProposalContext("t", "Make f(3) large.", "python", "max", parent, seed=seed, **kw)


def make(server, meter=None, **kw):
    spec = dict(name="openai/fake", api_base=server.api_base, timeout_s=10.0)
    spec.update(kw.pop("spec", {}))
    cfg = LLMConfig(models=[ModelSpec(**spec)], backoff_base_s=0.01, backoff_max_s=2.0, **kw)
    return LLMProposer(cfg, meter=meter)


def run(p, c):
    return asyncio.run(p.propose(c))


def test_valid_diff_and_cost(server):
    server.push(Behaviour.reply(DIFF))
    meter = UsageMeter()
    prop = run(make(server, meter), ctx())
    assert prop.error is None and "a = 2.5" in prop.code
    assert outside_blocks(prop.code) == outside_blocks(PROG)
    assert prop.model == "openai/fake" and prop.prompt_id and len(prop.prompt_id) == 16
    assert prop.meta["calls"] == 1 and prop.meta["http_errors"] == 0
    assert prop.meta["cost_known"] is True
    assert prop.tokens_in == server.counters["tokens_in"] > 0
    assert prop.tokens_out == server.counters["tokens_out"] > 0
    want = prop.tokens_in * PRICE_IN + prop.tokens_out * PRICE_OUT
    assert prop.cost == pytest.approx(want) and meter.cost == pytest.approx(want)
    assert server.log[0]["auth"]  # the key went in the header, from the environment


def test_several_diffs_and_full_rewrite(server):
    server.push(Behaviour.reply(DIFF2),
                Behaviour.reply("```python\n" + PROG.replace("b = 2", "b = 9") + "```"))
    p = make(server)
    a = run(p, ctx())
    assert a.meta["n_edits"] == 2 and "a = 2.5" in a.code and "b = 4" in a.code
    b = run(p, ctx())
    assert b.meta["edit_kind"] == "full" and "b = 9" in b.code


def test_garbage_text_and_bad_diff_are_retried_with_reason(server):
    server.push(Behaviour.reply("no code here"), Behaviour.reply(BAD_DIFF),
                Behaviour.reply(DIFF))
    prop = run(make(server, max_parse_retries=2), ctx())
    assert prop.code is not None and "a = 2.5" in prop.code
    assert prop.meta["parse_failures"] == 1 and prop.meta["apply_failures"] == 1
    assert prop.meta["format_retries"] == 2 and prop.meta["calls"] == 3
    assert server.counters["ok"] == 3
    # the reason was fed back to the model, after its earlier reply
    assert [e["n_messages"] for e in server.log] == [2, 4, 6]
    assert "neither SEARCH/REPLACE" in server.log[1]["last"]
    assert "not found" in server.log[2]["last"]


def test_unusable_after_bounded_retries(server):
    server.push(*[Behaviour.reply(BAD_DIFF)] * 3)
    prop = run(make(server, max_parse_retries=1), ctx())
    assert prop.code is None and "not found" in prop.error
    assert prop.meta["apply_failures"] == 2 and server.counters["requests"] == 2
    assert "c = 9" in prop.meta["last_reply"]


def test_429_retry_after_500_garbage_body_then_success(server):
    server.push(Behaviour.error(429, retry_after=0.4), Behaviour.error(500), GARBAGE,
                Behaviour.reply(DIFF))
    prop = run(make(server), ctx())
    assert prop.code is not None
    assert prop.meta["retries"] == 3 and prop.meta["http_errors"] == 3
    assert prop.meta["rate_limited"] == 1
    assert server.counters["status_429"] == 1 and server.counters["status_500"] == 1
    assert server.counters["garbage"] == 1 and server.counters["requests"] == 4
    gap = server.log[1]["t"] - server.log[0]["t"]
    assert gap >= 0.35, f"Retry-After of 0.4 s not respected (gap {gap:.3f} s)"


def test_slow_reply_and_hang_time_out_then_recover(server):
    server.push(Behaviour.slow(4.0, DIFF), HANG, Behaviour.reply(DIFF))
    prop = run(make(server, spec={"timeout_s": 1.5}), ctx())
    assert prop.code is not None
    assert prop.meta["timeouts"] == 2 and prop.meta["retries"] == 2
    assert server.counters["requests"] == 3 and server.counters["hang"] == 1


def test_retries_exhausted_gives_a_clean_failure(server):
    server.push(*[Behaviour.error(503)] * 3)
    prop = run(make(server, max_retries=2), ctx())
    assert prop.code is None and "after 2 retries" in prop.error
    assert server.counters["requests"] == 3 and prop.meta["http_errors"] == 3


def test_non_retryable_4xx_fails_at_once(server):
    server.push(Behaviour.error(400))
    prop = run(make(server), ctx())
    assert prop.code is None and server.counters["requests"] == 1
    assert "not retryable" in prop.error


def test_default_behaviour_and_concurrency_limit(server):
    server.latency = 0.05
    p = make(server, spec={"max_concurrency": 2})

    async def many():
        return await asyncio.gather(*(p.propose(ctx(seed=i)) for i in range(8)))

    props = asyncio.run(many())
    assert all(x.code is not None for x in props), [x.error for x in props]
    assert server.counters["requests"] == 8
    # never more than 2 requests in flight: at most 2 starts in any window of one latency
    ts = sorted(e["t"] for e in server.log)
    assert all(ts[i + 2] - ts[i] >= 0.04 for i in range(len(ts) - 2))


def test_budget_stops_calls(server):
    meter = UsageMeter()
    p = make(server, meter, max_cost_usd=1e-9)
    first = run(p, ctx())
    assert first.code is not None and meter.exceeded(1e-9)
    second = run(p, ctx(seed=1))
    assert second.code is None and second.meta["budget_exceeded"]
    assert server.counters["requests"] == 1


def test_weighted_ensemble_is_seeded(server):
    cfg = LLMConfig(models=[ModelSpec(name="openai/fake", weight=3.0, api_base=server.api_base),
                            ModelSpec(name="openai/fake2", weight=1.0,
                                      api_base=server.api_base)])
    p = LLMProposer(cfg)
    picks = [p.pick_model(s).name for s in range(400)]
    assert picks == [p.pick_model(s).name for s in range(400)]
    assert 0.65 < picks.count("openai/fake") / 400 < 0.85


def test_unpriced_model_costs_zero_and_says_so(server):
    cfg = LLMConfig(models=[ModelSpec(name="openai/unpriced-xyz", api_base=server.api_base)])
    meter = UsageMeter()
    prop = asyncio.run(LLMProposer(cfg, meter).propose(ctx()))
    assert prop.code is not None and prop.cost == 0.0 and prop.meta["cost_known"] is False
    assert meter.snapshot()["total"]["unpriced_calls"] == 1


def test_custom_pricing_on_spec(server):
    prop = run(make(server, spec={"name": "openai/unpriced-abc", "input_cost_per_token": 0.5,
                                  "output_cost_per_token": 0.0}), ctx())
    assert prop.cost == pytest.approx(0.5 * prop.tokens_in) and prop.meta["cost_known"]


def test_no_key_in_proposal_config_or_meter(server, secret_env):
    server.push(Behaviour.error(401))
    p = make(server)
    failed = run(p, ctx())
    ok = run(p, ctx(seed=2))
    blob = repr(failed) + repr(ok) + p.config.model_dump_json() + json.dumps(
        p.meter.snapshot() if p.meter else {}) + repr(pickle.dumps(p))
    assert secret_env not in blob and "DO-NOT-LEAK" not in blob
    assert failed.code is None and "auth" in failed.meta["call_failure"]


def test_proposer_pickles_and_works_after(server):
    p = pickle.loads(pickle.dumps(make(server)))
    assert run(p, ctx()).code is not None
