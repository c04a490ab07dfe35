"""Expert knowledge base of a run: documents in, relevant chunks out.

A human adds Markdown or text documents (CLI or dashboard). Each is kept verbatim under
``<run>/knowledge/`` and cut into chunks (one per heading section, long sections split at
paragraphs), stored in the run database (``kb_docs``, ``kb_chunks``). Retrieval ranks chunks by
TF-IDF cosine similarity (scikit-learn), rebuilt in memory whenever the chunk table changes.

:class:`KnowledgeRetriever` is the controller's ``knowledge(island, query)`` hook. It answers
only when it should: when the island has stalled (``stall_evals`` evaluations on that island
without improving its best) or when a human asked for a retrieval on demand (a ``kb_requests``
row, optionally with its own query). Otherwise it returns ``()`` and the prompt stays as it was.
This module knows nothing of any benchmark.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.store import connect

log = logging.getLogger(__name__)

MAX_DOC_CHARS = 256_000
_NAME_OK = re.compile(r"[^A-Za-z0-9._-]+")

KB_SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_docs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, name TEXT NOT NULL, sha TEXT UNIQUE,
  chars INTEGER, n_chunks INTEGER, source TEXT
);
CREATE TABLE IF NOT EXISTS kb_chunks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, doc INTEGER NOT NULL, idx INTEGER NOT NULL,
  heading TEXT, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kb_requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, t REAL NOT NULL, island INTEGER, query TEXT,
  source TEXT, taken INTEGER DEFAULT 0
);
"""


class KnowledgeError(ValueError):
    """Bad knowledge input (empty, too large, not text); the message says what to do."""


# ---------------------------------------------------------------------------------- chunking
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def chunk_text(text: str, max_chars: int = 1200) -> list[tuple[str, str]]:
    """Split Markdown/text into ``(heading path, body)`` chunks.

    A new chunk starts at every Markdown heading; a section longer than ``max_chars`` is split
    at blank lines (paragraphs), and a single paragraph longer than that at ``max_chars``.
    Plain text without headings becomes paragraph groups under the heading ``""``.
    """
    sections: list[tuple[str, list[str]]] = []
    path: list[tuple[int, str]] = []
    cur: list[str] = []
    heading = ""
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            sections.append((heading, cur))
            level, title = len(m.group(1)), m.group(2).strip()
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            heading = " > ".join(t for _, t in path)
            cur = []
        else:
            cur.append(line)
    sections.append((heading, cur))
    out: list[tuple[str, str]] = []
    for head, lines in sections:
        body = "\n".join(lines).strip()
        if not body:
            if head:
                out.append((head, head))
            continue
        paras = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
        buf = ""
        for p in paras:
            while len(p) > max_chars:
                if buf:
                    out.append((head, buf))
                    buf = ""
                out.append((head, p[:max_chars]))
                p = p[max_chars:]
            if buf and len(buf) + len(p) + 2 > max_chars:
                out.append((head, buf))
                buf = ""
            buf = f"{buf}\n\n{p}" if buf else p
        if buf:
            out.append((head, buf))
    return out


def safe_name(name: str) -> str:
    base = _NAME_OK.sub("_", Path(name).name).strip("._") or "document"
    return base[:80]


# ---------------------------------------------------------------------------------- the base
@dataclass(frozen=True)
class Hit:
    chunk: int  # kb_chunks.seq
    doc: str  # document name
    heading: str
    text: str
    score: float

    def render(self, max_chars: int = 1500) -> str:
        """The text that goes into a prompt: where it comes from, then the chunk."""
        where = f"{self.doc}" + (f" § {self.heading}" if self.heading else "")
        return f"[{where}]\n{self.text[:max_chars]}"

    def to_dict(self) -> dict[str, Any]:
        return {"chunk": self.chunk, "doc": self.doc, "heading": self.heading,
                "text": self.text, "score": self.score}


class KnowledgeBase:
    """The documents of one run directory. Opens short connections; safe across processes."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.db_path = self.run_dir / "programs.db"
        self.dir = self.run_dir / "knowledge"
        self._lock = threading.Lock()
        self._index: tuple[tuple[int, int], Any, Any, list[Hit]] | None = None

    def _check_run(self) -> None:
        if not self.db_path.is_file():
            raise KnowledgeError(f"{self.run_dir} is not a run directory (no programs.db); pass "
                                 "the directory of a run started with `fmagent run`")

    def _writer(self) -> sqlite3.Connection:
        self._check_run()
        conn = sqlite3.connect(str(self.db_path), timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.row_factory = sqlite3.Row
        conn.executescript(KB_SCHEMA)
        return conn

    def _reader(self) -> sqlite3.Connection | None:
        self._check_run()
        conn = connect(self.db_path, readonly=True)
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='kb_chunks'"
                           ).fetchone()
        if not has:
            conn.close()
            return None
        return conn

    # -------------------------------------------------------------- writing
    def add(self, name: str, text: str, source: str = "cli") -> dict[str, Any]:
        """Store one document and its chunks; the same content twice is stored once."""
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeError(f"document {name!r} is empty; add a Markdown or text file "
                                 "with content")
        if len(text) > MAX_DOC_CHARS:
            raise KnowledgeError(f"document {name!r} has {len(text)} characters, more than "
                                 f"{MAX_DOC_CHARS}; split it into smaller files")
        if "\x00" in text:
            raise KnowledgeError(f"document {name!r} is not text (NUL bytes); add Markdown or text")
        sha = hashlib.sha256(text.encode()).hexdigest()
        chunks = chunk_text(text)
        fname = safe_name(name)
        conn = self._writer()
        try:
            old = conn.execute("SELECT seq, name, n_chunks FROM kb_docs WHERE sha=?",
                               (sha,)).fetchone()
            if old:
                return {"doc": old["seq"], "name": old["name"], "chunks": old["n_chunks"],
                        "added": False}
            self.dir.mkdir(parents=True, exist_ok=True)
            with conn:
                cur = conn.execute("INSERT INTO kb_docs (t, name, sha, chars, n_chunks, source) "
                                   "VALUES (?,?,?,?,?,?)",
                                   (time.time(), fname, sha, len(text), len(chunks), source))
                seq = int(cur.lastrowid)  # type: ignore[arg-type]
                conn.executemany("INSERT INTO kb_chunks (doc, idx, heading, text) VALUES (?,?,?,?)",
                                 [(seq, i, h, b) for i, (h, b) in enumerate(chunks)])
            (self.dir / f"{seq:04d}-{fname}").write_text(text)
        finally:
            conn.close()
        return {"doc": seq, "name": fname, "chunks": len(chunks), "added": True}

    def request(self, query: str | None = None, island: int | None = None,
                source: str = "cli") -> int:
        """Ask for a retrieval into the next prompt of ``island`` (any island when None)."""
        conn = self._writer()
        try:
            with conn:
                cur = conn.execute("INSERT INTO kb_requests (t, island, query, source) VALUES "
                                   "(?,?,?,?)", (time.time(), island, (query or "").strip() or None,
                                                 source))
                return int(cur.lastrowid)  # type: ignore[arg-type]
        finally:
            conn.close()

    # -------------------------------------------------------------- reading
    def documents(self) -> list[dict[str, Any]]:
        conn = self._reader()
        if conn is None:
            return []
        try:
            return [dict(r) for r in conn.execute(
                "SELECT seq, t, name, chars, n_chunks, source FROM kb_docs ORDER BY seq")]
        finally:
            conn.close()

    def _load(self) -> tuple[Any, Any, list[Hit]] | None:
        conn = self._reader()
        if conn is None:
            return None
        try:
            key = tuple(conn.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM kb_chunks"
                                     ).fetchone())
            with self._lock:
                if self._index is not None and self._index[0] == key:
                    return self._index[1:]
            rows = conn.execute("SELECT c.seq, d.name, c.heading, c.text FROM kb_chunks c "
                                "JOIN kb_docs d ON d.seq=c.doc ORDER BY c.seq").fetchall()
        finally:
            conn.close()
        if not rows:
            return None
        from sklearn.feature_extraction.text import TfidfVectorizer

        hits = [Hit(r[0], r[1], r[2] or "", r[3], 0.0) for r in rows]
        docs = [f"{h.doc} {h.heading} {h.heading} {h.text}" for h in hits]
        vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                              token_pattern=r"(?u)\b[A-Za-z_][A-Za-z0-9_]+\b", stop_words="english")
        try:
            mat = vec.fit_transform(docs)
        except ValueError:  # nothing but stop words
            return None
        with self._lock:
            self._index = (key, vec, mat, hits)  # type: ignore[assignment]
        return vec, mat, hits

    def search(self, query: str, k: int = 3, min_score: float = 0.01) -> list[Hit]:
        """The ``k`` chunks most similar to ``query`` (cosine on TF-IDF), best first."""
        loaded = self._load()
        if loaded is None or not query.strip():
            return []
        vec, mat, hits = loaded
        q = vec.transform([query])
        sims = (mat @ q.T).toarray().ravel()
        order = sorted(range(len(hits)), key=lambda i: (-sims[i], i))[:max(k, 0)]
        return [Hit(hits[i].chunk, hits[i].doc, hits[i].heading, hits[i].text, float(sims[i]))
                for i in order if sims[i] >= min_score]


# ---------------------------------------------------------------------------------- the hook
class KnowledgeRetriever:
    """``knowledge(island, query) -> tuple[str, ...]`` for :class:`agent.search.Search`.

    Answers when the island has stalled (``stall_evals`` evaluations on it since its best last
    improved) or when an on-demand request is waiting for it; otherwise returns ``()``. The
    stall state is read incrementally from the run database (new program rows only), so each
    call costs one small indexed query; cold-start programs count for the island the cold start
    assigned them to. ``last`` holds what the latest call returned and why,
    for the controller to record against the program it informs (``RunDB.add_retrieval``).
    """

    def __init__(self, run_dir: Path, k: int = 3, stall_evals: int = 20,
                 max_chars: int = 1500) -> None:
        self.kb = KnowledgeBase(run_dir)
        self.k, self.stall_evals, self.max_chars = k, stall_evals, max_chars
        self._seen_seq = 0
        self._best: dict[int, float] = {}
        self._since: dict[int, int] = {}  # island -> evaluations since its best improved
        self._assign: dict[str, int] | None = None  # cold-start program id -> island
        self.last: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:  # picklable: run dir and settings only
        return {"run_dir": self.kb.run_dir, "k": self.k, "stall_evals": self.stall_evals,
                "max_chars": self.max_chars}

    def __setstate__(self, s: dict[str, Any]) -> None:
        self.__init__(s["run_dir"], s["k"], s["stall_evals"], s["max_chars"])  # type: ignore[misc]

    def _update_stall(self, conn: sqlite3.Connection) -> None:
        if self._assign is None:  # cold-start programs join islands when the cold start ends
            row = conn.execute("SELECT value FROM state WHERE key='cold_assignment'").fetchone()
            if row:
                self._assign = {str(k): int(v) for k, v in json.loads(row[0]).items()}
                self._seen_seq, self._best, self._since = 0, {}, {}
        rows = conn.execute("SELECT seq, id, island, valid, fitness FROM programs WHERE seq>? "
                            "ORDER BY seq", (self._seen_seq,)).fetchall()
        for seq, pid, island, valid, fit in rows:
            self._seen_seq = seq
            if island is not None and island < 0:
                island = (self._assign or {}).get(pid)
            if island is None:
                continue
            if valid and fit is not None and (island not in self._best or fit > self._best[island]):
                self._best[island] = fit
                self._since[island] = 0
            else:
                self._since[island] = self._since.get(island, 0) + 1

    def stalled(self, island: int) -> int:
        """Evaluations on ``island`` since its best last improved."""
        return self._since.get(island, 0)

    def _take_request(self, conn_ro: sqlite3.Connection,
                      island: int) -> tuple[int, str | None] | None:
        has = conn_ro.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                              "name='kb_requests'").fetchone()
        if not has:
            return None
        row = conn_ro.execute("SELECT seq, query FROM kb_requests WHERE taken=0 AND "
                              "(island IS NULL OR island=?) ORDER BY seq LIMIT 1",
                              (island,)).fetchone()
        if not row:
            return None
        w = self.kb._writer()
        try:
            with w:
                n = w.execute("UPDATE kb_requests SET taken=1 WHERE seq=? AND taken=0",
                              (row[0],)).rowcount
        finally:
            w.close()
        return (int(row[0]), row[1]) if n else None

    def __call__(self, island: int, query: str) -> tuple[str, ...]:
        self.last = None
        if not self.kb.db_path.is_file():
            return ()
        conn = connect(self.kb.db_path, readonly=True)
        try:
            self._update_stall(conn)
            req = self._take_request(conn, island)
        finally:
            conn.close()
        since = self.stalled(island)
        if req is not None:
            reason, q = "on_demand", (req[1] or query)
        elif since >= self.stall_evals:
            reason, q = "stall", query  # every proposal of a stalled island, until it improves
        else:
            return ()
        hits = self.kb.search(q, self.k)
        if not hits:
            return ()
        out = tuple(h.render(self.max_chars) for h in hits)
        self.last = {"island": island, "reason": reason, "query": q[:2000],
                     "request": req[0] if req else None,
                     "chunks": [{"chunk": h.chunk, "doc": h.doc, "heading": h.heading,
                                 "score": round(h.score, 4)} for h in hits]}
        return out
