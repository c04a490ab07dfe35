"""LLM-supervised feedback: an optional cascade stage in which a model reviews a candidate.

The reviewer reads the candidate's code and what the earlier stages measured and answers with a
JSON object ``{"critique": str, "scores": {criterion: 0..10}}``. Scores go into the EvalResult's
metrics as ``review_<criterion>`` and the critique into its feedback (so into the next prompt).
The stage never changes fitness and is optional: a reviewer that fails adds a line of feedback
and leaves the evaluation valid. It is picklable (config and statement only) and synchronous,
as cascade stages are.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import random
import re
from dataclasses import dataclass
from typing import Any

from agent.llm.client import CallStats, LLMCallError, complete
from agent.llm.config import LLMConfig, ReviewConfig
from agent.llm.prompts import render
from agent.records import EvalResult
from agent.task import EvalContext, Stage

_OBJ = re.compile(r"\{.*\}", re.S)


def parse_review(text: str, criteria: tuple[str, ...]) -> tuple[str, dict[str, float]]:
    """(critique, scores) from a reviewer's reply; raises ValueError when it is not usable."""
    m = _OBJ.search(text)
    if not m:
        raise ValueError("the reviewer's reply holds no JSON object")
    try:
        obj = json.loads(m.group(0))
    except json.JSONDecodeError as e:
        raise ValueError(f"the reviewer's JSON does not parse: {e.msg}") from None
    if not isinstance(obj, dict):
        raise ValueError("the reviewer's JSON is not an object")
    critique = str(obj.get("critique", "")).strip()[:1200]
    raw = obj.get("scores") or {}
    scores: dict[str, float] = {}
    if isinstance(raw, dict):
        for k in criteria:
            try:
                scores[k] = min(10.0, max(0.0, float(raw[k])))
            except (KeyError, TypeError, ValueError):
                continue
    if not critique and not scores:
        raise ValueError("the reviewer returned neither a critique nor scores")
    return critique, scores


@dataclass(frozen=True)
class ReviewStage:
    """Callable as a cascade stage function: ``(code, ctx, previous) -> EvalResult``."""

    config: ReviewConfig
    statement: str
    language: str = "python"

    def __call__(self, code: str, ctx: EvalContext, prev: EvalResult | None) -> EvalResult:
        if prev is None or not prev.valid:
            return EvalResult.invalid("review: needs a valid result from an earlier stage")
        try:
            critique, scores, cost = _run_sync(self._review(code, prev, ctx.seed))
        except (LLMCallError, ValueError) as e:
            return EvalResult.invalid(f"review skipped: {e}")
        metrics = {f"review_{k}": v for k, v in scores.items()}
        metrics["review_cost_usd"] = cost
        return EvalResult(valid=True, fitness=prev.fitness, metrics=metrics,
                          feedback=f"Reviewer: {critique}" if critique else "")

    async def _review(self, code: str, prev: EvalResult, seed: int
                      ) -> tuple[str, dict[str, float], float]:
        c = self.config
        td = c.template_dir
        metrics = "\n".join(f"- {k}: {v:.6g}" for k, v in sorted(prev.metrics.items())) or "-"
        fb = prev.feedback.strip()
        user = render("review_user.txt", td, statement=self.statement.strip(),
                      language=self.language, code=code[:c.max_code_chars], metrics=metrics,
                      feedback=f"Evaluator feedback:\n{fb[:2000]}" if fb else "",
                      criteria=", ".join(f'"{k}": <0-10>' for k in c.criteria))
        messages = [{"role": "system", "content": render("review_system.txt", td)},
                    {"role": "user", "content": user}]
        cfg = LLMConfig(models=[c.model], max_retries=c.max_retries, backoff_base_s=0.5,
                        backoff_max_s=10.0)
        stats = CallStats()
        reply = await complete(c.model, messages, cfg, stats=stats, rng=random.Random(seed),
                               sample=seed, purpose="review")
        critique, scores = parse_review(reply.text, c.criteria)
        return critique, scores, stats.cost


def _run_sync(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as ex:  # called from inside an event loop
        return ex.submit(asyncio.run, coro).result()


def review_stage(config: ReviewConfig, statement: str, language: str = "python") -> Stage:
    """The optional ``review`` stage to append to a task's Cascade."""
    return Stage("review", ReviewStage(config, statement, language), optional=True)
