"""SEARCH/REPLACE and full-rewrite application, including the failure modes seen in peers."""

import pytest

from agent.blocks import outside_blocks
from agent.llm.edits import EditError, apply_reply, parse_diffs, parse_full

PROG = '''import math

N = 3


# EVOLVE-BLOCK-START
def f(x):
    a = 1.5
    b = 2
    return a * x + b


def g(x):
    return f(x) ** 2
# EVOLVE-BLOCK-END


def run():
    return [f(i) for i in range(N)]
'''

TWO = '''X = 1
# EVOLVE-BLOCK-START
A = 1
# EVOLVE-BLOCK-END
Y = 2
# EVOLVE-BLOCK-START
B = 2
# EVOLVE-BLOCK-END
'''


def diff(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def test_one_diff_exact():
    out = apply_reply(PROG, "Idea.\n" + diff("    a = 1.5", "    a = 1.75"))
    assert "a = 1.75" in out.code and "a = 1.5" not in out.code
    assert out.kind == "diff" and out.n_edits == 1 and out.fuzzy == 0
    assert outside_blocks(out.code) == outside_blocks(PROG)


def test_several_diffs_in_one_reply_and_in_a_fence():
    reply = "```\n" + diff("    a = 1.5", "    a = 3.0") + "```\nand\n" + diff(
        "def g(x):\n    return f(x) ** 2", "def g(x):\n    return f(x) ** 3")
    out = apply_reply(PROG, reply)
    assert out.n_edits == 2 and "a = 3.0" in out.code and "** 3" in out.code


def test_whitespace_tolerant_match_reindents():
    # the model lost the indentation and added trailing spaces
    out = apply_reply(PROG, diff("a = 1.5   \nb = 2", "a = 0.5\nb = 4"))
    assert "    a = 0.5\n    b = 4\n" in out.code and out.fuzzy == 1


def test_search_outside_blocks_is_refused_with_a_reason():
    with pytest.raises(EditError) as e:
        apply_reply(PROG, diff("N = 3", "N = 4"))
    assert e.value.kind == "apply" and "outside the EVOLVE blocks" in e.value.reason


def test_search_not_found():
    with pytest.raises(EditError) as e:
        apply_reply(PROG, diff("    c = 7", "    c = 8"))
    assert "not found" in e.value.reason and "c = 7" in e.value.reason


def test_markers_copied_into_edit_are_kept_not_corrupted():
    reply = diff("# EVOLVE-BLOCK-START\ndef f(x):\n    a = 1.5",
                 "# EVOLVE-BLOCK-START\ndef f(x):\n    a = 9.5")
    out = apply_reply(PROG, reply)
    assert out.code.count("EVOLVE-BLOCK-START") == 1 and "a = 9.5" in out.code
    assert outside_blocks(out.code) == outside_blocks(PROG)


def test_edit_that_adds_a_marker_is_refused():
    with pytest.raises(EditError, match="marker"):
        apply_reply(PROG, diff("    b = 2", "    b = 2\n# EVOLVE-BLOCK-END\nZ = 1"))


def test_edit_across_the_end_marker_cannot_touch_outside():
    with pytest.raises(EditError):
        apply_reply(PROG, diff("    return f(x) ** 2\n# EVOLVE-BLOCK-END\n\n\ndef run():",
                               "    return 0\n\n\ndef run2():"))


def test_second_block_is_edited():
    out = apply_reply(TWO, diff("B = 2", "B = 5"))
    assert "B = 5" in out.code and "Y = 2" in out.code


def test_unclosed_block_is_a_parse_error():
    with pytest.raises(EditError) as e:
        apply_reply(PROG, "<<<<<<< SEARCH\n    a = 1.5\n=======\n    a = 2\n")
    assert e.value.kind == "parse"


def test_garbage_is_a_parse_error():
    with pytest.raises(EditError) as e:
        apply_reply(PROG, "I think you should use a better algorithm.")
    assert e.value.kind == "parse" and "neither" in e.value.reason


def test_noop_and_syntax_error_are_apply_errors():
    with pytest.raises(EditError, match="unchanged"):
        apply_reply(PROG, diff("    a = 1.5", "    a = 1.5"))
    with pytest.raises(EditError, match="not valid Python"):
        apply_reply(PROG, diff("    a = 1.5", "    a = (1.5"))


def test_empty_search_refused():
    with pytest.raises(EditError, match="empty"):
        parse_and_apply = apply_reply(PROG, "<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE\n")
        del parse_and_apply


def test_parse_diffs_keeps_blank_lines_and_order():
    edits = parse_diffs(diff("a\n\nb", "c") + diff("d", "e"))
    assert [(e.search, e.replace) for e in edits] == [("a\n\nb\n", "c\n"), ("d\n", "e\n")]


def test_full_rewrite_with_markers_splices_only_blocks():
    rewrite = PROG.replace("a = 1.5", "a = 2.5").replace("import math", "import os")
    out = apply_reply(PROG, f"Here:\n```python\n{rewrite}```\n")
    assert out.kind == "full" and "a = 2.5" in out.code
    assert "import math" in out.code and "import os" not in out.code  # outside kept


def test_full_rewrite_without_markers_whole_program():
    rewrite = PROG.replace("# EVOLVE-BLOCK-START\n", "").replace("# EVOLVE-BLOCK-END\n", "")
    rewrite = rewrite.replace("b = 2", "b = 7")
    out = apply_reply(PROG, f"```python\n{rewrite}```")
    assert "b = 7" in out.code and out.code.count("EVOLVE-BLOCK") == 2
    assert outside_blocks(out.code) == outside_blocks(PROG)


def test_full_rewrite_body_only():
    body = "def f(x):\n    return x\n\n\ndef g(x):\n    return 1\n"
    out = apply_reply(PROG, f"```python\n{body}```")
    assert "return x" in out.code and "import math" in out.code and "def run" in out.code


def test_full_rewrite_changing_outside_without_markers_refused():
    rewrite = PROG.replace("# EVOLVE-BLOCK-START\n", "").replace("# EVOLVE-BLOCK-END\n", "")
    rewrite = rewrite.replace("N = 3", "N = 30").replace("b = 2", "b = 7")
    with pytest.raises(EditError, match="outside"):
        apply_reply(PROG, f"```python\n{rewrite}```")


def test_full_rewrite_block_count_mismatch():
    with pytest.raises(EditError, match="EVOLVE blocks"):
        apply_reply(TWO, "```python\nX = 1\n# EVOLVE-BLOCK-START\nA = 3\n# EVOLVE-BLOCK-END\n```")


def test_program_without_markers_takes_full_rewrite_and_diffs():
    code = "def f():\n    return 1\n"
    assert apply_reply(code, "```python\ndef f():\n    return 2\n```").code == \
        "def f():\n    return 2\n"
    assert "return 3" in apply_reply(code, diff("    return 1", "    return 3")).code


def test_parse_full_prefers_language_tag_then_longest():
    text = "```text\nsome long explanation that is long\n```\n```python\nx = 1\n```"
    assert parse_full(text, "python") == "x = 1\n"
    assert parse_full("```\nab\n```\n```\nabcd\n```", "python") == "abcd\n"


def test_unfenced_code_and_cut_off_fence():
    code = "def f():\n    return 1\n"
    assert apply_reply(code, "def f():\n    return 5\n").code == "def f():\n    return 5\n"
    with pytest.raises(EditError, match="not valid Python"):  # cut by max_tokens
        apply_reply(code, "Here:\n```python\ndef f():\n    return (5,\n")
    with pytest.raises(EditError) as e:
        apply_reply(code, "from my point of view you should return 5")
    assert e.value.kind == "parse"


def test_exact_match_only_at_line_start():
    code = "def f():\n    max_r = 1\n    r = 1\n    return max_r + r\n"
    out = apply_reply(code, diff("r = 1", "r = 2"))
    assert out.code == "def f():\n    max_r = 1\n    r = 2\n    return max_r + r\n"
