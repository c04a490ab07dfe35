"""Prompt building: sections, variants, trimming, template overrides, prompt ids."""

import pytest

from agent.llm.prompts import build_prompt, choose_format, estimate_tokens, retry_message
from agent.proposer import ProgramView, ProposalContext

CODE = "# EVOLVE-BLOCK-START\nx = 1\n\n\n\ny = 2\n# EVOLVE-BLOCK-END\nprint(x)\n"


def view(i, code=CODE, score=1.0, feedback="", error=None):
    return ProgramView(f"p{i}", code, score, score, {"score": score}, feedback, error)


def ctx(**kw):
    base = dict(task_id="t", statement="Find x.", language="python", direction="min",
                parent=view(0, feedback="F" * 3000))
    base.update(kw)
    return ProposalContext(**base)


def user(p):
    return p.messages[1]["content"]


def test_mutation_has_every_section_and_keeps_code_exact():
    c = ctx(inspirations=(view(1, score=0.5),), elites=(view(2, score=0.1),),
            instructions=("try numpy",), knowledge=("lattices help",))
    p = build_prompt(c, edit_format="diff")
    u = user(p)
    for s in ("Find x.", "minimise", "try numpy", "lattices help", "Elite 1", "Inspiration 1",
              "score 0.5", "## Current program", "SEARCH", "EVOLVE-BLOCK-START"):
        assert s in u, s
    assert "x = 1\n\n\n\ny = 2" in u  # blank lines inside code are never collapsed
    assert p.messages[0]["role"] == "system" and "EVOLVE" in p.messages[0]["content"]
    assert p.id == build_prompt(c, edit_format="diff").id and len(p.id) == 16
    assert p.id != build_prompt(c, edit_format="full").id


def test_invalid_parent_shows_error():
    u = user(build_prompt(ctx(parent=view(0, score=None, error="IndexError: boom")),
                          edit_format="diff"))
    assert "INVALID" in u and "IndexError: boom" in u


def test_crossover_and_cold_start_variants():
    u = user(build_prompt(ctx(kind="crossover", second_parent=view(9, code="z = 3\n")),
                          edit_format="full"))
    assert "Second parent" in u and "z = 3" in u and "```python" in u
    cs = user(build_prompt(ctx(kind="cold_start", strategy="metaheuristic",
                               inspirations=(view(1),)), edit_format="full"))
    assert "metaheuristic" in cs and "Inspiration" not in cs
    assert choose_format("auto", ctx()) == "diff"
    assert choose_format("auto", ctx(kind="cold_start")) == "full"
    assert choose_format("full", ctx()) == "full"
    assert choose_format("diff", ctx(kind="cold_start")) == "full"
    assert choose_format("diff", ctx(kind="crossover", second_parent=view(9))) == "diff"


def test_trimming_order_inspirations_then_feedback():
    insp = tuple(view(i, code="w = 0\n" * 200) for i in range(1, 5))
    c = ctx(inspirations=insp, knowledge=("k" * 400,))
    full = build_prompt(c, edit_format="diff", max_tokens=100000)
    assert full.trimmed == () and not full.over_budget
    no_insp = build_prompt(c, edit_format="diff", max_tokens=full.tokens - 500)
    assert set(no_insp.trimmed) == {"inspiration"} and no_insp.tokens <= full.tokens - 500
    small = build_prompt(c, edit_format="diff", max_tokens=700)
    assert small.trimmed[:4] == ("inspiration",) * 4 and "feedback" in small.trimmed
    assert "Inspiration" not in user(small) and CODE.strip() in user(small)
    tiny = build_prompt(c, edit_format="diff", max_tokens=256)
    assert tiny.over_budget and "x = 1" in user(tiny)  # the parent's code is never cut


def test_template_override(tmp_path):
    (tmp_path / "mutation.txt").write_text("CUSTOM ${statement} ${parent} ${format}")
    p = build_prompt(ctx(), edit_format="diff", template_dir=str(tmp_path))
    assert user(p).startswith("CUSTOM Find x.")
    assert "expert programmer" in p.messages[0]["content"]  # other files stay default
    per_task = build_prompt(ctx(meta={"template_dir": str(tmp_path)}), edit_format="diff")
    assert user(per_task).startswith("CUSTOM")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_prompt(ctx(), edit_format="diff", template_dir=str(tmp_path / "nope"))


def test_retry_message_and_estimate():
    m = retry_message("SEARCH text not found", "diff", CODE, "python")
    assert "SEARCH text not found" in m and "REPLACE" in m
    assert estimate_tokens("a" * 35) == 10
