"""Turn an LLM reply into child code: SEARCH/REPLACE diffs or a full rewrite.

Diffs apply only inside EVOLVE blocks when the program has markers: each edit is applied to a
block *body*, so marker lines and the code outside the blocks cannot be touched (the failure seen
in peers, where a patch corrupts the code around a marker). A match is tried exactly first, then
line by line ignoring trailing whitespace, then ignoring indentation (the replacement is
re-indented by the difference). A full rewrite that keeps the markers is spliced block by block
into the parent, so code outside the blocks stays the parent's. Every failure is an
:class:`EditError` whose message is written to be fed back to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.blocks import find_blocks, has_markers, outside_blocks

_SEARCH = re.compile(r"^[ \t]*<{5,}[ \t]*SEARCH[ \t]*$", re.M)
_DIVIDER = re.compile(r"^[ \t]*={5,}[ \t]*$", re.M)
_REPLACE = re.compile(r"^[ \t]*>{5,}[ \t]*REPLACE[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
_MARKER = re.compile(r"^[ \t]*(#|//|--|;)[ \t]*EVOLVE-BLOCK-(START|END).*$")


class EditError(ValueError):
    """A reply that cannot become code. ``kind`` is ``parse`` or ``apply``."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Edit:
    search: str
    replace: str


@dataclass(frozen=True)
class Applied:
    code: str
    kind: str  # "diff" or "full"
    n_edits: int = 0
    fuzzy: int = 0  # edits that needed the whitespace-tolerant match


def parse_diffs(text: str) -> list[Edit]:
    """Every SEARCH/REPLACE block of ``text``, in order. Raises on a malformed block."""
    edits: list[Edit] = []
    pos = 0
    while True:
        s = _SEARCH.search(text, pos)
        if not s:
            break
        d = _DIVIDER.search(text, s.end())
        r = _REPLACE.search(text, s.end())
        if not d or not r or r.start() < d.start():
            raise EditError("parse", f"SEARCH/REPLACE block {len(edits) + 1} is not closed: "
                            "each block needs '<<<<<<< SEARCH', '=======' and '>>>>>>> REPLACE' "
                            "lines, in that order")
        nxt = _SEARCH.search(text, s.end())
        if nxt and nxt.start() < r.start():
            raise EditError("parse", f"SEARCH/REPLACE block {len(edits) + 1} has no "
                            "'>>>>>>> REPLACE' line before the next '<<<<<<< SEARCH'")
        edits.append(Edit(_body(text, s.end(), d.start()), _body(text, d.end(), r.start())))
        pos = r.end()
    return edits


def _body(text: str, a: int, b: int) -> str:
    """The lines strictly between two marker lines, with their final newline."""
    chunk = text[a:b]
    if chunk.startswith("\n"):
        chunk = chunk[1:]
    return chunk


def parse_full(text: str, language: str = "python") -> str | None:
    """The program in a fenced code block: the one tagged with ``language``, else the longest."""
    blocks = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]
    if not blocks:
        return None
    lang = language.lower()
    tagged = [b for t, b in blocks if t in (lang, _ALIASES.get(lang, lang))]
    return max(tagged or [b for _, b in blocks], key=len)


def _unfenced(text: str, language: str) -> str | None:
    """Code a (small) model gave without a closing fence, or with no fence at all.

    An opening fence with no closing one (a reply cut by max_tokens) yields what follows it; a
    reply with no fence counts as code only when it is Python that compiles and defines
    something, which prose never does.
    """
    m = re.search(r"^[ \t]*```[\w+#.-]*[ \t]*\n", text, re.M)
    if m:
        return text[m.end():]
    if language == "python" and re.search(r"^(def|class|import|from)\s", text, re.M):
        try:
            compile(text, "<reply>", "exec")
        except (SyntaxError, ValueError):
            return None
        return text
    return None


_ALIASES = {"python": "py", "cpp": "c++", "c++": "cpp"}


def apply_reply(code: str, reply: str, language: str = "python") -> Applied:
    """The child code a reply asks for. Diffs win over a fenced block when both are present."""
    edits = parse_diffs(reply)
    if edits:
        return apply_diffs(code, edits, language)
    full = parse_full(reply, language)
    if full is None:
        full = _unfenced(reply, language)
    if full is None:
        raise EditError("parse", "found neither SEARCH/REPLACE blocks nor a fenced code block "
                        "(```" + language + " ... ```) in the reply")
    return apply_full(code, full, language)


def apply_diffs(code: str, edits: list[Edit], language: str = "python") -> Applied:
    marked = has_markers(code)
    fuzzy = 0
    new = code
    for i, e in enumerate(edits, 1):
        search, replace = _strip_markers(e, i)
        if not search.strip():
            raise EditError("apply", f"edit {i}: the SEARCH section is empty; copy the exact "
                            "lines to change from the current program")
        done = False
        for b in find_blocks(new):
            body = b.text(new)
            out, how = _replace_once(body, search, replace)
            if out is not None:
                new = new[:b.start] + out + new[b.end:]
                fuzzy += how != "exact"
                done = True
                break
        if not done:
            where = ("inside the EVOLVE blocks" if marked else "in the program")
            hint = ""
            if marked and _replace_once(new, search, replace)[0] is not None:
                hint = ("; that text lies outside the EVOLVE blocks, which must not change: "
                        "edit only code between EVOLVE-BLOCK-START and EVOLVE-BLOCK-END")
            raise EditError("apply", f"edit {i}: SEARCH text not found {where}{hint}. "
                            f"First SEARCH line: {_first_line(search)!r}. Copy the lines "
                            "exactly from the current program")
    _check(code, new, language)
    return Applied(new, "diff", len(edits), fuzzy)


def apply_full(code: str, rewrite: str, language: str = "python") -> Applied:
    if not rewrite.endswith("\n") and code.endswith("\n"):
        rewrite += "\n"
    if not has_markers(code):
        new = rewrite
    elif has_markers(rewrite):
        try:
            old_b, new_b = find_blocks(code), find_blocks(rewrite)
        except ValueError as e:
            raise EditError("apply", f"the rewrite's EVOLVE markers are broken: {e}") from None
        if len(old_b) != len(new_b):
            raise EditError("apply", f"the rewrite has {len(new_b)} EVOLVE blocks, the program "
                            f"has {len(old_b)}; keep every EVOLVE-BLOCK-START/END marker")
        new = code
        for i in reversed(range(len(old_b))):  # back to front: earlier offsets stay valid
            b = old_b[i]
            new = new[:b.start] + _nl(new_b[i].text(rewrite)) + new[b.end:]
    else:
        new = _splice_unmarked(code, rewrite)
    _check(code, new, language)
    return Applied(new, "full")


def _splice_unmarked(code: str, rewrite: str) -> str:
    """A rewrite without markers, for a program with one EVOLVE block.

    Either the rewrite is the whole program (its start matches the code before the block and
    its end the code after it: the middle is the new block), or it is only the block's body.
    """
    blocks = find_blocks(code)
    if len(blocks) != 1:
        raise EditError("apply", f"the rewrite dropped the EVOLVE markers and the program has "
                        f"{len(blocks)} blocks; return the full program with every marker kept")
    b = blocks[0]
    pre = _lines(code[:b.start])[:-1]  # without the START marker line
    post = _lines(code[b.end:])[1:]  # without the END marker line
    lines = rewrite.splitlines(keepends=True)
    norm = [ln.strip() for ln in lines]
    pre_n = [ln.strip() for ln in pre if ln.strip()]
    post_n = [ln.strip() for ln in post if ln.strip()]
    i = _match_prefix(norm, pre_n)
    j = _match_suffix(norm, post_n)
    found_pre, found_post = bool(pre_n) and i is not None, bool(post_n) and j is not None
    if not found_pre and not found_post:
        return code[:b.start] + _nl(rewrite) + code[b.end:]  # the body alone
    if (pre_n and i is None) or (post_n and j is None) or (i or 0) > (j if j is not None
                                                                     else len(lines)):
        raise EditError("apply", "the rewrite dropped the EVOLVE markers and changed code "
                        "outside the block; return the full program with the markers, changing "
                        "only code between EVOLVE-BLOCK-START and EVOLVE-BLOCK-END")
    body = "".join(lines[i or 0:j if j is not None else len(lines)])
    return code[:b.start] + _nl(body) + code[b.end:]


def _match_prefix(lines: list[str], want: list[str]) -> int | None:
    """Index just after ``want`` (blank lines skipped) matched from the start of ``lines``."""
    k = 0
    for idx, ln in enumerate(lines):
        if k == len(want):
            return idx
        if not ln:
            continue
        if ln != want[k]:
            return None
        k += 1
    return len(lines) if k == len(want) else None


def _match_suffix(lines: list[str], want: list[str]) -> int | None:
    r = _match_prefix(lines[::-1], want[::-1])
    return None if r is None else len(lines) - r


def _lines(s: str) -> list[str]:
    return s.splitlines(keepends=True)


def _nl(s: str) -> str:
    return s if not s or s.endswith("\n") else s + "\n"


def _strip_markers(e: Edit, i: int) -> tuple[str, str]:
    """Drop EVOLVE marker lines a model copied into an edit; they are never edited."""
    s = [ln for ln in e.search.splitlines(keepends=True) if not _MARKER.match(ln)]
    r = [ln for ln in e.replace.splitlines(keepends=True) if not _MARKER.match(ln)]
    ns = sum(bool(_MARKER.match(ln)) for ln in e.search.splitlines())
    nr = sum(bool(_MARKER.match(ln)) for ln in e.replace.splitlines())
    if nr > ns:
        raise EditError("apply", f"edit {i}: the REPLACE section adds an EVOLVE marker; "
                        "markers must not be added, moved or removed")
    return "".join(s), "".join(r)


def _replace_once(body: str, search: str, replace: str) -> tuple[str | None, str]:
    """``body`` with the first occurrence of ``search`` replaced, or (None, "")."""
    k = body.find(search)
    while k > 0 and body[k - 1] != "\n":  # only at a line start: "x = 1" is not in "max = 1"
        k = body.find(search, k + 1)
    if k >= 0:
        return body[:k] + replace + body[k + len(search):], "exact"
    blines = body.splitlines(keepends=True)
    slines = search.splitlines()
    while slines and not slines[-1].strip():
        slines.pop()
    while slines and not slines[0].strip():
        slines.pop(0)
    if not slines:
        return None, ""
    n = len(slines)
    for mode in ("rstrip", "strip"):
        f = str.rstrip if mode == "rstrip" else str.strip
        want = [f(x) for x in slines]
        for a in range(len(blines) - n + 1):
            if [f(x.rstrip("\n")) for x in blines[a:a + n]] == want:
                rep = replace
                if mode == "strip":
                    rep = _reindent(replace, _indent(slines[0]), _indent(blines[a]))
                rep = _nl(rep) if rep else rep
                return "".join(blines[:a]) + rep + "".join(blines[a + n:]), mode
    return None, ""


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _reindent(text: str, old: str, new: str) -> str:
    out = []
    for ln in text.splitlines(keepends=True):
        if ln.strip() and ln.startswith(old):
            out.append(new + ln[len(old):])
        else:
            out.append(ln)
    return "".join(out)


def _first_line(s: str) -> str:
    for ln in s.splitlines():
        if ln.strip():
            return ln.strip()[:120]
    return ""


def _check(old: str, new: str, language: str) -> None:
    if new == old:
        raise EditError("apply", "the edit leaves the program unchanged; change something")
    if has_markers(old):
        try:
            same = len(find_blocks(new)) == len(find_blocks(old)) and \
                outside_blocks(new) == outside_blocks(old)
        except ValueError:
            same = False
        if not same:  # a guard: an applier must never touch code outside the blocks
            raise EditError("apply", "the edit would change code outside the EVOLVE blocks")
    if language == "python":
        try:
            compile(new, "<candidate>", "exec")
        except SyntaxError as e:
            raise EditError("apply", f"the edited program is not valid Python: {e.msg} at line "
                            f"{e.lineno}: {(e.text or '').strip()[:120]!r}") from None
