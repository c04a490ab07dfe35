"""Offline mode: the in-repo AHC-style problems as Tasks, their evaluator and private evaluation.

Search sees only the public seeds. :func:`private_eval` runs the best program once on the
private seeds at the end of a run (the harness calls it); the private seed set never reaches a
sandbox except as the input of the case being run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.records import EvalResult, Resources
from agent.task import EvalContext, Task
from benchmarks.ale.judge import (ACCEPTED, COMPILE_TIMEOUT_S, VERDICTS, JudgeReport, judge)
from benchmarks.ale.problem import LANGUAGES, AleProblem, get_problem

LANGUAGE_ALIASES = {"cpp": "cpp20", "c++": "cpp20", "cpp20": "cpp20", "python": "python",
                    "py": "python", "python3": "python"}


def normalize_language(language: str, allowed: tuple[str, ...] = tuple(LANGUAGES)) -> str:
    lang = LANGUAGE_ALIASES.get(str(language).lower(), str(language).lower())
    if lang not in allowed:
        raise ValueError(f"language {language!r} is not supported here; use one of "
                         f"{', '.join(allowed)}")
    return lang


def report_to_result(prob: AleProblem, rep: JudgeReport, split: str = "public") -> EvalResult:
    """Summarise a judge report: fitness = overall absolute score (raw, in the problem's own
    direction), per-case verdicts, scores, times and memory in the feedback and metrics."""
    n = len(rep.cases)
    counts = rep.counts()
    acc = rep.accepted
    metrics: dict[str, float] = {
        "cases_total": n, "cases_accepted": len(acc), "accepted_ratio": len(acc) / n if n else 0.0,
        "overall_absolute_score": rep.overall_absolute_score,
        "compile_time_s": rep.compile_time_s,
    }
    metrics.update({f"n_{v.lower()}": c for v, c in counts.items() if c})
    if rep.cases and rep.compile_error is None:
        times = [c.execution_time for c in rep.cases]
        mems = [c.memory_mb for c in rep.cases]
        metrics.update(max_time_s=max(times), mean_time_s=sum(times) / n,
                       max_memory_mb=max(mems))
    if acc:
        metrics["mean_case_score"] = rep.overall_absolute_score / len(acc)
    feedback = _feedback(prob, rep, split)
    if rep.compile_error is not None:
        first = (rep.compile_error.strip().splitlines() or ["?"])[0][:200]
        return EvalResult.invalid(f"compilation error: {first}", metrics=metrics,
                                  feedback=feedback)
    if not acc:
        return EvalResult.invalid(f"no {split} case accepted ({_verdict_summary(counts)}); "
                                  f"first: {rep.cases[0].message[:150] if rep.cases else '-'}",
                                  metrics=metrics, feedback=feedback)
    if prob.score_type == "minimize" and len(acc) < n:
        # A failed case cannot count as 0 when lower is better: every case must be accepted.
        bad = next(c for c in rep.cases if c.judge_result != ACCEPTED)
        return EvalResult.invalid(f"{n - len(acc)} of {n} {split} cases not accepted "
                                  f"({_verdict_summary(counts)}); seed {bad.seed}: "
                                  f"{bad.judge_result} {bad.message[:120]}",
                                  metrics=metrics, feedback=feedback)
    return EvalResult(valid=True, fitness=float(rep.overall_absolute_score), metrics=metrics,
                      feedback=feedback)


def _verdict_summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{c} {v}" for v, c in counts.items() if c)


def _feedback(prob: AleProblem, rep: JudgeReport, split: str) -> str:
    if rep.compile_error is not None:
        return f"COMPILATION_ERROR ({rep.language}):\n{rep.compile_error[-2000:]}"
    n, acc = len(rep.cases), rep.accepted
    mt = max((c.execution_time for c in rep.cases), default=0.0)
    mm = max((c.memory_mb for c in rep.cases), default=0.0)
    head = (f"{split} cases: {len(acc)}/{n} ACCEPTED ({_verdict_summary(rep.counts())}); "
            f"overall absolute score {rep.overall_absolute_score} ({prob.score_type}); "
            f"max time {mt:.3f}s of {prob.time_limit_s:g}s; max memory {mm:.1f} MB of "
            f"{prob.memory_mb} MB")
    rows = ["seed  verdict                score        time_s  mem_MB  message"]
    for c in rep.cases:
        rows.append(f"{c.seed:<5} {c.judge_result:<22} {c.absolute_score:<12} "
                    f"{c.execution_time:<7.3f} {c.memory_mb:<7.1f} {c.message[:100]}")
    return head + "\n" + "\n".join(rows)


@dataclass(frozen=True)
class OfflineEvaluator:
    """Picklable: holds names only; the problem is looked up inside the worker."""

    problem: str
    language: str = "cpp20"
    workers: int = 2

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        prob = get_problem(self.problem)
        rep = judge(prob, code, self.language, prob.public_seeds, self.workers)
        return report_to_result(prob, rep, "public")


def offline_task(name: str, language: str = "cpp20", workers: int = 2) -> Task:
    prob = get_problem(name)
    lang = normalize_language(language)
    per_case = 2 * prob.time_limit_s + 1.0
    timeout = COMPILE_TIMEOUT_S + per_case * len(prob.public_seeds) / max(1, workers) + 10
    return Task(
        id=f"ale/{name}", statement=prob.full_statement(lang), seeds=(prob.seed_code(lang),),
        evaluator=OfflineEvaluator(name, lang, workers), direction=prob.direction,
        language=lang, version=prob.version,
        resources=Resources(cpus=float(workers), memory_mb=prob.memory_mb * workers + 512,
                            timeout_s=timeout),
        references={}, tags=("ale", "offline", lang),
        meta={"mode": "offline", "finalize": "benchmarks.ale:final_eval",
              "score_type": prob.score_type,
              "time_limit_s": prob.time_limit_s, "memory_mb": prob.memory_mb,
              "public_cases": len(prob.public_seeds), "private_cases": len(prob.private_seeds)})


@dataclass(frozen=True)
class PrivateResult:
    """The final private evaluation of one program."""

    task: str
    mode: str
    language: str
    valid: bool
    overall_absolute_score: float
    cases_accepted: int
    cases_total: int
    verdicts: dict[str, int]
    rank: int | None = None
    performance: int | None = None
    error: str | None = None
    feedback: str = ""

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def offline_private_eval(name: str, code: str, language: str = "cpp20",
                         workers: int = 2) -> PrivateResult:
    prob = get_problem(name)
    lang = normalize_language(language)
    rep = judge(prob, code, lang, prob.private_seeds, workers)
    r = report_to_result(prob, rep, "private")
    counts = {k: v for k, v in rep.counts().items() if v}
    return PrivateResult(task=f"ale/{name}", mode="offline", language=lang, valid=r.valid,
                         overall_absolute_score=float(rep.overall_absolute_score),
                         cases_accepted=len(rep.accepted), cases_total=len(rep.cases),
                         verdicts=counts, error=r.error, feedback=r.feedback)


__all__ = ["OfflineEvaluator", "PrivateResult", "VERDICTS", "offline_private_eval",
           "offline_task", "report_to_result", "normalize_language"]
