"""Real mode: ALE-Bench sessions through the ``ale_bench`` package (imported lazily).

Where the session lives (the design choice): an ``ale_bench.Session`` owns Docker containers,
a temporary tool directory, a public-eval budget and a single private evaluation, and it cannot
be pickled. So the evaluator holds only names and options; the session lives in a module-level
cache keyed by :class:`SessionKey` in the process that evaluates, and every ``public_eval`` of
that process goes through it under one lock (the session already judges its cases in parallel
with ``num_workers`` containers). The task says so with ``meta["single_process"] = True``: the
harness should evaluate real-mode ALE tasks in one process (the driver, or one evaluation
worker); a second process would open a second session with a budget of its own.
:func:`real_private_eval` and :func:`save_session` use the same cache, so when the harness calls
them in the evaluating process they act on the very session the search used.

API matched against SakanaAI/ALE-Bench ``src/ale_bench/start.py`` (``start(problem_id,
lite_version, ..., maximum_num_call_public_eval, ..., num_workers)``) and
``src/ale_bench/session.py`` (``public_eval(code, code_language, judge_version=None,
skip_local_visualization=True) -> Result``; ``private_eval(code, code_language,
judge_version=None) -> (Result, rank, performance)``; ``save(filepath)``; ``close()``;
``remaining_resource_usage``), ``src/ale_bench/result.py`` (``Result.case_results``,
``overall_absolute_score``; ``CaseResult.judge_result, absolute_score, execution_time,
memory_usage`` (bytes), ``message``) and ``src/ale_bench/data.py`` (``problem.metadata.score_type``,
``problem.constraints.time_limit`` (s) / ``memory_limit`` (bytes), ``problem.statement``).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.records import EvalResult, Resources
from agent.task import EvalContext, Task, TaskInfo
from benchmarks.ale.offline import PrivateResult

log = logging.getLogger(__name__)

INSTALL_HINT = ("real ALE-Bench mode needs the `ale_bench` package, Docker and the ALE-Bench "
                "data from Hugging Face: "
                "`pip install git+https://github.com/SakanaAI/ALE-Bench.git` "
                "(see its README for the Docker images); the offline tasks ale/route, ale/cargo "
                "and ale/depots need none of this")
REAL_LANGUAGES = ("cpp20", "cpp17", "cpp23", "python", "rust")

# The ten ALE-Bench lite problems: (title, score type, contest length). The direction used by a
# loaded task is read from the session's problem metadata; this table only feeds `fmagent list`.
LITE_PROBLEMS: dict[str, tuple[str, str, str]] = {
    "ahc008": ("Territory", "maximize", "long"),
    "ahc011": ("Sliding Tree Puzzle", "maximize", "long"),
    "ahc015": ("Halloween Candy", "maximize", "short"),
    "ahc016": ("Graphorean", "maximize", "long"),
    "ahc024": ("Topological Map", "maximize", "short"),
    "ahc025": ("Balance", "minimize", "long"),
    "ahc026": ("Stack Sorting", "maximize", "short"),
    "ahc027": ("Cleaning Robot", "minimize", "long"),
    "ahc039": ("Purse Seine Fishing", "maximize", "short"),
    "ahc046": ("Skating with Blocks", "maximize", "short"),
}

# Per-problem performances of ALE-Agent (Gemini 2.5 Pro) on the lite set: the example of
# SakanaAI/ALE-Bench docs/rating_and_ranking.md, which matches the ALE-Agent row of the FM Agent
# TR's Table 2 (overall 1879.3, short 2284.8, long 1473.8).
ALE_AGENT_PERFORMANCE = {"ahc008": 1189, "ahc011": 1652, "ahc015": 2446, "ahc016": 1457,
                         "ahc024": 1980, "ahc025": 1331, "ahc026": 1965, "ahc027": 1740,
                         "ahc039": 2880, "ahc046": 2153}

SEED_CPP = """// Starting point for an ALE-Bench problem: read stdin, print the answer.
#include <bits/stdc++.h>
using namespace std;

// EVOLVE-BLOCK-START
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    // Parse the input as the statement describes, then print a valid answer.
    return 0;
}
// EVOLVE-BLOCK-END
"""
SEED_PY = """# Starting point for an ALE-Bench problem: read stdin, print the answer.
import sys

# EVOLVE-BLOCK-START
def main():
    # Parse the input as the statement describes, then print a valid answer.
    pass
# EVOLVE-BLOCK-END


main()
"""
SEED_RS = """// Starting point for an ALE-Bench problem: read stdin, print the answer.
// EVOLVE-BLOCK-START
fn main() {
    // Parse the input as the statement describes, then print a valid answer.
}
// EVOLVE-BLOCK-END
"""


class AleBenchMissing(RuntimeError):
    """``ale_bench`` is not importable; the message says how to install it."""


def ale_bench_module() -> Any:
    try:
        import ale_bench  # type: ignore[import-not-found]
    except ImportError as e:
        raise AleBenchMissing(f"{INSTALL_HINT} (import failed: {e})") from None
    return ale_bench


def lite_infos() -> list[TaskInfo]:
    return [TaskInfo(pid, f"ALE-Bench {pid}: {title} ({kind} contest)",
                     "max" if st == "maximize" else "min", offline=False,
                     needs="ale_bench package + Docker + Hugging Face data (pip install "
                           "git+https://github.com/SakanaAI/ALE-Bench.git)")
            for pid, (title, st, kind) in LITE_PROBLEMS.items()]


@dataclass(frozen=True)
class SessionKey:
    problem_id: str
    lite_version: bool = True
    public_eval_budget: int | None = None
    num_workers: int = 1


_SESSIONS: dict[SessionKey, Any] = {}
_CACHE_LOCK = threading.Lock()
_EVAL_LOCK = threading.Lock()


def get_session(key: SessionKey) -> Any:
    """The session of ``key`` in this process, started on first use."""
    with _CACHE_LOCK:
        s = _SESSIONS.get(key)
        if s is None:
            ab = ale_bench_module()
            kw: dict[str, Any] = {"lite_version": key.lite_version, "num_workers": key.num_workers}
            if key.public_eval_budget is not None:
                kw["maximum_num_call_public_eval"] = int(key.public_eval_budget)
            s = ab.start(key.problem_id, **kw)
            _SESSIONS[key] = s
        return s


def close_sessions() -> None:
    """Close every session this process opened (containers, temporary files)."""
    with _CACHE_LOCK:
        for s in _SESSIONS.values():
            try:
                s.close()
            except Exception as e:  # closing is best effort
                log.warning("closing ALE-Bench session failed: %s", e)
        _SESSIONS.clear()


def _value(x: Any) -> str:
    return str(getattr(x, "value", x))


def score_type_of(session: Any) -> str:
    return _value(session.problem.metadata.score_type)


def result_to_eval(result: Any, score_type: str, split: str = "public") -> EvalResult:
    """An ALE-Bench ``Result`` as an EvalResult: fitness = ``overall_absolute_score``."""
    cases = list(result.case_results)
    n = len(cases)
    verdicts = [_value(c.judge_result) for c in cases]
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v] = counts.get(v, 0) + 1
    n_ac = counts.get("ACCEPTED", 0)
    overall = float(result.overall_absolute_score)
    times = [float(c.execution_time) for c in cases] or [0.0]
    mems = [float(c.memory_usage) / 2**20 for c in cases] or [0.0]
    metrics: dict[str, float] = {"cases_total": n, "cases_accepted": n_ac,
                                 "accepted_ratio": n_ac / n if n else 0.0,
                                 "overall_absolute_score": overall, "max_time_s": max(times),
                                 "mean_time_s": sum(times) / len(times),
                                 "max_memory_mb": max(mems)}
    metrics.update({f"n_{v.lower()}": c for v, c in counts.items()})
    summary = ", ".join(f"{c} {v}" for v, c in counts.items())
    rows = ["case  verdict                score        time_s  mem_MB  message"]
    for i, c in enumerate(cases):
        rows.append(f"{i:<5} {_value(c.judge_result):<22} {int(c.absolute_score):<12} "
                    f"{float(c.execution_time):<7.3f} {float(c.memory_usage) / 2**20:<7.1f} "
                    f"{str(c.message)[:100]}")
    feedback = (f"{split} cases: {n_ac}/{n} ACCEPTED ({summary}); overall absolute score "
                f"{overall:g} ({score_type})\n" + "\n".join(rows))
    if n and counts.get("COMPILATION_ERROR", 0) == n:
        msg = str(cases[0].message).strip().splitlines()
        return EvalResult.invalid(f"compilation error: {msg[0][:200] if msg else ''}",
                                  metrics=metrics, feedback=feedback)
    if n_ac == 0:
        return EvalResult.invalid(f"no {split} case accepted ({summary})", metrics=metrics,
                                  feedback=feedback)
    if score_type == "minimize" and n_ac < n:
        return EvalResult.invalid(f"{n - n_ac} of {n} {split} cases not accepted ({summary}); "
                                  "lower is better, so every case must be accepted",
                                  metrics=metrics, feedback=feedback)
    if not math.isfinite(overall):
        return EvalResult.invalid("non-finite overall score", metrics=metrics, feedback=feedback)
    return EvalResult(valid=True, fitness=overall, metrics=metrics, feedback=feedback)


@dataclass(frozen=True)
class RealEvaluator:
    """Picklable: names and options only; the session comes from this process's cache."""

    problem_id: str
    language: str = "cpp20"
    lite_version: bool = True
    public_eval_budget: int | None = None
    num_workers: int = 1

    @property
    def key(self) -> SessionKey:
        return SessionKey(self.problem_id, self.lite_version, self.public_eval_budget,
                          self.num_workers)

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        try:
            session = get_session(self.key)
        except AleBenchMissing as e:
            return EvalResult.invalid(str(e))
        except Exception as e:
            return EvalResult.invalid(f"could not start the ALE-Bench session for "
                                      f"{self.problem_id}: {type(e).__name__}: {e}")
        with _EVAL_LOCK:
            left = session.remaining_resource_usage.num_call_public_eval
            if left <= 0:
                used = session.current_resource_usage.num_call_public_eval
                return EvalResult.invalid(f"public-eval budget of the {self.problem_id} session "
                                          f"is spent ({used} calls); nothing was evaluated")
            try:
                result = session.public_eval(code, code_language=self.language)
            except Exception as e:  # AleBenchError (budget, finished session), Docker failures
                return EvalResult.invalid(f"public_eval failed: {type(e).__name__}: {e}")
        r = result_to_eval(result, score_type_of(session), "public")
        return r.with_(metrics={**r.metrics, "public_evals_left": float(max(0, left - 1))})


def real_task(problem_id: str, language: str = "cpp20", lite_version: bool = True,
              public_eval_budget: int | None = None, num_workers: int = 1) -> Task:
    if problem_id not in LITE_PROBLEMS:
        raise ValueError(f"unknown ALE-Bench task {problem_id!r}; ready: "
                         f"{', '.join(LITE_PROBLEMS)}")
    lang = {"cpp": "cpp20", "c++": "cpp20", "py": "python"}.get(language, language)
    if lang not in REAL_LANGUAGES:
        raise ValueError(f"language {language!r} is not an ALE-Bench language; use one of "
                         f"{', '.join(REAL_LANGUAGES)}")
    if public_eval_budget is not None and (not isinstance(public_eval_budget, int)
                                           or public_eval_budget < 1):
        raise ValueError(f"public_eval_budget must be a positive integer (or None for no "
                         f"limit), not {public_eval_budget!r}")
    if not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive integer, not {num_workers!r}")
    ev = RealEvaluator(problem_id, lang, lite_version, public_eval_budget, num_workers)
    session = get_session(ev.key)  # raises AleBenchMissing with the install hint
    prob = session.problem
    st = score_type_of(session)
    tl = float(prob.constraints.time_limit)
    mem_mb = int(prob.constraints.memory_limit) // 2**20
    statement = (f"{prob.statement}\n\n## Judge\nSubmit one complete program in {lang}. Time "
                 f"limit {tl:g} s per case, memory limit {mem_mb} MB. Score type: {st} (the "
                 "overall score is the sum of case scores over accepted cases).")
    seed = {"python": SEED_PY, "rust": SEED_RS}.get(lang, SEED_CPP)
    n_cases = int(getattr(session, "num_public_cases", 50))
    return Task(
        id=f"ale/{problem_id}", statement=statement, seeds=(seed,), evaluator=ev,
        direction="max" if st == "maximize" else "min", language=lang, version="ale-bench",
        resources=Resources(cpus=float(num_workers), memory_mb=4096,
                            timeout_s=60 + (tl + 2) * n_cases / max(1, num_workers)),
        references={"ale_agent_performance": {
            "value": ALE_AGENT_PERFORMANCE[problem_id],
            "source": "ALE-Bench docs/rating_and_ranking.md example = ALE-Agent row of FM Agent "
                      "TR Table 2 (performance, not score)"}},
        tags=("ale", "real", lang),
        meta={"mode": "real", "single_process": True, "finalize": "benchmarks.ale:final_eval",
              "score_type": st, "lite": lite_version,
              "public_eval_budget": public_eval_budget, "time_limit_s": tl,
              "memory_mb": mem_mb})


def real_private_eval(problem_id: str, code: str, language: str = "cpp20",
                      lite_version: bool = True, public_eval_budget: int | None = None,
                      num_workers: int = 1, session_path: str | Path | None = None
                      ) -> PrivateResult:
    """The session's single private evaluation: rank and performance; then save the session."""
    key = SessionKey(problem_id, lite_version, public_eval_budget, num_workers)
    session = get_session(key)
    with _EVAL_LOCK:
        result, rank, performance = session.private_eval(code, code_language=language)
        if session_path is not None:
            Path(session_path).parent.mkdir(parents=True, exist_ok=True)
            session.save(str(session_path))
    st = score_type_of(session)
    r = result_to_eval(result, st, "private")
    counts: dict[str, int] = {}
    for c in result.case_results:
        counts[_value(c.judge_result)] = counts.get(_value(c.judge_result), 0) + 1
    return PrivateResult(task=f"ale/{problem_id}", mode="real", language=language,
                         valid=r.valid, overall_absolute_score=float(result.overall_absolute_score),
                         cases_accepted=counts.get("ACCEPTED", 0),
                         cases_total=len(result.case_results), verdicts=counts,
                         rank=int(rank), performance=int(performance), error=r.error,
                         feedback=r.feedback)


def save_session(problem_id: str, path: str | Path, lite_version: bool = True,
                 public_eval_budget: int | None = None, num_workers: int = 1) -> Path:
    """Save this process's session of ``problem_id`` (for ``ale_bench.restart``)."""
    key = SessionKey(problem_id, lite_version, public_eval_budget, num_workers)
    with _CACHE_LOCK:
        s = _SESSIONS.get(key)
    if s is None:
        raise ValueError(f"no open ALE-Bench session for {problem_id} in this process")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    s.save(str(p))
    return p
