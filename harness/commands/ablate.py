"""Subcommand ``ablate``: every setting x seed x task, resumable, then the ablation report.

    fmagent ablate math/circle_packing_26 ale/depots --option ale/depots:language=python \\
        --seeds 3 --budget 60 --settings full,random,topk --out runs/ablation
    fmagent ablate --suite suites/ablation.yaml            # tasks, seeds, budget from a file
    fmagent ablate --report-only runs/ablation [--out results/ablation]
    fmagent ablate --list-settings | --print-config no-islands [--config base.yaml]

Heavy imports happen inside the command function, so ``fmagent --help`` stays fast.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def _user_error(msg: str) -> Exception:
    from harness.cli import UserError

    return UserError(msg)


def cmd_ablate(args: argparse.Namespace) -> int:
    import yaml

    from agent.config import ConfigError, load_config
    from harness import ablate as A
    from harness.suite import SuiteError, TaskEntry

    try:
        if args.list_settings:
            base = load_config(args.config) if args.config else load_config(None)
            for name in A.known_settings():
                over = A.setting_overrides(name, base)
                print(f"{name:22s} {A.SETTINGS[name][0]}"
                      + (f"  [{', '.join(f'{k}={v}' for k, v in over.items())}]" if over else ""))
            return 0
        if args.print_config:
            base = yaml.safe_load(Path(args.config).read_text()) if args.config else \
                dict(A.DEFAULT_BASE)
            cfg = A.apply_setting(base or {}, args.print_config)
            print(yaml.safe_dump(cfg.model_dump(), sort_keys=False), end="")
            return 0
        if args.report_only:
            recs = A.load_records(Path(args.report_only))
            if not recs:
                raise _user_error(f"{args.report_only}: no finished runs to report on")
            out = Path(args.out) if args.out else Path(args.report_only)
            if out.is_file():
                out = out.parent
            command = next((r.get("command") for r in recs if r.get("command")), "")
            import json

            rj = Path(args.report_only) / "runs.json"
            if rj.is_file():
                command = json.loads(rj.read_text()).get("command") or command
            res = A.write_report(recs, out, command=command or _command_line())
            print(f"report: {res['markdown']} ({len(recs)} runs; figures: "
                  f"{', '.join(Path(p).name for p in res['pngs'])})")
            return 0
        plan = _plan(args, A, TaskEntry, yaml)
        if args.dry_run:
            A.check_plan(plan)
            for seed, entry, setting, rd in plan.items():
                from harness.suite import item_state

                print(f"{setting} {entry.task} seed {seed}: {item_state(rd)} ({rd})")
            return 0
        runner = None
        if args.in_process:
            from harness.suite import inprocess_runner

            runner = inprocess_runner
        kw = {"runner": runner} if runner else {}
        res = A.run_ablation(plan, echo=lambda m: print(m, flush=True), **kw)
    except (A.AblationError, SuiteError, ConfigError) as e:
        raise _user_error(str(e)) from e
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return 0 if res["failed"] == 0 else 1


def _command_line() -> str:
    return "fmagent " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _plan(args: argparse.Namespace, A, TaskEntry, yaml) -> object:  # type: ignore[no-untyped-def]
    base: dict = dict(A.DEFAULT_BASE)
    custom: dict = {}
    entries: list = []
    seeds = None
    budget = None
    max_time = None
    settings = None
    if args.suite:
        f = A.load_ablation_file(args.suite)
        base = A._merge(base, f.config)
        custom = f.custom_settings
        entries = list(f.tasks)
        seeds = f.seeds
        budget, max_time = f.budget.max_evals, f.budget.max_time
        settings = f.settings
    if args.config:
        p = Path(args.config)
        if not p.is_file():
            raise A.AblationError(f"config file {p} not found; pass an existing YAML file")
        base = A._merge(base, yaml.safe_load(p.read_text()) or {})
    if args.tasks:
        entries = [TaskEntry(task=t) for t in args.tasks]
    opts = A.parse_options(args.option, [e.task for e in entries])
    entries = [e.model_copy(update={"options": {**e.options, **opts[e.task]}}) for e in entries]
    seeds = A.parse_seeds(args.seeds if args.seeds is not None else (seeds or 3))
    if args.budget:  # the command line wins over every budget in the file
        entries = [e.model_copy(update={"budget": None}) for e in entries]
    budget = args.budget or budget
    if not budget and not all(e.budget and e.budget.max_evals for e in entries):
        raise A.AblationError("--budget EVALS is required (evaluations per run), e.g. --budget 60")
    settings = A.parse_settings(args.settings or settings, custom)
    out = Path(args.out) if args.out else Path("runs") / "ablation"
    return A.Plan(tasks=entries, settings=settings, seeds=seeds, max_evals=int(budget or 0), out=out,
                  base=base, max_time=args.max_time or max_time, models=args.model or [],
                  custom=custom, command=_command_line())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ablate", help="ablation study: settings x seeds x tasks (resumable), "
                       "then a report with curves, intervals and the paper's claims")
    p.add_argument("tasks", nargs="*", metavar="TASK", help="benchmark/task (several allowed)")
    p.add_argument("--seeds", help="a count (3 = seeds 0,1,2), a range (10-12) or a list (4,9); "
                   "default 3")
    p.add_argument("--budget", type=int, help="evaluations per run")
    p.add_argument("--max-time", type=float, help="seconds per run (optional cap)")
    p.add_argument("--settings", help="comma-separated settings (default full,random,topk,"
                   "no-islands,no-cold-start; 'all' for every one; see --list-settings)")
    p.add_argument("--out", help="study folder (default runs/ablation); with --report-only, "
                   "where the report goes")
    p.add_argument("--model", action="append", help="litellm model name (repeatable); "
                   "default: the offline proposer")
    p.add_argument("--option", action="append", metavar="[TASK:]KEY=VALUE",
                   help="benchmark option for every task, or for TASK only (repeatable)")
    p.add_argument("--config", help="base run config YAML the settings apply to")
    p.add_argument("--suite", help="ablation YAML (e.g. suites/ablation.yaml): tasks, seeds, "
                   "budget, settings, base config; flags override it")
    p.add_argument("--report-only", metavar="DIR", help="rebuild the report from DIR/runs.json "
                   "(or the run directories under DIR); runs nothing")
    p.add_argument("--list-settings", action="store_true", help="print the settings and exit")
    p.add_argument("--print-config", metavar="SETTING", help="print the resolved run config "
                   "of SETTING (usable with `fmagent run --config`) and exit")
    p.add_argument("--dry-run", action="store_true", help="list the runs and their state")
    p.add_argument("--in-process", action="store_true", help="run in this process instead of "
                   "one subprocess per run (debugging)")
    p.set_defaults(fn=cmd_ablate)
