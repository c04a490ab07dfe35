"""Subcommands ``report``, ``suite``, ``compare`` and ``export``.

Heavy imports (matplotlib, benchmark helpers) happen inside the command functions, so
``fmagent --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _user_error(msg: str) -> Exception:
    from harness.cli import UserError

    return UserError(msg)


def cmd_report(args: argparse.Namespace) -> int:
    from harness.report.build import build_report
    from harness.report.reference import ReferenceError
    from harness.report.rundata import RunDataError

    if args.out:
        out = Path(args.out)
    elif len(args.dirs) == 1:
        out = Path(args.dirs[0]) / "report"
    else:
        raise _user_error("several directories given: pass --out DIR for the report")
    try:
        res = build_report(args.dirs, out, args.reference, plots=not args.no_plots)
    except (RunDataError, ReferenceError) as e:
        raise _user_error(str(e)) from e
    for bench, files in res["benchmarks"].items():
        print(f"{bench}: {files['runs']} runs -> {files['markdown']} and {files['html']}")
    print(f"index: {res['index']}")
    return 0


def cmd_suite(args: argparse.Namespace) -> int:
    from harness.suite import SuiteError, run_suite

    try:
        res = run_suite(args.suite, seeds=args.seeds, out=args.out, plain=args.plain,
                        report=not args.no_report, dry_run=args.dry_run)
    except SuiteError as e:
        raise _user_error(str(e)) from e
    except KeyboardInterrupt:
        return 130
    return 0 if res["failed"] == 0 else 1


def cmd_compare(args: argparse.Namespace) -> int:
    from harness.compare import CompareError, compare_dirs

    try:
        res = compare_dirs(args.base, args.candidate, n_boot=args.bootstrap, alpha=args.alpha,
                           target=args.target, seed=args.rng_seed)
    except CompareError as e:
        raise _user_error(str(e)) from e
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(res["markdown"])
    if args.json:
        import json

        from harness.compare import to_json

        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(to_json(res), indent=1))
    print(res["markdown"])
    return 1 if res["regression"] else 0


def cmd_export(args: argparse.Namespace) -> int:
    from harness.export import ExportError, export

    try:
        res = export(args.kind, args.dirs, Path(args.out))
    except ExportError as e:
        raise _user_error(str(e)) from e
    for line in res["lines"]:
        print(line)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from harness.report.reference import DEFAULT_PATH

    p = sub.add_parser("report", help="Markdown + HTML report and plots from run or suite dirs")
    p.add_argument("dirs", nargs="+", metavar="RUN_OR_SUITE_DIR")
    p.add_argument("--out", help="report folder (default: DIR/report when one DIR is given)")
    p.add_argument("--reference", default=str(DEFAULT_PATH), help="paper reference YAML")
    p.add_argument("--no-plots", action="store_true", help="tables only")
    p.set_defaults(fn=cmd_report)

    p = sub.add_parser("suite", help="run many tasks x seeds from a suite YAML (resumable)")
    p.add_argument("suite", help="suite YAML (e.g. suites/smoke.yaml) or a name in suites/")
    p.add_argument("--seeds", type=int, help="number of seeds (overrides the suite's)")
    p.add_argument("--out", help="suite folder (default runs/suite-<name>)")
    p.add_argument("--plain", action="store_true", help="plain progress lines")
    p.add_argument("--no-report", action="store_true", help="skip the report at the end")
    p.add_argument("--dry-run", action="store_true", help="list what would run, run nothing")
    p.set_defaults(fn=cmd_suite)

    p = sub.add_parser("compare", help="regression test: candidate runs against base runs")
    p.add_argument("base", metavar="BASE_DIR")
    p.add_argument("candidate", metavar="CANDIDATE_DIR")
    p.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    p.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level")
    p.add_argument("--target", type=float, help="raw score for evaluations-to-target "
                   "(default: per task, the median final best of the base runs)")
    p.add_argument("--rng-seed", type=int, default=0, help="seed of the bootstrap")
    p.add_argument("--out", help="also write the Markdown summary here")
    p.add_argument("--json", help="also write the results as JSON here")
    p.set_defaults(fn=cmd_compare)

    p = sub.add_parser("export", help="files a leaderboard or grader takes")
    p.add_argument("kind", choices=["mle", "ale", "kernel"])
    p.add_argument("dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(fn=cmd_export)
