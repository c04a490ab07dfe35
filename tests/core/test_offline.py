import random

from agent.blocks import find_blocks, outside_blocks
from agent.offline import OfflineProposer, numeric_literals
from agent.proposer import ProgramView, ProposalContext

CODE = '''import math
K = 3  # outside the block: never touched

# EVOLVE-BLOCK-START
def params():
    s = "keep 123 in strings"  # and 456 in comments
    return [0.5, 1.25, 3, 2e-3]
# EVOLVE-BLOCK-END

def run():
    return params()
'''


def ctx(code=CODE, seed=0, kind="mutation", second=None):
    view = ProgramView(id="p", code=code, fitness=1.0, score=1.0)
    return ProposalContext(task_id="t", statement="", language="python", direction="max",
                           parent=view, kind=kind, seed=seed,
                           second_parent=ProgramView(id="q", code=second, fitness=0, score=0)
                           if second else None)


def test_literals_skip_strings_and_comments():
    body = find_blocks(CODE)[0].text(CODE)
    lits = [m.group(0) for m in numeric_literals(body)]
    assert lits == ["0.5", "1.25", "3", "2e-3"]


def test_mutation_changes_only_block_numbers_and_is_deterministic():
    p = OfflineProposer()
    outs = [p.propose_sync(ctx(seed=s)).code for s in range(30)]
    assert all(o is not None for o in outs)
    assert all(outside_blocks(o) == outside_blocks(CODE) for o in outs)
    assert len(set(outs)) > 20  # real variation
    assert p.propose_sync(ctx(seed=7)).code == p.propose_sync(ctx(seed=7)).code
    for o in outs:  # children still compile
        compile(o, "child", "exec")


def test_crossover_mixes_lines_of_two_parents():
    other = CODE.replace("[0.5, 1.25, 3, 2e-3]", "[9.5, 9.25, 9, 9e-3]").replace(
        "def params():", "def params():  # variant")
    p = OfflineProposer()
    children = {p.crossover(CODE, other, random.Random(s)) for s in range(20)}
    assert any("9.5" in c for c in children) and any("0.5" in c for c in children)


def test_no_literal_means_no_proposal():
    code = "# EVOLVE-BLOCK-START\ndef f():\n    return x\n# EVOLVE-BLOCK-END\n"
    prop = OfflineProposer(edit_rate=0).propose_sync(ctx(code=code))
    assert prop.code is None and "no editable literal" in prop.error


def test_unbalanced_markers_are_reported_not_crashing():
    code = "# EVOLVE-BLOCK-START\nx = 1\n"
    prop = OfflineProposer().propose_sync(ctx(code=code))
    assert prop.code is None and "EVOLVE-BLOCK" in prop.error
