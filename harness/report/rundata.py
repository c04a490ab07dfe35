"""Read run directories (read-only): manifest, summary, final step, programs and island stats.

A run directory is what ``fmagent run`` writes (see :mod:`agent.runstore`). A suite directory is
any folder holding run directories at any depth. Fitness is higher-is-better (the task's
direction applied); ``score`` is the raw objective in the task's own direction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import numpy as np

FINISHED = ("finished",)


class RunDataError(ValueError):
    """A path that is not a run or suite directory; the message says what was expected."""


@dataclass(frozen=True)
class ProgramRow:
    seq: int
    id: str
    island: int
    proposer: str | None
    valid: bool
    fitness: float | None
    score: float | None
    created_at: float | None
    evaluated_at: float | None


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Run:
    path: Path
    manifest: dict[str, Any]
    summary: dict[str, Any] | None = None
    final: dict[str, Any] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- identity
    @property
    def task(self) -> dict[str, Any]:
        return self.manifest.get("task") or {}

    @property
    def task_ref(self) -> str:
        return str(self.task.get("ref") or self.task.get("id") or
                   (self.summary or {}).get("task_id") or self.path.name)

    @property
    def task_id(self) -> str:
        return str(self.task.get("id") or (self.summary or {}).get("task_id") or self.task_ref)

    @property
    def benchmark(self) -> str:
        ref = self.task_ref
        if "/" not in ref or Path(ref).is_absolute() or Path(ref).is_dir():
            return "other"  # a task folder (`fmagent run path/to/folder`)
        return ref.split("/", 1)[0]

    @property
    def version(self) -> str | None:
        v = self.task.get("version", (self.summary or {}).get("task_version"))
        return None if v is None else str(v)

    @property
    def direction(self) -> str:
        return str(self.task.get("direction") or (self.summary or {}).get("direction") or "max")

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "max" else -1.0

    @property
    def config(self) -> dict[str, Any]:
        return self.manifest.get("config") or {}

    @property
    def seed(self) -> int | None:
        s = self.config.get("seed", (self.summary or {}).get("seed"))
        return None if s is None else int(s)

    @property
    def status(self) -> str:
        return str(self.manifest.get("status") or "unknown")

    @property
    def finished(self) -> bool:
        return self.summary is not None and self.status in FINISHED

    @property
    def references(self) -> dict[str, Any]:
        return self.task.get("references") or (self.summary or {}).get("references") or {}

    def to_score(self, fitness: float | None) -> float | None:
        return None if fitness is None else self.sign * float(fitness)

    # ---------------------------------------------------------------- database
    def _connect(self) -> sqlite3.Connection | None:
        db = self.path / "programs.db"
        if not db.is_file():
            return None
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    @cached_property
    def programs(self) -> list[ProgramRow]:
        conn = self._connect()
        if conn is None:
            return []
        try:
            rows = conn.execute("SELECT seq, id, island, proposer, valid, fitness, score, "
                                "created_at, evaluated_at FROM programs ORDER BY seq").fetchall()
        finally:
            conn.close()
        return [ProgramRow(int(r["seq"]), r["id"], int(r["island"]), r["proposer"],
                           bool(r["valid"]), r["fitness"], r["score"], r["created_at"],
                           r["evaluated_at"]) for r in rows]

    @cached_property
    def island_stats(self) -> list[dict[str, Any]]:
        conn = self._connect()
        if conn is None:
            return []
        try:
            rows = conn.execute("SELECT * FROM island_stats ORDER BY seq").fetchall()
        except sqlite3.OperationalError:
            return []
        finally:
            conn.close()
        return [dict(r) for r in rows]

    def best_result(self) -> dict[str, Any] | None:
        """The stored EvalResult (as a dict) of the best valid program."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            r = conn.execute("SELECT result FROM programs WHERE valid=1 AND fitness IS NOT NULL "
                             "ORDER BY fitness DESC, seq ASC LIMIT 1").fetchone()
        finally:
            conn.close()
        return json.loads(r["result"]) if r else None

    def best_code(self) -> tuple[str, str] | None:
        """(file name, code) of the best program: best_program.* or the database's best."""
        for p in sorted(self.path.glob("best_program.*")):
            return p.name, p.read_text()
        conn = self._connect()
        if conn is None:
            return None
        try:
            r = conn.execute("SELECT code FROM programs WHERE valid=1 AND fitness IS NOT NULL "
                             "ORDER BY fitness DESC, seq ASC LIMIT 1").fetchone()
        finally:
            conn.close()
        return ("best_program.txt", r["code"]) if r else None

    # ---------------------------------------------------------------- figures
    @property
    def n_evals(self) -> int:
        return len(self.programs)

    @property
    def n_valid(self) -> int:
        return sum(p.valid for p in self.programs)

    def best_curve(self, island: int | None = None) -> np.ndarray:
        """Best fitness after each evaluation (of the island, when given); NaN before any valid."""
        vals = [p.fitness if (p.valid and p.fitness is not None and
                              (island is None or p.island == island)) else -np.inf
                for p in self.programs]
        if not vals:
            return np.zeros(0)
        cur = np.maximum.accumulate(np.asarray(vals, dtype=float))
        cur[np.isneginf(cur)] = np.nan
        return cur

    @property
    def best_fitness(self) -> float | None:
        c = self.best_curve()
        return None if not len(c) or np.isnan(c[-1]) else float(c[-1])

    @property
    def best_score(self) -> float | None:
        return self.to_score(self.best_fitness)

    @property
    def seed_score(self) -> float | None:
        for p in self.programs:
            if p.proposer == "seed" and p.valid:
                return p.score if p.score is not None else self.to_score(p.fitness)
        return None

    @property
    def t0(self) -> float | None:
        created = self.manifest.get("created_at")
        times = [t for p in self.programs for t in (p.created_at, p.evaluated_at) if t]
        cands = [float(created)] if created else []
        if times:
            cands.append(min(times))
        return min(cands) if cands else None

    @property
    def wall_s(self) -> float | None:
        w = (self.summary or {}).get("wall_s")
        if w is not None:
            return float(w)
        ev = [p.evaluated_at for p in self.programs if p.evaluated_at]
        return (max(ev) - self.t0) if ev and self.t0 else None

    def islands(self) -> list[int]:
        return sorted({p.island for p in self.programs})

    def budget(self) -> dict[str, Any]:
        stop = self.config.get("stop") or {}
        return {"max_evals": stop.get("max_evals"), "max_time_s": stop.get("max_time_s"),
                "islands": (self.config.get("population") or {}).get("islands"),
                "backend": (self.config.get("pools") or {}).get("backend")}

    def models(self) -> list[str]:
        return [str(m) for m in self.manifest.get("models") or []] or ["?"]

    def provenance(self) -> dict[str, Any]:
        return self.manifest.get("provenance") or {}


def load_run(path: Path) -> Run:
    path = Path(path)
    manifest = _read_json(path / "manifest.json")
    if manifest is None:
        raise RunDataError(f"{path} is not a run directory (no readable manifest.json); pass "
                           "a directory written by `fmagent run` or a folder of them")
    return Run(path, manifest, _read_json(path / "summary.json"), _read_json(path / "final.json"))


def find_runs(paths: Iterable[str | Path]) -> list[Run]:
    """Run directories named directly or found below the given folders, in a stable order."""
    out: list[Run] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            raise RunDataError(f"{p} is not a directory; pass run directories or suite folders")
        found = [p] if (p / "manifest.json").is_file() else \
            sorted({m.parent for m in p.rglob("manifest.json")})
        if not found:
            raise RunDataError(f"no run directories (with manifest.json) under {p}")
        for d in found:
            rd = d.resolve()
            if rd not in seen:
                seen.add(rd)
                out.append(load_run(d))
    return out


def group_by_task(runs: Iterable[Run]) -> dict[str, list[Run]]:
    out: dict[str, list[Run]] = {}
    for r in runs:
        out.setdefault(r.task_id, []).append(r)
    for v in out.values():
        v.sort(key=lambda r: (r.seed if r.seed is not None else -1, str(r.path)))
    return out
