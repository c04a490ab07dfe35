"""A Task is what a benchmark adapter hands the agent: a problem, seeds and a trusted evaluator.

Direction is declared once, here. Evaluators return the raw objective as ``fitness`` (and may
set ``metrics['score']``); :meth:`Task.evaluate` applies the direction, so every fitness the
agent sees is higher-is-better. An evaluator that raises is an invalid result with its reason,
never a crashed run.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Protocol, runtime_checkable

from agent.records import EvalResult, Resources

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalContext:
    """What an evaluation may know besides the code: a seed and the task's resources."""

    seed: int = 0
    resources: Resources = field(default_factory=Resources)
    program_id: str | None = None


@runtime_checkable
class Evaluator(Protocol):
    """Trusted scoring code. Must be picklable: it runs inside evaluation workers."""

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult: ...


StageFn = Callable[[str, EvalContext, EvalResult | None], EvalResult]


@dataclass(frozen=True)
class Stage:
    """One step of a cascade. A stage that returns an invalid result stops the cascade."""

    name: str
    fn: StageFn
    optional: bool = False  # an optional stage's failure does not invalidate earlier stages


@dataclass(frozen=True)
class Cascade:
    """Cheap gate -> full measurement -> optional review, merged into one EvalResult.

    Metrics accumulate (later stages win on name clashes), feedback is joined, the fitness of
    the last stage that produced one is kept, and ``stages`` lists the stages that ran.
    """

    stages: tuple[Stage, ...]

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        merged: EvalResult | None = None
        ran: list[str] = []
        for stage in self.stages:
            try:
                r = stage.fn(code, ctx, merged)
            except Exception as e:  # a broken stage is that candidate's invalid result
                r = EvalResult.invalid(f"stage {stage.name!r} raised {type(e).__name__}: {e}")
            ran.append(stage.name)
            if not r.valid and stage.optional and merged is not None:
                merged = merged.with_(feedback=_join(merged.feedback, r.error or ""),
                                      stages=tuple(ran))
                continue
            metrics = {**(merged.metrics if merged else {}), **r.metrics}
            feedback = _join(merged.feedback if merged else "", r.feedback)
            artifacts = {**(merged.artifacts if merged else {}), **r.artifacts}
            fitness = r.fitness if r.fitness is not None else (merged.fitness if merged else None)
            merged = EvalResult(valid=r.valid, fitness=fitness if r.valid else None,
                                metrics=metrics, feedback=feedback, artifacts=artifacts,
                                error=r.error, stages=tuple(ran))
            if not r.valid:
                break
        return merged or EvalResult.invalid("empty cascade")


def _join(a: str, b: str) -> str:
    return "\n".join(x for x in (a, b) if x)


@dataclass(frozen=True)
class Task:
    """One problem: statement for the LLM, seed program(s), trusted evaluator, direction."""

    id: str
    statement: str
    seeds: tuple[str, ...]
    evaluator: Evaluator
    direction: Literal["max", "min"] = "max"
    language: str = "python"
    version: str = "1"
    resources: Resources = field(default_factory=Resources)
    references: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.direction not in ("max", "min"):
            raise ValueError(f"task {self.id}: direction must be 'max' or 'min', not "
                             f"{self.direction!r}")
        if not self.seeds:
            raise ValueError(f"task {self.id}: needs at least one seed program")

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "max" else -1.0

    def to_fitness(self, score: float) -> float:
        return self.sign * float(score)

    def to_score(self, fitness: float) -> float:
        return self.sign * float(fitness)

    def evaluate(self, code: str, seed: int = 0, program_id: str | None = None) -> EvalResult:
        """Run the evaluator (which sandboxes the candidate) and apply the direction."""
        t0 = time.monotonic()
        ctx = EvalContext(seed=seed, resources=self.resources, program_id=program_id)
        try:
            r = self.evaluator.evaluate(code, ctx)
        except Exception as e:
            log.debug("evaluator raised: %s", traceback.format_exc())
            r = EvalResult.invalid(f"evaluator raised {type(e).__name__}: {e}")
        dur = time.monotonic() - t0
        if not r.valid:
            return r.with_(duration_s=dur)
        raw = float(r.fitness)  # type: ignore[arg-type]
        metrics = dict(r.metrics)
        metrics.setdefault("score", raw)
        return r.with_(fitness=self.to_fitness(raw), metrics=metrics, duration_s=dur)


@dataclass(frozen=True)
class TaskInfo:
    """A cheap description for ``fmagent list``: loading a Task may import heavy stacks."""

    name: str
    title: str
    direction: Literal["max", "min"] = "max"
    offline: bool = True  # runs with nothing but this repository
    needs: str = ""  # what real mode needs (data, packages), shown to the user
