"""Build a Task for one KernelBench-format problem, with its options checked."""

from __future__ import annotations

from typing import Any

from agent.records import Resources
from agent.task import Task
from benchmarks.kernel.evaluator import KernelEvaluator
from benchmarks.kernel.problem import KernelBenchError, get_problem, make_seed, statement

OPTIONS = {
    "kernelbench_dir": "a KernelBench checkout (else the KERNELBENCH_DIR environment variable)",
    "device": "'cuda' or 'cpu' (default: cuda when torch.cuda.is_available(), else cpu)",
    "tol": "sets both atol and rtol (default 1e-5, the FM Agent paper's)",
    "atol": "absolute tolerance (default 1e-5)",
    "rtol": "relative tolerance (default 1e-5)",
    "correct_trials": "correctness trials on fresh random inputs (default 5, at least 5)",
    "timing_trials": "timed trials (default 100)",
    "warmup": "warm-up calls before timing (default 3)",
    "flush_mb": "cache-flush buffer written before each trial (default 256 on cuda, 16 on cpu)",
    "compile_baseline": "also time torch.compile of the reference (default True)",
    "threads": "torch CPU threads for reference and candidate (default 1)",
    "seed": "base seed of weights and inputs (default 42)",
    "timeout_s": "wall-clock limit of one evaluation's process (default 600)",
    "memory_mb": "resident-memory limit of each process (default 8192)",
    "max_plausible_speedup": "speedups above this are flagged (default 10)",
    "on_implausible": "'flag' (default: valid, flagged for review) or 'reject' (invalid)",
    "speedup_stat": "runtime statistic compared: mean (default on cuda, KernelBench's), median "
                    "(default on cpu, robust to a shared machine) or min",
}
_EVAL_FIELDS = ("atol", "rtol", "correct_trials", "timing_trials", "warmup", "flush_mb",
                "compile_baseline", "threads", "seed", "timeout_s", "memory_mb",
                "max_plausible_speedup", "on_implausible", "speedup_stat")

PAPER_CLAIMS = {
    "fm_agent_tr": {"value": [2.08, 20.77], "unit": "speedup over torch.compile",
                    "source": "FM Agent TR (arXiv 2510.26144), KernelBench Level 3 on an A100 "
                              "80GB, PyTorch 2.6.0, CUDA 12.4, results within 1e-5"},
    "fm_agent_v1": {"value": [2.0, 9.0], "unit": "speedup over the cuBLAS baseline",
                    "source": "FM Agent v1, KernelBench Level 3 at 1e-5"},
}


def _default_device() -> str:
    try:
        import torch
    except ImportError as e:
        raise KernelBenchError("kernel tasks need torch: pip install 'fmagent[kernel]'") from e
    return "cuda" if torch.cuda.is_available() else "cpu"


def build_task(name: str, **options: Any) -> Task:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise KernelBenchError(f"unknown kernel task option(s) {', '.join(unknown)}; known: "
                               f"{', '.join(OPTIONS)}")
    prob = get_problem(name, options.get("kernelbench_dir"))
    device = options.get("device") or _default_device()
    if device not in ("cuda", "cpu"):
        raise KernelBenchError(f"device must be 'cuda' or 'cpu', not {device!r}")
    kw = {k: options[k] for k in _EVAL_FIELDS if options.get(k) is not None}
    if options.get("tol") is not None:
        kw.setdefault("atol", float(options["tol"]))
        kw.setdefault("rtol", float(options["tol"]))
    if int(kw.get("correct_trials", 5)) < 5:
        raise KernelBenchError("correct_trials must be at least 5 (KernelBench's protocol)")
    if kw.get("speedup_stat", "mean") not in ("mean", "median", "min"):
        raise KernelBenchError("speedup_stat must be 'mean', 'median' or 'min'")
    if kw.get("on_implausible", "flag") not in ("flag", "reject"):
        raise KernelBenchError("on_implausible must be 'flag' or 'reject'")
    ev = KernelEvaluator(problem_id=prob.task_id, source_path=str(prob.path), device=device,
                         **kw)
    seed = make_seed(prob.source(), where=str(prob.path))
    stmt = statement(prob, device=device, atol=ev.atol, rtol=ev.rtol,
                     correct_trials=ev.correct_trials, timing_trials=ev.timing_trials,
                     compile_baseline=ev.compile_baseline)
    meta = {"problem_file": str(prob.path), "level": prob.level, "device": device,
            "timer": ev.timer, "atol": ev.atol, "rtol": ev.rtol,
            "speedup_stat": ev.stat,
            "fitness": f"speedup over eager PyTorch (eager / candidate {ev.stat} ms); invalid "
                       "if incorrect", "evaluator": ev.to_dict()}
    if prob.checkout is not None:
        meta.update({"kernelbench_dir": str(prob.checkout),
                     "kernelbench_commit": prob.commit or "unknown (not a git checkout)"})
    return Task(id=prob.task_id, statement=stmt, seeds=(seed,), evaluator=ev, direction="max",
                language="python", version="1",
                resources=Resources(cpus=float(ev.threads), gpus=1.0 if device == "cuda" else 0.0,
                                    memory_mb=ev.memory_mb, timeout_s=ev.timeout_s),
                references=dict(PAPER_CLAIMS),
                tags=("kernel", "kernelbench", f"level{prob.level}" if prob.level else "in-repo"),
                meta=meta)
