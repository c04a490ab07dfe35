"""A tiny document model (headings, paragraphs, tables, images) rendered to Markdown and HTML.

Reports build one :class:`Doc` and write it twice, so the Markdown and the static HTML page
always show the same numbers.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Sequence, Union


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""


@dataclass
class Image:
    path: str  # relative to the document
    alt: str


@dataclass
class Link:
    """A table cell that links to another file of the report."""

    text: str
    href: str


@dataclass
class Bullets:
    items: list[str]


Block = Union[Heading, Para, Table, Image, Bullets]


@dataclass
class Doc:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def h(self, text: str, level: int = 2) -> None:
        self.blocks.append(Heading(text, level))

    def p(self, text: str) -> None:
        self.blocks.append(Para(text))

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              caption: str = "") -> None:
        self.blocks.append(Table(list(columns), [list(r) for r in rows], caption))

    def image(self, path: str, alt: str) -> None:
        self.blocks.append(Image(path, alt))

    def bullets(self, items: Sequence[str]) -> None:
        self.blocks.append(Bullets(list(items)))


def fmt(v: Any, digits: int | None = 6) -> str:
    """Numbers in tables: up to ``digits`` significant digits (None: shortest exact form);
    None/NaN as a dash."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return repr(v) if digits is None else f"{v:.{digits}g}"
    return str(v)


def _md_cell(v: Any) -> str:
    if isinstance(v, Link):
        return f"[{v.text}]({v.href})"
    return fmt(v).replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: Doc) -> str:
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += ["#" * max(2, min(b.level, 6)) + " " + b.text, ""]
        elif isinstance(b, Para):
            out += [b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"- {x}" for x in b.items] + [""]
        elif isinstance(b, Image):
            out += [f"![{b.alt}]({b.path})", ""]
        elif isinstance(b, Table):
            if b.caption:
                out += [f"*{b.caption}*", ""]
            out.append("| " + " | ".join(_md_cell(c) for c in b.columns) + " |")
            out.append("|" + "---|" * len(b.columns))
            for r in b.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;
padding:.25em .6em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{
text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}caption{text-align:left;
font-style:italic;padding:.3em 0}code{background:#f6f6f6}"""


def _html_cell(v: Any) -> str:
    if isinstance(v, Link):
        return f"<a href='{html.escape(v.href)}'>{html.escape(v.text)}</a>"
    return html.escape(fmt(v))


def to_html(doc: Doc) -> str:
    e = html.escape
    out = ["<!doctype html>", "<html><head><meta charset='utf-8'>",
           f"<title>{e(doc.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(doc.title)}</h1>"]
    for b in doc.blocks:
        if isinstance(b, Heading):
            lv = max(2, min(b.level, 6))
            out.append(f"<h{lv}>{e(b.text)}</h{lv}>")
        elif isinstance(b, Para):
            out.append(f"<p>{e(b.text)}</p>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in b.items) + "</ul>")
        elif isinstance(b, Image):
            out.append(f"<p><img src='{e(b.path)}' alt='{e(b.alt)}'></p>")
        elif isinstance(b, Table):
            out.append("<table>")
            if b.caption:
                out.append(f"<caption>{e(b.caption)}</caption>")
            out.append("<tr>" + "".join(f"<th>{e(fmt(c))}</th>" for c in b.columns) + "</tr>")
            for r in b.rows:
                out.append("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in r) + "</tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
