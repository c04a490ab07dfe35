"""Prompts from a ProposalContext: system + user messages, trimmed to a token budget.

Templates are files (``string.Template``; see agent/prompts/) that a task or user overrides by
name with a ``template_dir``. Trimming keeps the parent's code whole (diffs must match it) and
cuts, in order: inspirations (last first), elites, evaluator feedback (shortened, then dropped),
retrieved knowledge. Tokens are estimated cheaply (about 3.5 characters a token, a conservative
figure for code and English); no tokenizer is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from string import Template

from agent.blocks import has_markers
from agent.proposer import ProgramView, ProposalContext

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "prompts"
_FEEDBACK_STEPS = (2000, 600, 200, 0)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 3.5)


def load_template(name: str, template_dir: str | Path | None = None) -> Template:
    """``name`` from ``template_dir`` when it has it, else the default."""
    if template_dir is not None and not Path(template_dir).is_dir():
        raise FileNotFoundError(f"template_dir {template_dir} does not exist; fix the path or "
                                "leave it out to use the default templates")
    for d in (template_dir, DEFAULT_DIR):
        if d is None:
            continue
        p = Path(d) / name
        if p.is_file():
            return Template(p.read_text())
    raise FileNotFoundError(f"no prompt template {name!r} in {template_dir or DEFAULT_DIR}")


def render(name: str, template_dir: str | Path | None = None, **values: str) -> str:
    return load_template(name, template_dir).safe_substitute(**values)


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    id: str
    tokens: int  # estimated
    edit_format: str  # "diff" or "full"
    trimmed: tuple[str, ...] = ()  # what was cut to fit the budget
    over_budget: bool = False


def prompt_id(messages: list[dict[str, str]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:16]


def choose_format(edit_mode: str, ctx: ProposalContext) -> str:
    """``diff`` or ``full`` for a context: a cold start always asks for a whole program."""
    if ctx.kind == "cold_start" or not ctx.parent.code.strip():
        return "full"
    if edit_mode in ("diff", "full"):
        return edit_mode
    return "diff" if ctx.kind == "mutation" else "full"


def _blocks_rule(code: str) -> str:
    if has_markers(code):
        return ("Only change code between the EVOLVE-BLOCK-START and EVOLVE-BLOCK-END markers; "
                "keep the markers and everything outside them exactly as they are.")
    return ""


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.10g}"


def _program(p: ProgramView, language: str, feedback_chars: int | None, show_code: bool = True,
             label: str = "") -> str:
    head = f"{label}score {_num(p.score)}" + ("" if p.error is None else " (INVALID)")
    out = [head]
    if p.metrics:
        out.append("Metrics: " + ", ".join(f"{k}={_num(v)}" for k, v in sorted(p.metrics.items())))
    if p.error:
        out.append(f"Error: {p.error[:500]}")
    fb = p.feedback.strip()
    if fb and feedback_chars != 0:
        if feedback_chars is not None and len(fb) > feedback_chars:
            fb = fb[:feedback_chars] + " [...]"
        out.append("Evaluator feedback:\n" + fb)
    if show_code:
        out.append(f"```{language}\n{p.code.rstrip()}\n```")
    return "\n".join(out)


def _section(title: str, items: list[str]) -> str:
    return f"\n## {title}\n" + "\n".join(items) + "\n" if items else ""


def build_prompt(ctx: ProposalContext, *, edit_format: str, max_tokens: int = 12000,
                 template_dir: str | Path | None = None) -> Prompt:
    """Messages for ``ctx``; ``edit_format`` is ``diff`` or ``full``."""
    template_dir = ctx.meta.get("template_dir") or template_dir
    trimmed: list[str] = []
    n_insp, n_elite, fb_i, n_know = len(ctx.inspirations), len(ctx.elites), 0, len(ctx.knowledge)
    while True:
        msgs = _messages(ctx, edit_format, template_dir, n_insp, n_elite,
                         _FEEDBACK_STEPS[fb_i], n_know)
        tokens = sum(estimate_tokens(m["content"]) for m in msgs)
        if tokens <= max_tokens:
            break
        if n_insp:
            n_insp -= 1
            trimmed.append("inspiration")
        elif n_elite:
            n_elite -= 1
            trimmed.append("elite")
        elif fb_i < len(_FEEDBACK_STEPS) - 1:
            fb_i += 1
            trimmed.append("feedback")
        elif n_know:
            n_know -= 1
            trimmed.append("knowledge")
        else:
            return Prompt(msgs, prompt_id(msgs), tokens, edit_format, tuple(trimmed), True)
    return Prompt(msgs, prompt_id(msgs), tokens, edit_format, tuple(trimmed))


def _messages(ctx: ProposalContext, edit_format: str, template_dir: str | Path | None,
              n_insp: int, n_elite: int, fb_chars: int, n_know: int) -> list[dict[str, str]]:
    lang = ctx.language
    rule = _blocks_rule(ctx.parent.code)
    direction = "maximise the score" if ctx.direction == "max" else "minimise the score"
    fmt = render(f"format_{edit_format}.txt", template_dir, language=lang, blocks_rule=rule)
    instructions = _section("Instructions from the human operator (follow them)",
                            [f"- {s}" for s in ctx.instructions])
    knowledge = _section("Knowledge that may help", [f"- {s}" for s in ctx.knowledge[:n_know]])
    elites = _section("Best programs so far", [
        _program(p, lang, 0, label=f"### Elite {i} - ") for i, p in
        enumerate(ctx.elites[:n_elite], 1)])
    insp = _section("Other programs, for inspiration", [
        _program(p, lang, 0, label=f"### Inspiration {i} - ") for i, p in
        enumerate(ctx.inspirations[:n_insp], 1)])
    parent = _program(ctx.parent, lang, fb_chars)
    second = (_program(ctx.second_parent, lang, fb_chars) if ctx.second_parent is not None
              else "")
    name = {"mutation": "mutation.txt", "crossover": "crossover.txt",
            "cold_start": "cold_start.txt"}[ctx.kind]
    if ctx.kind == "crossover" and ctx.second_parent is None:
        name = "mutation.txt"
    if ctx.kind == "cold_start":
        elites = insp = ""
    user = render(name, template_dir, statement=ctx.statement.strip(), language=lang,
                  direction_text=direction, instructions=instructions, knowledge=knowledge,
                  elites=elites, inspirations=insp, parent=parent, second_parent=second,
                  strategy=ctx.strategy or "a simple, correct baseline", format=fmt,
                  blocks_rule=rule)
    system = render("system.txt", template_dir, blocks_rule=rule)
    return [{"role": "system", "content": _tidy(system)}, {"role": "user", "content": _tidy(user)}]


def retry_message(reason: str, edit_format: str, code: str, language: str,
                  template_dir: str | Path | None = None) -> str:
    rule = _blocks_rule(code)
    fmt = render(f"format_{edit_format}.txt", template_dir, language=language, blocks_rule=rule)
    return _tidy(render("retry.txt", template_dir, reason=reason, format=fmt))


def _tidy(s: str) -> str:
    """Collapse runs of blank lines left by empty sections, never inside a fenced block."""
    out: list[str] = []
    fenced = False
    for ln in s.splitlines():
        if ln.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and not ln.strip() and out and not out[-1].strip():
            continue
        out.append(ln)
    return "\n".join(out).strip() + "\n"
