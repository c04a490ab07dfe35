"""Review stage, cold-start generators, near-duplicates, response cache and replay."""

import asyncio
import json
import pickle

import pytest

from agent.llm.cache import ResponseCache
from agent.llm.coldstart import assign_islands, dedupe, generate_initial, similarity
from agent.llm.config import GeneratorSpec, LLMConfig, ModelSpec, ReviewConfig
from agent.llm.fake_server import Behaviour
from agent.llm.proposer import LLMProposer
from agent.llm.review import parse_review, review_stage
from agent.records import EvalResult
from agent.task import Cascade, EvalContext, Stage

from .test_proposer import PROG, ctx


def _measure(code, c, prev):
    return EvalResult(valid=True, fitness=3.0, metrics={"score": 3.0}, feedback="ok")


def test_review_stage_merges_scores_and_critique(server):
    server.push(Behaviour.reply('Sure. {"critique": "Use a better a.", "scores": '
                                '{"correctness": 8, "clarity": 12, "promise": "x"}}'))
    cfg = ReviewConfig(model=ModelSpec(name="openai/fake", api_base=server.api_base))
    cascade = Cascade((Stage("measure", _measure), review_stage(cfg, "Make f(3) large.")))
    cascade = pickle.loads(pickle.dumps(cascade))
    r = cascade.evaluate(PROG, EvalContext())
    assert r.valid and r.fitness == 3.0 and r.stages == ("measure", "review")
    assert r.metrics["review_correctness"] == 8.0 and r.metrics["review_clarity"] == 10.0
    assert "review_promise" not in r.metrics and r.metrics["review_cost_usd"] > 0
    assert "Reviewer: Use a better a." in r.feedback


def test_review_failure_keeps_the_result_valid(server):
    server.push(Behaviour.reply("no json at all"))
    cfg = ReviewConfig(model=ModelSpec(name="openai/fake", api_base=server.api_base))
    r = Cascade((Stage("measure", _measure), review_stage(cfg, "s"))).evaluate(PROG,
                                                                               EvalContext())
    assert r.valid and r.fitness == 3.0 and "review skipped" in r.feedback


def test_parse_review_rejects_garbage():
    with pytest.raises(ValueError):
        parse_review("{not json}", ("a",))
    assert parse_review('```json\n{"critique": "c", "scores": {"a": 3}}\n```', ("a",)) == \
        ("c", {"a": 3.0})


def test_cold_start_generators_in_parallel(server, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text("Use a hexagonal lattice.")
    server.latency = 1.0
    gens = [GeneratorSpec(model="openai/fake", strategy="simple baseline", count=2),
            GeneratorSpec(model="openai/fake", strategy="metaheuristic", temperature=1.0,
                          guidance_file=str(guide), count=1)]
    cfg = LLMConfig(models=[ModelSpec(name="openai/fake", api_base=server.api_base)])
    base = ctx()
    props = asyncio.run(generate_initial(LLMProposer(cfg), gens, base))
    assert [p.meta["generator"] for p in props] == [0, 0, 1]
    assert [p.meta["strategy"] for p in props] == ["simple baseline"] * 2 + ["metaheuristic"]
    assert all(p.code for p in props) and server.counters["requests"] == 3
    # parallel: the three 1 s replies were all asked for before the first one came back
    ts = sorted(e["t"] for e in server.log)
    assert ts[-1] - ts[0] < 0.9
    lasts = [e["last"] for e in server.log]
    assert any("metaheuristic" in s for s in lasts) and any("hexagonal" in s for s in lasts)
    assert len({p.prompt_id for p in props}) >= 2


def test_cold_start_missing_guidance_file_is_clear(server):
    cfg = LLMConfig(models=[ModelSpec(name="openai/fake", api_base=server.api_base)])
    with pytest.raises(FileNotFoundError, match="guidance_file"):
        asyncio.run(generate_initial(LLMProposer(cfg), [GeneratorSpec(
            model="openai/fake", guidance_file="/nonexistent/g.md")], ctx()))


def test_near_duplicates():
    a = "def f(x):\n    # comment\n    return x * 2 + 1\n"
    b = "def f(x):\n    return x * 2 + 1  # other comment\n"
    c = "import math\n\ndef f(x):\n    return math.sin(x) ** 2 - math.cos(x)\n"
    assert similarity(a, b) == 1.0 and similarity(a, c) < 0.5
    assert dedupe([a, b, None, c]) == [0, 3]


def test_assign_islands_groups_generators():
    isl = assign_islands([0, 0, 1, 1, 2, 2], 3)
    assert isl == [0, 0, 1, 1, 2, 2]
    assert sorted(set(assign_islands([0, 1, 0, 1], 2))) == [0, 1]


def test_cache_replays_without_network(server, tmp_path, secret_env):
    cfg = LLMConfig(models=[ModelSpec(name="openai/fake", api_base=server.api_base)],
                    cache_dir=str(tmp_path / "c"))
    first = [asyncio.run(LLMProposer(cfg).propose(ctx(seed=s))) for s in range(3)]
    assert server.counters["requests"] == 3
    server.stop()  # no network from here on
    replay = cfg.model_copy(update={"cache_mode": "replay"})
    again = [asyncio.run(LLMProposer(replay).propose(ctx(seed=s))) for s in range(3)]
    assert [p.code for p in again] == [p.code for p in first]
    assert all(p.meta["cached"] and p.cost == 0.0 for p in again)
    miss = asyncio.run(LLMProposer(replay).propose(ctx(seed=99)))
    assert miss.code is None and "replay" in miss.error
    raw = (tmp_path / "c" / ResponseCache.FILE).read_bytes()
    assert secret_env.encode() not in raw and b"DO-NOT-LEAK" not in raw


def test_replay_without_cache_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="readwrite"):
        ResponseCache(tmp_path / "none", "replay")


def test_config_rejects_keys_and_typos():
    with pytest.raises(Exception, match="api_key"):
        LLMConfig.model_validate({"models": [{"name": "openai/x", "api_key": "sk-123"}]})
    with pytest.raises(Exception, match="credentials"):
        ModelSpec(name="x", api_base="http://h/v1?api_key=abc")
    with pytest.raises(Exception, match="temprature"):
        LLMConfig.model_validate({"models": [{"name": "x", "temprature": 1}]})
    with pytest.raises(Exception, match="positive weight"):
        LLMConfig(models=[ModelSpec(name="x", weight=0)])
    dump = json.dumps(LLMConfig(models=[ModelSpec(name="x")]).model_dump())
    assert "key" not in dump.lower()


def test_controller_cold_start_uses_the_matching_generator(server):
    from agent.llm import build_proposer, load_llm_config

    cfg = load_llm_config({
        "models": [{"name": "openai/fake", "api_base": server.api_base},
                   {"name": "openai/fake-strong", "api_base": server.api_base, "weight": 0,
                    "input_cost_per_token": 0.0}],
        "generators": [{"model": "openai/fake", "strategy": "simple baseline"},
                       {"model": "openai/fake-strong", "strategy": "metaheuristic",
                        "temperature": 1.2}]})
    p = build_proposer(cfg)
    base = ctx()
    cold = asyncio.run(p.propose(base.__class__(**{**base.__dict__, "kind": "cold_start",
                                                   "strategy": "metaheuristic"})))
    assert cold.model == "openai/fake-strong" and cold.meta["generator"] == 1
    assert server.log[-1]["model"] == "fake-strong"
    evolve = [asyncio.run(p.propose(ctx(seed=s))).model for s in range(5)]
    assert set(evolve) == {"openai/fake"}  # weight 0: used only as a generator
    mixed = build_proposer({**cfg.model_dump(), "offline_weight": 1.0})
    assert {pp.name for pp in mixed.proposers} == {"llm", "offline"}
    with pytest.raises(ValueError, match="generators"):
        load_llm_config({"models": [{"name": "x"}],
                         "generators": [{"model": "x", "guidance_file": "/no/such/file"}]})


def test_local_model_defaults():
    m = ModelSpec(name="local")
    assert m.max_tokens == 256 and m.timeout_s == 600
    assert ModelSpec(name="local", max_tokens=64).max_tokens == 64
    assert ModelSpec(name="openai/x").max_tokens == 4096
