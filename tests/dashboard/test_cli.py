"""instruct, inject, kb add/search/retrieve and dashboard argument errors through the CLI."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from harness.cli import main
from tests.dashboard.helpers import make_run


def rows(run, sql):
    conn = sqlite3.connect(run / "programs.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_cli_interventions(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    assert main(["instruct", str(run), "try a lattice"]) == 0
    assert main(["instruct", str(run), "only here", "--island", "1"]) == 0
    assert rows(run, "SELECT island, text, source FROM instructions") == \
        [(None, "try a lattice", "cli"), (1, "only here", "cli")]
    assert rows(run, "SELECT COUNT(*) FROM events WHERE kind='instruction'") == [(2,)]
    assert "instruction" in (run / "events.jsonl").read_text()
    prog = tmp_path / "p.py"
    prog.write_text("def run():\n    return [1, 2, 3, 4, 5]\n")
    assert main(["inject", str(run), str(prog), "--island", "0"]) == 0
    assert rows(run, "SELECT kind, island FROM inbox") == [("inject", 0)]
    doc = tmp_path / "notes.md"
    doc.write_text("# Lattices\nA hexagonal lattice packs circles densely.\n\n# Other\nunrelated")
    assert main(["kb", "add", str(run), str(doc)]) == 0
    assert main(["kb", "add", str(run), str(doc)]) == 0
    assert main(["kb", "search", str(run), "hexagonal lattice"]) == 0
    assert main(["kb", "retrieve", str(run), "lattice", "--island", "1"]) == 0
    out = capsys.readouterr().out
    assert "added as notes.md (2 chunks)" in out and "already in the knowledge base" in out
    assert "1. [" in out and "notes.md § Lattices" in out
    assert rows(run, "SELECT island, query, taken FROM kb_requests") == [(1, "lattice", 0)]


def test_cli_errors(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    cases = [
        ["instruct", str(tmp_path), "x"],  # not a run directory
        ["instruct", str(run), "   "],
        ["instruct", str(run), "x", "--island", "2"],
        ["inject", str(run), str(tmp_path / "missing.py")],
        ["kb", "add", str(run), str(tmp_path / "missing.md")],
        ["kb", "retrieve", str(run), "--island", "5"],
        ["dashboard", str(run), "--host", "0.0.0.0", "--port", "0"],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(cases) and all(e.startswith("fmagent: error: ") for e in err)
    assert "not a run directory" in err[0] and "empty" in err[1] and "islands 0..1" in err[2]
    assert "--token" in err[-1]


def test_dashboard_command_serves_with_a_printed_token(tmp_path):
    run = make_run(tmp_path / "run")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "dashboard", str(run),
                             "--port", "0"], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/#token=(\S+)", line)
        assert m, line
        url, token = m.groups()
        assert len(token) >= 24
        assert httpx.get(url + "/api/overview", timeout=30).status_code == 401
        r = httpx.get(url + "/api/overview", headers={"X-FMAgent-Token": token}, timeout=30)
        assert r.status_code == 200 and r.json()["evaluations"] == 6
    finally:
        proc.terminate()
        proc.wait(30)
