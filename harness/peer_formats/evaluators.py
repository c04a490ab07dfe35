"""Picklable evaluators for peer task folders. Each holds names and paths only; every call stages
the folder in a fresh sandbox directory and reads the evaluator's answer back as data."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.records import EvalResult
from agent.task import EvalContext
from harness.peer_formats.common import (
    failure, flatten_numbers, limits_for, missing_message, missing_packages, one_line,
    requirements, run_in_folder, run_python_evaluator, to_result)


def _zero(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and float(v) == 0.0


def _verdict(metrics: dict[str, Any], key: str = "combined_score") -> str | None:
    """Why the folder's own evaluator rejected the candidate, or None when it accepted it.

    FM Agent: ``validity`` (or ``valid``) 0, reason in ``error_info``. OpenEvolve: a failure is
    ``combined_score`` 0 (or absent) together with a text ``error``.
    """
    for key in ("validity", "valid"):
        if key in metrics and (_zero(metrics[key]) or metrics[key] is False):
            why = metrics.get("error_info") or metrics.get("error") or f"{key} is 0"
            return f"candidate rejected: {one_line(why)}"
    err = metrics.get("error")
    if isinstance(err, str) and err.strip() and (
            key not in metrics or _zero(metrics.get(key))):
        return f"candidate rejected: {one_line(err)}"
    return None


@dataclass(frozen=True)
class PyCallEvaluator:
    """OpenEvolve and FM Agent folders: ``evaluate(program_path)`` (or the OpenEvolve cascade
    ``evaluate_stage1/2/3``) called by the trusted runner inside the sandbox."""

    folder: str
    evaluator_file: str = "evaluator.py"
    program_name: str = "_candidate.py"
    cascade: bool = False
    thresholds: tuple[float, ...] = (0.5, 0.75, 0.9)
    timeout_s: float | None = None
    check_files: tuple[str, ...] = ("evaluator.py",)
    allow_tmp: bool = False
    fitness_key: str = "combined_score"

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        folder = Path(self.folder)
        missing = missing_packages(folder, self.check_files)
        if missing:
            return EvalResult.invalid(missing_message(missing))
        lim = limits_for(ctx, self.timeout_s, self.allow_tmp)
        spec = {"mode": "call", "evaluator": self.evaluator_file, "function": "evaluate",
                "program": self.program_name, "cascade": self.cascade,
                "thresholds": list(self.thresholds)}
        answer, res = run_python_evaluator(folder, spec, files={self.program_name: code},
                                           limits=lim)
        if not answer or answer.get("status") != "ok":
            return failure(self.evaluator_file, answer, res, requirements(folder), lim.timeout_s)
        metrics = answer.get("metrics") or {}
        return to_result(metrics, src=self.evaluator_file, artifacts=answer.get("artifacts"),
                         invalid=_verdict(metrics, self.fitness_key),
                         fitness_key=self.fitness_key, stages=answer.get("stages") or (),
                         extra_metrics={"eval_wall_s": res.wall_s})


RESULTS = "__fm_results__"


@dataclass(frozen=True)
class ShinkaEvaluator:
    """ShinkaEvolve folders: ``python evaluate.py --program_path P --results_dir D`` as its own
    sandboxed process; ``D/metrics.json`` and ``D/correct.json`` are read back as data."""

    folder: str
    evaluate_file: str = "evaluate.py"
    program_name: str = "_candidate.py"
    timeout_s: float | None = None
    allow_tmp: bool = False
    fitness_key: str = "combined_score"

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        folder, src = Path(self.folder), self.evaluate_file
        missing = missing_packages(folder, (self.evaluate_file,))
        if missing:
            return EvalResult.invalid(missing_message(missing))
        lim = limits_for(ctx, self.timeout_s, self.allow_tmp)
        argv = [sys.executable, self.evaluate_file, "--program_path", self.program_name,
                "--results_dir", RESULTS]
        m_name, c_name = f"{RESULTS}/metrics.json", f"{RESULTS}/correct.json"
        res = run_in_folder(folder, argv, files={self.program_name: code}, limits=lim,
                            collect=[m_name, c_name], skip=[RESULTS])
        if res.timed_out or res.killed_reason or m_name not in res.files:
            r = failure(src, None, res, requirements(folder), lim.timeout_s)
            if res.timed_out or res.killed_reason or res.returncode:
                return r
            return EvalResult.invalid(f"{src}: wrote no metrics.json into --results_dir; write "
                                      "metrics.json (with combined_score) and correct.json there",
                                      feedback=r.feedback)
        try:
            metrics = json.loads(res.files[m_name])
            correct = json.loads(res.files[c_name]) if c_name in res.files else None
        except (ValueError, UnicodeDecodeError) as e:
            return EvalResult.invalid(f"{src}: metrics.json or correct.json is not valid JSON "
                                      f"({e}); write them with json.dump")
        if not isinstance(metrics, dict):
            return EvalResult.invalid(f"{src}: metrics.json holds {type(metrics).__name__}, not "
                                      "an object; write a JSON object with combined_score")
        public = metrics.get("public") if isinstance(metrics.get("public"), dict) else {}
        private = metrics.get("private") if isinstance(metrics.get("private"), dict) else {}
        shown = {k: v for k, v in metrics.items() if k not in ("public", "private",
                                                                "text_feedback")}
        shown.update({k: v for k, v in public.items() if k not in shown})
        fb = [str(metrics["text_feedback"])] if metrics.get("text_feedback") else []
        invalid = None
        if correct is None:
            invalid = "wrote metrics.json but no correct.json; write {\"correct\": true|false}"
        elif not (isinstance(correct, dict) and correct.get("correct") is True):
            why = correct.get("error") if isinstance(correct, dict) else None
            invalid = f"candidate rejected: {one_line(why or 'correct.json says correct: false')}"
        extra = {f"private.{k}": v for k, v in flatten_numbers(private).items()}
        extra["eval_wall_s"] = res.wall_s
        return to_result(shown, src=src, invalid=invalid, feedback=fb, extra_metrics=extra,
                         fitness_key=self.fitness_key, stages=("evaluate",))

