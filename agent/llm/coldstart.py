"""Cold start: several differently configured generator agents write the first population.

Each :class:`GeneratorSpec` (model, temperature, strategy directive, optional expert-guidance
file, count) writes ``count`` programs from the task's seed, all generators in parallel. The
controller drops near-duplicates with :func:`dedupe` (normalised-token Jaccard similarity,
cheap and before any evaluation) and seeds islands with :func:`assign_islands`, which deals the
programs of different generators to different islands so each island starts from its own region.
"""

from __future__ import annotations

import asyncio
import io
import random
import re
import tokenize
from dataclasses import replace
from pathlib import Path

from agent.llm.config import GeneratorSpec
from agent.llm.proposer import LLMProposer
from agent.proposer import Proposal, ProposalContext


def _guidance(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"guidance_file {path} does not exist; fix the path in the "
                                "cold-start generator config")
    return p.read_text()[:8000]


def with_generator(ctx: ProposalContext, g: GeneratorSpec, index: int) -> ProposalContext:
    """``ctx`` as generator ``g`` sees it: its strategy and guidance, kind ``cold_start``."""
    knowledge = ctx.knowledge
    if g.guidance_file:
        knowledge = knowledge + (f"Expert guidance:\n{_guidance(g.guidance_file)}",)
    return replace(ctx, kind="cold_start", strategy=g.strategy, knowledge=knowledge,
                   meta={**ctx.meta, "generator": index})


def pick_generator(generators: list[GeneratorSpec], strategy: str | None, seed: int
                   ) -> tuple[int, GeneratorSpec]:
    """The generator for a cold-start context: same strategy first, else drawn by seed."""
    same = [i for i, g in enumerate(generators) if strategy and g.strategy == strategy]
    pool = same or list(range(len(generators)))
    i = pool[random.Random(seed ^ 0xC01D).randrange(len(pool))]
    return i, generators[i]


async def generate_initial(proposer: LLMProposer, generators: list[GeneratorSpec],
                           base: ProposalContext) -> list[Proposal]:
    """One Proposal per program asked for, generator by generator, all calls in parallel.

    ``meta['generator']`` is the generator's index; ``meta['strategy']`` its directive.
    """
    jobs = []
    for gi, g in enumerate(generators):
        gctx = with_generator(base, g, gi)
        spec = proposer.config.model(g.model)
        for k in range(g.count):
            ctx = replace(gctx, seed=(base.seed * 1_000_003 + gi * 1009 + k) & 0x7FFFFFFF)
            jobs.append((gi, proposer.propose(ctx, model=spec, temperature=g.temperature)))
    results = await asyncio.gather(*(j for _, j in jobs))
    out = []
    for (gi, _), p in zip(jobs, results):
        out.append(replace(p, meta={**p.meta, "generator": gi}))
    return out


_WORD = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d+)?|\S")


def code_tokens(code: str) -> list[str]:
    """Tokens of ``code`` without comments, docstring-like strings or whitespace."""
    try:
        toks = []
        for t in tokenize.generate_tokens(io.StringIO(code).readline):
            if t.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                          tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if t.type == tokenize.STRING and len(t.string) > 40:
                continue
            toks.append(t.string)
        return toks
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _WORD.findall(re.sub(r"(#|//).*", "", code))


def similarity(a: str, b: str, n: int = 3) -> float:
    """Jaccard similarity of the token n-grams of two programs (1.0: same tokens)."""
    def grams(code: str) -> set[tuple[str, ...]]:
        t = code_tokens(code)
        return {tuple(t[i:i + n]) for i in range(max(1, len(t) - n + 1))}

    ga, gb = grams(a), grams(b)
    if not ga and not gb:
        return 1.0
    return len(ga & gb) / len(ga | gb)


def dedupe(codes: list[str | None], threshold: float = 0.9) -> list[int]:
    """Indices of the programs to keep: each is less than ``threshold`` similar to every kept
    earlier one; None (a failed proposal) is never kept."""
    kept: list[int] = []
    for i, c in enumerate(codes):
        if c is None:
            continue
        if all(similarity(c, codes[j]) < threshold for j in kept):  # type: ignore[arg-type]
            kept.append(i)
    return kept


def assign_islands(generators: list[int], n_islands: int) -> list[int]:
    """An island per program so that each island's programs come from as few generators as
    possible: programs are grouped by generator and dealt in contiguous runs."""
    if n_islands < 1:
        raise ValueError("n_islands must be at least 1")
    order = sorted(range(len(generators)), key=lambda i: (generators[i], i))
    out = [0] * len(generators)
    for rank, i in enumerate(order):
        out[i] = rank * n_islands // max(1, len(generators))
    return out
