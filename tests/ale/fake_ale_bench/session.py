"""Fake Session with the real method names, arguments, budget checks and save format."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

from .data import PERFORMANCE, STANDINGS, Problem
from .error import AleBenchError
from .result import CaseResult, JudgeResult, ResourceUsage, Result

ALLOW_SCORE_NON_AC_PUBLIC = {"ahc025"}
ALLOW_SCORE_NON_AC_PRIVATE = {"ahc008", "ahc025"}
LANGS = {"cpp17", "cpp20", "cpp23", "python", "rust"}


class Session:
    def __init__(self, problem: Problem, lite_version: bool, maximum: ResourceUsage,
                 num_workers: int) -> None:
        self._problem = problem
        self._lite_version = lite_version
        self._maximum_resource_usage = maximum
        self._current_resource_usage = ResourceUsage()
        self._action_log: list[str] = []
        self.num_workers = num_workers
        self.closed = False
        self._public_seeds = list(range(5 if lite_version else 50))
        self._private_seeds = list(range(100, 110 if lite_version else 200))

    def _judge(self, code: str, code_language: str, n: int) -> list[CaseResult]:
        if str(getattr(code_language, "value", code_language)) not in LANGS:
            raise AleBenchError(f"Invalid code language: {code_language}")
        if "COMPILE_ERROR" in code:
            return [CaseResult(JudgeResult.COMPILATION_ERROR, "main.cpp:1: error: expected ';'",
                               0, 0.0, 0) for _ in range(n)]
        m = re.search(r"SCORE=(\d+)", code)
        base = int(m.group(1)) if m else 1
        out = []
        for i in range(n):
            if "TLE_ALL" in code:
                out.append(CaseResult(JudgeResult.TIME_LIMIT_EXCEEDED, "", 0, 2.1, 3 << 20))
            elif "WA_ODD" in code and i % 2:
                out.append(CaseResult(JudgeResult.WRONG_ANSWER, "invalid move", 0, 0.1, 3 << 20))
            else:
                out.append(CaseResult(JudgeResult.ACCEPTED, "", base + i, 0.5, 5 << 20))
        return out

    def _check(self, field: str) -> None:
        if self.closed:
            raise AleBenchError("The session is finished.")
        if getattr(self.remaining_resource_usage, field) <= 0:
            raise AleBenchError("The resource usage is exceeded.")

    def public_eval(self, code: str, code_language, judge_version=None,
                    skip_local_visualization: bool = True) -> Result:
        self._check("num_call_public_eval")
        cases = self._judge(code, code_language, len(self._public_seeds))
        usage = ResourceUsage(num_call_public_eval=1)
        self._current_resource_usage = self._current_resource_usage + usage
        self._action_log.append(json.dumps({"function": "public_eval",
                                            "arguments": {"code": code}}))
        return Result(self.problem_id in ALLOW_SCORE_NON_AC_PUBLIC, usage, cases)

    def private_eval(self, code: str, code_language, judge_version=None):
        self._check("num_call_private_eval")
        cases = self._judge(code, code_language, len(self._private_seeds))
        usage = ResourceUsage(num_call_private_eval=1)
        self._current_resource_usage = self._current_resource_usage + usage
        self._action_log.append(json.dumps({"function": "private_eval",
                                            "arguments": {"code": code}}))
        res = Result(self.problem_id in ALLOW_SCORE_NON_AC_PRIVATE, usage, cases)
        score = res.overall_absolute_score // len(cases)
        rank = next((r for r, s in STANDINGS if score >= s), STANDINGS[-1][0])
        perf = dict(PERFORMANCE).get(rank, 0)
        return res, rank, perf

    def save(self, filepath: str | os.PathLike[str] = "session.json") -> None:
        with open(filepath, "w") as f:
            json.dump({"problem_id": self.problem_id, "lite_version": self._lite_version,
                       "num_workers": self.num_workers,
                       "maximum_resource_usage": self._maximum_resource_usage.model_dump(),
                       "current_resource_usage": self._current_resource_usage.model_dump(),
                       "action_log": self._action_log,
                       "session_paused_at": dt.datetime.now(tz=dt.timezone.utc).timestamp()}, f)

    def close(self) -> None:
        self.closed = True

    @property
    def problem(self) -> Problem:
        return self._problem

    @property
    def problem_id(self) -> str:
        return self._problem.metadata.problem_id

    @property
    def num_public_cases(self) -> int:
        return len(self._public_seeds)

    @property
    def num_private_cases(self) -> int:
        return len(self._private_seeds)

    @property
    def private_seeds(self):
        raise AleBenchError("Accessing private seeds is not allowed.")

    @property
    def maximum_resource_usage(self) -> ResourceUsage:
        return self._maximum_resource_usage

    @property
    def current_resource_usage(self) -> ResourceUsage:
        return self._current_resource_usage

    @property
    def remaining_resource_usage(self) -> ResourceUsage:
        return self._maximum_resource_usage - self._current_resource_usage

    @property
    def action_log(self) -> list[str]:
        return self._action_log
