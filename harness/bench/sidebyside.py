"""OpenEvolve and fmagent side by side: same fake LLM server, same synthetic task, same wall time.

The task is an OpenEvolve-format folder written here (``initial_program.py`` with an EVOLVE
block of eight numbers, ``evaluator.py`` whose ``evaluate(program_path)`` sleeps for a time
drawn from ``--eval-time`` and returns ``combined_score``). Both systems get the same
OpenAI-compatible fake server (latency from ``--llm-latency``), the same number of proposals in
flight, and the same wall time; each runs in its own process.

Counted: evaluations completed after the warm-up. OpenEvolve's come from a log the evaluator
appends to (OpenEvolve imports the evaluator into its own worker processes, so it may write
there); fmagent's from its run database (its evaluator runs in the sandbox, which may not write
outside its own directory). OpenEvolve (pinned) is installed from PyPI into its own virtual
environment on first use.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

INITIAL = """# EVOLVE-BLOCK-START
def params():
    return [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
# EVOLVE-BLOCK-END


def run():
    return params()
"""

EVALUATOR = '''"""Synthetic evaluator: sleeps a drawn time, scores eight numbers against targets."""
import hashlib, os, random, re, time

TARGETS = [0.31, 1.7, 2.2, 0.05, 4.4, 3.3, 0.9, 1.1]
DIST = {dist!r}
LOG = os.environ.get("FMAGENT_BENCH_EVAL_LOG")


def _draw(rng):
    kind, _, args = DIST.partition(":")
    v = [float(x) for x in args.split(",")]
    if kind == "const":
        return v[0]
    if kind == "uniform":
        return rng.uniform(v[0], v[1])
    return rng.expovariate(1.0 / v[0])


def evaluate(program_path):
    code = open(program_path).read()
    seed = int.from_bytes(hashlib.sha1(code.encode()).digest()[:8], "little")
    time.sleep(_draw(random.Random(seed)))
    body = code.split("EVOLVE-BLOCK-START", 1)[-1]
    nums = [float(x) for x in re.findall(r"-?\\d+\\.\\d+", body)][:8]
    # every completed evaluation counts, valid or not (as in fmagent's database)
    if LOG:
        with open(LOG, "a") as f:
            f.write(f"{{time.time()}}\\n")
    if len(nums) < 8:
        return {{"combined_score": 0.0, "error": "expected 8 numbers"}}
    err = sum((a - b) ** 2 for a, b in zip(nums, TARGETS))
    return {{"combined_score": 1.0 / (1.0 + err), "error_sq": err}}
'''


def write_folder(root: Path, eval_time: str) -> Path:
    folder = root / "synthetic_task"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "initial_program.py").write_text(INITIAL)
    (folder / "evaluator.py").write_text(EVALUATOR.format(dist=eval_time))
    return folder


def run_openevolve(folder: Path, api_base: str, inflight: int, duration: float, out: Path,
                   log: Path) -> dict[str, Any]:
    from harness.peer_formats.baseline import OPENEVOLVE_VERSION, ensure_venv

    py = ensure_venv()
    cfg = {"max_iterations": 10 ** 6, "checkpoint_interval": 10 ** 6, "log_level": "WARNING",
           "llm": {"api_base": api_base, "models": [{"name": "bench-fake", "weight": 1.0}],
                   "timeout": 120, "retries": 2},
           "database": {"num_islands": 4},
           "evaluator": {"timeout": 60, "parallel_evaluations": inflight,
                         "cascade_evaluation": False},
           "diff_based_evolution": True}
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(cfg))
    argv = [str(py.parent / "openevolve-run"), str(folder / "initial_program.py"),
            str(folder / "evaluator.py"), "--config", str(out / "config.yaml"), "--output",
            str(out / "oe_output")]
    env = {**os.environ, "FMAGENT_BENCH_EVAL_LOG": str(log), "OPENAI_API_KEY": "sk-fake-bench"}
    t0 = time.time()
    with open(out / "openevolve.log", "wb") as f:
        proc = subprocess.Popen(argv, cwd=folder, stdout=f, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            proc.wait(timeout=duration)
        except subprocess.TimeoutExpired:
            pass
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    return {"system": f"openevolve {OPENEVOLVE_VERSION}", "t_start": t0, "t_end": time.time(),
            "times": _log_times(log), "command": " ".join(argv)}


def _log_times(log: Path) -> list[float]:
    if not log.exists():
        return []
    return [float(x) for x in log.read_text().split()]


def run_fmagent(folder: Path, api_base: str, inflight: int, slots: int, duration: float,
                out: Path) -> dict[str, Any]:
    cfg = {"llm": {"models": [{"name": "openai/bench-fake", "api_base": api_base,
                               "max_concurrency": inflight, "input_cost_per_token": 0.0,
                               "output_cost_per_token": 0.0}], "edit_mode": "diff"},
           "stop": {"max_evals": 10 ** 9, "max_time_s": duration},
           "pools": {"proposals_in_flight": inflight, "evals_in_flight": slots},
           "knowledge": {"enabled": False}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_dir = out / "run"
    argv = [sys.executable, "-m", "harness.cli", "run", str(folder), "--config",
            str(out / "config.yaml"), "--out", str(run_dir), "--plain",
            "--option", "cpus=0.1"]
    env = {**os.environ, "OPENAI_API_KEY": "sk-fake-bench"}
    t0 = time.time()
    subprocess.run(argv, env=env, capture_output=True, timeout=duration + 300)
    times: list[float] = []
    if (run_dir / "programs.db").exists():
        db = sqlite3.connect(run_dir / "programs.db")
        times = [r[0] for r in db.execute("SELECT evaluated_at FROM programs WHERE proposer NOT "
                                          "IN ('migration', 'cold_start_copy')")]
        db.close()
    return {"system": "fmagent", "t_start": t0, "t_end": time.time(), "times": times,
            "command": " ".join(argv)}


def _rate(r: dict[str, Any], warmup: float, duration: float) -> float:
    w0 = r["t_start"] + warmup
    w1 = r["t_start"] + duration
    n = sum(1 for t in r["times"] if w0 <= t <= w1)
    return 60.0 * n / max(w1 - w0, 1e-9)


def main(args: Any) -> int:
    from agent.llm.fake_server import FakeLLMServer
    from harness.bench.engine import Dist

    lat = Dist.parse(args.llm_latency)
    Dist.parse(args.eval_time)
    warmup = min(30.0, args.duration / 4)
    root = Path(tempfile.mkdtemp(prefix="fmagent-sidebyside-"))
    folder = write_folder(root, args.eval_time)
    results = {}
    for name in ("openevolve", "fmagent"):
        server = FakeLLMServer(latency=lambda rng: lat.sample(rng), seed=1).start()
        try:
            if name == "openevolve":
                r = run_openevolve(folder, server.api_base, args.inflight, args.duration,
                                   root / "openevolve", root / "openevolve_evals.log")
            else:
                r = run_fmagent(folder, server.api_base, args.inflight, args.eval_slots,
                                args.duration, root / "fmagent")
            r["server_requests"] = dict(server.counters)
        finally:
            server.stop()
        r["evals_per_min"] = _rate(r, warmup, args.duration)
        r["evaluations"] = len(r.pop("times"))
        results[name] = r
    ideal = 60.0 * min(args.inflight / lat.mean, args.eval_slots / Dist.parse(args.eval_time).mean)
    ratio = (results["fmagent"]["evals_per_min"] / results["openevolve"]["evals_per_min"]
             if results["openevolve"]["evals_per_min"] else None)
    summary = {"llm_latency": args.llm_latency, "eval_time": args.eval_time,
               "inflight": args.inflight, "eval_slots": args.eval_slots,
               "duration_s": args.duration, "warmup_s": warmup, "ideal_evals_per_min": ideal,
               "results": results, "ratio_fmagent_to_openevolve": ratio, "work_dir": str(root)}
    for name, r in results.items():
        print(f"{name:11s} {r['evals_per_min']:8.1f} evaluations/min  ({r['evaluations']} in "
              f"{args.duration:g}s, {r['server_requests'].get('requests', 0)} LLM requests)")
    print(f"ideal       {ideal:8.1f} evaluations/min")
    print(f"ratio fmagent/openevolve: {ratio:.2f}" if ratio else "ratio: OpenEvolve evaluated nothing")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, default=str))
    return 0
