"""Knowledge base: chunking, indexing, search, the stall/on-demand retriever hook, the KB API."""

from __future__ import annotations

import pickle

import pytest
from fastapi.testclient import TestClient

from agent.knowledge import (KnowledgeBase, KnowledgeError, KnowledgeRetriever, chunk_text,
                             safe_name)
from agent.store import RunDB
from harness.dashboard.server import create_app
from tests.dashboard.helpers import TOKEN, make_run

PACKING = """# Packing circles

## Hexagonal lattice
Start from a hexagonal lattice of circles and relax the radii with SLSQP under
non-overlap constraints; the lattice gives dense packings in a unit square.

## Boundary handling
Circles touching the square's boundary should have their centres clipped.
"""
KERNELS = """# GPU kernels
Fuse elementwise operations into the matmul epilogue to save memory bandwidth.
Use shared memory tiling; avoid bank conflicts.
"""
COOKING = """Pasta

Boil water with salt. Cook spaghetti for nine minutes and serve with tomato sauce.
"""


@pytest.fixture
def kb_run(tmp_path):
    run = make_run(tmp_path / "run", series={0: [1.0, 2.0, 3.0, 4.0, 5.0],
                                             1: [1.0, 0.5, 0.7, None, 0.9]})
    kb = KnowledgeBase(run)
    for name, text in (("packing.md", PACKING), ("kernels.md", KERNELS), ("pasta.txt", COOKING)):
        assert kb.add(name, text)["added"]
    return run


def test_chunking_by_headings_and_paragraphs():
    chunks = chunk_text(PACKING)
    heads = [h for h, _ in chunks]
    assert heads == ["Packing circles", "Packing circles > Hexagonal lattice",
                     "Packing circles > Boundary handling"]
    assert "SLSQP" in chunks[1][1] and "clipped" in chunks[2][1]
    long = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(10))
    parts = chunk_text(long, max_chars=700)
    assert len(parts) > 3 and all(len(b) <= 700 for _, b in parts)
    assert "".join(b for _, b in parts).count("Paragraph") == 10
    code = "# Title\n```\n# not a heading\nx = 1\n```\n"
    assert [h for h, _ in chunk_text(code)] == ["Title"]
    assert chunk_text("one\n\ntwo") == [("", "one\n\ntwo")]


def test_add_search_and_dedupe(kb_run):
    kb = KnowledgeBase(kb_run)
    assert [d["name"] for d in kb.documents()] == ["packing.md", "kernels.md", "pasta.txt"]
    assert sorted(p.name for p in (kb_run / "knowledge").iterdir()) == \
        ["0001-packing.md", "0002-kernels.md", "0003-pasta.txt"]
    hits = kb.search("how to relax a hexagonal lattice of circles", k=2)
    assert hits[0].doc == "packing.md" and hits[0].heading.endswith("Hexagonal lattice")
    assert kb.search("shared memory bank conflicts")[0].doc == "kernels.md"
    assert kb.search("zzzz qqqq") == []
    again = kb.add("other-name.md", PACKING)
    assert again["added"] is False and len(kb.documents()) == 3
    assert "[packing.md § Packing circles > Hexagonal lattice]" in hits[0].render()


def test_bad_documents(kb_run, tmp_path):
    kb = KnowledgeBase(kb_run)
    with pytest.raises(KnowledgeError, match="empty"):
        kb.add("e.md", "  \n")
    with pytest.raises(KnowledgeError, match="split it"):
        kb.add("big.md", "x" * 300_000)
    with pytest.raises(KnowledgeError, match="not a run directory"):
        KnowledgeBase(tmp_path / "nothing").add("a.md", "text")
    assert safe_name("../../etc/passwd") == "passwd" and safe_name("a b?.md") == "a_b_.md"
    assert KnowledgeBase(make_run(tmp_path / "empty")).search("anything") == []


def test_retriever_answers_for_a_stalled_island_only(kb_run):
    # island 0 improved on its last evaluation; island 1's best (1.0) came 4 evaluations ago
    r = KnowledgeRetriever(kb_run, k=2, stall_evals=3)
    query = "Pack circles in a unit square to maximise the sum of radii. lattice"
    assert r(0, query) == ()
    assert r.stalled(0) == 0 and r.stalled(1) == 4
    got = r(1, query)
    assert got and got[0].startswith("[packing.md")
    assert r.last["reason"] == "stall" and r.last["chunks"][0]["doc"] == "packing.md"
    assert KnowledgeRetriever(kb_run, stall_evals=5)(1, query) == ()
    r2 = pickle.loads(pickle.dumps(r))  # holds only the run dir and settings
    assert r2.stall_evals == 3 and r2(1, query)[0].startswith("[packing.md")


def test_cold_start_programs_count_for_their_assigned_island(tmp_path):
    run = make_run(tmp_path / "run", series={-1: [9.0, 1.0], 0: [2.0, 3.0]})
    KnowledgeBase(run).add("packing.md", PACKING)
    r = KnowledgeRetriever(run, k=1, stall_evals=2)
    assert r(0, "lattice") == () and r.stalled(0) == 0  # cold programs unassigned: not counted
    db = RunDB(run / "programs.db")
    cold = [p.id for p in db.programs() if p.island == -1]
    db.set_state("cold_assignment", {cold[0]: 0, cold[1]: 1})
    db.close()
    # island 0's best is the assigned cold program (9.0): both later ones fail to improve it
    assert r(0, "hexagonal lattice")[0].startswith("[packing.md") and r.stalled(0) == 2
    assert r.stalled(1) == 0


def test_on_demand_retrieval_is_served_once(kb_run):
    kb = KnowledgeBase(kb_run)
    seq = kb.request("tiling shared memory", island=0)
    r = KnowledgeRetriever(kb_run, k=1, stall_evals=100)
    assert r(1, "anything") == ()  # the request is for island 0
    got = r(0, "circles")
    assert got and got[0].startswith("[kernels.md") and r.last["request"] == seq
    assert r(0, "circles") == ()  # served once, island 0 is not stalled
    kb.request(None, island=None)  # no query: the controller's own query, any island
    assert r(1, "hexagonal lattice")[0].startswith("[packing.md")


def test_knowledge_api(kb_run):
    c = TestClient(create_app(kb_run, TOKEN))
    h = {"X-FMAgent-Token": TOKEN, "Content-Type": "application/json"}
    r = c.post("/api/knowledge", headers=h, json={"name": "notes.md", "text": "# Notes\nuse SLSQP"})
    assert r.status_code == 200 and r.json()["chunks"] == 1
    docs = c.get("/api/knowledge", headers=h).json()["documents"]
    assert [d["name"] for d in docs][-1] == "notes.md"
    hits = c.get("/api/knowledge/search", params={"q": "boil spaghetti"}, headers=h).json()
    assert hits[0]["doc"] == "pasta.txt"
    r = c.post("/api/knowledge", headers=h, json={"name": "e.md", "text": " "})
    assert r.status_code == 400
    r = c.post("/api/knowledge/retrieve", headers=h, json={"query": "tiling", "island": 1})
    assert r.status_code == 200
    assert c.post("/api/knowledge/retrieve", headers=h, json={"island": 9}).status_code == 400
