"""Fake problems: metadata, constraints and a statement, like ale_bench.data.Problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ScoreType(str, Enum):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


@dataclass(frozen=True)
class ProblemMetaData:
    problem_id: str
    title: str
    score_type: ScoreType
    problem_type: str = "batch"


@dataclass(frozen=True)
class ProblemConstraints:
    time_limit: float  # seconds
    memory_limit: int  # bytes


@dataclass(frozen=True)
class Problem:
    metadata: ProblemMetaData
    constraints: ProblemConstraints
    statement: str
    statement_ja: str = ""
    example_input: str = ""
    example_output: str = ""
    tool_readme: str = ""
    statement_images: dict = field(default_factory=dict)


def _p(pid: str, title: str, st: ScoreType) -> Problem:
    return Problem(ProblemMetaData(pid, title, st), ProblemConstraints(2.0, 1024 * 1024 * 1024),
                   f"# {title}\nFake statement of {pid}.")


PROBLEMS = {
    "ahc008": _p("ahc008", "Territory", ScoreType.MAXIMIZE),
    "ahc025": _p("ahc025", "Balance", ScoreType.MINIMIZE),
    "ahc039": _p("ahc039", "Purse Seine Fishing", ScoreType.MAXIMIZE),
}
# Final standings (rank, score) ending with the score-0 row, and rank -> performance.
STANDINGS = [(1, 1000), (2, 900), (4, 800), (8, 100), (16, 0)]
PERFORMANCE = [(1, 3000), (2, 2600), (4, 2200), (8, 1200), (16, 0)]
