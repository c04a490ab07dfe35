"""``python -m benchmarks.mle``: prepare minis, grade a program or a JSONL, aggregate reports.

    prepare [IDS...] [--data-dir D]           prepare mini competitions; print their thresholds
    final TASK CODE.py --out DIR [--data-dir D] [--option K=V ...]
                                              run the program on the full public data, grade it
    grade SUBMISSIONS.jsonl --out DIR [--data-dir D] [--real]
                                              grade a JSONL (competition_id, submission_path, ...)
                                              into DIR/<time>_grading_report.json
    aggregate REPORT.json ... [--split S ...] [--pad-missing]
                                              one grading report per seed -> mean ± SE per split
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence


def summary_report(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The summary mlebench's grade_jsonl writes: totals plus every competition report."""
    def total(k: str) -> int:
        return int(sum(bool(r.get(k)) for r in reports))

    return {"total_runs": len(reports),
            "total_runs_with_submissions": total("submission_exists"),
            "total_valid_submissions": total("valid_submission"),
            "total_medals": total("gold_medal") + total("silver_medal") + total("bronze_medal"),
            "total_gold_medals": total("gold_medal"), "total_silver_medals": total("silver_medal"),
            "total_bronze_medals": total("bronze_medal"),
            "total_above_median": total("above_median"),
            "competition_reports": list(reports)}


def _options(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in pairs:
        if "=" not in p:
            raise SystemExit(f"--option needs KEY=VALUE, got {p!r}")
        k, v = p.split("=", 1)
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mle", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("ids", nargs="*")
    p.add_argument("--data-dir")
    f = sub.add_parser("final")
    f.add_argument("task")
    f.add_argument("code")
    f.add_argument("--out", required=True)
    f.add_argument("--data-dir")
    f.add_argument("--option", action="append", default=[])
    g = sub.add_parser("grade")
    g.add_argument("jsonl")
    g.add_argument("--out", required=True)
    g.add_argument("--data-dir")
    g.add_argument("--real", action="store_true", help="grade with mlebench (real competitions)")
    a = sub.add_parser("aggregate")
    a.add_argument("reports", nargs="+")
    a.add_argument("--split", action="append")
    a.add_argument("--pad-missing", action="store_true")
    args = ap.parse_args(argv)

    if args.cmd == "prepare":
        from benchmarks.mle import mini
        from benchmarks.mle.medals import thresholds

        for cid in args.ids or list(mini.MINIS):
            c = mini.load(cid, args.data_dir)
            t = thresholds(c.leaderboard()["score"].tolist())
            print(f"{cid}: {c.metric} ({'lower' if t.lower_is_better else 'higher'} is better), "
                  f"{t.num_teams} reference models: gold {t.gold:.5g} silver {t.silver:.5g} "
                  f"bronze {t.bronze:.5g} median {t.median:.5g}  [{c.root}]")
    elif args.cmd == "final":
        from benchmarks.mle import final_grade

        opts = _options(args.option)
        if args.data_dir:
            opts["data_dir"] = args.data_dir
        rep = final_grade(args.task, Path(args.code).read_text(), args.out, **opts)
        print(json.dumps(rep, indent=2))
    elif args.cmd == "grade":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        if args.real:
            from benchmarks.mle import real

            if not args.data_dir:
                raise SystemExit("--real needs --data-dir (the mlebench data directory)")
            reg = real.mlebench_module("registry").registry.set_data_dir(Path(args.data_dir))
            real.mlebench_module("grade").grade_jsonl(Path(args.jsonl), out, reg)
            return 0
        from benchmarks.mle.aggregate import grade_jsonl_offline

        summary = summary_report(grade_jsonl_offline(args.jsonl, args.data_dir))
        path = out / f"{time.strftime('%Y-%m-%dT%H-%M-%S-%Z', time.gmtime())}_grading_report.json"
        path.write_text(json.dumps(summary, indent=2))
        print(json.dumps({k: v for k, v in summary.items() if k != "competition_reports"},
                         indent=2))
        print(f"saved {path}")
    else:
        from benchmarks.mle.aggregate import aggregate, headline

        seeds = {p: json.loads(Path(p).read_text())["competition_reports"] for p in args.reports}
        for s in args.split or ["lite", "medium", "high", "all"]:
            print(headline(aggregate(seeds, s, pad_missing=args.pad_missing)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
