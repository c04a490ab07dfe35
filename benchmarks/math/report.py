"""Build the math results table from run directories: seed value, best value, references, gap.

    python -m benchmarks.math.report RUN_DIR [RUN_DIR ...] --out results/math/README.md

Each run directory holds a ``summary.json`` (written by the engine at the end of a run)::

    {"task_id": "math/<name>", "seed": int, "evaluations": int, "best_score": float | null,
     "seed_score": float | null, "best_program": "best_program.py", "wall_s": float,
     "config": {...}, "machine": {...}}

``config`` and ``machine`` may instead come from the run's ``manifest.json`` (``config`` and
``provenance.machine``, as ``fmagent run`` writes them). A ``task_version`` that differs from the
problem's current version is marked in the table: such a run measured a different problem.

Scores are raw objectives in the problem's own direction. Several runs of one problem (different
seeds) are aggregated: the table shows the best and the median over runs, and how many runs and
which seeds. The gap is measured against the best known value of the problem's reference table:
``100 * (best_known - best) / |best_known|`` when maximising, ``100 * (best - best_known) /
|best_known|`` when minimising, so a positive gap is how far the run is behind the literature and
a negative gap means the run claims to beat it (check it: the report marks it).
Nothing in the output is typed in: every number comes from a summary or from the problem
definitions in ``benchmarks/math/problems``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from benchmarks.math.problem import MathProblem, all_problems

REQUIRED = ("task_id", "seed", "evaluations", "best_score", "seed_score", "wall_s")


class ReportError(ValueError):
    """A run directory or summary that cannot be reported; the message says which and why."""


@dataclass
class Run:
    path: Path
    problem: str
    seed: int
    evaluations: int
    best_score: float | None
    seed_score: float | None
    wall_s: float
    config: dict[str, Any]
    machine: dict[str, Any]
    best_program: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _num(d: dict[str, Any], key: str, where: Path, allow_none: bool = False) -> Any:
    v = d.get(key)
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ReportError(f"{where}: field {key!r} must be a finite number"
                          f"{' or null' if allow_none else ''}, got {v!r}")
    return v


def load_run(run_dir: Path, problems: dict[str, MathProblem]) -> Run:
    path = Path(run_dir)
    f = path / "summary.json" if path.is_dir() else path
    if not f.is_file():
        raise ReportError(f"{path}: no summary.json here (pass run directories written by "
                          "`fmagent run`)")
    try:
        d = json.loads(f.read_text())
    except (OSError, ValueError) as e:
        raise ReportError(f"{f}: not readable JSON ({e})") from e
    if not isinstance(d, dict):
        raise ReportError(f"{f}: expected a JSON object")
    missing = [k for k in REQUIRED if k not in d]
    if missing:
        raise ReportError(f"{f}: missing field(s) {', '.join(missing)}")
    tid = d["task_id"]
    if not isinstance(tid, str) or not tid.startswith("math/"):
        raise ReportError(f"{f}: task_id {tid!r} is not a math task (expected 'math/<name>')")
    name = tid.split("/", 1)[1]
    if name not in problems:
        raise ReportError(f"{f}: unknown math problem {name!r} (known: "
                          f"{', '.join(sorted(problems))})")
    config, machine = d.get("config"), d.get("machine")
    man = f.parent / "manifest.json"
    if (config is None or machine is None) and man.is_file():
        try:
            m = json.loads(man.read_text())
        except (OSError, ValueError) as e:
            raise ReportError(f"{man}: not readable JSON ({e})") from e
        if config is None:
            config = m.get("config")
        if machine is None:
            machine = (m.get("provenance") or {}).get("machine")
    if not isinstance(config, dict) or not isinstance(machine, dict):
        raise ReportError(f"{f}: config and machine must be JSON objects, in summary.json or in "
                          "manifest.json (config, provenance.machine) beside it")
    d = {**d, "config": config, "machine": machine}
    known = set(REQUIRED) | {"best_program", "config", "machine"}
    return Run(path=path, problem=name, seed=int(_num(d, "seed", f)),
               evaluations=int(_num(d, "evaluations", f)),
               best_score=_num(d, "best_score", f, allow_none=True),
               seed_score=_num(d, "seed_score", f, allow_none=True),
               wall_s=float(_num(d, "wall_s", f)), config=d["config"], machine=d["machine"],
               best_program=d.get("best_program"),
               extra={k: v for k, v in d.items() if k not in known})


def gap_percent(best: float | None, best_known: float | None, direction: str) -> float | None:
    """How far ``best`` is behind ``best_known``, in percent of |best_known| (negative: ahead)."""
    if best is None or best_known is None or best_known == 0:
        return None
    diff = (best_known - best) if direction == "max" else (best - best_known)
    return 100.0 * diff / abs(best_known)


def _fmt(v: float | None, digits: int = 12) -> str:
    if v is None:
        return "—"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def _short(v: Any, limit: int = 80) -> str:
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _better(direction: str):
    return max if direction == "max" else min


def _budget(runs: Sequence[Run]) -> str:
    """Evaluations done per run, and the configured budget when the config states one."""
    evals = "/".join(str(e) for e in sorted({r.evaluations for r in runs}))
    caps = set()
    for r in runs:
        stop = r.config.get("stop")
        cap = stop.get("max_evals") if isinstance(stop, dict) else None
        if cap is None:
            cap = r.config.get("max_evaluations")
        if cap is not None:
            caps.add(str(cap))
    return evals + (f" (budget {'/'.join(sorted(caps))})" if caps else "")


def _machine_key(m: dict[str, Any]) -> str:
    return json.dumps(m, sort_keys=True)


def render(runs: Sequence[Run], problems: dict[str, MathProblem], command: str) -> str:
    by_problem: dict[str, list[Run]] = {}
    for r in runs:
        by_problem.setdefault(r.problem, []).append(r)
    machines: dict[str, int] = {}
    for r in runs:
        machines.setdefault(_machine_key(r.machine), len(machines) + 1)

    out = ["# Math benchmark results", "",
           f"Generated by `{command}` from {len(runs)} run summar{'y' if len(runs) == 1 else 'ies'}"
           "; do not edit by hand. Scores are raw objectives (the direction column says whether "
           "higher or lower is better). *Gap* is the distance to the best known value in percent "
           "of it: positive = behind the literature, negative = claims to beat it (marked ⚠).",
           "",
           "| problem | dir | seed value | best (runs) | median over runs | evaluations per run "
           "| seeds | machine | before AlphaEvolve | AlphaEvolve | best later | best known "
           "| gap % |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in sorted(problems):
        p = problems[name]
        refs = p.references
        rv = {k: (refs.get(k) or {}).get("value") for k in
              ("best_known_before_alphaevolve", "alphaevolve", "best_later", "best_known")}
        rs = sorted(by_problem.get(name, []), key=lambda r: r.seed)
        if rs:
            seeds_scores = [r.seed_score for r in rs if r.seed_score is not None]
            seed_val = seeds_scores[0] if seeds_scores else None
            if seeds_scores and max(seeds_scores) - min(seeds_scores) > 1e-12 * max(
                    1.0, abs(seeds_scores[0])):
                seed_cell = f"{_fmt(min(seeds_scores))}..{_fmt(max(seeds_scores))}"
            else:
                seed_cell = _fmt(seed_val)
            bests = [r.best_score for r in rs if r.best_score is not None]
            best = _better(p.direction)(bests) if bests else None
            median = statistics.median(bests) if bests else None
            no_valid = len(rs) - len(bests)
            best_cell = f"{_fmt(best)} ({len(rs)})" + (f", {no_valid} without a valid result"
                                                        if no_valid else "")
            stale = sorted({str(r.extra["task_version"]) for r in rs
                            if "task_version" in r.extra
                            and str(r.extra["task_version"]) != p.version})
            if stale:
                best_cell += f" ⚠ task version {','.join(stale)} != {p.version}"
            gap = gap_percent(best, rv["best_known"], p.direction)
            gap_cell = "—" if gap is None else f"{gap:.4g}" + (" ⚠" if gap < 0 else "")
            ms = sorted({machines[_machine_key(r.machine)] for r in rs})
            row = [name, p.direction, seed_cell, best_cell, _fmt(median), _budget(rs),
                   ",".join(str(r.seed) for r in rs), ",".join(f"M{m}" for m in ms)]
        else:
            row = [name, p.direction, "not run", "not run", "—", "—", "—", "—"]
            gap_cell = "—"
        row += [_fmt(rv["best_known_before_alphaevolve"]), _fmt(rv["alphaevolve"]),
                _fmt(rv["best_later"]), _fmt(rv["best_known"]), gap_cell]
        out.append("| " + " | ".join(row) + " |")

    if machines:
        out += ["", "## Machines", ""]
        for key, idx in sorted(machines.items(), key=lambda kv: kv[1]):
            m = json.loads(key)
            desc = ", ".join(f"{k}={_short(v)}" for k, v in sorted(m.items())) or "(not recorded)"
            out.append(f"- M{idx}: {desc}")

    if runs:
        out += ["", "## Runs", "",
                "| problem | seed | evaluations | seed value | best value | wall s | config | "
                "run directory |", "|---|---|---|---|---|---|---|---|"]
        for r in sorted(runs, key=lambda r: (r.problem, r.seed, str(r.path))):
            cfg = json.dumps(r.config, sort_keys=True, separators=(",", ":"))
            if len(cfg) > 160:
                cfg = cfg[:157] + "..."
            out.append(f"| {r.problem} | {r.seed} | {r.evaluations} | {_fmt(r.seed_score)} | "
                       f"{_fmt(r.best_score)} | {r.wall_s:.1f} | `{cfg}` | {r.path.as_posix()} |")

    out += ["", "## References", "",
            "Every value with its source; “not found” means we found none and claim none.", ""]
    labels = {"best_known_before_alphaevolve": "before AlphaEvolve", "alphaevolve": "AlphaEvolve",
              "best_later": "best later", "best_known": "best known (used for the gap)"}
    for name in sorted(problems):
        p = problems[name]
        out.append(f"### {name}: {p.title}")
        out.append("")
        out.append(f"Direction: {'maximise' if p.direction == 'max' else 'minimise'}; "
                   f"constraint tolerance {p.tolerance:g}; task version {p.version}.")
        out.append("")
        for key, entry in p.references.items():
            out.append(f"- {labels.get(key, key)}: {_fmt(entry.get('value'))} — "
                       f"{entry.get('source', '')}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.math.report",
                                 description="Build the math results table from run directories.")
    ap.add_argument("runs", nargs="*", type=Path, help="run directories (each with summary.json)")
    ap.add_argument("--out", type=Path, default=None, help="write the Markdown here (default: "
                    "stdout)")
    args = ap.parse_args(argv)
    problems = all_problems()
    try:
        runs = [load_run(p, problems) for p in args.runs]
    except ReportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    shown = " ".join(["python -m benchmarks.math.report", *(p.as_posix() for p in args.runs),
                      *(["--out", args.out.as_posix()] if args.out else [])])
    text = render(runs, problems, shown)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
