"""The run database: SQLite in WAL mode, one writer (the controller), committed per program.

Tables: ``programs`` (every evaluated program with lineage and result, in insertion order),
``events`` (the timeline: improvements, migrations, stops, interventions), ``island_stats``
(diversity, temperature, best per island over time), ``state`` (RNG state and counters for
resume), ``instructions`` (human guidance, read by the prompt builder), ``retrievals``.
Readers (reports, dashboard) open it read-only and never block the writer.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from agent.records import EvalResult, Program

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS programs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  code TEXT NOT NULL,
  parents TEXT NOT NULL,
  island INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  proposer TEXT, model TEXT, prompt_id TEXT,
  valid INTEGER NOT NULL,
  fitness REAL,
  score REAL,
  result TEXT NOT NULL,
  created_at REAL, evaluated_at REAL,
  llm_cost REAL DEFAULT 0, llm_tokens INTEGER DEFAULT 0,
  meta TEXT
);
CREATE INDEX IF NOT EXISTS programs_fitness ON programs(fitness);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, n_evals INTEGER, kind TEXT NOT NULL,
  island INTEGER, data TEXT
);
CREATE TABLE IF NOT EXISTS island_stats (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, n_evals INTEGER, island INTEGER,
  size INTEGER, n_clusters INTEGER, diversity REAL, temperature REAL, best REAL,
  gen_inflight INTEGER, eval_inflight INTEGER
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instructions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, island INTEGER, text TEXT NOT NULL,
  source TEXT, active INTEGER DEFAULT 1
);
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, kind TEXT NOT NULL, island INTEGER,
  payload TEXT NOT NULL, taken INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS retrievals (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, program_id TEXT, island INTEGER,
  query TEXT, docs TEXT
);
"""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                               check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.row_factory = sqlite3.Row
    return conn


def row_to_program(r: sqlite3.Row) -> Program:
    return Program(code=r["code"], id=r["id"], parents=tuple(json.loads(r["parents"])),
                   island=r["island"], generation=r["generation"], proposer=r["proposer"],
                   model=r["model"], prompt_id=r["prompt_id"],
                   result=EvalResult.from_dict(json.loads(r["result"])),
                   created_at=r["created_at"], evaluated_at=r["evaluated_at"],
                   llm_cost=r["llm_cost"] or 0.0, llm_tokens=r["llm_tokens"] or 0,
                   meta=json.loads(r["meta"] or "{}"))


class RunDB:
    """Writer handle. Every ``add_program`` is its own committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.conn = connect(self.path)
        self.conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        if self.get_state("schema_version") is None:
            self.set_state("schema_version", SCHEMA_VERSION)

    def close(self) -> None:
        self.conn.close()

    def add_program(self, p: Program, state: dict[str, Any] | None = None) -> int:
        """Insert one evaluated program (and the controller's state) atomically; return seq."""
        assert p.result is not None, "only evaluated programs are stored"
        r = p.result
        with self._lock, self.conn:
            cur = self.conn.execute(
                "INSERT INTO programs (id, code, parents, island, generation, proposer, model, "
                "prompt_id, valid, fitness, score, result, created_at, evaluated_at, llm_cost, "
                "llm_tokens, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (p.id, p.code, json.dumps(list(p.parents)), p.island, p.generation, p.proposer,
                 p.model, p.prompt_id, int(r.valid), r.fitness, r.metrics.get("score"),
                 json.dumps(r.to_dict()), p.created_at, p.evaluated_at, p.llm_cost,
                 p.llm_tokens, json.dumps(p.meta, default=str)))
            for k, v in (state or {}).items():
                self.conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (k, json.dumps(v)))
            return int(cur.lastrowid)

    def add_event(self, kind: str, n_evals: int, island: int | None = None,
                  data: dict[str, Any] | None = None) -> None:
        with self._lock, self.conn:
            self.conn.execute("INSERT INTO events (t, n_evals, kind, island, data) VALUES "
                              "(?,?,?,?,?)", (time.time(), n_evals, kind, island,
                                              json.dumps(data or {}, default=str)))

    def add_island_stats(self, rows: list[dict[str, Any]]) -> None:
        with self._lock, self.conn:
            self.conn.executemany(
                "INSERT INTO island_stats (t, n_evals, island, size, n_clusters, diversity, "
                "temperature, best, gen_inflight, eval_inflight) VALUES "
                "(:t, :n_evals, :island, :size, :n_clusters, :diversity, :temperature, :best, "
                ":gen_inflight, :eval_inflight)", rows)

    def set_state(self, key: str, value: Any) -> None:
        with self._lock, self.conn:
            self.conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, json.dumps(value)))

    def get_state(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def programs(self) -> Iterator[Program]:
        for r in self.conn.execute("SELECT * FROM programs ORDER BY seq"):
            yield row_to_program(r)

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0])

    # human-in-the-loop inputs (written by the dashboard/CLI, read by the controller)
    def add_instruction(self, text: str, island: int | None = None, source: str = "cli") -> int:
        with self._lock, self.conn:
            cur = self.conn.execute("INSERT INTO instructions (t, island, text, source) VALUES "
                                    "(?,?,?,?)", (time.time(), island, text, source))
            return int(cur.lastrowid)

    def active_instructions(self, island: int) -> tuple[str, ...]:
        rows = self.conn.execute("SELECT text FROM instructions WHERE active=1 AND (island IS NULL "
                                 "OR island=?) ORDER BY seq", (island,)).fetchall()
        return tuple(r[0] for r in rows)

    def take_inbox(self) -> list[dict[str, Any]]:
        with self._lock, self.conn:
            rows = self.conn.execute("SELECT seq, kind, island, payload FROM inbox WHERE taken=0 "
                                     "ORDER BY seq").fetchall()
            if rows:
                self.conn.execute(f"UPDATE inbox SET taken=1 WHERE seq<={rows[-1]['seq']}")
        return [{"seq": r["seq"], "kind": r["kind"], "island": r["island"],
                 "payload": json.loads(r["payload"])} for r in rows]

    def add_retrieval(self, program_id: str, island: int, query: str, docs: list[str]) -> None:
        with self._lock, self.conn:
            self.conn.execute("INSERT INTO retrievals (t, program_id, island, query, docs) VALUES "
                              "(?,?,?,?,?)", (time.time(), program_id, island, query,
                                              json.dumps(docs)))
