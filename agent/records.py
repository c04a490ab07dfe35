"""The records that cross every seam: Resources, EvalResult, Program.

They are plain frozen dataclasses with lossless ``to_dict``/``from_dict`` so they can go into
SQLite, over Ray, and into a run directory without pickling live objects.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass(frozen=True)
class Resources:
    """What one evaluation needs; the evaluation pool asks Ray for exactly this."""

    cpus: float = 1.0
    gpus: float = 0.0
    memory_mb: int = 2048
    timeout_s: float = 60.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Resources":
        return cls(**{k: d[k] for k in (f.name for f in fields(cls)) if k in d})


@dataclass(frozen=True)
class EvalResult:
    """Everything one evaluation measured.

    ``fitness`` is higher-is-better (the task's direction already applied) and is ``None``
    exactly when ``valid`` is false. ``metrics`` holds every dimension measured, including the
    raw objective under ``score``. ``feedback`` is text for the next prompt.
    """

    valid: bool
    fitness: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    feedback: str = ""
    artifacts: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    stages: tuple[str, ...] = ()
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        if self.valid and not _finite(self.fitness):
            # A valid result must carry a finite fitness: NaN/inf never reach the population.
            object.__setattr__(self, "valid", False)
            object.__setattr__(self, "error", f"non-finite fitness {self.fitness!r}")
            object.__setattr__(self, "fitness", None)
        if not self.valid:
            object.__setattr__(self, "fitness", None)
        clean = {}
        for k, v in dict(self.metrics).items():
            if isinstance(v, bool):
                v = float(v)
            if _finite(v):
                clean[str(k)] = float(v)
        object.__setattr__(self, "metrics", clean)

    @classmethod
    def invalid(cls, error: str, **kw: Any) -> "EvalResult":
        return cls(valid=False, error=error, **kw)

    def with_(self, **kw: Any) -> "EvalResult":
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stages"] = list(self.stages)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EvalResult":
        d = dict(d)
        d["stages"] = tuple(d.get("stages", ()))
        return cls(**{k: d[k] for k in (f.name for f in fields(cls)) if k in d})


def new_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Program:
    """Code plus lineage, its evaluation and what it cost. Immutable once evaluated."""

    code: str
    id: str = field(default_factory=new_id)
    parents: tuple[str, ...] = ()
    island: int = 0
    generation: int = 0
    proposer: str = "seed"
    model: str | None = None
    prompt_id: str | None = None
    result: EvalResult | None = None
    created_at: float = field(default_factory=time.time)
    evaluated_at: float | None = None
    llm_cost: float = 0.0
    llm_tokens: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def fitness(self) -> float | None:
        return self.result.fitness if self.result else None

    @property
    def valid(self) -> bool:
        return bool(self.result and self.result.valid)

    def evaluated(self, result: EvalResult) -> "Program":
        return replace(self, result=result, evaluated_at=time.time())

    def with_(self, **kw: Any) -> "Program":
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parents"] = list(self.parents)
        d["result"] = self.result.to_dict() if self.result else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Program":
        d = dict(d)
        d["parents"] = tuple(d.get("parents", ()))
        if d.get("result") is not None:
            d["result"] = EvalResult.from_dict(d["result"])
        return cls(**{k: d[k] for k in (f.name for f in fields(cls)) if k in d})
