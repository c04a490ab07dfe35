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

import numpy as np

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


AE_RESCORED = ("value of that construction under this benchmark's validator: "
               "`python -m benchmarks.math.rescore_alphaevolve mathematical_results.ipynb` "
               "(google-deepmind/alphaevolve_results commit 4226acb)")

Ref = tuple["float | int | None", str]  # (value or None when not found, source)


def make_references(direction: Literal["max", "min"], before: Ref, alphaevolve: Ref,
                    later: Ref, **others: Ref) -> dict[str, Any]:
    """The reference table of a problem: every value with its source; ``None`` = not found.

    Keys: ``best_known_before_alphaevolve``, ``alphaevolve``, ``best_later`` (best value
    published after AlphaEvolve), any ``others`` (e.g. ``fm_agent``), and ``best_known``: the best
    of all of them in the problem's direction (what reports measure the gap to).
    """
    table: dict[str, Any] = {}
    for key, (value, source) in [("best_known_before_alphaevolve", before),
                                 ("alphaevolve", alphaevolve), ("best_later", later),
                                 *others.items()]:
        table[key] = {"value": value, "source": source}
    known = [(k, v["value"]) for k, v in table.items() if v["value"] is not None]
    if known:
        pick = max if direction == "max" else min
        k, v = pick(known, key=lambda kv: kv[1])
        table["best_known"] = {"value": v, "source": f"the best entry above: {k}"}
    return table


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
        tol = (f"with absolute tolerance {self.tolerance:g}" if self.tolerance
               else "exactly (tolerance 0)")
        stmt = (f"{self.statement}\n\nYour program must define `{self.function}()` returning "
                f"the construction. Constraints are checked {tol}. The objective is "
                f"{'maximised' if self.direction == 'max' else 'minimised'}; "
                "it is computed by the evaluator from your construction, never read from output.")
        return Task(id=f"math/{self.name}", statement=stmt, seeds=(self.seed_path.read_text(),),
                    evaluator=MathEvaluator(self.name), direction=self.direction,
                    language="python", version=self.version,
                    resources=Resources(cpus=1, memory_mb=self.memory_mb, timeout_s=self.timeout_s),
                    references=self.references, tags=("math",),
                    meta={"tolerance": self.tolerance})


def _is_finite_number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


def _finite_array(x: Any, shape_desc: str) -> None:
    if not all(_is_finite_number(v) for v in x):
        raise InvalidConstruction(f"{shape_desc}: every entry must be a finite number "
                                  "(no NaN, inf, booleans, strings or nested lists)")


def as_vector(value: Any, what: str, min_len: int = 1, max_len: int | None = None,
              length: int | None = None) -> np.ndarray:
    """A flat list of finite numbers as a float array; anything else is InvalidConstruction."""
    if not isinstance(value, list):
        raise InvalidConstruction(f"{what} must be a list of numbers, got {type(value).__name__}")
    n = len(value)
    if length is not None and n != length:
        raise InvalidConstruction(f"{what} must have exactly {length} entries, got {n}")
    if n < min_len or (max_len is not None and n > max_len):
        raise InvalidConstruction(f"{what} must have between {min_len} and {max_len} entries, "
                                  f"got {n}")
    _finite_array(value, what)
    return np.asarray(value, dtype=float)


def as_matrix(value: Any, rows: int, cols: int, what: str, row_name: str = "row") -> np.ndarray:
    """A list of ``rows`` lists of ``cols`` finite numbers as a float array (shape checked)."""
    if not isinstance(value, list) or len(value) != rows:
        got = f"{len(value)} entries" if isinstance(value, list) else type(value).__name__
        raise InvalidConstruction(f"{what}: expected a list of {rows} {row_name}s of {cols} "
                                  f"numbers, got {got}")
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != cols:
            raise InvalidConstruction(f"{what}: {row_name} {i} must be a list of {cols} numbers, "
                                      f"got {row!r:.60}")
        _finite_array(row, f"{what}: {row_name} {i}")
    return np.asarray(value, dtype=float).reshape(rows, cols)


@dataclass(frozen=True)
class MathEvaluator:
    """Picklable evaluator: looks its problem up by name inside the worker."""

    problem: str

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        prob = get_problem(self.problem)
        lim = Limits(timeout_s=ctx.resources.timeout_s, memory_mb=ctx.resources.memory_mb,
                     preload=("numpy",))  # most candidates import it: once, in the fork server
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
        except (TypeError, ValueError, IndexError, KeyError, ArithmeticError, RecursionError) as e:
            return EvalResult.invalid(f"malformed construction: {type(e).__name__}: {e}",
                                      metrics=metrics)
        return EvalResult(valid=True, fitness=v.score, metrics={**metrics, **v.metrics},
                          feedback=v.feedback)


_MODULES = [
    "benchmarks.math.problems.circle_packing",
    "benchmarks.math.problems.distance_ratio",
    "benchmarks.math.problems.autocorrelation",
    "benchmarks.math.problems.erdos_overlap",
    "benchmarks.math.problems.heilbronn",
    "benchmarks.math.problems.kissing",
]


def all_problems() -> dict[str, MathProblem]:
    out: dict[str, MathProblem] = {}
    for m in _MODULES:
        for p in importlib.import_module(m).PROBLEMS:
            out[p.name] = p
    return out


def get_problem(name: str) -> MathProblem:
    probs = all_problems()
    if name not in probs:
        import difflib

        hint = difflib.get_close_matches(name, list(probs), n=1)
        more = f" Did you mean {hint[0]!r}?" if hint else ""
        raise KeyError(f"unknown math problem {name!r}.{more} Known: {', '.join(sorted(probs))}")
    return probs[name]
