"""fast_p, geometric mean, Markdown table and bar plot (no sandbox)."""

from __future__ import annotations

import json
import math

import pytest

from agent.records import EvalResult
from benchmarks.kernel.results import (ProblemResult, fast_p, geomean_speedup, markdown_report,
                                       summarize, write_report)


def pr(name, correct, ms, eager, comp=None, flagged=False):
    return ProblemResult(name, compiled=True, correct=correct, runtime_stats={"mean": ms,
                         "std": 0.1, "min": ms, "max": ms, "num_trials": 100},
                         eager_stats={"mean": eager}, compile_stats={"mean": comp} if comp else {},
                         flagged=flagged, timer="cuda_event", hardware="gpu")


RESULTS = [pr("a", True, 1.0, 3.0, 2.0),   # 3x eager, 2x compile
           pr("b", True, 1.0, 1.2, 0.5),   # 1.2x eager, 0.5x compile
           pr("c", False, 1.0, 5.0, 5.0),  # incorrect: never counts
           ProblemResult("d")]             # no result at all


def test_fast_p_counts_all_problems_in_the_denominator():
    assert fast_p(RESULTS, 0) == 0.5
    assert fast_p(RESULTS, 1.0) == 0.5
    assert fast_p(RESULTS, 1.5) == 0.25
    assert fast_p(RESULTS, 2.0) == 0.25
    assert fast_p(RESULTS, 1.0, "compile") == 0.25
    assert fast_p(RESULTS, 2.0, "compile") == 0.0  # 2.0x is not *more* than 2


def test_geomean_over_correct_problems():
    assert geomean_speedup(RESULTS) == pytest.approx(math.sqrt(3.0 * 1.2))
    assert geomean_speedup(RESULTS, "compile") == pytest.approx(1.0)
    assert geomean_speedup([ProblemResult("x")]) is None


def test_from_eval_reads_the_evaluator_record():
    rec = {"problem": "kernel/mlp", "compiled": True, "correctness": True,
           "runtime_stats": {"mean": 2.0}, "ref_runtime_stats": {"mean": 4.0},
           "ref_runtime_compiled_stats": {}, "metadata": {"timer": "cpu_perf_counter",
                                                          "implausible_speedup": False}}
    r = ProblemResult.from_eval("kernel/mlp", EvalResult(valid=True, fitness=2.0, artifacts={
        "kernelbench_result.json": json.dumps(rec)}))
    assert r.correct and r.speedup() == 2.0 and r.speedup("compile") is None
    bad = ProblemResult.from_eval("kernel/x", EvalResult.invalid("incorrect: ..."))
    assert not bad.correct and bad.error.startswith("incorrect")
    assert not ProblemResult.from_eval("kernel/y", None).compiled


def test_report_table_plot_and_paper_claims(tmp_path):
    md = markdown_report(RESULTS)
    assert "| a | yes | yes |" in md and "| c | yes | no |" in md
    assert "| eager | 0.50 | 0.50 | 0.25 | 0.25 |" in md
    assert "2.08x to 20.77x" in md
    files = write_report(RESULTS + [pr("e", True, 0.1, 5.0, 5.0, flagged=True)], tmp_path)
    assert files["plot"].name == "speedup_compile.png"
    assert files["plot"].read_bytes()[:4] == b"\x89PNG"
    data = json.loads(files["json"].read_text())
    assert data["summary"]["flagged_over_10x"] == 1 and len(data["problems"]) == 5
    assert summarize(RESULTS)["fast_p_eager"]["1.5"] == 0.25


def test_speedup_uses_the_evaluators_statistic():
    r = ProblemResult("m", compiled=True, correct=True, stat="median",
                      runtime_stats={"mean": 4.0, "median": 1.0},
                      eager_stats={"mean": 2.0, "median": 2.0})
    assert r.speedup() == 2.0
    assert ProblemResult.from_record({"problem": "m", "correctness": True,
                                      "metadata": {"speedup_stat": "median"}}).stat == "median"
