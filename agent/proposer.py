"""The Proposer seam: a small frozen context in, child code out.

Workers never see the population. The controller builds a :class:`ProposalContext` (parent,
inspirations, feedback, human instructions, retrieved knowledge) and a proposer turns it into a
:class:`Proposal`. Two families sit behind this interface: ``LLMProposer`` (litellm) and
``OfflineProposer`` (no LLM). :class:`MixedProposer` draws between several with weights.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Sequence, runtime_checkable


@dataclass(frozen=True)
class ProgramView:
    """What a proposer may know about one program."""

    id: str
    code: str
    fitness: float | None
    score: float | None  # raw objective in the task's own direction
    metrics: dict[str, float] = field(default_factory=dict)
    feedback: str = ""
    error: str | None = None
    island: int = 0
    generation: int = 0


@dataclass(frozen=True)
class ProposalContext:
    task_id: str
    statement: str
    language: str
    direction: str
    parent: ProgramView
    kind: Literal["mutation", "crossover", "cold_start"] = "mutation"
    second_parent: ProgramView | None = None
    inspirations: tuple[ProgramView, ...] = ()
    elites: tuple[ProgramView, ...] = ()
    instructions: tuple[str, ...] = ()
    knowledge: tuple[str, ...] = ()
    strategy: str | None = None  # cold-start directive, e.g. "simple baseline"
    island: int = 0
    generation: int = 0
    seed: int = 0  # every random choice of the proposal derives from this
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    """A proposer's answer. ``code`` is None when it produced nothing usable (``error`` says why)."""

    code: str | None
    proposer: str
    model: str | None = None
    prompt_id: str | None = None
    error: str | None = None
    cost: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Proposer(Protocol):
    name: str

    async def propose(self, ctx: ProposalContext) -> Proposal: ...


@dataclass
class MixedProposer:
    """Draws one of several proposers per proposal, by weight, from the context's seed."""

    proposers: Sequence[Proposer]
    weights: Sequence[float]
    name: str = "mixed"

    def warm(self) -> None:
        for p in self.proposers:
            warm_up(p)

    async def propose(self, ctx: ProposalContext) -> Proposal:
        rng = random.Random(ctx.seed ^ 0x5EED)
        p = rng.choices(list(self.proposers), weights=list(self.weights), k=1)[0]
        return await p.propose(ctx)


def warm_up(proposer: object) -> None:
    """Let a proposer load what it needs (a client library) before the clock matters."""
    fn = getattr(proposer, "warm", None)
    if callable(fn):
        fn()
