"""``fmagent bench engine``: throughput against the ideal, controller cost, LLM concurrency."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_bench_engine(args: argparse.Namespace) -> int:
    from harness.bench.engine import Dist, main_json
    from harness.cli import UserError

    for d in (args.llm_latency, args.eval_time):
        try:
            Dist.parse(d)
        except ValueError as e:
            raise UserError(str(e)) from e
    return main_json(args)


def cmd_bench_openevolve(args: argparse.Namespace) -> int:
    from harness.bench.sidebyside import main as side_main

    return side_main(args)


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="benchmarks of the engine itself")
    bsub = p.add_subparsers(dest="bench_command", required=True)
    e = bsub.add_parser("engine", help="throughput vs ideal under LLM latency, controller cost "
                        "at 1k/10k/50k programs, 256 concurrent LLM requests")
    e.add_argument("--llm-latency", default="exp:2.0", help="DIST: const:S, uniform:LO,HI, "
                   "exp:MEAN, lognormal:MEAN,SIGMA (default exp:2.0)")
    e.add_argument("--eval-time", default="uniform:0.1,0.3", help="DIST of one evaluation")
    e.add_argument("--inflight", type=int, default=64, help="proposals in flight")
    e.add_argument("--eval-slots", type=int, default=16, help="evaluations in flight")
    e.add_argument("--duration", type=float, default=60.0, help="seconds of search")
    e.add_argument("--warmup", type=float, default=10.0, help="seconds left out of the rate")
    e.add_argument("--backend", choices=["ray", "local"], default="ray")
    e.add_argument("--cpus", type=int, help="CPUs Ray may use (default: all)")
    e.add_argument("--population", default="1000,10000,50000",
                   help="population sizes for the controller cost")
    e.add_argument("--concurrency", type=int, default=256, help="concurrent LLM requests")
    e.add_argument("--sandbox", action="store_true", help="run each synthetic candidate in the "
                   "sandbox too (measures process start-up as well)")
    e.add_argument("--skip-throughput", action="store_true")
    e.add_argument("--skip-controller", action="store_true")
    e.add_argument("--skip-concurrency", action="store_true")
    e.add_argument("--skip-sandbox-cost", action="store_true")
    e.add_argument("--out", help="directory for the throughput run (default: a temp dir)")
    e.add_argument("--json", help="write the figures as JSON here")
    e.set_defaults(fn=cmd_bench_engine)
    o = bsub.add_parser("openevolve", help="OpenEvolve and fmagent side by side on the same "
                        "fake server and synthetic task for the same wall time")
    o.add_argument("--llm-latency", default="exp:2.0")
    o.add_argument("--eval-time", default="uniform:0.1,0.3")
    o.add_argument("--duration", type=float, default=120.0)
    o.add_argument("--inflight", type=int, default=16)
    o.add_argument("--eval-slots", type=int, default=16)
    o.add_argument("--json")
    o.set_defaults(fn=cmd_bench_openevolve)
