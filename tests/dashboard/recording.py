"""A proposer that records every ProposalContext it gets (the prompt builder's whole input)."""

from __future__ import annotations

import threading
from typing import Any

from agent.offline import OfflineProposer
from agent.proposer import Proposal, ProposalContext


class RecordingProposer:
    name = "recording"

    def __init__(self) -> None:
        self.inner = OfflineProposer()
        self.contexts: list[ProposalContext] = []
        self.lock = threading.Lock()

    async def propose(self, ctx: ProposalContext) -> Proposal:
        with self.lock:
            self.contexts.append(ctx)
        return await self.inner.propose(ctx)

    def seen(self, attr: str) -> list[Any]:
        with self.lock:
            return [getattr(c, attr) for c in self.contexts]
