"""Problems, loader, seeds and options: no sandbox, no torch import except where marked."""

from __future__ import annotations

import ast
import pickle

import pytest

from agent.blocks import find_blocks, has_markers
from benchmarks.kernel import list_tasks, load_task
from benchmarks.kernel.problem import (KernelBenchError, check_format, git_commit,
                                       in_repo_problems, make_seed, resolve_checkout)
from tests.kernel.fake_checkout import COMMIT, TINY, make_checkout

REQUIRED = {"mlp", "residual_block", "small_cnn", "causal_attention", "transformer_block",
            "gru_encoder", "depthwise_separable", "softmax_norm"}


def test_in_repo_problems_are_listed_in_kernelbench_format():
    names = {t.name for t in list_tasks()}
    assert REQUIRED <= names
    for p in in_repo_problems().values():
        check_format(p.source(), p.name)  # raises when Model/get_inputs/get_init_inputs miss


def test_seed_is_modelnew_in_an_evolve_block():
    seed = make_seed(TINY)
    assert has_markers(seed)
    block = find_blocks(seed)[0].text(seed)
    assert "class ModelNew(nn.Module)" in block and "super(ModelNew, self)" in block
    tree = ast.parse(seed)
    names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    assert names == {"ModelNew"}  # get_inputs / get_init_inputs dropped, no Model left


def test_fake_checkout_loads_with_commit(tmp_path, monkeypatch):
    root = make_checkout(tmp_path)
    monkeypatch.delenv("KERNELBENCH_DIR", raising=False)
    task = load_task("level3/1_TinyMLP", kernelbench_dir=str(root), device="cpu")
    assert task.id == "kernel/level3/1_TinyMLP"
    assert task.meta["kernelbench_commit"] == COMMIT
    assert task.meta["atol"] == task.meta["rtol"] == 1e-5
    assert task.meta["timer"] == "cpu_perf_counter"
    assert task.resources.gpus == 0
    assert "class Model(nn.Module)" in task.statement
    assert pickle.loads(pickle.dumps(task.evaluator)) == task.evaluator
    # the KernelBench folder itself is accepted too, and the env variable lists level3 tasks
    assert resolve_checkout(root / "KernelBench") == root / "KernelBench"
    monkeypatch.setenv("KERNELBENCH_DIR", str(root))
    names = [t.name for t in list_tasks()]
    assert "level3/1_TinyMLP" in names and "level3/2_SlowRepeat" in names


def test_cuda_device_requests_one_gpu(tmp_path):
    task = load_task("mlp", device="cuda")
    assert task.resources.gpus == 1 and task.meta["timer"] == "cuda_event"


def test_packed_refs_and_detached_head(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/dev\n")
    (tmp_path / ".git" / "packed-refs").write_text(f"# pack-refs\n{COMMIT} refs/heads/dev\n")
    assert git_commit(tmp_path / "KernelBench") == COMMIT
    (tmp_path / ".git" / "HEAD").write_text("f" * 40 + "\n")
    assert git_commit(tmp_path) == "f" * 40


@pytest.mark.parametrize("name, opts, words", [
    ("level3/1_MLP", {"kernelbench_dir": "/nonexistent/kb"}, "not a KernelBench checkout"),
    ("level3/1_MLP", {}, "KERNELBENCH_DIR"),
    ("nope", {"device": "cpu"}, "unknown kernel problem"),
    ("mlp", {"device": "tpu"}, "device must be"),
    ("mlp", {"device": "cpu", "atoll": 1}, "unknown kernel task option"),
    ("mlp", {"device": "cpu", "correct_trials": 2}, "at least 5"),
])
def test_bad_input_gets_a_clear_error(name, opts, words, monkeypatch):
    monkeypatch.delenv("KERNELBENCH_DIR", raising=False)
    with pytest.raises(KernelBenchError, match=words):
        load_task(name, **opts)


def test_unknown_checkout_problem_suggests_a_name(tmp_path):
    root = make_checkout(tmp_path)
    with pytest.raises(KernelBenchError, match="Did you mean level3/1_TinyMLP"):
        load_task("level3/1_TinyMLPP", kernelbench_dir=str(root), device="cpu")


def test_malformed_problem_file_is_named(tmp_path):
    root = make_checkout(tmp_path)
    (root / "KernelBench" / "level3" / "3_Broken.py").write_text("import torch\nx = 1\n")
    with pytest.raises(KernelBenchError, match="lacks Model, get_inputs, get_init_inputs"):
        load_task("level3/3_Broken", kernelbench_dir=str(root), device="cpu")


def test_every_problem_runs_and_its_seed_matches_the_reference():
    """In-process (trusted code only): each reference runs and the seed reproduces it exactly."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    for p in in_repo_problems().values():
        ref_ns: dict = {}
        exec(compile(p.source(), str(p.path), "exec"), ref_ns)
        seed_ns: dict = {}
        exec(compile(make_seed(p.source()), "seed", "exec"), seed_ns)
        init = ref_ns["get_init_inputs"]()
        torch.manual_seed(0)
        ref = ref_ns["Model"](*init)
        torch.manual_seed(0)
        new = seed_ns["ModelNew"](*init)
        torch.manual_seed(1)
        inputs = ref_ns["get_inputs"]()
        with torch.no_grad():
            a, b = ref(*inputs), new(*inputs)
        assert torch.equal(a, b), p.name
        assert torch.isfinite(a).all(), p.name


def test_checkout_names_are_accepted_before_listing():
    import benchmarks.kernel as kernel

    assert kernel.accepts_task("level3/1_MLP") and not kernel.accepts_task("mlp")


def test_judge_trusts_only_its_own_comparison():
    """The parent-side judge, fed fabricated candidate output (no sandbox)."""
    import io
    import json

    torch = pytest.importorskip("torch")
    from agent.sandbox import SandboxResult
    from benchmarks.kernel.evaluator import KernelEvaluator, Reference

    x, y = torch.randn(4, 3), torch.randn(4, 2)
    ref = Reference(b"", [y], [[x]], {"eager": {"mean": 2.0}})
    ev = KernelEvaluator("kernel/t", "/nonexistent.py", timing_trials=5)

    def result(outs, ins, report):
        buf = io.BytesIO()
        torch.save({"outputs": outs, "inputs_after": ins}, buf)
        return SandboxResult(0, "", "", 1.0, files={"outputs.pt": buf.getvalue(),
                                                   "report.json": json.dumps(report).encode()})

    good = {"compiled": True, "violations": [], "runtime_stats": {"mean": 1.0, "std": 0.0,
                                                                  "min": 1.0, "max": 1.0,
                                                                  "median": 1.0, "num_trials": 5}}
    r = ev.judge(ref, result([y.clone()], [[x.clone()]], good))
    assert r.valid and r.fitness == pytest.approx(2.0)
    # a report claiming no violations does not hide inputs that came back changed
    r = ev.judge(ref, result([y.clone()], [[x + 1]], good))
    assert not r.valid and "inputs_modified" in r.error
    # a report claiming success does not make wrong outputs right
    r = ev.judge(ref, result([y + 1e-3], [[x.clone()]], good))
    assert not r.valid and r.error.startswith("incorrect")
    r = ev.judge(ref, result([y[:2]], [[x.clone()]], good))
    assert not r.valid and "shape" in r.error
    crashed = SandboxResult(-9, "", "Segmentation fault", 1.0)
    r = ev.judge(ref, crashed)
    assert not r.valid and "without a report" in r.error


def test_sandbox_env_passes_the_assigned_gpu_and_no_secrets(monkeypatch):
    from benchmarks.kernel.evaluator import _env

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    env = _env()
    assert env.get("CUDA_VISIBLE_DEVICES") == "3" and "OPENAI_API_KEY" not in env
