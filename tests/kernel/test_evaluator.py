"""Sandboxed end-to-end evaluations on a tiny problem of a fake KernelBench checkout (CPU).

Each test costs one candidate process (torch import ~2-3 s); the reference process runs once
per problem and pytest worker (cached by the evaluator).
"""

from __future__ import annotations

import json

import pytest

from benchmarks.kernel import load_task
from benchmarks.kernel.problem import make_seed
from tests.kernel.fake_checkout import COMMIT, TINY, make_checkout

pytest.importorskip("torch")

FAST = dict(device="cpu", timing_trials=5, warmup=1, flush_mb=1, compile_baseline=False,
            timeout_s=120, memory_mb=4096)

HEAD = "import torch\nimport torch.nn as nn\n\n"
BASE = '''
class ModelNew(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.inp = nn.Linear(dim, hidden)
        self.outp = nn.Linear(hidden, dim)

    def compute(self, x):
        return self.outp(torch.tanh(self.inp(x)))
'''


def cand(forward: str, prelude: str = "") -> str:
    body = "\n".join("    " + line if line else "" for line in forward.strip().splitlines())
    return HEAD + prelude + BASE + "\n" + body + "\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return make_checkout(tmp_path_factory.mktemp("kb"))


@pytest.fixture(scope="module")
def tiny(root):
    return load_task("level3/1_TinyMLP", kernelbench_dir=str(root), **FAST)


def guards(r) -> set[str]:
    return {k[len("guard_"):] for k, v in r.metrics.items() if k.startswith("guard_") and v}


def test_correct_model_new_passes_with_kernelbench_record(tiny):
    r = tiny.evaluate(make_seed(TINY))
    assert r.valid, r.error
    assert r.fitness == pytest.approx(r.metrics["speedup_vs_eager"])
    assert r.metrics["correct"] == 1 and r.metrics["compiled"] == 1
    assert r.metrics["cpu_timer"] == 1 and r.metrics["cuda_event_timing"] == 0
    assert r.metrics["max_abs_diff"] <= 1e-5
    assert "CPU perf_counter" in r.feedback and "not measured" in r.feedback
    rec = json.loads(r.artifacts["kernelbench_result.json"])
    assert rec["compiled"] and rec["correctness"]
    assert set(rec["runtime_stats"]) >= {"mean", "std", "min", "max", "num_trials"}
    assert rec["runtime_stats"]["num_trials"] == 5
    assert rec["metadata"]["atol"] == 1e-5 and rec["metadata"]["timer"] == "cpu_perf_counter"
    assert tiny.meta["kernelbench_commit"] == COMMIT


def test_error_of_1e_3_fails_at_default_tolerance(tiny):
    r = tiny.evaluate(cand("def forward(self, x):\n    return self.compute(x) + 1e-3"))
    assert not r.valid and r.error.startswith("incorrect")
    assert "atol=1e-05" in r.error and r.metrics["compiled"] == 1 and r.metrics["correct"] == 0


def test_syntax_error_is_not_compiled(tiny):
    r = tiny.evaluate("class ModelNew(:\n")
    assert not r.valid and "failed to import" in r.error and r.metrics["compiled"] == 0


HACKS = {
    "inputs_modified": cand("""
def forward(self, x):
    y = self.compute(x)
    x.zero_()
    return y"""),
    "output_aliases_input": cand("""
def forward(self, x):
    y = self.compute(x)
    x.copy_(y)
    return x"""),
    "output_reused": cand("""
def forward(self, x):
    y = self.compute(x)
    if not hasattr(self, "buf"):
        self.buf = torch.empty_like(y)
    self.buf.copy_(y)
    return self.buf"""),
    "patched_torch,patched_timer": cand(
        "def forward(self, x):\n    return self.compute(x)",
        prelude="import time\nimport torch.nn.functional as F\n_lin = F.linear\n"
                "F.linear = lambda *a, **k: _lin(*a, **k)\ntime.perf_counter = lambda: 0.0\n"),
    "fallback_reference": HEAD + TINY.split("import torch.nn as nn\n", 1)[1].split(
        "batch_size")[0] + "\nclass ModelNew(Model):\n    pass\n",
    "timer_escape": cand("""
def forward(self, x):
    self.calls = getattr(self, "calls", 0) + 1
    y = self.compute(x)
    if self.calls > 5:  # after the correctness trials: leave work running past the timer
        threading.Thread(target=time.sleep, args=(0.05,)).start()
    return y""", prelude="import threading\nimport time\n"),
}


@pytest.mark.parametrize("guard", sorted(HACKS))
def test_reward_hack_is_caught_with_its_reason(tiny, guard):
    r = tiny.evaluate(HACKS[guard])
    assert not r.valid, f"{guard} not caught: {r.feedback}"
    for g in guard.split(","):
        assert g in guards(r), (g, r.error, r.feedback)
        assert g in r.feedback
    assert r.error.startswith("reward-hack guard")


def test_result_cached_by_input_address_is_caught_in_timing(tiny):
    code = cand("""
def forward(self, x):
    cache = self.__dict__.setdefault("cache", {})
    if x.data_ptr() in cache:
        return cache[x.data_ptr()].clone()
    y = self.compute(x)
    cache[x.data_ptr()] = y.clone()
    return y""")
    r = tiny.evaluate(code)
    assert not r.valid and "output_reused" in guards(r)
    assert "cached or stale" in r.feedback


@pytest.mark.parametrize("action", ["flag", "reject"])
def test_implausible_speedup_is_flagged(root, action):
    task = load_task("level3/2_SlowRepeat", kernelbench_dir=str(root), on_implausible=action,
                     **FAST)
    fast = HEAD + '''
class ModelNew(nn.Module):
    def __init__(self, dim, repeats):
        super().__init__()
        self.lin = nn.Linear(dim, dim)

    def forward(self, x):
        return torch.tanh(self.lin(x))
'''
    r = task.evaluate(fast)
    assert r.metrics["flag_implausible_speedup"] == 1, r.feedback
    if action == "flag":
        assert r.valid and r.fitness > 10 and "FLAGGED" in r.feedback
    else:
        assert not r.valid and "implausible_speedup" in guards(r)


def test_broken_reference_is_not_blamed_on_the_candidate(root):
    lvl = root / "KernelBench" / "level3"
    (lvl / "9_BrokenRef.py").write_text(TINY.replace(
        "return self.outp(torch.tanh(self.inp(x)))", "raise RuntimeError('reference bug')"))
    task = load_task("level3/9_BrokenRef", kernelbench_dir=str(root), **FAST)
    r = task.evaluate(make_seed(TINY))
    assert not r.valid and "reference failed (not the candidate's fault)" in r.error
    assert "reference bug" in r.error
