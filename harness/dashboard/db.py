"""What the dashboard and the intervention commands read from and write to a run directory.

Reads go through a read-only SQLite connection (the run's controller stays the only writer of
programs). Writes are limited to the human-in-the-loop tables (``instructions``, ``inbox``, an
``events`` row marking an instruction on the timeline, the knowledge tables), each one short
transaction that WAL lets run beside the controller. Nothing here executes submitted code.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from agent.store import connect

MAX_CODE_CHARS = 200_000
MAX_INSTRUCTION_CHARS = 4_000


class RunDirError(ValueError):
    """A run directory or a request that cannot be served; the message says what to do."""


def _loads(s: str | None, default: Any) -> Any:
    try:
        return json.loads(s) if s else default
    except (TypeError, ValueError):
        return default


class RunView:
    """Read-only queries over one run directory (a fresh connection per call: thread-safe)."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.db_path = self.run_dir / "programs.db"
        if not self.db_path.is_file():
            raise RunDirError(f"{self.run_dir} is not a run directory (no programs.db); pass the "
                              "directory that `fmagent run` printed (--out)")

    def _ro(self) -> sqlite3.Connection:
        return connect(self.db_path, readonly=True)

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        conn = self._ro()
        try:
            return [dict(r) for r in conn.execute(sql, args)]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []
            raise
        finally:
            conn.close()

    # ---------------------------------------------------------------- run level
    def manifest(self) -> dict[str, Any]:
        p = self.run_dir / "manifest.json"
        return _loads(p.read_text(), {}) if p.is_file() else {}

    def summary_file(self) -> dict[str, Any] | None:
        p = self.run_dir / "summary.json"
        return _loads(p.read_text(), None) if p.is_file() else None

    def n_islands(self) -> int:
        m = self.manifest()
        n = (m.get("config") or {}).get("population", {}).get("islands")
        if isinstance(n, int) and n > 0:
            return n
        r = self._rows("SELECT MAX(island) AS m FROM programs")
        s = self._rows("SELECT MAX(island) AS m FROM island_stats")
        return max([1] + [int(x[0]["m"]) + 1 for x in (r, s) if x and x[0]["m"] is not None])

    def overview(self) -> dict[str, Any]:
        m = self.manifest()
        cfg = m.get("config") or {}
        pools = cfg.get("pools") or {}
        counts = self._rows("SELECT COUNT(*) AS n, COALESCE(SUM(valid), 0) AS valid, "
                            "MIN(created_at) AS t0, MAX(evaluated_at) AS t1, MAX(seq) AS last_seq, "
                            "COALESCE(SUM(llm_cost), 0) AS cost FROM programs")[0]
        best = self._rows("SELECT id, island, fitness, score FROM programs WHERE valid=1 "
                          "ORDER BY fitness DESC, seq LIMIT 1")
        stop = self._rows("SELECT data FROM events WHERE kind='stop' ORDER BY seq DESC LIMIT 1")
        task = m.get("task") or {}
        return {"run_dir": str(self.run_dir), "task": task.get("id") or task.get("ref"),
                "direction": task.get("direction"), "status": m.get("status"),
                "stop_reason": (_loads(stop[0]["data"], {}).get("reason") if stop else None),
                "islands": self.n_islands(), "evaluations": counts["n"],
                "valid": counts["valid"], "cost_usd": counts["cost"],
                "last_seq": counts["last_seq"] or 0,
                "first_t": counts["t0"], "last_t": counts["t1"],
                "max_evals": (cfg.get("stop") or {}).get("max_evals"),
                "proposals_in_flight": pools.get("proposals_in_flight"),
                "evals_in_flight": pools.get("evals_in_flight"),
                "best": best[0] if best else None, "server_time": time.time()}

    # ---------------------------------------------------------------- series for charts
    def best_series(self, since: int = 0) -> list[dict[str, Any]]:
        """(seq, island, valid, fitness, score, evaluated_at) of programs after ``since``."""
        return self._rows("SELECT seq, island, valid, fitness, score, evaluated_at AS t, proposer "
                          "FROM programs WHERE seq>? ORDER BY seq LIMIT 20000", (since,))

    def island_stats(self, since: int = 0) -> list[dict[str, Any]]:
        return self._rows("SELECT seq, t, n_evals, island, size, n_clusters, diversity, "
                          "temperature, best, gen_inflight, eval_inflight FROM island_stats "
                          "WHERE seq>? ORDER BY seq LIMIT 20000", (since,))

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        rows = self._rows("SELECT seq, t, n_evals, kind, island, data FROM events WHERE seq>? "
                          "ORDER BY seq LIMIT 5000", (since,))
        for r in rows:
            r["data"] = _loads(r["data"], {})
        return rows

    # ---------------------------------------------------------------- programs
    _SORT = {"seq", "fitness", "score", "island", "generation", "evaluated_at", "proposer"}

    def programs(self, since: int = 0, island: int | None = None, valid: bool | None = None,
                 q: str = "", sort: str = "seq", desc: bool = True, limit: int = 200,
                 offset: int = 0) -> dict[str, Any]:
        if sort not in self._SORT:
            raise RunDirError(f"cannot sort by {sort!r}; use one of {sorted(self._SORT)}")
        where, args = ["seq>?"], [since]
        if island is not None:
            where.append("island=?")
            args.append(island)
        if valid is not None:
            where.append("valid=?")
            args.append(int(valid))
        if q:
            where.append("(id LIKE ? OR proposer LIKE ? OR model LIKE ? OR parents LIKE ?)")
            args += [f"%{q}%"] * 4
        w = " AND ".join(where)
        nulls = f"({sort} IS NULL)," if sort in ("fitness", "score") else ""
        order = f"{nulls}{sort} {'DESC' if desc else 'ASC'}, seq DESC"
        total = self._rows(f"SELECT COUNT(*) AS n FROM programs WHERE {w}", tuple(args))[0]["n"]
        rows = self._rows(
            f"SELECT seq, id, island, generation, proposer, model, valid, fitness, score, parents, "
            f"created_at, evaluated_at, llm_cost, json_extract(result, '$.error') AS error "
            f"FROM programs WHERE {w} ORDER BY {order} LIMIT ? OFFSET ?",
            tuple(args) + (max(1, min(limit, 1000)), max(0, offset)))
        for r in rows:
            r["parents"] = _loads(r["parents"], [])
        return {"total": total, "programs": rows}

    def _program_row(self, pid: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM programs WHERE id=?", (pid,))
        if not rows:
            return None
        r = rows[0]
        r["parents"] = _loads(r["parents"], [])
        r["result"] = _loads(r["result"], {})
        r["meta"] = _loads(r["meta"], {})
        return r

    def program(self, pid: str) -> dict[str, Any]:
        r = self._program_row(pid)
        if r is None:
            raise RunDirError(f"no program {pid!r} in this run")
        parent = self._program_row(r["parents"][0]) if r["parents"] else None
        diff = ""
        if parent is not None:
            diff = "".join(difflib.unified_diff(
                parent["code"].splitlines(keepends=True), r["code"].splitlines(keepends=True),
                fromfile=f"parent {parent['id']}", tofile=f"program {r['id']}", n=3))
        lineage = []
        cur, seen = r, set()
        while cur is not None and cur["id"] not in seen and len(lineage) < 50:
            seen.add(cur["id"])
            lineage.append({k: cur[k] for k in ("id", "island", "generation", "proposer",
                                                "valid", "fitness", "score")})
            cur = self._program_row(cur["parents"][0]) if cur["parents"] else None
        children = self._rows("SELECT id, island, valid, fitness, score FROM programs WHERE "
                              "parents LIKE ? ORDER BY seq LIMIT 100", (f'%"{pid}"%',))
        retrievals = self._rows("SELECT t, island, query, docs FROM retrievals WHERE program_id=?",
                                (pid,))
        for x in retrievals:
            x["docs"] = _loads(x["docs"], [])
        return {**r, "diff": diff, "parent_id": parent["id"] if parent else None,
                "lineage": lineage, "children": children, "retrievals": retrievals}

    # ---------------------------------------------------------------- interventions (read)
    def instructions(self) -> list[dict[str, Any]]:
        return self._rows("SELECT seq, t, island, text, source, active FROM instructions "
                          "ORDER BY seq")

    def inbox(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT seq, t, kind, island, payload, taken FROM inbox ORDER BY seq")
        for r in rows:
            p = _loads(r.pop("payload"), {})
            code = p.get("code") if isinstance(p, dict) else None
            r["chars"] = len(code) if isinstance(code, str) else 0
            r["preview"] = code[:200] if isinstance(code, str) else ""
        return rows

    def retrievals(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._rows("SELECT seq, t, program_id, island, query, docs FROM retrievals "
                          "ORDER BY seq DESC LIMIT ?", (limit,))
        for r in rows:
            r["docs"] = _loads(r["docs"], [])
        return rows


# ---------------------------------------------------------------------------------- writes
def _writer(run_dir: Path) -> sqlite3.Connection:
    db = Path(run_dir) / "programs.db"
    if not db.is_file():
        raise RunDirError(f"{run_dir} is not a run directory (no programs.db); pass the directory "
                          "that `fmagent run` printed (--out)")
    conn = sqlite3.connect(str(db), timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def check_island(run_dir: Path, island: int | None) -> int | None:
    if island is None:
        return None
    n = RunView(run_dir).n_islands()
    if not isinstance(island, int) or isinstance(island, bool) or not 0 <= island < n:
        raise RunDirError(f"island {island!r} does not exist; this run has islands 0..{n - 1}")
    return island


def _append_event_line(run_dir: Path, rec: dict[str, Any]) -> None:
    try:
        with open(Path(run_dir) / "events.jsonl", "a") as f:
            f.write(json.dumps(rec, default=str) + "\n")
    except OSError:
        pass  # the database row is the record; the text log is a convenience


def add_instruction(run_dir: Path, text: str, island: int | None = None,
                    source: str = "cli") -> int:
    """Store a natural-language instruction and mark it on the timeline; return its seq."""
    text = (text or "").strip()
    if not text:
        raise RunDirError("the instruction is empty; write what the islands should try")
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise RunDirError(f"the instruction has {len(text)} characters, more than "
                          f"{MAX_INSTRUCTION_CHARS}; shorten it (or add a document with `kb add`)")
    island = check_island(run_dir, island)
    conn = _writer(run_dir)
    try:
        t = time.time()
        with conn:
            n = conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0]
            cur = conn.execute("INSERT INTO instructions (t, island, text, source) VALUES "
                               "(?,?,?,?)", (t, island, text, source))
            seq = int(cur.lastrowid)  # type: ignore[arg-type]
            data = {"instruction": seq, "text": text[:500], "source": source}
            conn.execute("INSERT INTO events (t, n_evals, kind, island, data) VALUES (?,?,?,?,?)",
                         (t, n, "instruction", island, json.dumps(data)))
    finally:
        conn.close()
    _append_event_line(run_dir, {"t": t, "n_evals": n, "kind": "instruction", "island": island,
                                 **data})
    return seq


def set_instruction_active(run_dir: Path, seq: int, active: bool) -> None:
    conn = _writer(run_dir)
    try:
        with conn:
            if conn.execute("UPDATE instructions SET active=? WHERE seq=?",
                            (int(active), seq)).rowcount != 1:
                raise RunDirError(f"no instruction {seq} in this run")
    finally:
        conn.close()


def add_injection(run_dir: Path, code: str, island: int | None = None,
                  source: str = "cli") -> int:
    """Queue a program for the controller to evaluate in its sandbox; never run here."""
    if not isinstance(code, str) or not code.strip():
        raise RunDirError("the program is empty; paste or pass the full program text")
    if len(code) > MAX_CODE_CHARS:
        raise RunDirError(f"the program has {len(code)} characters, more than {MAX_CODE_CHARS}")
    if "\x00" in code:
        raise RunDirError("the program contains NUL bytes; pass a source text file")
    island = check_island(run_dir, island)
    conn = _writer(run_dir)
    try:
        with conn:
            return int(conn.execute("INSERT INTO inbox (t, kind, island, payload) VALUES "
                                    "(?,?,?,?)", (time.time(), "inject", island,
                                                  json.dumps({"code": code, "source": source}))
                                    ).lastrowid)  # type: ignore[arg-type]
    finally:
        conn.close()
