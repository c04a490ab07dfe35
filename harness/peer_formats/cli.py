"""Subcommands ``init`` and ``baseline``: ``register(subparsers)`` for harness/cli.py.

Heavy imports stay inside the command functions so ``fmagent --help`` stays fast.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def _user_error(msg: str) -> Exception:
    from harness.cli import UserError

    return UserError(msg)


def cmd_init(args: argparse.Namespace) -> int:
    from harness.task_folder import TaskFolderError, init_task

    try:
        path = init_task(args.name, args.template, Path(args.dest) if args.dest else None)
    except TaskFolderError as e:
        raise _user_error(str(e)) from e
    print(f"wrote {path} (template {args.template})")
    print(f"next: pytest {path}/test_task.py   then   fmagent run {path} --max-evals 30")
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from harness.peer_formats.baseline import BaselineError, run_openevolve_baseline

    folder = Path(args.path)
    out = Path(args.out) if args.out else Path("runs") / (
        f"openevolve-{folder.resolve().name}-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        run = run_openevolve_baseline(folder, out, args.model, args.max_evals,
                                      api_base=args.api_base, timeout_s=args.timeout)
    except BaselineError as e:
        raise _user_error(str(e)) from e
    print(f"OpenEvolve baseline run directory: {run}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="write a new task folder with a seed, an evaluator and a test")
    p.add_argument("name", help="folder name (created under --dest, default: here)")
    p.add_argument("--template", choices=["math", "script", "ml"], default="math")
    p.add_argument("--dest", help="parent directory (default: the current one)")
    p.set_defaults(fn=cmd_init)

    p = sub.add_parser("baseline", help="run a peer system (OpenEvolve) on a task folder with "
                                        "the same model and budget")
    p.add_argument("peer", choices=["openevolve"])
    p.add_argument("path", help="an OpenEvolve or FM Agent task folder")
    p.add_argument("--model", help="model name (litellm style; openai/x is x for OpenEvolve); "
                                   "default: the folder's config.yaml models")
    p.add_argument("--max-evals", type=int, default=100,
                   help="evaluations including the seed (default 100)")
    p.add_argument("--out", help="run directory (default runs/openevolve-<folder>-<time>)")
    p.add_argument("--api-base", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    p.add_argument("--timeout", type=float, help="wall-clock limit in seconds")
    p.set_defaults(fn=cmd_baseline)
