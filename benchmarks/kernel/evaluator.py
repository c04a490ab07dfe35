"""The KernelBench evaluator: trusted reference process, sandboxed candidate, trusted judge.

One evaluation:
1. Reference process (sandboxed, no candidate code): builds ``Model`` after seeding, draws the
   correctness inputs, computes the reference outputs, times eager and torch.compile. Its
   results are cached in this worker process per problem/seed/settings.
2. Candidate process (sandboxed, memory_mode="rss"): receives the inputs only, builds
   ``ModelNew`` with the same seed, writes its outputs, times itself and reports what its
   guards saw. It never sees the reference outputs or the reference model.
3. This process (trusted) compares the outputs with the reference at atol/rtol, re-checks the
   inputs it got back, applies the guards and computes speedup = baseline / candidate.

Fitness is the speedup over eager PyTorch (when correct); invalid when incorrect or a guard
fires. Evaluators are picklable: they hold a path and settings, and import torch lazily.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import math
import os
import random
import sys
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.records import EvalResult
from agent.sandbox import Limits, Sandbox, SandboxResult
from agent.task import EvalContext

HARNESS_DIR = Path(__file__).parent / "sandboxed"
GUARDS = ("inputs_modified", "output_aliases_input", "output_reused", "patched_torch",
          "patched_timer", "fallback_reference", "timer_escape", "threads",
          "implausible_speedup")
# Passed into the sandboxes when set: which GPU Ray assigned, and where CUDA's compiler lives.
# (The sandbox otherwise scrubs the environment; none of these carries a secret.)
_PASS_ENV = ("CUDA_VISIBLE_DEVICES", "CUDA_HOME", "CUDA_PATH", "TORCH_CUDA_ARCH_LIST",
             "LD_LIBRARY_PATH")
_CACHE: "OrderedDict[str, Reference]" = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


@dataclass
class Reference:
    """What the trusted reference process produced for one problem and seed."""

    inputs_pt: bytes
    expected: Any  # list of per-trial outputs (CPU tensors), never shown to the candidate
    inputs: Any  # list of per-trial inputs, to check the candidate left them unchanged
    baseline: dict
    error: str | None = None


@dataclass(frozen=True)
class KernelEvaluator:
    """Settings of one KernelBench task's evaluation (see module docstring)."""

    problem_id: str
    source_path: str
    device: str = "cpu"
    atol: float = 1e-5
    rtol: float = 1e-5
    correct_trials: int = 5
    timing_trials: int = 100
    warmup: int = 3
    flush_mb: float | None = None  # None: 256 MB on CUDA (> L2), 16 MB on CPU
    compile_baseline: bool = True
    threads: int = 1
    seed: int = 42
    timeout_s: float = 600.0
    memory_mb: int = 8192
    max_plausible_speedup: float = 10.0
    on_implausible: str = "flag"  # "flag": valid and flagged for review; "reject": invalid
    timing: bool = True
    speedup_stat: str | None = None  # None: "mean" on CUDA (KernelBench), "median" on CPU

    @property
    def stat(self) -> str:
        return self.speedup_stat or ("mean" if self.device == "cuda" else "median")

    # ---- settings ----------------------------------------------------------------------------
    @property
    def timer(self) -> str:
        return "cuda_event" if self.device == "cuda" else "cpu_perf_counter"

    def _flush_mb(self) -> float:
        return self.flush_mb if self.flush_mb is not None else (256.0 if self.device == "cuda"
                                                                 else 16.0)

    def _config(self, ctx_seed: int) -> dict:
        rng = random.Random(f"{self.seed}:{ctx_seed}")
        return {"device": self.device, "threads": self.threads, "atol": self.atol,
                "rtol": self.rtol, "init_seed": self.seed + ctx_seed,
                "trial_seeds": [rng.randrange(2**31) for _ in range(self.correct_trials)],
                "timing": self.timing, "timing_trials": self.timing_trials,
                "warmup": self.warmup, "flush_mb": self._flush_mb(),
                "compile": self.compile_baseline}

    def _limits(self, timeout_s: float | None = None) -> Limits:
        write: tuple[str, ...] = ()
        if self.device == "cuda":  # the driver's device files are opened read-write
            write = tuple(sorted(glob.glob("/dev/nvidia*")))
        return Limits(timeout_s=timeout_s or self.timeout_s, memory_mb=self.memory_mb,
                      memory_mode="rss", cpus=max(1, self.threads), max_procs=512,
                      max_open_files=4096, max_file_mb=4096, allow_write=write,
                      # torch imported once in the fork server (1.2 s -> 0.1 s a run on the CPU);
                      # on a GPU each run imports it itself until that path is verified there
                      preload=("torch",) if self.device == "cpu" else ())

    # ---- the reference process ---------------------------------------------------------------
    def reference(self, ctx_seed: int = 0) -> Reference:
        src = Path(self.source_path).read_bytes()
        cfg = self._config(ctx_seed)
        key = hashlib.sha256(src + json.dumps(cfg, sort_keys=True).encode()).hexdigest()
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        ref = self._run_reference(src, cfg)
        with _CACHE_LOCK:
            _CACHE[key] = ref
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return ref

    def _run_reference(self, src: bytes, cfg: dict) -> Reference:
        files = {"problem.py": src, "config.json": json.dumps(cfg),
                 "kb_common.py": (HARNESS_DIR / "kb_common.py").read_text(),
                 "ref_main.py": (HARNESS_DIR / "ref_main.py").read_text()}
        res = Sandbox(self._limits()).run([sys.executable, "ref_main.py"], files=files,
                                          collect=["inputs.pt", "expected.pt", "baseline.json"],
                                          env=_env())
        try:
            baseline = json.loads(res.files.get("baseline.json", b"{}") or b"{}")
        except ValueError:
            baseline = {}
        err = baseline.get("error")
        if not err and (not res.ok or "expected.pt" not in res.files):
            err = f"reference process failed: {res.describe_failure()}"
        if err:
            return Reference(b"", None, None, baseline, f"{err} | {_tail(res.stderr, 300)}"
                             if res.stderr.strip() else err)
        torch = _torch()
        expected = torch.load(io.BytesIO(res.files["expected.pt"]), weights_only=True,
                              map_location="cpu")["outputs"]
        inputs = torch.load(io.BytesIO(res.files["inputs.pt"]), weights_only=True,
                            map_location="cpu")["inputs"]
        return Reference(res.files["inputs.pt"], expected, inputs, baseline)

    # ---- one evaluation ----------------------------------------------------------------------
    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        ref = self.reference(ctx.seed)
        base_metrics = {"atol": self.atol, "rtol": self.rtol,
                        "cuda_event_timing": float(self.timer == "cuda_event"),
                        "cpu_timer": float(self.timer == "cpu_perf_counter")}
        if ref.error:
            return EvalResult.invalid(f"reference failed (not the candidate's fault): "
                                      f"{ref.error}"[:400], metrics=base_metrics)
        cfg = self._config(ctx.seed)
        files = {"candidate.py": code, "config.json": json.dumps(cfg),
                 "inputs.pt": ref.inputs_pt,
                 "kb_common.py": (HARNESS_DIR / "kb_common.py").read_text(),
                 "cand_main.py": (HARNESS_DIR / "cand_main.py").read_text()}
        res = Sandbox(self._limits(ctx.resources.timeout_s or None)).run(
            [sys.executable, "cand_main.py"], files=files,
            collect=["report.json", "outputs.pt"], env=_env())
        return self.judge(ref, res)

    def judge(self, ref: Reference, res: SandboxResult) -> EvalResult:
        """Trusted: turn what the candidate process produced into an EvalResult."""
        record: dict[str, Any] = {"problem": self.problem_id, "compiled": False,
                                  "correctness": False, "metadata": self._metadata(ref)}
        metrics: dict[str, float] = {"atol": self.atol, "rtol": self.rtol, "compiled": 0.0,
                                     "correct": 0.0,
                                     "cuda_event_timing": float(self.timer == "cuda_event"),
                                     "cpu_timer": float(self.timer == "cpu_perf_counter"),
                                     "candidate_wall_s": res.wall_s}

        def invalid(error: str, feedback: str = "") -> EvalResult:
            record["metadata"]["error"] = error
            return EvalResult.invalid(error, metrics=metrics, feedback=feedback or error,
                                      artifacts={"kernelbench_result.json":
                                                 json.dumps(record, indent=1)})

        try:
            report = json.loads(res.files.get("report.json", b"") or b"null")
        except ValueError:
            report = None
        if not isinstance(report, dict):
            return invalid(f"candidate process ended without a report: "
                           f"{res.describe_failure()}", _tail(res.stderr, 2000))
        if report.get("compiled"):
            record["compiled"] = True
            metrics["compiled"] = 1.0
        if report.get("error"):
            return invalid(str(report["error"])[:400],
                           f"{report['error']}\n{report.get('traceback', '')[-1500:]}\n"
                           f"stderr:\n{_tail(res.stderr, 800)}")
        if not res.ok:
            return invalid(f"candidate process failed: {res.describe_failure()}",
                           _tail(res.stderr, 2000))
        violations = [v for v in report.get("violations", []) if isinstance(v, dict)]
        if "outputs.pt" not in res.files:
            return invalid("candidate process wrote no outputs")
        torch = _torch()
        try:
            got = torch.load(io.BytesIO(res.files["outputs.pt"]), weights_only=True,
                             map_location="cpu")
            outs, ins_after = got["outputs"], got["inputs_after"]
        except Exception as e:
            return invalid(f"unreadable candidate outputs: {type(e).__name__}: {e}"[:300])
        # The parent's own check of the inputs the candidate process handed back.
        for k, (a, b) in enumerate(zip(ins_after, ref.inputs)):
            if not _same(torch, a, b):
                violations.append({"guard": "inputs_modified",
                                   "reason": f"trial {k}: inputs changed during forward"})
                break
        ok, detail, diffs = _compare(torch, outs, ref.expected, self.atol, self.rtol)
        metrics.update(diffs)
        if violations:
            seen = []
            for v in violations:
                if v.get("guard") not in [s.get("guard") for s in seen]:
                    seen.append(v)
            for v in seen:
                metrics[f"guard_{v.get('guard')}"] = 1.0
            lines = [f"- {v.get('guard')}: {v.get('reason')}" for v in seen]
            record["metadata"]["violations"] = seen
            first = seen[0]
            return invalid(f"reward-hack guard {first.get('guard')}: {first.get('reason')}"[:400],
                           "Rejected by the evaluator's guards:\n" + "\n".join(lines))
        if not ok:
            return invalid(f"incorrect: {detail}",
                           f"Incorrect output ({detail}). Outputs must match the reference "
                           f"with allclose(atol={self.atol:g}, rtol={self.rtol:g}) on all "
                           f"{self.correct_trials} trials.")
        record["correctness"] = True
        metrics["correct"] = 1.0
        metrics["correct_trials"] = float(len(outs))
        if not self.timing:
            return EvalResult(valid=True, fitness=1.0, metrics=metrics,
                              feedback="correct (timing disabled: fitness 1.0)",
                              artifacts={"kernelbench_result.json": json.dumps(record, indent=1)})
        return self._score(ref, report, record, metrics)

    def _score(self, ref: Reference, report: dict, record: dict,
               metrics: dict[str, float]) -> EvalResult:
        rt = report.get("runtime_stats") or {}
        eager = ref.baseline.get("eager") or {}
        comp = ref.baseline.get("compile")
        stat = self.stat
        mean = float(rt.get(stat, float("nan")))
        if not (mean > 0 and math.isfinite(mean)):
            return EvalResult.invalid(f"no usable timing from the candidate process ({rt})",
                                      metrics=metrics)
        record["runtime"] = rt.get("mean", mean)
        record["runtime_stats"] = rt
        record["ref_runtime"] = eager.get("mean", -1.0)
        record["ref_runtime_stats"] = eager
        record["ref_runtime_compiled"] = comp.get("mean", -1.0) if comp else -1.0
        record["ref_runtime_compiled_stats"] = comp or {}
        for name, st in (("runtime", rt), ("eager", eager), ("compile", comp or {})):
            for s in ("mean", "std", "min", "max", "median"):
                if s in st:
                    metrics[f"{name}_ms_{s}"] = float(st[s])
        speedup = float(eager.get(stat, eager["mean"])) / mean
        metrics["speedup_vs_eager"] = speedup
        metrics["compile_baseline_available"] = float(bool(comp))
        lines = [f"correct on {metrics['correct_trials']:g}/{self.correct_trials} trials "
                 f"(atol={self.atol:g}, rtol={self.rtol:g}, max abs diff "
                 f"{metrics.get('max_abs_diff', 0):.3g})",
                 f"timer: {self._timer_words()}",
                 f"runtime {stat} {mean:.4f} ms (mean {rt.get('mean', 0):.4f}, std "
                 f"{rt.get('std', 0):.4f}, min {rt.get('min', 0):.4f}, max {rt.get('max', 0):.4f})",
                 f"eager PyTorch {stat} {eager.get(stat, eager['mean']):.4f} ms -> speedup "
                 f"{speedup:.3f}x (the fitness; ratio of {stat}s)"]
        if comp:
            sc = float(comp.get(stat, comp["mean"])) / mean
            metrics["speedup_vs_compile"] = sc
            record["speedup_vs_compile"] = sc
            lines.append(f"torch.compile {stat} {comp.get(stat, comp['mean']):.4f} ms -> "
                         f"speedup {sc:.3f}x")
        elif self.compile_baseline:
            lines.append(f"torch.compile baseline unavailable: "
                         f"{ref.baseline.get('compile_error', 'unknown reason')}")
        else:
            lines.append("torch.compile baseline: not measured (compile_baseline=False)")
        record["speedup_vs_eager"] = speedup
        flagged = speedup > self.max_plausible_speedup
        metrics["flag_implausible_speedup"] = float(flagged)
        record["metadata"]["implausible_speedup"] = flagged
        artifacts = {"kernelbench_result.json": json.dumps(record, indent=1)}
        if flagged:
            why = (f"implausible speedup {speedup:.1f}x over eager (> "
                   f"{self.max_plausible_speedup:g}x): flagged for review")
            if self.on_implausible == "reject":
                metrics["guard_implausible_speedup"] = 1.0
                return EvalResult.invalid(f"reward-hack guard implausible_speedup: {why}",
                                          metrics=metrics, feedback=why, artifacts=artifacts)
            lines.append("FLAGGED: " + why)
        return EvalResult(valid=True, fitness=speedup, metrics=metrics,
                          feedback="\n".join(lines), artifacts=artifacts)

    def _timer_words(self) -> str:
        w, n, f = self.warmup, self.timing_trials, self._flush_mb()
        if self.timer == "cuda_event":
            return f"CUDA events, {w} warm-up, {n} trials, {f:g} MB L2 flush before each"
        return (f"CPU perf_counter (no CUDA events: CPU run), {w} warm-up, {n} trials, "
                f"{f:g} MB cache flush before each, {self.threads} thread(s)")

    def _metadata(self, ref: Reference) -> dict:
        return {"device": self.device, "timer": self.timer, "atol": self.atol, "rtol": self.rtol,
                "correct_trials": self.correct_trials, "timing_trials": self.timing_trials,
                "warmup": self.warmup, "flush_mb": self._flush_mb(), "threads": self.threads,
                "hardware": ref.baseline.get("device_name"), "torch": ref.baseline.get("torch"),
                "speedup_stat": self.stat,
                "fitness": f"speedup over eager PyTorch (eager / candidate {self.stat} ms)"}

    def to_dict(self) -> dict:
        return asdict(self)


def _env() -> dict[str, str]:
    return {k: os.environ[k] for k in _PASS_ENV if os.environ.get(k)}


def _torch():
    import torch

    return torch


def _tail(text: str, n: int) -> str:
    return text[-n:] if text else ""


def _flat(x) -> list:
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flat(v)]
    if isinstance(x, dict):
        return [t for k in sorted(x) for t in _flat(x[k])]
    return [x]


def _same(torch, a, b) -> bool:
    fa, fb = _flat(a), _flat(b)
    if len(fa) != len(fb):
        return False
    for x, y in zip(fa, fb):
        if isinstance(x, torch.Tensor) != isinstance(y, torch.Tensor):
            return False
        if isinstance(x, torch.Tensor):
            if x.shape != y.shape or x.dtype != y.dtype:
                return False
            if x.is_floating_point():
                if not bool(((x == y) | (torch.isnan(x) & torch.isnan(y))).all()):
                    return False
            elif not torch.equal(x, y):
                return False
        elif x != y:
            return False
    return True


def _compare(torch, outs, expected, atol: float, rtol: float) -> tuple[bool, str, dict]:
    """KernelBench correctness: every trial's outputs match in shape, dtype and allclose."""
    if not isinstance(outs, list) or len(outs) != len(expected):
        return False, "wrong number of trial outputs", {}
    max_diff, sum_diff, count = 0.0, 0.0, 0
    for k, (o, e) in enumerate(zip(outs, expected)):
        fo, fe = _flat(o), _flat(e)
        if len(fo) != len(fe):
            return False, f"trial {k}: {len(fo)} outputs, reference has {len(fe)}", {}
        for j, (x, y) in enumerate(zip(fo, fe)):
            if not isinstance(y, torch.Tensor):
                if x != y:
                    return False, f"trial {k}: output {j} is {x!r:.40}, expected {y!r:.40}", {}
                continue
            if not isinstance(x, torch.Tensor):
                return False, f"trial {k}: output {j} is {type(x).__name__}, not a tensor", {}
            if x.shape != y.shape:
                return False, (f"trial {k}: output {j} has shape {tuple(x.shape)}, expected "
                               f"{tuple(y.shape)}"), {}
            if x.dtype != y.dtype:
                return False, f"trial {k}: output {j} has dtype {x.dtype}, expected {y.dtype}", {}
            xd, yd = x.double(), y.double()
            diff = (xd - yd).abs()
            m = float(diff.nan_to_num(nan=math.inf).max()) if diff.numel() else 0.0
            max_diff = max(max_diff, m)
            sum_diff += float(diff.nan_to_num(nan=0.0, posinf=0.0).sum())
            count += diff.numel()
            if not torch.allclose(xd, yd, atol=atol, rtol=rtol, equal_nan=True):
                bad = int((~torch.isclose(xd, yd, atol=atol, rtol=rtol, equal_nan=True)).sum())
                return False, (f"trial {k}: output {j} differs from the reference by up to "
                               f"{m:.3g} ({bad}/{diff.numel()} elements outside atol={atol:g}, "
                               f"rtol={rtol:g})"), {"max_abs_diff": m}
    return True, "", {"max_abs_diff": max_diff, "mean_abs_diff": sum_diff / max(count, 1)}
