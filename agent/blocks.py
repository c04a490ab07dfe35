"""EVOLVE blocks: the regions of a program that proposers may change.

Markers are the convention users bring from AlphaEvolve/OpenEvolve/FM-Agent examples:
``# EVOLVE-BLOCK-START`` ... ``# EVOLVE-BLOCK-END`` (``//`` comments in C-like languages).
A program without markers is one block: the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = re.compile(r"^[ \t]*(#|//|--|;)[ \t]*EVOLVE-BLOCK-START.*$", re.M)
_END = re.compile(r"^[ \t]*(#|//|--|;)[ \t]*EVOLVE-BLOCK-END.*$", re.M)


@dataclass(frozen=True)
class Block:
    start: int  # character offset of the block body (after the start marker's line)
    end: int  # character offset of the end marker's line

    def text(self, code: str) -> str:
        return code[self.start:self.end]


def find_blocks(code: str) -> list[Block]:
    """The EVOLVE blocks of ``code`` in order; the whole file when there are no markers."""
    blocks: list[Block] = []
    pos = 0
    while True:
        m = _START.search(code, pos)
        if not m:
            break
        body = m.end() + 1 if m.end() < len(code) and code[m.end()] == "\n" else m.end()
        e = _END.search(code, body)
        if not e:
            raise ValueError("EVOLVE-BLOCK-START without a matching EVOLVE-BLOCK-END")
        blocks.append(Block(body, e.start()))
        pos = e.end()
    if not blocks:
        if _END.search(code):
            raise ValueError("EVOLVE-BLOCK-END without a matching EVOLVE-BLOCK-START")
        return [Block(0, len(code))]
    return blocks


def has_markers(code: str) -> bool:
    return bool(_START.search(code))


def replace_block(code: str, index: int, new_body: str) -> str:
    """``code`` with block ``index``'s body replaced; markers and everything outside kept."""
    b = find_blocks(code)[index]
    if new_body and not new_body.endswith("\n") and b.end < len(code):
        new_body += "\n"
    return code[:b.start] + new_body + code[b.end:]


def outside_blocks(code: str) -> str:
    """Everything that must not change: the code with every block body removed."""
    parts, pos = [], 0
    for b in find_blocks(code):
        parts.append(code[pos:b.start])
        pos = b.end
    parts.append(code[pos:])
    return "\x00".join(parts)
