"""KernelBench-shaped results: per-problem compiled/correct/runtime, fast_p, geometric mean.

``fast_p`` is the share of *all* problems that are correct and faster than the baseline by
more than ``p`` (so fast_0 is the correctness rate); a problem with no result counts as
neither compiled nor correct. The geometric-mean speedup is taken over correct problems.
Runtimes are milliseconds. ``write_report`` puts results.json, report.md and a bar plot in
one folder, next to the paper's claims.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from agent.records import EvalResult

FAST_P = (0.0, 1.0, 1.5, 2.0)
BASELINES = ("eager", "compile")
PAPER_CLAIMS_TEXT = (
    "FM Agent TR (arXiv 2510.26144): 2.08x to 20.77x over torch.compile on KernelBench Level 3 "
    "(A100 80GB, PyTorch 2.6.0, CUDA 12.4; results within 1e-5). FM Agent v1: 2x to 9x over the "
    "cuBLAS baseline at 1e-5.")
PAPER_RANGE_VS_COMPILE = (2.08, 20.77)


@dataclass(frozen=True)
class ProblemResult:
    problem: str
    compiled: bool = False
    correct: bool = False
    runtime_stats: dict[str, float] = field(default_factory=dict)
    eager_stats: dict[str, float] = field(default_factory=dict)
    compile_stats: dict[str, float] = field(default_factory=dict)
    flagged: bool = False
    timer: str = ""
    hardware: str | None = None
    error: str | None = None
    stat: str = "mean"  # which runtime statistic the speedup compares (the evaluator's)

    def speedup(self, baseline: str = "eager") -> float | None:
        base = self.eager_stats if baseline == "eager" else self.compile_stats
        mine = self.runtime_stats.get(self.stat, self.runtime_stats.get("mean"))
        ref = base.get(self.stat, base.get("mean"))
        if not self.correct or not mine or not ref or mine <= 0 or ref <= 0:
            return None
        return float(ref) / float(mine)

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "ProblemResult":
        """From the ``kernelbench_result.json`` artifact the evaluator attaches."""
        md = rec.get("metadata") or {}
        return cls(problem=str(rec.get("problem", "?")), compiled=bool(rec.get("compiled")),
                   correct=bool(rec.get("correctness")),
                   runtime_stats=dict(rec.get("runtime_stats") or {}),
                   eager_stats=dict(rec.get("ref_runtime_stats") or {}),
                   compile_stats=dict(rec.get("ref_runtime_compiled_stats") or {}),
                   flagged=bool(md.get("implausible_speedup")), timer=str(md.get("timer", "")),
                   hardware=md.get("hardware"), error=md.get("error"),
                   stat=str(md.get("speedup_stat", "mean")))

    @classmethod
    def from_eval(cls, problem: str, result: EvalResult | None) -> "ProblemResult":
        if result is None:
            return cls(problem, error="no result")
        raw = result.artifacts.get("kernelbench_result.json")
        if raw:
            pr = cls.from_record(json.loads(raw))
            return pr if pr.problem == problem else cls(**{**asdict(pr), "problem": problem})
        return cls(problem, compiled=bool(result.metrics.get("compiled")),
                   correct=bool(result.valid), error=result.error)


def fast_p(results: Sequence[ProblemResult], p: float, baseline: str = "eager") -> float:
    if not results:
        return 0.0
    hits = sum(1 for r in results if r.correct and (s := r.speedup(baseline)) is not None
               and s > p)
    if p == 0.0:  # fast_0 is the correctness rate, timed or not
        hits = sum(1 for r in results if r.correct)
    return hits / len(results)


def geomean_speedup(results: Sequence[ProblemResult], baseline: str = "eager") -> float | None:
    s = [x for r in results if (x := r.speedup(baseline)) is not None and x > 0]
    return math.exp(sum(map(math.log, s)) / len(s)) if s else None


def summarize(results: Sequence[ProblemResult]) -> dict[str, Any]:
    n = len(results)
    out: dict[str, Any] = {"problems": n,
                           "compiled": sum(r.compiled for r in results),
                           "correct": sum(r.correct for r in results),
                           "flagged_over_10x": sum(r.flagged for r in results)}
    for b in BASELINES:
        out[f"fast_p_{b}"] = {f"{p:g}": fast_p(results, p, b) for p in FAST_P}
        out[f"geomean_speedup_{b}"] = geomean_speedup(results, b)
    timers = sorted({r.timer for r in results if r.timer})
    out["timers"] = timers
    out["hardware"] = sorted({r.hardware for r in results if r.hardware})
    return out


def _f(x: float | None, spec: str = ".3f") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def markdown_report(results: Sequence[ProblemResult], title: str = "KernelBench results") -> str:
    s = summarize(results)
    lines = [f"# {title}", ""]
    cpu = "cpu_perf_counter" in s["timers"]
    lines.append(f"Timer: {', '.join(s['timers']) or 'n/a'}"
                 + (" (CPU wall clock, not CUDA events: not comparable with GPU numbers)"
                    if cpu else "")
                 + f". Hardware: {', '.join(s['hardware']) or 'n/a'}. Runtimes in ms (mean ± std,"
                 " min–max). Speedup = baseline / candidate, of the "
                 f"{'/'.join(sorted({r.stat for r in results})) or 'mean'} runtime.")
    lines += ["", "| problem | compiled | correct | runtime ms (mean ± std, min–max) | "
              "compared stat | runtime | eager | compile | vs eager | vs compile | flag |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rt = r.runtime_stats
        cell = (f"{_f(rt.get('mean'))} ± {_f(rt.get('std'))} ({_f(rt.get('min'))}–"
                f"{_f(rt.get('max'))})" if rt else "—")
        lines.append(f"| {r.problem} | {'yes' if r.compiled else 'no'} | "
                     f"{'yes' if r.correct else 'no'} | {cell} | {r.stat} | "
                     f"{_f(rt.get(r.stat))} | {_f(r.eager_stats.get(r.stat))} | "
                     f"{_f(r.compile_stats.get(r.stat))} | "
                     f"{_f(r.speedup('eager'), '.2f')} | {_f(r.speedup('compile'), '.2f')} | "
                     f"{'>10x' if r.flagged else ''} |")
    lines += ["", f"Problems {s['problems']}, compiled {s['compiled']}, correct {s['correct']}, "
                  f"flagged (>10x) {s['flagged_over_10x']}.", "",
              "| baseline | fast_0 | fast_1 | fast_1.5 | fast_2 | geomean speedup (correct) |",
              "|---|---|---|---|---|---|"]
    for b in BASELINES:
        fp = s[f"fast_p_{b}"]
        lines.append(f"| {b} | " + " | ".join(_f(fp[f'{p:g}'], '.2f') for p in FAST_P)
                     + f" | {_f(s[f'geomean_speedup_{b}'], '.2f')} |")
    lines += ["", f"Paper claims: {PAPER_CLAIMS_TEXT}", ""]
    return "\n".join(lines)


def bar_plot(results: Sequence[ProblemResult], path: str | Path, baseline: str = "compile",
             title: str | None = None) -> Path:
    """Speedup per problem (log scale) with the paper's claimed range shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    names = [r.problem.split("/")[-1] for r in results]
    vals = [r.speedup(baseline) or 0.0 for r in results]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * len(results) + 2), 3.6))
    colors = ["tab:orange" if r.flagged else ("tab:blue" if r.correct else "tab:gray")
              for r in results]
    ax.bar(range(len(vals)), [v if v > 0 else 1e-3 for v in vals], color=colors)
    ax.axhline(1.0, color="black", lw=0.8)
    lo, hi = PAPER_RANGE_VS_COMPILE
    ax.axhspan(lo, hi, color="tab:green", alpha=0.12,
               label=f"FM Agent TR claim vs torch.compile ({lo}x–{hi}x)")
    ax.set_yscale("log")
    ax.set_xticks(range(len(vals)), names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(f"speedup vs {baseline}")
    ax.set_title(title or f"KernelBench speedup vs {baseline} (gray: incorrect, orange: >10x)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(results: Iterable[ProblemResult], out_dir: str | Path,
                 title: str = "KernelBench results") -> dict[str, Path]:
    """results.json (per problem + summary), report.md and speedup_<baseline>.png."""
    results = list(results)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = {"summary": summarize(results), "problems": [
        {**asdict(r), "speedup_vs_eager": r.speedup("eager"),
         "speedup_vs_compile": r.speedup("compile")} for r in results]}
    files = {"json": out / "results.json", "markdown": out / "report.md"}
    files["json"].write_text(json.dumps(data, indent=1))
    files["markdown"].write_text(markdown_report(results, title))
    has_compile = any(r.speedup("compile") for r in results)
    files["plot"] = bar_plot(results, out / f"speedup_{'compile' if has_compile else 'eager'}.png",
                             baseline="compile" if has_compile else "eager")
    return files
