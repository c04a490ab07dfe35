"""The run side of the interventions: instructions, injected programs and retrieved knowledge
reach a real (offline, local-pool) search of the toy task."""

from __future__ import annotations

import sqlite3


from agent.config import load_config
from agent.knowledge import KnowledgeBase, KnowledgeRetriever
from agent.runstore import RunStore
from agent.search import Search
from harness.dashboard.db import add_injection, add_instruction
from tests.core.toytask import toy_task
from tests.dashboard.recording import RecordingProposer

TARGETS_DOC = """# Hidden targets
The five numbers returned should be close to the hidden targets; the last one is large
(about seven) and the fourth is tiny.
"""
OTHER_DOC = """# Kernel fusion
Fuse the epilogue of a GPU matmul with its activation to save memory bandwidth.
"""


def _run_dir(tmp_path):
    out = tmp_path / "run"
    RunStore(out).close()  # the run directory exists before the run starts (as with --resume)
    (out / "manifest.json").write_text('{"config": {"population": {"islands": 2}}}')
    return out


def _search(out, rec, max_evals, **kw):
    cfg = load_config(None, {"stop.max_evals": max_evals, "pools.backend": "local",
                             "pools.evals_in_flight": 2, "pools.proposals_in_flight": 2,
                             "population.islands": 2, "cold_start.variants_per_island": 1})
    return Search(toy_task(), cfg, out, lambda: rec, **kw).run()


def test_instructions_and_knowledge_reach_the_proposal_context(tmp_path):
    out = _run_dir(tmp_path)
    add_instruction(out, "prefer larger last numbers", None)
    add_instruction(out, "only for island 1", 1)
    kb = KnowledgeBase(out)
    kb.add("targets.md", TARGETS_DOC)
    kb.add("kernels.md", OTHER_DOC)
    rec = RecordingProposer()
    summary = _search(out, rec, 20, knowledge=KnowledgeRetriever(out, k=1, stall_evals=2))
    assert summary["evaluations"] >= 18
    evolve = [c for c in rec.contexts if c.kind != "cold_start"]
    assert evolve
    for c in evolve:
        assert "prefer larger last numbers" in c.instructions
        assert ("only for island 1" in c.instructions) == (c.island == 1)
    knowledge = [k for c in evolve for k in c.knowledge]
    assert knowledge, "a stalled island got no retrieved knowledge"
    assert all(k.startswith("[targets.md") for k in knowledge)


def test_injected_program_is_evaluated_and_enters_its_island(tmp_path):
    out = _run_dir(tmp_path)
    injected = "def run():\n    return [0.3, -1.2, 2.5, 0.05, 7.0]\n"
    add_injection(out, injected, 1)
    _search(out, RecordingProposer(), 12)
    conn = sqlite3.connect(out / "programs.db")
    try:
        row = conn.execute("SELECT island, valid, fitness, proposer FROM programs WHERE code=?",
                           (injected,)).fetchone()
        taken = conn.execute("SELECT taken FROM inbox").fetchone()[0]
    finally:
        conn.close()
    assert taken == 1 and row is not None
    assert row[0] == 1 and row[1] == 1 and row[3] == "human" and abs(row[2]) < 1e-12
