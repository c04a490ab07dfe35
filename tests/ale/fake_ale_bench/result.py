"""Fake of ale_bench/result.py: the same classes and fields (dataclasses instead of pydantic)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Sequence


class JudgeResult(str, Enum):
    ACCEPTED = "ACCEPTED"
    COMPILATION_ERROR = "COMPILATION_ERROR"
    MEMORY_LIMIT_EXCEEDED = "MEMORY_LIMIT_EXCEEDED"
    TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
    RUNTIME_ERROR = "RUNTIME_ERROR"
    OUTPUT_LIMIT_EXCEEDED = "OUTPUT_LIMIT_EXCEEDED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    WRONG_ANSWER = "WRONG_ANSWER"


@dataclass(frozen=True)
class CaseResult:
    judge_result: JudgeResult
    message: str
    absolute_score: int
    execution_time: float
    memory_usage: int  # bytes
    input_str: str | None = None
    output_str: str | None = None
    error_str: str | None = None
    relative_score: int | None = None
    local_visualization: object | None = None


@dataclass(frozen=True)
class ResourceUsage:
    num_case_gen: int = 0
    num_case_eval: int = 0
    num_call_public_eval: int = 0
    num_call_private_eval: int = 0
    execution_time_case_eval: float = 0.0

    def __add__(self, other: "ResourceUsage") -> "ResourceUsage":
        return ResourceUsage(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                                for f in fields(self)})

    def __sub__(self, other: "ResourceUsage") -> "ResourceUsage":
        return ResourceUsage(**{f.name: getattr(self, f.name) - getattr(other, f.name)
                                for f in fields(self)})

    def model_dump(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_ORDER = (JudgeResult.INTERNAL_ERROR, JudgeResult.WRONG_ANSWER, JudgeResult.RUNTIME_ERROR,
          JudgeResult.TIME_LIMIT_EXCEEDED, JudgeResult.MEMORY_LIMIT_EXCEEDED,
          JudgeResult.OUTPUT_LIMIT_EXCEEDED, JudgeResult.COMPILATION_ERROR)


@dataclass(frozen=True)
class Result:
    allow_score_non_ac: bool
    resource_usage: ResourceUsage
    case_results: Sequence[CaseResult]

    @property
    def overall_judge_result(self) -> JudgeResult:
        seen = {c.judge_result for c in self.case_results}
        return next((j for j in _ORDER if j in seen), JudgeResult.ACCEPTED)

    @property
    def overall_absolute_score(self) -> int:
        if self.overall_judge_result in (JudgeResult.COMPILATION_ERROR,
                                         JudgeResult.INTERNAL_ERROR):
            return 0
        if not self.allow_score_non_ac and self.overall_judge_result != JudgeResult.ACCEPTED:
            return 0
        return sum(c.absolute_score for c in self.case_results
                   if c.judge_result == JudgeResult.ACCEPTED)
