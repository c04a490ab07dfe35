"""``fmagent compare BASE CANDIDATE``: is the candidate agent better, worse, or the same?

Per task (runs grouped by task id; seeds are the samples) and overall, three metrics:

- **final best**: the best fitness after N evaluations, N = the fewest evaluations any run of
  that task made on either side (so a longer run does not win by budget alone), normalised to
  [0, 1] between the worst starting point and the best final value over both sides;
- **AUC**: the area under the normalised best-so-far curve over evaluations 1..N, divided by N
  (1 = the best value from the first evaluation on);
- **evals to target**: the first evaluation whose best-so-far reaches the target (default: the
  median final best of the base runs; ``--target`` gives a raw score), N+1 when never reached,
  reported as a fraction of N; lower is better.

Differences are candidate minus base, with bootstrap confidence intervals over seeds: seeds are
resampled with replacement within each task and side; the spread of the resampled means gives
the standard error (with the n/(n-1) small-sample correction), and the interval uses Student's
t with Welch-Satterthwaite degrees of freedom, so two or three seeds give honest, wide
intervals instead of the over-confident percentile ones. Overall, per-task differences are
averaged (variances add); when some task has a single seed on a side, tasks are resampled
instead (three or more tasks needed). A verdict is *better* or *worse* when the interval
excludes zero, otherwise *no significant difference*. A significant overall regression on final
best or AUC is a regression (exit status 1). Runs of different task versions are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from harness.report.render import fmt
from harness.report.rundata import Run, RunDataError, find_runs, group_by_task

METRICS = (("final", "final best (normalised)", +1),
           ("auc", "AUC of best-so-far (normalised)", +1),
           ("to_target", "evals to target (fraction of N)", -1))
GATE = ("final", "auc")


class CompareError(ValueError):
    """Inputs that cannot be compared (no common task, different task versions, ...)."""


@dataclass
class Stat:
    diff: float
    lo: float
    hi: float
    verdict: str


def _verdict(lo: float, hi: float, sign: int) -> str:
    if lo > 0:
        return "better" if sign > 0 else "worse"
    if hi < 0:
        return "worse" if sign > 0 else "better"
    return "no significant difference"


def task_metrics(base: list[Run], cand: list[Run], target: float | None) -> dict[str, Any]:
    runs = base + cand
    n = min(r.n_evals for r in runs)
    if n == 0:
        raise CompareError(f"{runs[0].task_id}: a run has no evaluated programs; "
                           "nothing to compare")
    curves = {id(r): r.best_curve()[:n] for r in runs}
    firsts = [c[np.isfinite(c)][0] for c in curves.values() if np.isfinite(c).any()]
    finals = [c[-1] for c in curves.values() if np.isfinite(c[-1])]
    if not finals:
        raise CompareError(f"{runs[0].task_id}: no run has a valid program within {n} evaluations")
    lo, hi = min(firsts), max(finals)
    span = hi - lo
    if target is None:
        bf = [curves[id(r)][-1] for r in base if np.isfinite(curves[id(r)][-1])]
        tgt = float(np.median(bf)) if bf else hi
    else:
        tgt = base[0].sign * float(target)

    def one(r: Run) -> dict[str, float]:
        c = curves[id(r)]
        norm = np.where(np.isfinite(c), (c - lo) / span if span > 0 else 1.0, 0.0)
        reached = np.nonzero(np.isfinite(c) & (c >= tgt))[0]
        return {"final": float(norm[-1]), "auc": float(norm.mean()),
                "to_target": float((reached[0] + 1) if len(reached) else n + 1) / n,
                "final_raw": r.to_score(float(c[-1])) if np.isfinite(c[-1]) else None}

    return {"n": n, "target_score": base[0].to_score(tgt), "lo": lo, "hi": hi,
            "base": [one(r) for r in base], "cand": [one(r) for r in cand],
            "base_seeds": [r.seed for r in base], "cand_seeds": [r.seed for r in cand]}


def _boot_var(x: np.ndarray, rng: np.random.Generator, n_boot: int) -> float:
    """Bootstrap variance of the mean of ``x``, corrected by n/(n-1)."""
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    return float(x[idx].mean(axis=1).var()) * len(x) / (len(x) - 1)


def _interval(d: float, parts: list[tuple[float, int]], alpha: float) -> tuple[float, float]:
    """d ± t * SE; ``parts``: (variance of a mean, its sample size) per independent component."""
    from scipy.stats import t as student_t

    var = sum(v for v, _ in parts)
    if var <= 0:
        return d, d
    denom = sum(v * v / (n - 1) for v, n in parts if v > 0)
    df = var * var / denom if denom > 0 else 1.0
    half = float(student_t.ppf(1 - alpha / 2, max(df, 1.0))) * math.sqrt(var)
    return d - half, d + half


def compare_runs(base_runs: Sequence[Run], cand_runs: Sequence[Run], n_boot: int = 2000,
                 alpha: float = 0.05, target: float | None = None, seed: int = 0) -> dict[str, Any]:
    if not 0 < alpha < 1:
        raise CompareError(f"--alpha must be between 0 and 1, not {alpha}")
    gb, gc = group_by_task(base_runs), group_by_task(cand_runs)
    for side, groups in (("base", gb), ("candidate", gc)):
        for task, rs in groups.items():
            if len({r.version for r in rs}) > 1:
                raise CompareError(f"{side} runs of {task} use different task versions "
                                   f"{sorted({str(r.version) for r in rs})}; "
                                   "compare like with like")
    common = [t for t in gb if t in gc]
    if not common:
        raise CompareError(f"no task in common: base has {', '.join(gb) or 'none'}, candidate "
                           f"has {', '.join(gc) or 'none'}")
    for t in common:
        vb, vc = gb[t][0].version, gc[t][0].version
        if vb != vc:
            raise CompareError(f"{t}: base runs use task version {vb}, candidate runs {vc}; "
                               "runs of different task versions are not comparable")
        if gb[t][0].direction != gc[t][0].direction:
            raise CompareError(f"{t}: base and candidate disagree on the direction")
    rng = np.random.default_rng(seed)
    tasks: dict[str, Any] = {}
    parts: dict[str, list[tuple[float, int]]] = {m: [] for m, _, _ in METRICS}
    diffs: dict[str, list[float]] = {m: [] for m, _, _ in METRICS}
    all_multi = True
    for t in common:
        tm = task_metrics(gb[t], gc[t], target)
        stats = {}
        for m, _, sign in METRICS:
            b = np.array([x[m] for x in tm["base"]])
            c = np.array([x[m] for x in tm["cand"]])
            d = float(c.mean() - b.mean())
            diffs[m].append(d)
            if len(b) >= 2 and len(c) >= 2:
                p = [(_boot_var(b, rng, n_boot), len(b)), (_boot_var(c, rng, n_boot), len(c))]
                parts[m] += p
                lo, hi = _interval(d, p, alpha)
                stats[m] = Stat(d, lo, hi, _verdict(lo, hi, sign))
            else:
                all_multi = False
                stats[m] = Stat(d, math.nan, math.nan, "too few seeds (need 2 per side)")
        tasks[t] = {**tm, "stats": stats}
    overall: dict[str, Stat] = {}
    k = len(common)
    method = "seeds resampled within tasks" if all_multi else "tasks resampled"
    for m, _, sign in METRICS:
        d = float(np.mean(diffs[m]))
        if all_multi:
            lo, hi = _interval(d, [(v / k ** 2, n) for v, n in parts[m]], alpha)
        elif k >= 3:
            lo, hi = _interval(d, [(_boot_var(np.array(diffs[m]), rng, n_boot), k)], alpha)
        else:
            overall[m] = Stat(d, math.nan, math.nan,
                              "too few seeds or tasks for a verdict (need 2 seeds per side, "
                              "or 3 tasks)")
            continue
        overall[m] = Stat(d, lo, hi, _verdict(lo, hi, sign))
    regression = any(overall[m].verdict == "worse" for m in GATE)
    improvement = any(overall[m].verdict == "better" for m in GATE)
    verdict = "worse" if regression else "better" if improvement else "no significant difference"
    res = {"tasks": tasks, "overall": overall, "verdict": verdict, "regression": regression,
           "method": method, "alpha": alpha, "n_boot": n_boot,
           "only_base": [t for t in gb if t not in gc],
           "only_candidate": [t for t in gc if t not in gb]}
    res["markdown"] = to_markdown(res)
    return res


def to_json(res: dict[str, Any]) -> dict[str, Any]:
    """The comparison as plain data (for CI dashboards): no Markdown, stats as dicts."""
    def st(s: Stat) -> dict[str, Any]:
        return {"diff": s.diff, "lo": None if math.isnan(s.lo) else s.lo,
                "hi": None if math.isnan(s.hi) else s.hi, "verdict": s.verdict}

    return {"verdict": res["verdict"], "regression": res["regression"], "alpha": res["alpha"],
            "method": res["method"], "overall": {m: st(s) for m, s in res["overall"].items()},
            "tasks": {t: {"n": tm["n"], "target_score": tm["target_score"],
                          "base_seeds": tm["base_seeds"], "cand_seeds": tm["cand_seeds"],
                          "base": tm["base"], "cand": tm["cand"],
                          "stats": {m: st(s) for m, s in tm["stats"].items()}}
                      for t, tm in res["tasks"].items()},
            "only_base": res["only_base"], "only_candidate": res["only_candidate"]}


def _ci(s: Stat) -> str:
    return "–" if math.isnan(s.lo) else f"[{fmt(s.lo, 3)}, {fmt(s.hi, 3)}]"


def to_markdown(res: dict[str, Any]) -> str:
    conf = f"{100 * (1 - res['alpha']):g}%"
    out = ["# fmagent compare", "",
           f"**Verdict: {res['verdict']}**" + (" (significant regression: exit status 1)"
                                               if res["regression"] else ""), "",
           f"Candidate minus base; {conf} intervals from bootstrap standard errors and Welch t "
           f"({res['n_boot']} resamples, {res['method']}). Final best and AUC are normalised "
           "per task to [0, 1]; evals to target is a fraction of the common budget N "
           "(lower is better).", "",
           "## Overall", "", "| metric | difference | CI | verdict |", "|---|---|---|---|"]
    for m, label, _ in METRICS:
        s = res["overall"][m]
        out.append(f"| {label} | {fmt(s.diff, 3)} | {_ci(s)} | {s.verdict} |")
    out += ["", "## Per task", "",
            "| task | N | seeds base / cand | metric | base mean | cand mean | difference | CI "
            "| verdict |",
            "|---|---|---|---|---|---|---|---|---|"]
    for t, tm in res["tasks"].items():
        for m, label, _ in METRICS:
            s = tm["stats"][m]
            bm = float(np.mean([x[m] for x in tm["base"]]))
            cm = float(np.mean([x[m] for x in tm["cand"]]))
            out.append(f"| {t} | {tm['n']} | {len(tm['base'])} / {len(tm['cand'])} | {label} | "
                       f"{fmt(bm, 4)} | {fmt(cm, 4)} | {fmt(s.diff, 3)} | {_ci(s)} | {s.verdict} |")
        fb = [x["final_raw"] for x in tm["base"]]
        fc = [x["final_raw"] for x in tm["cand"]]
        out.append(f"| {t} | | | raw best at N (target {fmt(tm['target_score'], 8)}) | "
                   f"{', '.join(fmt(x, 8) for x in fb)} | "
                   f"{', '.join(fmt(x, 8) for x in fc)} | | | |")
    if res["only_base"] or res["only_candidate"]:
        out += ["", f"Not compared (only in base): {', '.join(res['only_base']) or 'none'}; "
                    f"(only in candidate): {', '.join(res['only_candidate']) or 'none'}"]
    return "\n".join(out) + "\n"


def compare_dirs(base: str | Path, candidate: str | Path, **kw: Any) -> dict[str, Any]:
    try:
        b, c = find_runs([base]), find_runs([candidate])
    except RunDataError as e:
        raise CompareError(str(e)) from e
    return compare_runs(b, c, **kw)
