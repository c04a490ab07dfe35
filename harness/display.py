"""Run progress for people: a rich live line on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.search import Progress as SearchProgress


class RunDisplay:
    def __init__(self, task_id: str, max_evals: int | None, plain: bool = False) -> None:
        self.console = Console(stderr=True)
        self.plain = plain or not sys.stderr.isatty()
        self.task_id = task_id
        self.total = max_evals
        self._last_plain = 0.0
        self._progress: Progress | None = None
        self._bar: Any = None

    def note(self, text: str) -> None:
        self.console.print(text, highlight=False)

    def __enter__(self) -> "RunDisplay":
        if not self.plain:
            self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                      TextColumn("{task.completed}/{task.total} evals"),
                                      TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                                      console=self.console, transient=False)
            self._progress.__enter__()
            self._bar = self._progress.add_task(self.task_id, total=self.total, stats="")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def update(self, p: SearchProgress) -> None:
        best = f"{p.best_score:.8g}" if p.best_score is not None else "-"
        valid = f"{100.0 * p.n_valid / p.n_evals:.0f}%" if p.n_evals else "-"
        stats = (f"best {best} | valid {valid} | {p.evals_per_min:.1f} evals/min | "
                 f"in flight {p.gen_inflight} gen, {p.eval_inflight} eval | {p.phase}")
        if p.cost_usd:
            stats += f" | ${p.cost_usd:.3f}"
        if self._progress is not None:
            self._progress.update(self._bar, completed=p.n_evals, stats=stats)
        elif time.monotonic() - self._last_plain > 5.0:
            self._last_plain = time.monotonic()
            print(f"[{p.elapsed_s:7.1f}s] {p.n_evals} evals | {stats}", file=sys.stderr, flush=True)

    def final(self, s: dict[str, Any], run_dir: Path) -> None:
        t = Table(title=f"{s['task_id']} — {s.get('stop_reason') or 'done'}", show_header=False)
        rows = [("best score", s.get("best_score")), ("seed score", s.get("seed_score")),
                ("evaluations", s.get("evaluations")),
                ("valid rate", f"{100 * s.get('valid_rate', 0):.1f}%"),
                ("throughput", f"{s.get('evals_per_min', 0):.1f} evals/min"),
                ("wall time", f"{s.get('wall_s', 0):.1f} s"), ("run directory", str(run_dir))]
        if s.get("cost_usd"):
            rows.append(("LLM cost", f"${s['cost_usd']:.4f}"))
        for k, v in rows:
            t.add_row(k, str(v))
        Console().print(t)
