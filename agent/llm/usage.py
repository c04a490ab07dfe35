"""Run-level LLM usage: tokens, cost, calls and errors, summed across every proposal.

One :class:`UsageMeter` per run, shared by every proposer in the process (thread-safe). When
proposals are produced in other processes (Ray workers), the controller adds each returned
Proposal with :meth:`UsageMeter.add_proposal` instead; do not do both for the same proposal.
"""

from __future__ import annotations

import threading
from typing import Any


class UsageMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_model: dict[str, dict[str, float]] = {}

    def add(self, model: str, *, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0,
            cost_known: bool = True, latency_s: float = 0.0, cached: bool = False,
            errors: int = 0, calls: int = 1) -> None:
        with self._lock:
            m = self._by_model.setdefault(model, dict.fromkeys(
                ("calls", "cached", "tokens_in", "tokens_out", "cost_usd", "unpriced_calls",
                 "latency_s", "errors"), 0.0))
            m["calls"] += calls
            m["cached"] += calls if cached else 0
            m["tokens_in"] += tokens_in
            m["tokens_out"] += tokens_out
            m["cost_usd"] += cost
            m["unpriced_calls"] += 0 if cost_known or cached else calls
            m["latency_s"] += latency_s
            m["errors"] += errors

    def add_proposal(self, p: Any) -> None:
        """Count a Proposal produced elsewhere (its model, tokens, cost and HTTP errors)."""
        meta = getattr(p, "meta", {}) or {}
        self.add(p.model or "?", tokens_in=p.tokens_in, tokens_out=p.tokens_out, cost=p.cost,
                 cost_known=bool(meta.get("cost_known", True)), latency_s=p.latency_s,
                 errors=int(meta.get("http_errors", 0)), calls=int(meta.get("calls", 1)),
                 cached=bool(meta.get("cached", False)))

    @property
    def cost(self) -> float:
        with self._lock:
            return sum(m["cost_usd"] for m in self._by_model.values())

    def exceeded(self, max_cost: float | None) -> bool:
        """True once the metered cost has reached ``max_cost`` (None: no budget)."""
        return max_cost is not None and self.cost >= max_cost

    def snapshot(self) -> dict[str, Any]:
        """Totals and per-model figures, for the run manifest and reports."""
        with self._lock:
            by = {k: dict(v) for k, v in self._by_model.items()}
        keys = ("calls", "cached", "tokens_in", "tokens_out", "cost_usd", "unpriced_calls",
                "errors")
        total = {k: sum(v[k] for v in by.values()) for k in keys}
        for k in ("calls", "cached", "tokens_in", "tokens_out", "unpriced_calls", "errors"):
            total[k] = int(total[k])
        return {"total": total, "by_model": by}

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"_by_model": {k: dict(v) for k, v in self._by_model.items()}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self._by_model = state["_by_model"]
