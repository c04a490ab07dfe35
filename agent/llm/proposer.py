"""LLMProposer: a weighted ensemble of litellm models behind the Proposer seam.

One proposal = one prompt (agent.llm.prompts) -> one reply (agent.llm.client, with retries on
the wire) -> child code (agent.llm.edits). A reply that does not parse or does not apply is sent
back with its reason, up to ``max_parse_retries`` times. Tokens, latency and cost of every call
are summed on the Proposal and, when a :class:`UsageMeter` is given, on the run. Once the meter
reaches ``max_cost_usd`` the proposer stops calling models (calls already in flight finish, so
a run can pass the budget by at most what they cost) and returns a Proposal with
``meta['budget_exceeded']`` so the controller can stop cleanly.

The proposer is picklable (its semaphores are per process and per event loop) and stateless
between proposals apart from the meter.
"""

from __future__ import annotations

import asyncio
import random
import weakref
from typing import Any

from agent.llm.cache import ResponseCache
from agent.llm.client import CallStats, LLMCallError, complete, redact
from agent.llm.config import LLMConfig, ModelSpec
from agent.llm.edits import EditError, apply_reply
from agent.llm.prompts import build_prompt, choose_format, retry_message
from agent.llm.usage import UsageMeter
from agent.proposer import Proposal, ProposalContext


_ECHO_CHARS = 6000  # of an unusable reply, sent back with the reason
_EXCERPT_CHARS = 600  # of the last unusable reply, kept in Proposal.meta for diagnosis


class LLMProposer:
    def __init__(self, config: LLMConfig, meter: UsageMeter | None = None,
                 cache: ResponseCache | None = None, name: str = "llm") -> None:
        self.config = config
        self.meter = meter
        if cache is None and config.cache_dir:
            cache = ResponseCache(config.cache_dir, config.cache_mode)
        self.cache = cache
        self.name = name
        # per event loop (a semaphore belongs to one loop), per model
        self._sems: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                              dict[str, asyncio.Semaphore]] = \
            weakref.WeakKeyDictionary()

    def warm(self) -> None:
        """Import litellm now (seconds), not inside the first proposal's latency."""
        from agent.llm.client import litellm

        litellm()

    def __getstate__(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        del d["_sems"]
        return d

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sems = weakref.WeakKeyDictionary()

    def pick_model(self, seed: int) -> ModelSpec:
        """The ensemble member for a proposal, drawn by weight from its seed."""
        models = self.config.models
        rng = random.Random((seed * 0x9E3779B1) ^ 0x11A5)
        return rng.choices(models, weights=[m.weight for m in models], k=1)[0]

    def _sem(self, spec: ModelSpec) -> asyncio.Semaphore:
        per_loop = self._sems.setdefault(asyncio.get_running_loop(), {})
        s = per_loop.get(spec.name)
        if s is None:
            s = per_loop[spec.name] = asyncio.Semaphore(spec.max_concurrency)
        return s

    async def propose(self, ctx: ProposalContext, *, model: ModelSpec | None = None,
                      temperature: float | None = None) -> Proposal:
        cfg = self.config
        meta: dict[str, Any] = {"kind": ctx.kind, "parse_failures": 0, "apply_failures": 0,
                                "failures": []}
        if ctx.kind == "cold_start" and cfg.generators and model is None:
            from agent.llm.coldstart import pick_generator, with_generator

            gi, g = pick_generator(cfg.generators, ctx.strategy, ctx.seed)
            try:
                ctx = with_generator(ctx, g, gi)
            except FileNotFoundError as e:
                return Proposal(None, self.name, g.model, error=str(e), meta=meta)
            model = cfg.model(g.model)
            temperature = g.temperature if temperature is None else temperature
            meta["generator"] = gi
        spec = model or self.pick_model(ctx.seed)
        if ctx.strategy:
            meta["strategy"] = ctx.strategy
        if self.meter is not None and self.meter.exceeded(cfg.max_cost_usd):
            meta["budget_exceeded"] = True
            return Proposal(None, self.name, spec.name, error=f"LLM budget of "
                            f"{cfg.max_cost_usd} USD reached; no more calls", meta=meta)
        fmt = choose_format(cfg.edit_mode, ctx)
        try:
            prompt = build_prompt(ctx, edit_format=fmt, max_tokens=cfg.max_prompt_tokens,
                                  template_dir=cfg.template_dir)
        except (FileNotFoundError, KeyError, ValueError) as e:
            return Proposal(None, self.name, spec.name, error=f"prompt: {e}", meta=meta)
        meta.update(edit_format=fmt, prompt_tokens_est=prompt.tokens,
                    trimmed=list(prompt.trimmed), over_budget=prompt.over_budget)
        messages = list(prompt.messages)
        stats = CallStats()
        rng = random.Random(ctx.seed ^ 0xB0FF)
        code = ctx.parent.code
        error: str | None = None
        child: str | None = None
        reasks = 0
        for attempt in range(cfg.max_parse_retries + 1):
            try:
                c = await complete(spec, messages, cfg, stats=stats, rng=rng,
                                   sem=self._sem(spec), cache=self.cache,
                                   sample=ctx.seed * 16 + attempt, meter=self.meter,
                                   temperature=temperature)
            except LLMCallError as e:
                error = f"LLM call failed: {e.reason}"
                meta["call_failure"] = e.kind
                break
            try:
                applied = apply_reply(code, c.text, ctx.language)
            except EditError as e:
                meta["parse_failures" if e.kind == "parse" else "apply_failures"] += 1
                meta["failures"].append(f"{e.kind}: {e.reason}"[:300])
                error = f"reply unusable ({e.kind}): {e.reason}"
                meta["last_reply"] = redact(c.text[:_EXCERPT_CHARS])
                if attempt < cfg.max_parse_retries:
                    reasks += 1
                    messages += [{"role": "assistant", "content": c.text[:_ECHO_CHARS]},
                                 {"role": "user", "content": retry_message(
                                     e.reason, fmt, code, ctx.language,
                                     ctx.meta.get("template_dir") or cfg.template_dir)}]
                continue
            child, error = applied.code, None
            meta.pop("last_reply", None)
            meta.update(edit_kind=applied.kind, n_edits=applied.n_edits,
                        fuzzy_edits=applied.fuzzy)
            break
        meta.update(stats.as_meta())
        meta["format_retries"] = reasks
        return Proposal(code=child, proposer=self.name, model=spec.name, prompt_id=prompt.id,
                        error=redact(error) if error else None, cost=stats.cost,
                        tokens_in=stats.tokens_in, tokens_out=stats.tokens_out,
                        latency_s=stats.latency_s, meta=meta)
