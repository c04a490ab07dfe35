"""A classical math problem: a statement, a seed, and a validator that trusts nothing.

The candidate program defines a function (``run`` by default) that returns a construction as
JSON-able data. It runs in the sandbox; the construction comes back as data and
``validate`` checks it against the problem's constraints at the stated tolerance and computes
the objective itself. Nothing the program prints is ever read as a score.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from agent.records import EvalResult, Resources
from agent.sandbox import Limits, run_python_function
from agent.task import EvalContext, Task, TaskInfo

SEEDS = Path(__file__).parent / "seeds"


class InvalidConstruction(ValueError):
    """The construction breaks a constraint; the message says which and by how much."""


@dataclass(frozen=True)
class Validated:
    score: float
    metrics: dict[str, float] = field(default_factory=dict)
    feedback: str = ""


@dataclass(frozen=True)
class MathProblem:
    name: str
    title: str
    statement: str
    direction: Literal["max", "min"]
    validate: Callable[[Any], Validated]  # raises InvalidConstruction
    tolerance: float
    references: dict[str, Any]
    function: str = "run"
    args: tuple[Any, ...] = ()
    timeout_s: float = 60.0
    memory_mb: int = 2048
    version: str = "1"

    @property
    def seed_path(self) -> Path:
        return SEEDS / f"{self.name}.py"

    def info(self) -> TaskInfo:
        return TaskInfo(self.name, self.title, self.direction, offline=True)

    def task(self) -> Task:
        stmt = (f"{self.statement}\n\nYour program must define `{self.function}()` returning "
                f"the construction. Constraints are checked with absolute tolerance "
                f"{self.tolerance:g}. The objective is {'maximised' if self.direction == 'max' else 'minimised'}; "
                "it is computed by the evaluator from your construction, never read from output.")
        return Task(id=f"math/{self.name}", statement=stmt, seeds=(self.seed_path.read_text(),),
                    evaluator=MathEvaluator(self.name), direction=self.direction,
                    language="python", version=self.version,
                    resources=Resources(cpus=1, memory_mb=self.memory_mb, timeout_s=self.timeout_s),
                    references=self.references, tags=("math",),
                    meta={"tolerance": self.tolerance})


def _finite_array(x: Any, shape_desc: str) -> None:
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in x):
        raise InvalidConstruction(f"{shape_desc}: every entry must be a finite number")


@dataclass(frozen=True)
class MathEvaluator:
    """Picklable evaluator: looks its problem up by name inside the worker."""

    problem: str

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        prob = get_problem(self.problem)
        lim = Limits(timeout_s=ctx.resources.timeout_s, memory_mb=ctx.resources.memory_mb)
        value, res = run_python_function(code, prob.function, list(prob.args), limits=lim)
        metrics = {"runtime_s": res.wall_s}
        if value is None:
            return EvalResult.invalid(f"program failed: {res.describe_failure()}",
                                      metrics=metrics, feedback=res.stderr[-2000:])
        try:
            v = prob.validate(value)
        except InvalidConstruction as e:
            return EvalResult.invalid(f"invalid construction: {e}", metrics=metrics,
                                      feedback=f"invalid construction: {e}")
        except (TypeError, ValueError, IndexError, KeyError) as e:
            return EvalResult.invalid(f"malformed construction: {type(e).__name__}: {e}",
                                      metrics=metrics)
        return EvalResult(valid=True, fitness=v.score, metrics={**metrics, **v.metrics},
                          feedback=v.feedback)


_MODULES = ["benchmarks.math.problems.circle_packing"]


def all_problems() -> dict[str, MathProblem]:
    out: dict[str, MathProblem] = {}
    for m in _MODULES:
        for p in importlib.import_module(m).PROBLEMS:
            out[p.name] = p
    return out


def get_problem(name: str) -> MathProblem:
    return all_problems()[name]
