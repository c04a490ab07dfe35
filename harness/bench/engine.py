"""Engine benchmark: throughput under LLM latency, controller cost at scale, LLM concurrency.

Three measurements, all offline:

1. **Throughput.** A fake OpenAI-compatible server (agent.llm.fake_server) answers every
   proposal after a latency drawn from ``--llm-latency``; a synthetic task's evaluation takes a
   time drawn from ``--eval-time``. The real controller, pools and LLMProposer (through litellm)
   run for ``--duration`` seconds. Reported: evaluations per minute in the steady window, the
   ideal ``min(inflight / mean latency, eval slots / mean eval time)``, their ratio, and the
   utilisation of both pools.
2. **Controller cost.** The controller's own work per program — sample a parent and build the
   context, build the prompt, insert the evaluated child (database commit included) — timed at
   populations of 1k, 10k and 50k programs.
3. **Concurrency.** 256 proposals at once through one LLMProposer against the fake server:
   errors (must be 0) and wall time.

The synthetic evaluator parses the candidate's numbers with trusted code and sleeps; it does not
start a sandbox unless ``--sandbox`` is given (that measures process start-up, not the engine).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import re
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.records import EvalResult, Program, Resources
from agent.task import EvalContext, Task

_NUM = re.compile(r"-?\d+\.\d+")
TARGETS = [0.31, 1.7, 2.2, 0.05, 4.4, 3.3, 0.9, 1.1]

SEED = """# synthetic engine-benchmark program
# EVOLVE-BLOCK-START
def params():
    return [
        1.0000,
        1.0000,
        1.0000,
        1.0000,
        1.0000,
        1.0000,
        1.0000,
        1.0000,
    ]
# EVOLVE-BLOCK-END


def run():
    return params()
"""


@dataclass(frozen=True)
class Dist:
    """A latency distribution: ``const:1``, ``uniform:0.5,1.5``, ``exp:1``, ``lognormal:1,0.5``."""

    kind: str
    a: float
    b: float = 0.0

    @classmethod
    def parse(cls, text: str) -> "Dist":
        kind, _, args = text.partition(":")
        try:
            vals = [float(x) for x in args.split(",") if x]
        except ValueError:
            vals = []
        if kind == "const" and len(vals) == 1:
            return cls("const", vals[0])
        if kind == "uniform" and len(vals) == 2 and vals[0] <= vals[1]:
            return cls("uniform", vals[0], vals[1])
        if kind == "exp" and len(vals) == 1 and vals[0] > 0:
            return cls("exp", vals[0])
        if kind == "lognormal" and len(vals) == 2 and vals[0] > 0:
            return cls("lognormal", vals[0], vals[1])
        raise ValueError(f"distribution {text!r}: write const:MEAN, uniform:LO,HI, exp:MEAN or "
                         "lognormal:MEAN,SIGMA (seconds)")

    @property
    def mean(self) -> float:
        return {"const": self.a, "uniform": (self.a + self.b) / 2, "exp": self.a,
                "lognormal": self.a}[self.kind]

    def sample(self, rng: random.Random) -> float:
        if self.kind == "const":
            return self.a
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "exp":
            return rng.expovariate(1.0 / self.a)
        mu = math.log(self.a) - self.b ** 2 / 2  # mean of the lognormal is self.a
        return rng.lognormvariate(mu, self.b)


@dataclass(frozen=True)
class SyntheticEvaluator:
    eval_time: str = "const:0.5"
    sandbox: bool = False

    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        seed = int.from_bytes(hashlib.sha1(code.encode()).digest()[:8], "little")
        t = Dist.parse(self.eval_time).sample(random.Random(seed))
        if self.sandbox:
            from agent.sandbox import Limits, run_python_function

            t0 = time.monotonic()
            value, res = run_python_function(code, "run", [], limits=Limits(timeout_s=30))
            time.sleep(max(0.0, t - (time.monotonic() - t0)))
            if value is None:
                return EvalResult.invalid(res.describe_failure())
            nums = [float(v) for v in value]
        else:
            time.sleep(t)
            nums = [float(x) for x in _NUM.findall(code.split("EVOLVE-BLOCK-START", 1)[-1])]
        if len(nums) < len(TARGETS):
            return EvalResult.invalid(f"expected {len(TARGETS)} numbers, found {len(nums)}")
        err = sum((a - b) ** 2 for a, b in zip(nums, TARGETS))
        return EvalResult(valid=True, fitness=err, metrics={"eval_time_s": t})


def synthetic_task(eval_time: str, slots: int, cpus: int, sandbox: bool = False) -> Task:
    return Task(id="bench/synthetic", statement="Return eight numbers close to hidden targets.",
                seeds=(SEED,), evaluator=SyntheticEvaluator(eval_time, sandbox), direction="min",
                # the evaluation mostly sleeps: a slot reserves its share of the CPUs
                resources=Resources(cpus=cpus / slots, memory_mb=512, timeout_s=60))


# ------------------------------------------------------------------------------ throughput
def measure_throughput(llm_latency: str, eval_time: str, inflight: int, slots: int,
                       duration: float, backend: str, cpus: int, sandbox: bool = False,
                       warmup: float = 10.0, out_dir: Path | None = None) -> dict[str, Any]:
    from agent.config import load_config
    from agent.llm.fake_server import FakeLLMServer
    from agent.search import Search
    from harness.proposers import ProposerSpec

    lat = Dist.parse(llm_latency)
    ev = Dist.parse(eval_time)
    server = FakeLLMServer(latency=lambda rng: lat.sample(rng), seed=0).start()
    run_dir = Path(out_dir or tempfile.mkdtemp(prefix="fmagent-bench-")) / "throughput"
    try:
        llm = {"models": [{"name": "openai/bench-fake", "api_base": server.api_base,
                           "max_concurrency": inflight, "timeout_s": 60 + 10 * lat.mean,
                           "input_cost_per_token": 0.0, "output_cost_per_token": 0.0}],
               "max_retries": 2, "edit_mode": "diff"}
        cfg = load_config(None, {
            "stop.max_evals": 10 ** 9, "stop.max_time_s": duration, "pools.backend": backend,
            "pools.proposals_in_flight": inflight, "pools.evals_in_flight": slots,
            "pools.ray_num_cpus": cpus, "population.islands": 4,
            "cold_start.variants_per_island": 2, "knowledge.enabled": False})
        cfg.llm = llm
        import os

        os.environ.setdefault("OPENAI_API_KEY", "sk-fake-bench")  # the fake server ignores it
        task = synthetic_task(eval_time, slots, cpus, sandbox)
        s = Search(task, cfg, run_dir, ProposerSpec(offline=cfg.offline.model_dump(), llm=llm))
        t_start = time.time()
        summary = s.run()
        t_end = time.time()
        requests = dict(server.counters)
    finally:
        server.stop()
    import sqlite3

    db = sqlite3.connect(run_dir / "programs.db")
    times = sorted(r[0] for r in db.execute("SELECT evaluated_at FROM programs WHERE proposer "
                                            "NOT IN ('migration', 'cold_start_copy')"))
    db.close()
    # The steady window: from the end of the cold start plus the warm-up to the stop decision.
    # Ray's start-up before it and the drain and shutdown after it are reported apart.
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()
              if line.strip()]
    evolve_t = next((e["t"] for e in events if e["kind"] == "cold_start_done"), t_start)
    stop_t = summary.get("stopped_at") or t_end
    w0 = evolve_t + warmup
    window = [t for t in times if w0 <= t <= stop_t]
    span = max(stop_t - w0, 1e-9)
    per_min = 60.0 * len(window) / span
    ideal = 60.0 * min(inflight / lat.mean, slots / ev.mean)
    util = summary.get("pool_utilisation") or {}
    return {"llm_latency": llm_latency, "eval_time": eval_time, "inflight": inflight,
            "eval_slots": slots, "backend": backend, "duration_s": duration,
            "warmup_s": warmup, "evaluations": summary["evaluations"],
            "evals_per_min": per_min, "ideal_evals_per_min": ideal,
            "window_s": span, "window_evaluations": len(window),
            "startup_s": evolve_t - t_start, "shutdown_s": t_end - stop_t,
            "wall_evals_per_min": 60.0 * len(times) / max(t_end - t_start, 1e-9),
            "ratio_to_ideal": per_min / ideal if ideal else None,
            "generation_utilisation": util.get("generation"),
            "evaluation_utilisation": util.get("evaluation"),
            "proposal_failures": summary.get("proposal_failures"),
            "server_requests": requests, "run_dir": str(run_dir)}


# ------------------------------------------------------------------------------ controller
def measure_controller(populations: list[int], samples: int = 300) -> list[dict[str, Any]]:
    """Time sample+context, prompt and insert at growing populations (one Search, no pools)."""
    from agent.config import load_config
    from agent.llm.prompts import build_prompt
    from agent.search import Search
    from harness.proposers import ProposerSpec

    task = synthetic_task("const:0", 1, 1)
    cfg = load_config(None, {"population.islands": 4, "stats_every": 10 ** 9,
                             "population.migration_interval": 5})
    out = []
    with tempfile.TemporaryDirectory(prefix="fmagent-bench-ctl-") as d:
        s = Search(task, cfg, Path(d), ProposerSpec())
        s.c.cold_start_done = True
        rng = random.Random(0)
        base = SEED.split("        1.0000,\n")
        n = 0

        def make(i: int) -> Program:
            vals = "".join(f"        {rng.uniform(0, 5):.4f},\n" for _ in TARGETS)
            code = base[0] + vals + base[-1]
            r = EvalResult(valid=True, fitness=-rng.uniform(0, 100), metrics={"score": 1.0})
            return Program(code=code, island=i % 4, generation=i // 40, proposer="bench",
                           parents=("x",), result=r)

        for target in populations:
            while n < target - samples:
                p = make(n)
                s._commit(p.evaluated(p.result))  # type: ignore[arg-type]
                n += 1
            t_sample = t_prompt = t_insert = 0.0
            for _ in range(samples):
                isl = rng.randrange(4)
                t0 = time.perf_counter()
                ch = s.sampler.sample(s.pop, isl, rng)
                parent = s.pop.programs[ch.parent]
                insp = [s.pop.programs[i] for i in ch.inspirations if i in s.pop.programs]
                ctx = s._context(parent, kind="mutation", island=isl, inspirations=insp)
                t1 = time.perf_counter()
                build_prompt(ctx, edit_format="diff")
                t2 = time.perf_counter()
                p = make(n)
                s._commit(p.with_(parents=(parent.id,)))
                n += 1
                t3 = time.perf_counter()
                t_sample += t1 - t0
                t_prompt += t2 - t1
                t_insert += t3 - t2
            out.append({"population": n, "sample_ms": 1e3 * t_sample / samples,
                        "prompt_ms": 1e3 * t_prompt / samples,
                        "insert_ms": 1e3 * t_insert / samples,
                        "total_ms": 1e3 * (t_sample + t_prompt + t_insert) / samples})
        s.store.close()
    return out


# ------------------------------------------------------------------------------ concurrency
def measure_concurrency(n: int = 256, latency: float = 2.0) -> dict[str, Any]:
    from agent.llm import load_llm_config
    from agent.llm.fake_server import FakeLLMServer
    from agent.llm.proposer import LLMProposer
    from agent.llm.usage import UsageMeter
    from agent.proposer import ProgramView, ProposalContext

    server = FakeLLMServer(latency=latency).start()
    try:
        cfg = load_llm_config({"models": [{"name": "openai/bench-fake",
                                           "api_base": server.api_base, "max_concurrency": n,
                                           "timeout_s": 60 + latency,
                                           "input_cost_per_token": 0.0,
                                           "output_cost_per_token": 0.0}],
                               "max_retries": 0, "edit_mode": "diff"})
        prop = LLMProposer(cfg, meter=UsageMeter())
        parent = ProgramView(id="p", code=SEED, fitness=-1.0, score=1.0)

        async def go() -> list[Any]:
            ctxs = [ProposalContext(task_id="bench", statement="bench", language="python",
                                    direction="min", parent=parent, seed=i) for i in range(n)]
            return await asyncio.gather(*(prop.propose(c) for c in ctxs), return_exceptions=True)

        t0 = time.monotonic()
        res = asyncio.run(go())
        wall = time.monotonic() - t0
    finally:
        server.stop()
    errors = [r for r in res if isinstance(r, BaseException) or getattr(r, "code", None) is None]
    return {"concurrent_requests": n, "server_latency_s": latency, "wall_s": wall,
            "errors": len(errors), "ok": n - len(errors),
            "first_error": (str(errors[0]) if isinstance(errors[0], BaseException)
                            else getattr(errors[0], "error", None)) if errors else None,
            "server_requests": dict(server.counters)}


def measure_sandbox(n: int = 30) -> list[dict[str, Any]]:
    """Cost of one sandboxed Python call (import the candidate, call it, return its value),
    wall and CPU, through the warm fork server and through a fresh exec."""
    import os

    from agent import forkserver
    from agent import sandbox as sbx

    code = "def run():\n    return [1.0] * 8\n"

    def cpu_s() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime
        for pid in forkserver.fork_server_pids():  # a fork server reaps its children: count theirs
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return total

    out = []
    old = os.environ.get("FMAGENT_FORKSERVER")
    try:
        for mode in ("fork", "exec"):
            os.environ["FMAGENT_FORKSERVER"] = "1" if mode == "fork" else "0"
            sbx.run_python_function(code, "run", limits=sbx.Limits(timeout_s=30))  # warm
            c0, t0 = cpu_s(), time.perf_counter()
            for _ in range(n):
                value, res = sbx.run_python_function(code, "run", limits=sbx.Limits(timeout_s=30))
                if value is None:
                    raise RuntimeError(f"sandbox call failed: {res.describe_failure()}")
            out.append({"mode": mode, "calls": n,
                        "wall_ms": 1e3 * (time.perf_counter() - t0) / n,
                        "cpu_ms": 1e3 * (cpu_s() - c0) / n})
    finally:
        if old is None:
            os.environ.pop("FMAGENT_FORKSERVER", None)
        else:
            os.environ["FMAGENT_FORKSERVER"] = old
    return out


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_engine_bench(args: Any) -> dict[str, Any]:
    import os

    cpus = args.cpus or os.cpu_count() or 1
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                              "command": " ".join(sys.argv)}
    if not args.skip_throughput:
        result["throughput"] = measure_throughput(
            args.llm_latency, args.eval_time, args.inflight, args.eval_slots, args.duration,
            args.backend, cpus, sandbox=args.sandbox, warmup=args.warmup,
            out_dir=Path(args.out) if args.out else None)
    if not args.skip_controller:
        result["controller"] = measure_controller([int(x) for x in args.population.split(",")])
    if not args.skip_concurrency:
        result["concurrency"] = measure_concurrency(args.concurrency)
    if not getattr(args, "skip_sandbox_cost", False):
        result["sandbox"] = measure_sandbox()
    result["peak_memory_mb"] = peak_memory_mb()
    return result


def format_result(r: dict[str, Any]) -> str:
    lines = []
    t = r.get("throughput")
    if t:
        lines += [f"throughput ({t['backend']}, LLM latency {t['llm_latency']}, eval time "
                  f"{t['eval_time']}, {t['inflight']} proposals in flight, {t['eval_slots']} "
                  f"eval slots, {t['duration_s']:g}s):",
                  f"  evaluations/min  {t['evals_per_min']:.1f}  (steady: {t['window_evaluations']}"
                  f" in the {t['window_s']:.0f}s after cold start + {t['warmup_s']:g}s warm-up)",
                  f"  wall clock/min   {t['wall_evals_per_min']:.1f}  (start-up "
                  f"{t['startup_s']:.1f}s incl. Ray and cold start, drain and shutdown {t['shutdown_s']:.1f}s)",
                  f"  ideal/min        {t['ideal_evals_per_min']:.1f}",
                  f"  ratio to ideal   {100 * (t['ratio_to_ideal'] or 0):.1f}%",
                  f"  utilisation      generation {100 * (t['generation_utilisation'] or 0):.1f}%"
                  f", evaluation {100 * (t['evaluation_utilisation'] or 0):.1f}%",
                  f"  proposal failures {t['proposal_failures']}"]
    for c in r.get("controller", []):
        lines.append(f"controller at {c['population']:>6} programs: sample {c['sample_ms']:.3f} ms"
                     f" + prompt {c['prompt_ms']:.3f} ms + insert {c['insert_ms']:.3f} ms = "
                     f"{c['total_ms']:.3f} ms/program")
    c = r.get("concurrency")
    if c:
        lines.append(f"concurrency: {c['concurrent_requests']} requests at {c['server_latency_s']}s"
                     f" latency: {c['ok']} ok, {c['errors']} errors, {c['wall_s']:.2f}s wall")
    for c in r.get("sandbox", []):
        lines.append(f"sandboxed Python call ({c['mode']:4s}): {c['wall_ms']:.1f} ms wall, "
                     f"{c['cpu_ms']:.1f} ms CPU")
    lines.append(f"peak memory (controller process): {r['peak_memory_mb']:.0f} MB")
    return "\n".join(lines)


def main_json(args: Any) -> int:
    r = run_engine_bench(args)
    print(format_result(r))
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2, default=str))
    return 0
