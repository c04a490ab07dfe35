"""The controller end to end on a toy task: improvement, hostile candidates, kill -9, resume."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from agent.config import load_config
from agent.proposer import Proposal
from agent.search import NoValidProgram, Search
from harness.proposers import ProposerSpec
from tests.core.toytask import SEED, toy_task

RUNNER = Path(__file__).with_name("run_toy.py")


def cfg(**over):
    base = {"stop.max_evals": 60, "pools.backend": "local", "pools.evals_in_flight": 2,
            "population.islands": 2, "cold_start.variants_per_island": 3,
            "population.migration_interval": 1, "population.generation_size": 4}
    base.update(over)
    return load_config(None, base)


def test_offline_search_improves_on_the_seed_and_writes_the_run_dir(tmp_path):
    s = Search(toy_task(), cfg(), tmp_path, ProposerSpec())
    summary = s.run()
    assert summary["evaluations"] == 60
    assert summary["best_score"] < summary["seed_score"]  # minimise: lower is better
    assert (tmp_path / "best_program.py").read_text().strip()
    assert json.loads((tmp_path / "summary.json").read_text())["evaluations"] == 60
    db = sqlite3.connect(tmp_path / "programs.db")
    assert db.execute("select count(*) from programs where proposer not in "
                      "('migration', 'cold_start_copy')").fetchone()[0] == 60
    kinds = {r[0] for r in db.execute("select kind from events")}
    assert {"cold_start", "cold_start_done", "new_best", "stop"} <= kinds
    assert "migration" in kinds
    stats = db.execute("select count(*), min(temperature), max(diversity) from island_stats").fetchone()
    assert stats[0] > 0 and stats[1] > 0
    islands = {r[0] for r in db.execute("select island from programs where island >= 0")}
    assert islands == {0, 1}


class HostileProposer:
    """Every third proposal is a candidate that misbehaves in one of several ways."""

    name = "hostile"
    BAD = ["while True: pass\n",
           "x = bytearray(50 * 2**30)\n",
           "import sys\nwhile True: sys.stdout.write('y' * 65536)\n",
           "import os\nprint(os.environ.get('OPENAI_API_KEY'))\nraise SystemExit(3)\n",
           "def run():\n    return [float('nan')] * 5\n"]

    def __init__(self):
        from agent.offline import OfflineProposer
        self.inner = OfflineProposer()
        self.n = 0

    async def propose(self, ctx):
        self.n += 1
        if self.n % 3 == 0:
            bad = self.BAD[(self.n // 3) % len(self.BAD)]
            return Proposal(code=SEED + "\n" + bad + f"# {self.n}\n", proposer=self.name)
        return await self.inner.propose(ctx)


def test_hostile_candidates_are_invalid_with_reasons_and_the_run_goes_on(tmp_path):
    task = replace(toy_task(timeout_s=2.0))
    s = Search(task, cfg(**{"stop.max_evals": 30}), tmp_path, HostileProposer)
    summary = s.run()
    assert summary["evaluations"] == 30
    db = sqlite3.connect(tmp_path / "programs.db")
    errors = [json.loads(r[0])["error"] for r in
              db.execute("select result from programs where valid = 0")]
    assert errors, "hostile candidates must be recorded as invalid"
    joined = " | ".join(errors)
    assert "timeout" in joined or "memory" in joined or "output limit" in joined


def test_a_broken_seed_stops_with_a_clear_error(tmp_path):
    task = replace(toy_task(), seeds=("def run():\n    raise ValueError('seed is broken')\n",))
    with pytest.raises(NoValidProgram, match="seed is broken"):
        Search(task, cfg(), tmp_path, ProposerSpec()).run()


def _run_toy(out, n, mode="fresh"):
    return subprocess.Popen([sys.executable, str(RUNNER), str(out), str(n), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_programs(db_path, n, timeout=120):
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        try:
            if _count(db_path)[1] >= n:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.2)
    raise AssertionError(f"run did not reach {n} programs")


def _count(db_path):
    c = sqlite3.connect(db_path)
    ok = c.execute("pragma integrity_check").fetchone()[0]
    n, distinct = c.execute("select count(*), count(distinct id) from programs where proposer "
                            "not in ('migration', 'cold_start_copy')").fetchone()
    c.close()
    return ok, n, distinct


@pytest.mark.slow
def test_kill_dash_nine_then_resume_loses_nothing(tmp_path):
    out = tmp_path / "run"
    seen, total = 0, 1000  # large enough that the kills land mid-run
    for delay in (0.7, 1.9):  # kill twice, at different moments of the run
        p = _run_toy(out, total, "resume" if seen else "fresh")
        _wait_for_programs(out / "programs.db", seen + 3)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        ok, n, distinct = _count(out / "programs.db")
        assert ok == "ok" and n == distinct
        assert seen < n < total  # nothing evaluated was lost, and the kill came mid-run
        seen = n
    p = _run_toy(out, total, "resume")
    stdout, stderr = p.communicate(timeout=300)
    assert p.returncode == 0, stderr[-2000:]
    ok, n, distinct = _count(out / "programs.db")
    assert ok == "ok" and n == distinct == total
    assert f"DONE {total}" in stdout


@pytest.mark.slow
def test_sigterm_stops_cleanly_and_leaves_no_child(tmp_path):
    out = tmp_path / "run"
    p = _run_toy(out, 400)
    _wait_for_programs(out / "programs.db", 5)
    p.send_signal(signal.SIGTERM)
    stdout, _ = p.communicate(timeout=60)
    assert "signal SIGTERM" in stdout
    summary = json.loads((out / "summary.json").read_text())
    ok, n, _ = _count(out / "programs.db")
    assert summary["evaluations"] == n and ok == "ok"
    time.sleep(0.5)
    leftovers = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"__runner__.py" in cmd and str(tmp_path).encode() in Path(f"/proc/{pid}/environ").read_bytes():
                leftovers.append(pid)
    assert leftovers == []
