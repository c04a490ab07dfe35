"""An on-disk response cache (SQLite), keyed by model, messages and sampling parameters.

``readwrite`` answers from the cache when it can and stores every new reply; ``replay`` answers
only from the cache and never calls the network, so a run (or a regression test) can be repeated
exactly and for free. Keys and rows never hold credentials: only the model name, the messages,
the sampling parameters and a sample index (the proposal's seed and attempt, so two proposals
with the same prompt still get different replies).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_SCHEMA = """CREATE TABLE IF NOT EXISTS replies (
  key TEXT PRIMARY KEY, model TEXT NOT NULL, reply TEXT NOT NULL, usage TEXT NOT NULL,
  created REAL NOT NULL)"""


def cache_key(model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    blob = json.dumps({"model": model, "messages": messages, "params": params},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """Picklable: holds the directory; each process opens its own connection."""

    FILE = "llm_cache.sqlite"

    def __init__(self, cache_dir: str | Path, mode: str = "readwrite") -> None:
        if mode not in ("readwrite", "replay"):
            raise ValueError(f"cache mode {mode!r} is unknown; use 'readwrite' or 'replay'")
        self.dir = Path(cache_dir)
        self.mode = mode
        if mode == "replay" and not (self.dir / self.FILE).exists():
            raise FileNotFoundError(f"replay cache {self.dir / self.FILE} does not exist; run "
                                    "once with cache_mode 'readwrite' to record it")
        self._local: threading.local | None = None

    @property
    def path(self) -> Path:
        return self.dir / self.FILE

    @property
    def replay(self) -> bool:
        return self.mode == "replay"

    def _conn(self) -> sqlite3.Connection:
        if self._local is None:
            self._local = threading.local()
        c = getattr(self._local, "conn", None)
        if c is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute(_SCHEMA)
            self._local.conn = c
        return c

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT model, reply, usage FROM replies WHERE key=?",
                                   (key,)).fetchone()
        if row is None:
            return None
        return {"model": row[0], "reply": row[1], **json.loads(row[2])}

    def put(self, key: str, model: str, reply: str, usage: dict[str, Any]) -> None:
        if self.replay:
            return
        self._conn().execute("INSERT OR REPLACE INTO replies VALUES (?,?,?,?,?)",
                             (key, model, reply, json.dumps(usage), time.time()))

    def __len__(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def __getstate__(self) -> dict[str, Any]:
        return {"dir": self.dir, "mode": self.mode, "_local": None}
