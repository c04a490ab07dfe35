"""Build the proposer a run asks for; picklable, so Ray actors can build it on their side."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from agent.offline import OfflineProposer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProposerSpec:
    """Config in, proposer out. Holds only data (no clients, no keys)."""

    offline: dict[str, Any] = field(default_factory=dict)
    llm: dict[str, Any] | None = None

    def describe(self) -> str:
        if not self.llm:
            return "offline (no model configured: OfflineProposer mutates numbers and crosses blocks)"
        models = ", ".join(m.get("name", "?") for m in self.llm.get("models", []))
        return f"llm: {models}"

    def models(self) -> list[str]:
        return [m.get("name", "?") for m in (self.llm or {}).get("models", [])] or ["offline"]

    def __call__(self) -> Any:
        if not self.llm:
            return OfflineProposer(**self.offline)
        from agent.llm import build_proposer  # imported only when a model is configured

        return build_proposer(self.llm, offline=self.offline)
