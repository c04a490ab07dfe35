"""An AHC-style batch problem written in this repository (offline mode).

A problem is plain trusted data and code: a statement, a seeded deterministic input generator,
a scorer that checks an output and computes the absolute score (raising :class:`WrongAnswer`
for an invalid output), the time and memory limits, and public and private seed sets. The
private seeds are used only by :func:`benchmarks.ale.offline.private_eval`, never during search,
and no seed list is ever written into a sandbox: the candidate only sees one case's input on
its standard input.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from agent.task import TaskInfo

SEEDS_DIR = Path(__file__).parent / "seeds"
LANGUAGES = {"cpp20": "cpp", "python": "py"}  # offline judge languages -> seed file suffix


class WrongAnswer(ValueError):
    """The output breaks the problem's output rules; the message says where."""


@dataclass(frozen=True)
class AleProblem:
    name: str
    title: str
    statement: str
    score_type: Literal["maximize", "minimize"]
    generate: Callable[[int], str]  # seed -> input text
    score: Callable[[str, str], int]  # (input, output) -> absolute score; raises WrongAnswer
    public_seeds: tuple[int, ...]
    private_seeds: tuple[int, ...]
    time_limit_s: float = 1.0
    memory_mb: int = 1024
    version: str = "1"

    @property
    def direction(self) -> Literal["max", "min"]:
        return "max" if self.score_type == "maximize" else "min"

    def info(self) -> TaskInfo:
        return TaskInfo(self.name, self.title, self.direction, offline=True)

    def seed_code(self, language: str) -> str:
        return (SEEDS_DIR / f"{self.name}.{LANGUAGES[language]}").read_text()

    def full_statement(self, language: str) -> str:
        lang = ("C++ (g++ -O2 -std=gnu++20)" if language == "cpp20" else "Python 3")
        goal = "maximise" if self.score_type == "maximize" else "minimise"
        return (f"{self.statement}\n\n## Judge\nWrite a complete {lang} program that reads one "
                f"input from standard input and writes the answer to standard output. Time "
                f"limit {self.time_limit_s:g} s per case, memory limit {self.memory_mb} MB. "
                f"Each case is scored by the judge from your output (a case with an invalid "
                f"output, a crash or a time-out scores nothing); the goal is to {goal} the sum "
                f"of case scores over the test cases.")


_MODULES = ("benchmarks.ale.problems.route", "benchmarks.ale.problems.cargo",
            "benchmarks.ale.problems.depots")


def all_problems() -> dict[str, AleProblem]:
    out: dict[str, AleProblem] = {}
    for m in _MODULES:
        p = importlib.import_module(m).PROBLEM
        out[p.name] = p
    return out


def get_problem(name: str) -> AleProblem:
    probs = all_problems()
    if name not in probs:
        raise KeyError(f"unknown offline ALE problem {name!r}; known: {', '.join(probs)}")
    return probs[name]


def tokens(output: str, limit: int = 1_000_000) -> list[str]:
    """Whitespace-separated tokens of an output, refusing absurdly long ones."""
    toks = output.split()
    if len(toks) > limit:
        raise WrongAnswer(f"output has {len(toks)} tokens, more than the {limit} allowed")
    return toks


def ints(toks: list[str], what: str) -> list[int]:
    out = []
    for t in toks:
        try:
            out.append(int(t))
        except ValueError:
            raise WrongAnswer(f"{what}: {t[:20]!r} is not an integer") from None
    return out
