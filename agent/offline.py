"""OfflineProposer: evolution with no LLM at all.

Mutation perturbs numeric literals inside EVOLVE blocks at several scales (most steps small,
some large), and now and then makes a small structural edit (swap two adjacent lines of a
literal list, flip a comparison). Crossover takes, line by line or block by block, from two
parents. It is the default when no model is configured, so every task, test and CI run works
offline; it is also a useful baseline: what the LLM adds is measured against it.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from agent.blocks import find_blocks, replace_block
from agent.proposer import Proposal, ProposalContext

# A numeric literal not glued to an identifier, e.g. 0.25, 3, 1e-3, .5 (sign handled apart).
_NUM = re.compile(r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+)"
                  r"(?![\w.])")
_STRING = re.compile(r"(\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')")
_COMMENT = re.compile(r"#[^\n]*|//[^\n]*")
_FLIPS = [("<=", "<"), (">=", ">"), ("<", "<="), (">", ">=")]


def _masked_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of strings and comments: literals there are not code."""
    spans = [m.span() for m in _STRING.finditer(text)]
    spans += [m.span() for m in _COMMENT.finditer(text)]
    return spans


def numeric_literals(text: str) -> list[re.Match[str]]:
    masked = _masked_spans(text)
    return [m for m in _NUM.finditer(text)
            if not any(a <= m.start() < b for a, b in masked)]


def _format_like(old: str, value: float) -> str:
    if re.fullmatch(r"\d+", old):
        return str(int(round(value)))
    if value == 0:
        return "0.0"
    s = f"{value:.12g}"
    if "e" not in s and "." not in s:
        s += ".0"
    return s


def mutate_number(old: str, rng: random.Random, scale: float) -> str:
    """A new literal near ``old``: relative Gaussian steps for floats, +-1..3 for integers."""
    is_int = re.fullmatch(r"\d+", old) is not None
    v = float(old)
    if is_int:
        if v <= 1:  # flags and indices: leave small integers mostly alone
            return old if rng.random() < 0.7 else str(int(v) + 1)
        step = rng.choice([-1, 1]) * (1 + int(rng.random() < 0.2) * rng.randint(1, 2))
        return str(max(0, int(v) + step))
    width = max(abs(v), 0.05) * scale
    new = v + rng.gauss(0.0, width)
    if v >= 0 > new and rng.random() < 0.8:
        new = abs(new)  # literals are unsigned in the source: a sign flip rarely helps
    return _format_like(old, abs(new) if new < 0 else new)


@dataclass
class OfflineProposer:
    """No-LLM proposer: numeric mutation, small edits, crossover, all inside EVOLVE blocks."""

    name: str = "offline"
    mutate_count_mean: float = 1.5
    scale_min: float = 1e-3
    scale_max: float = 0.3
    edit_rate: float = 0.1

    async def propose(self, ctx: ProposalContext) -> Proposal:
        return self.propose_sync(ctx)

    def propose_sync(self, ctx: ProposalContext) -> Proposal:
        rng = random.Random(ctx.seed)
        code = ctx.parent.code
        try:
            if ctx.kind == "crossover" and ctx.second_parent is not None:
                child = self.crossover(code, ctx.second_parent.code, rng)
                op = "crossover"
                if child == code:
                    child, op = self.mutate(code, rng), "mutation"
            else:
                strength = 4.0 if ctx.kind == "cold_start" else 1.0
                child, op = self.mutate(code, rng, strength), "mutation"
        except ValueError as e:  # malformed markers: nothing safe to edit
            return Proposal(code=None, proposer=self.name, error=f"cannot edit parent: {e}")
        if child == code:
            return Proposal(code=None, proposer=self.name, error="no editable literal in EVOLVE blocks")
        return Proposal(code=child, proposer=self.name, meta={"operator": op})

    def mutate(self, code: str, rng: random.Random, strength: float = 1.0) -> str:
        blocks = find_blocks(code)
        order = list(range(len(blocks)))
        rng.shuffle(order)
        for bi in order:
            body = blocks[bi].text(code)
            if rng.random() < self.edit_rate:
                edited = self._small_edit(body, rng)
                if edited != body:
                    return replace_block(code, bi, edited)
            lits = numeric_literals(body)
            if not lits:
                continue
            k = 1 + int(rng.expovariate(1.0 / max(self.mutate_count_mean - 1, 1e-9)) * strength)
            chosen = rng.sample(lits, min(k, len(lits)))
            # one scale per mutation, log-uniform: most steps fine-tune, some jump
            scale = math.exp(rng.uniform(math.log(self.scale_min), math.log(self.scale_max)))
            scale *= strength
            new_body, pos = [], 0
            for m in sorted(chosen, key=lambda m: m.start()):
                new_body.append(body[pos:m.start()])
                new_body.append(mutate_number(m.group(0), rng, scale))
                pos = m.end()
            new_body.append(body[pos:])
            return replace_block(code, bi, "".join(new_body))
        return code

    @staticmethod
    def _small_edit(body: str, rng: random.Random) -> str:
        lines = body.split("\n")
        if rng.random() < 0.5 and len(lines) > 3:
            # swap two adjacent lines that look alike (same indentation, both literal rows)
            cands = [i for i in range(len(lines) - 1)
                     if lines[i].strip() and lines[i + 1].strip()
                     and len(lines[i]) - len(lines[i].lstrip()) == len(lines[i + 1]) - len(lines[i + 1].lstrip())
                     and numeric_literals(lines[i]) and numeric_literals(lines[i + 1])]
            if cands:
                i = rng.choice(cands)
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
                return "\n".join(lines)
        spots = [(m.start(), a, b) for a, b in _FLIPS for m in re.finditer(rf"(?<![<>=!]){re.escape(a)}(?![<>=])", body)]
        if spots:
            pos, a, b = rng.choice(spots)
            return body[:pos] + b + body[pos + len(a):]
        return body

    @staticmethod
    def crossover(a: str, b: str, rng: random.Random) -> str:
        """Child of ``a`` and ``b``: blocks from either; inside aligned blocks, lines from either."""
        try:
            ba, bb = find_blocks(a), find_blocks(b)
        except ValueError:
            return a
        if len(ba) != len(bb):
            return a
        child = a
        for i in reversed(range(len(ba))):
            ta, tb = ba[i].text(a), bb[i].text(b)
            la, lb = ta.split("\n"), tb.split("\n")
            if len(ba) > 1 and rng.random() < 0.5:
                child = replace_block(child, i, tb)
            elif len(la) == len(lb):
                # uniform crossover of aligned lines (e.g. coordinate rows), in one cut segment
                lo = rng.randrange(len(la))
                hi = rng.randrange(lo, len(la)) + 1
                mixed = la[:lo] + lb[lo:hi] + la[hi:]
                child = replace_block(child, i, "\n".join(mixed))
        return child
