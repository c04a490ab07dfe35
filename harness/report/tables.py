"""Per-benchmark figures in the paper's table shape, computed from runs only.

Each ``*_rows`` function returns plain data (lists of dicts) so the same numbers go into the
Markdown, the HTML page and ``report.json``. A missing input (no final.json, no kernel timing)
is reported as a note, never an exception.
"""

from __future__ import annotations

import math
import statistics
from typing import Any, Sequence

from harness.report.reference import PaperReference, Table as RefTable
from harness.report.rundata import Run


Section = tuple[list[dict[str, Any]], dict[str, Any], list[str]]  # rows, summary, notes


def _mean_sem(xs: Sequence[float]) -> tuple[float | None, float | None]:
    xs = [float(x) for x in xs if x is not None and math.isfinite(float(x))]
    if not xs:
        return None, None
    m = sum(xs) / len(xs)
    sem = statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0
    return m, sem


def ref_values(refs: dict[str, Any]) -> dict[str, float]:
    """Numeric reference values of a task (``{key: {"value": v, "source": s}}`` or numbers)."""
    out: dict[str, float] = {}
    for k, v in (refs or {}).items():
        val = v.get("value") if isinstance(v, dict) else v
        if isinstance(val, (int, float)) and not isinstance(val, bool) and math.isfinite(val):
            out[k] = float(val)
    return out


def gap_percent(best: float | None, known: float | None, direction: str) -> float | None:
    """How far behind the best known value, in percent (negative: claims to beat it)."""
    if best is None or known is None or known == 0:
        return None
    d = (known - best) if direction == "max" else (best - known)
    return 100.0 * d / abs(known)


def task_rows(groups: dict[str, list[Run]]) -> list[dict[str, Any]]:
    """The generic per-task table: best over seeds, median, seed value, budget used."""
    rows = []
    for task, runs in groups.items():
        d = runs[0].direction
        bests = [r.best_score for r in runs if r.best_score is not None]
        pick = max if d == "max" else min
        utils = [((r.summary or {}).get("pool_utilisation") or {}) for r in runs]
        rates = [(r.summary or {}).get("evals_per_min") for r in runs]
        rows.append({
            "task": task, "version": runs[0].version, "direction": d,
            "versions": sorted({str(r.version) for r in runs}),
            "seeds": [r.seed for r in runs], "status": sorted({r.status for r in runs}),
            "evaluations": [r.n_evals for r in runs], "valid": [r.n_valid for r in runs],
            "seed_score": runs[0].seed_score,
            "best": pick(bests) if bests else None,
            "median_best": statistics.median(bests) if bests else None,
            "mean_best": _mean_sem(bests)[0], "sem_best": _mean_sem(bests)[1],
            "wall_s": [r.wall_s for r in runs],
            "evals_per_min": _mean_sem([x for x in rates if x is not None])[0],
            "gen_util": _mean_sem([u["generation"] for u in utils
                                   if u.get("generation") is not None])[0],
            "eval_util": _mean_sem([u["evaluation"] for u in utils
                                    if u.get("evaluation") is not None])[0],
            "references": ref_values(runs[0].references),
        })
    return rows


# ------------------------------------------------------------------------------------ math
def math_rows(groups: dict[str, list[Run]]) -> list[dict[str, Any]]:
    out = []
    for t in task_rows(groups):
        refs = t["references"]
        known = refs.get("best_known")
        out.append({**t, "best_known": known,
                    "gap_pct": gap_percent(t["best"], known, t["direction"]),
                    "seed_gap_pct": gap_percent(t["seed_score"], known, t["direction"])})
    return out


# ------------------------------------------------------------------------------------ ALE
def ale_rows(groups: dict[str, list[Run]]) -> Section:
    """Per problem: public best, private score, rank, performance; the suite summary."""
    rows, notes = [], []
    perfs_by_seed: dict[Any, dict[str, float]] = {}
    for task, runs in groups.items():
        for r in runs:
            fin = r.final or {}
            perf = fin.get("performance")
            rows.append({"task": task, "seed": r.seed, "public_best": r.best_score,
                         "private_score": fin.get("overall_absolute_score"),
                         "private_valid": fin.get("valid"), "rank": fin.get("rank"),
                         "performance": perf, "final": r.final is not None,
                         "mode": fin.get("mode")})
            if r.final is None:
                notes.append(f"{task} seed {r.seed}: no final.json (the private evaluation "
                             "did not run), so no private score or performance")
            elif perf is None:
                notes.append(f"{task} seed {r.seed}: final.json has no performance "
                             f"(mode {fin.get('mode', '?')}: in-repo problems have no contest "
                             "standings to rank against)")
            else:
                perfs_by_seed.setdefault(r.seed, {})[task.split("/", 1)[-1]] = float(perf)
    summary: dict[str, Any] = {}
    if perfs_by_seed:
        per_seed = {}
        for seed, perfs in perfs_by_seed.items():
            try:
                from benchmarks.ale.rating import summarize

                per_seed[seed] = summarize(perfs)
            except Exception as e:  # the rating module may be missing or refuse a subset
                notes.append(f"ALE rating summary unavailable ({type(e).__name__}: {e}); "
                             "showing the plain average")
                v = list(perfs.values())
                per_seed[seed] = {"average_performance": sum(v) / len(v),
                                  **{f"pct_ge_{t}": 100.0 * sum(p >= t for p in v) / len(v)
                                     for t in (400, 1600, 2000, 2400)}}
        keys = {"overall": "average_performance", "short": "average_performance_short",
                "long": "average_performance_long", "ge_400": "pct_ge_400",
                "ge_1600": "pct_ge_1600", "ge_2000": "pct_ge_2000", "ge_2400": "pct_ge_2400",
                "rating": "rating"}
        for col, k in keys.items():
            m, s = _mean_sem([d[k] for d in per_seed.values() if k in d])
            if m is not None:
                summary[col] = m
                summary[col + "_sem"] = s
        summary["n_seeds"] = len(per_seed)
        summary["n_problems"] = max(len(p) for p in perfs_by_seed.values())
    return rows, summary, notes


# ------------------------------------------------------------------------------------ MLE
MLE_FIELDS = {"valid": ("valid_submission",), "above_median": ("above_median",),
              "bronze": ("bronze_medal",), "silver": ("silver_medal",),
              "gold": ("gold_medal",), "any_medal": ("gold_medal", "silver_medal", "bronze_medal")}


def mle_rows(groups: dict[str, list[Run]]) -> Section:
    rows, notes = [], []
    by_seed: dict[Any, list[dict[str, Any]]] = {}
    for task, runs in groups.items():
        for r in runs:
            fin = r.final
            graded = fin is not None and "competition_id" in fin
            if not graded:
                why = "no final.json" if fin is None else \
                    f"final.json is not a grading report ({fin.get('error', 'no competition_id')})"
                notes.append(f"{task} seed {r.seed}: {why}; counted as no submission")
                fin = {}
            rep = {k: bool(fin.get(f)) for k, fs in MLE_FIELDS.items() for f in fs[:1]}
            rep["any_medal"] = any(bool(fin.get(f)) for f in MLE_FIELDS["any_medal"])
            rows.append({"task": task, "seed": r.seed, "graded": graded,
                         "validation_best": r.best_score,
                         "test_score": fin.get("score"), **rep,
                         "thresholds": {k: fin.get(f"{k}_threshold")
                                        for k in ("gold", "silver", "bronze", "median")},
                         "mode": fin.get("mode"), "leaderboard": fin.get("leaderboard_source")})
            by_seed.setdefault(r.seed, []).append(rep)
    summary: dict[str, Any] = {}
    graded = sum(1 for r in rows if r["graded"])
    if graded == 0 and rows:
        notes.append("no run has a final grading report: the paper-shape row is not measured")
    elif graded < len(rows):
        notes.append(f"{len(rows) - graded} of {len(rows)} runs have no grading report; they "
                     "count as no submission (as MLE-Bench counts a missing one)")
    if by_seed and graded:
        for col in MLE_FIELDS:
            per_seed = [100.0 * sum(x[col] for x in reps) / len(reps) for reps in by_seed.values()]
            m, s = _mean_sem(per_seed)
            summary[col], summary[col + "_sem"] = m, s
        summary["n_seeds"] = len(by_seed)
        summary["n_competitions"] = max(len(v) for v in by_seed.values())
    return rows, summary, notes


# ------------------------------------------------------------------------------------ kernel
def kernel_rows(groups: dict[str, list[Run]]) -> Section:
    notes: list[str] = []
    rows = []
    try:
        from agent.records import EvalResult
        from benchmarks.kernel.results import ProblemResult, summarize
    except Exception as e:
        return [], {}, [f"kernel results module unavailable ({type(e).__name__}: {e})"]
    per_seed: dict[Any, list[Any]] = {}
    for task, runs in groups.items():
        for r in runs:
            best = r.best_result()
            res = EvalResult.from_dict(best) if best else None
            pr = ProblemResult.from_eval(task.split("/", 1)[-1], res)
            per_seed.setdefault(r.seed, []).append(pr)
            if res is not None and "kernelbench_result.json" not in res.artifacts:
                notes.append(f"{task} seed {r.seed}: the best program has no timing record")
            stat = str(getattr(pr, "stat", "mean") or "mean")  # the statistic compared

            def ms(stats: dict[str, float], stat: str = stat) -> float | None:
                return stats.get(stat, stats.get("mean"))

            rows.append({"task": task, "seed": r.seed, "compiled": pr.compiled,
                         "correct": pr.correct, "stat": stat, "runtime_ms": ms(pr.runtime_stats),
                         "eager_ms": ms(pr.eager_stats), "compile_ms": ms(pr.compile_stats),
                         "speedup_eager": pr.speedup("eager"),
                         "speedup_compile": pr.speedup("compile"), "flagged": pr.flagged,
                         "hardware": pr.hardware, "timer": pr.timer,
                         "tolerance": (max(res.metrics.get("atol", 0.0),
                                           res.metrics.get("rtol", 0.0))
                                       if res is not None and "atol" in res.metrics else None)})
    summary: dict[str, Any] = {}
    if per_seed:
        sums = [summarize(v) for v in per_seed.values()]
        for base in ("eager", "compile"):
            for p in ("0", "1", "1.5", "2"):
                m, s = _mean_sem([x[f"fast_p_{base}"][p] * 100.0 for x in sums])
                summary[f"fast_{p}_{base}"] = m
            m, _ = _mean_sem([x[f"geomean_speedup_{base}"] for x in sums
                              if x[f"geomean_speedup_{base}"] is not None])
            summary[f"geomean_{base}"] = m
            sp = [x[f"speedup_{base}"] for x in rows if x[f"speedup_{base}"] is not None]
            summary[f"speedup_min_{base}"] = min(sp) if sp else None
            summary[f"speedup_max_{base}"] = max(sp) if sp else None
        tols = [x["tolerance"] for x in rows if x["tolerance"] is not None]
        summary["tolerance"] = max(tols) if tols else None
        summary["hardware"] = sorted({h for x in sums for h in x["hardware"]})
        summary["timers"] = sorted({h for x in sums for h in x["timers"]})
        if not any(x["speedup_compile"] for x in rows):
            notes.append("no speedup over torch.compile measured (no compile baseline timing in "
                         "the best programs' records); the paper's range is over torch.compile")
    return rows, summary, notes


# ------------------------------------------------------------------------------------ paper
def paper_table(ref: PaperReference, table: RefTable, ours: dict[str, Any] | None,
                ours_label: str) -> tuple[list[str], list[list[Any]], str]:
    """Columns and rows of a paper table with our reproduced row appended."""
    cols = ["agent", "model", *table.columns, "version"]
    rows: list[list[Any]] = []

    def cell(v: Any, s: Any) -> str:
        if v is None:
            return "–"
        from harness.report.render import fmt

        return f"{fmt(v, 6)} ± {fmt(s, 3)}" if s is not None else fmt(v, 10)

    for r in table.rows:
        rows.append([r.name + (" (paper)" if r.ours else ""), r.model or "–",
                     *[cell(r.values.get(c), r.sem.get(c)) for c in table.columns],
                     table.version])
    if ours is not None:
        rows.append([ours_label, ours.get("_models", "–"),
                     *[cell(ours.get(c), ours.get(c + "_sem")) if ours.get(c) is not None
                       else "not measured" for c in table.columns], "this report"])
    return cols, rows, ref.source_of(table)
