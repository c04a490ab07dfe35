"""Shared helpers: a small fabricated run directory and a live uvicorn on a free loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

from agent.records import EvalResult, Program
from agent.store import RunDB

TOKEN = "test-token-123"

CODE_A = "def run():\n    return [1.0, 1.0, 1.0, 1.0, 1.0]\n"
CODE_B = "def run():\n    return [0.5, 1.0, 1.0, 1.0, 3.0]\n"


def make_run(root: Path, islands: int = 2, series: dict[int, list[float | None]] | None = None,
             manifest: bool = True) -> Path:
    """A run directory with programs per island: ``series[island]`` = fitness per evaluation
    (None = invalid). Each program's parent is the previous one of its island."""
    root.mkdir(parents=True, exist_ok=True)
    db = RunDB(root / "programs.db")
    series = series or {0: [1.0, 2.0, 3.0], 1: [1.0, 0.5, None]}
    last: dict[int, str] = {}
    step = 0
    longest = max(len(v) for v in series.values())
    for i in range(longest):
        for isl, fits in sorted(series.items()):
            if i >= len(fits):
                continue
            f = fits[i]
            r = (EvalResult(valid=True, fitness=f, metrics={"score": -f}, feedback=f"fb {isl}/{i}")
                 if f is not None else EvalResult.invalid("boom: candidate crashed"))
            code = CODE_A if i == 0 else CODE_A.replace("1.0, 1.0]", f"{i}.0, {isl}.5]")
            p = Program(code=code, island=isl, generation=i, proposer="offline" if i else "seed",
                        parents=(last[isl],) if isl in last else ()).evaluated(r)
            db.add_program(p)
            last[isl] = p.id
            step += 1
    db.add_island_stats([{"t": time.time(), "n_evals": step, "island": k, "size": 3,
                          "n_clusters": 1, "diversity": 0.1 * (k + 1), "temperature": 0.5,
                          "best": 1.0, "gen_inflight": 1, "eval_inflight": 2}
                         for k in range(islands)])
    db.add_event("new_best", step, 0, {"fitness": 3.0})
    db.close()
    if manifest:
        (root / "manifest.json").write_text(json.dumps({
            "schema_version": 1, "status": "running",
            "task": {"id": "toy/fit5", "direction": "min"},
            "config": {"population": {"islands": islands}, "stop": {"max_evals": 100},
                       "pools": {"proposals_in_flight": 4, "evals_in_flight": 2}}}))
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving the dashboard app in a thread, on a socket bound to a free port."""

    def __init__(self, run_dir: Path, token: str = TOKEN) -> None:
        import uvicorn

        from harness.dashboard.server import create_app, host_names

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        app = create_app(run_dir, token, allowed_hosts=host_names("127.0.0.1", self.port))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
