"""``fmagent report``: one Markdown report and one static HTML page per benchmark.

For every benchmark found among the runs: the setup (budget, models, code version, from the
manifests), the per-task results, the benchmark's own table in the paper's shape with the
paper's and the baselines' rows (both paper versions, each with its source), and PNG plots.
``report.json`` holds every number shown, for tests and scripts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

from harness.report import tables as T
from harness.report.reference import DEFAULT_PATH, PaperReference, load_reference
from harness.report.render import Doc, Link, fmt, to_html, to_markdown
from harness.report.rundata import Run, find_runs, group_by_task

TITLES = {"math": "Classical math problems", "ale": "ALE-Bench", "mle": "MLE-Bench",
          "kernel": "KernelBench Level 3", "other": "Other tasks (task folders)"}


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", s).strip("-")


def _join(xs: Sequence[Any]) -> str:
    vals = sorted({fmt(x) for x in xs})
    return ", ".join(vals) if vals else "–"


def setup_section(doc: Doc, runs: list[Run]) -> dict[str, Any]:
    budgets = [r.budget() for r in runs]
    models = sorted({m for r in runs for m in r.models()})
    commits = sorted({f"{(r.provenance().get('git') or {}).get('commit') or '?'}"[:10] +
                      ("+dirty" if (r.provenance().get('git') or {}).get('dirty') else "")
                      for r in runs})
    machines = sorted({f"{(r.provenance().get('machine') or {}).get('cpus', '?')} CPUs "
                       f"({(r.provenance().get('machine') or {}).get('processor', '?')})"
                       for r in runs})
    info = {"runs": len(runs), "tasks": len({r.task_id for r in runs}),
            "seeds": sorted({r.seed for r in runs if r.seed is not None}),
            "max_evals": sorted({b["max_evals"] for b in budgets if b["max_evals"] is not None}),
            "max_time_s": sorted({b["max_time_s"] for b in budgets if b["max_time_s"] is not None}),
            "islands": sorted({b["islands"] for b in budgets if b["islands"] is not None}),
            "models": models, "proposers": sorted({str(r.manifest.get("proposer", "?"))
                                                   for r in runs}),
            "commits": commits, "machines": machines,
            "status": {s: sum(r.status == s for r in runs)
                       for s in sorted({r.status for r in runs})}}
    doc.h("Setup")
    doc.bullets([
        f"runs: {info['runs']} ({info['tasks']} tasks; seeds {_join(info['seeds'])}); "
        f"status: " + ", ".join(f"{k} {v}" for k, v in info["status"].items()),
        f"budget per run: max_evals {_join(info['max_evals'])}; max_time "
        f"{_join(info['max_time_s']) if info['max_time_s'] else 'none'} s; islands "
        f"{_join(info['islands'])}",
        f"models: {', '.join(models)}; proposer: {'; '.join(info['proposers'])}",
        f"code version: {', '.join(commits)}; machine: {'; '.join(machines)}",
    ])
    return info


def results_section(doc: Doc, groups: dict[str, list[Run]]) -> list[dict[str, Any]]:
    rows = T.task_rows(groups)
    doc.h("Results per task")
    doc.table(["task", "version", "dir", "seeds", "evals", "valid %", "seed score",
               "best score", "mean best ± SEM", "evals/min", "gen pool util",
               "eval pool util"],
              [[r["task"], ", ".join(r["versions"]), r["direction"], _join(r["seeds"]),
                _join(r["evaluations"]),
                fmt(100.0 * sum(r["valid"]) / max(1, sum(r["evaluations"])), 4),
                fmt(r["seed_score"], 10), fmt(r["best"], 10),
                f"{fmt(r['mean_best'], 8)} ± {fmt(r['sem_best'], 2)}" if len(r["seeds"]) > 1
                else fmt(r["mean_best"], 10),
                fmt(r["evals_per_min"], 4), fmt(r["gen_util"], 3), fmt(r["eval_util"], 3)]
               for r in rows],
              caption="best over seeds in the task's own direction; pool utilisation = busy "
                      "time / (wall time x slots), from summary.json")
    return rows


def _notes(doc: Doc, notes: list[str]) -> None:
    if notes:
        doc.h("Missing data", 3)
        doc.bullets(notes)


def math_section(doc: Doc, groups: dict[str, list[Run]], ref: PaperReference,
                 models: str) -> dict[str, Any]:
    rows = T.math_rows(groups)
    doc.h("Best vs references (gap to best known)", 3)
    doc.table(["task", "dir", "seed score", "best (ours)", "best known", "gap %",
               "seed gap %", "other references"],
              [[r["task"], r["direction"], fmt(r["seed_score"], 10), fmt(r["best"], 10),
                fmt(r["best_known"], 10), fmt(r["gap_pct"], 4), fmt(r["seed_gap_pct"], 4),
                "; ".join(f"{k} {fmt(v, 10)}" for k, v in r["references"].items()
                          if k != "best_known") or "–"] for r in rows],
              caption="gap % = how far behind the best known value (negative: claims to beat "
                      "it); references and their sources come from each task (manifest)")
    notes = [f"{r['task']}: no best_known reference in the manifest" for r in rows
             if r["best_known"] is None]
    out: dict[str, Any] = {"rows": rows}
    bench = ref.benchmarks.get("math")
    for table in (bench.tables if bench else []):
        cols = ["problem", *table.columns, "ours (best over seeds)", "ours vs fm_agent %"]
        trows = []
        for r in table.rows:
            mine = next((x for x in rows if x["task"] == r.task), None) if r.task else None
            best = mine["best"] if mine else None
            gap = T.gap_percent(best, r.values.get("fm_agent"), r.direction or "max") \
                if mine else None
            trows.append([r.name, *[fmt(r.values.get(c), None) for c in table.columns],
                          fmt(best, None) if mine else "not run", fmt(gap, 4)])
        doc.h(f"Paper table ({table.version}: {table.source})", 3)
        doc.table(cols, trows, caption=ref.source_of(table) + "; ours: " + models)
    _notes(doc, notes)
    out["notes"] = notes
    return out


def ale_section(doc: Doc, groups: dict[str, list[Run]], ref: PaperReference,
                models: str) -> dict[str, Any]:
    rows, summary, notes = T.ale_rows(groups)
    doc.h("Per problem (public best, private evaluation from final.json)", 3)
    doc.table(["problem", "seed", "public best", "private score", "private valid", "rank",
               "performance"],
              [[r["task"], fmt(r["seed"]), fmt(r["public_best"], 10),
                fmt(r["private_score"], 10) if r["final"] else "no final.json",
                fmt(r["private_valid"]), fmt(r["rank"]), fmt(r["performance"])] for r in rows])
    ours = {**summary, "_models": models} if summary else {"_models": models}
    for table in ref.benchmarks["ale"].tables if "ale" in ref.benchmarks else []:
        cols, trows, src = T.paper_table(ref, table, ours if table.id == "main" else None,
                                         "ours (this report)")
        doc.h(f"Paper table ({table.version}: {table.source})", 3)
        doc.table(cols, trows, caption=src)
    if not summary:
        notes.append("no performance in any final.json: the paper-shape row cannot be "
                     "computed (performances come from real ALE-Bench private evaluations)")
    _notes(doc, notes)
    return {"rows": rows, "summary": summary, "notes": notes}


def mle_section(doc: Doc, groups: dict[str, list[Run]], ref: PaperReference,
                models: str) -> dict[str, Any]:
    rows, summary, notes = T.mle_rows(groups)
    doc.h("Per competition (final grading from final.json)", 3)
    doc.table(["competition", "seed", "validation best", "test score", "valid",
               "above median", "medal", "leaderboard"],
              [[r["task"], fmt(r["seed"]), fmt(r["validation_best"], 8),
                fmt(r["test_score"], 8), fmt(r["valid"]), fmt(r["above_median"]),
                ("gold" if r["gold"] else "silver" if r["silver"] else "bronze" if r["bronze"]
                 else "none"), r["leaderboard"] or "–"] for r in rows])
    ours = {**summary, "_models": models}
    for table in ref.benchmarks["mle"].tables if "mle" in ref.benchmarks else []:
        if table.id != "main":
            continue
        cols, trows, src = T.paper_table(ref, table, ours, "ours (this report)")
        doc.h(f"Paper table ({table.version}: {table.source})", 3)
        doc.table(cols, trows, caption=src + "; ours: percent of the competitions in this "
                  "report, mean ± SEM over seeds (offline minis are graded against reference "
                  "models, not Kaggle teams)")
    _notes(doc, notes)
    return {"rows": rows, "summary": summary, "notes": notes}


def kernel_section(doc: Doc, groups: dict[str, list[Run]], ref: PaperReference,
                   models: str) -> dict[str, Any]:
    rows, summary, notes = T.kernel_rows(groups)
    doc.h("Per problem (best program's timing record)", 3)
    doc.table(["problem", "seed", "compiled", "correct", "statistic", "ms", "eager ms",
               "compile ms", "speedup vs eager", "speedup vs compile", "flagged"],
              [[r["task"], fmt(r["seed"]), fmt(r["compiled"]), fmt(r["correct"]), r["stat"],
                fmt(r["runtime_ms"], 4), fmt(r["eager_ms"], 4), fmt(r["compile_ms"], 4),
                fmt(r["speedup_eager"], 4), fmt(r["speedup_compile"], 4), fmt(r["flagged"])]
               for r in rows])
    if summary:
        doc.table(["baseline", "fast_0 %", "fast_1 %", "fast_1.5 %", "fast_2 %",
                   "geomean speedup", "min speedup", "max speedup"],
                  [[b, *[fmt(summary.get(f"fast_{p}_{b}"), 4) for p in ("0", "1", "1.5", "2")],
                    fmt(summary.get(f"geomean_{b}"), 4), fmt(summary.get(f"speedup_min_{b}"), 4),
                    fmt(summary.get(f"speedup_max_{b}"), 4)] for b in ("eager", "compile")],
                  caption="fast_p = share of problems correct and faster than the baseline by "
                          f"more than p; hardware: {', '.join(summary.get('hardware') or ['?'])}"
                          f"; timer: {', '.join(summary.get('timers') or ['?'])}")
    ours = {"speedup_min": summary.get("speedup_min_compile"),
            "speedup_max": summary.get("speedup_max_compile"),
            "tolerance": summary.get("tolerance"), "_models": models}
    for table in ref.benchmarks["kernel"].tables if "kernel" in ref.benchmarks else []:
        cols, trows, src = T.paper_table(ref, table, ours, "ours (vs torch.compile)")
        doc.h(f"Paper claim ({table.version}: {table.source})", 3)
        doc.table(cols, trows, caption=src + "; " + "; ".join(r.note for r in table.rows if r.note))
    _notes(doc, notes)
    return {"rows": rows, "summary": summary, "notes": notes}


SECTIONS = {"math": math_section, "ale": ale_section, "mle": mle_section,
            "kernel": kernel_section}


def plots_section(doc: Doc, runs: list[Run], groups: dict[str, list[Run]], out: Path,
                  bench: str) -> list[str]:
    from harness.report.plots import reference_bars, run_figure

    files = []
    items = []
    for task, rs in groups.items():
        rows = T.task_rows({task: rs})[0]
        bars = [("seed", rows["seed_score"]), ("ours (best)", rows["best"])]
        bars += [(k, v) for k, v in rows["references"].items()]
        items.append({"task": task, "direction": rows["direction"], "bars": bars})
    p = reference_bars(items, out / "plots" / "references.png",
                       f"{TITLES.get(bench, bench)}: seed, our best and the task's references")
    files.append(p)
    doc.h("Plots")
    doc.h("Per task against references", 3)
    doc.image(f"plots/{p.name}", "per-task bars against references")
    doc.h("Per run: best score per island, diversity and temperature, throughput", 3)
    for r in runs:
        name = f"run-{_slug(r.task_id)}-s{r.seed}.png"
        if not r.programs:
            doc.p(f"{r.task_id} seed {r.seed}: no programs in the database, no plot")
            continue
        files.append(run_figure(r, out / "plots" / name))
        doc.image(f"plots/{name}", f"{r.task_id} seed {r.seed}")
    return [str(f) for f in files]


def build_report(paths: Sequence[str | Path], out: Path, reference: str | Path = DEFAULT_PATH,
                 plots: bool = True) -> dict[str, Any]:
    runs = find_runs(paths)
    ref = load_reference(reference)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    by_bench: dict[str, list[Run]] = {}
    for r in runs:
        by_bench.setdefault(r.benchmark, []).append(r)
    index = Doc("fmagent report")
    index.p("Built by `fmagent report` from: " + ", ".join(str(p) for p in paths))
    for p in paths:
        st = Path(p) / "suite.json"
        if st.is_file():
            try:
                sj = json.loads(st.read_text())
            except ValueError:
                continue
            c = sj.get("counts") or {}
            index.bullets([
                f"suite {sj.get('suite')} ({sj.get('file')}): {len(sj.get('items', []))} "
                f"task-seeds; run {c.get('finished', '?')}, skipped {c.get('skipped', '?')}, "
                f"failed {c.get('failed', '?')}; wall time {fmt(sj.get('wall_s'), 4)} s",
                f"command: `{sj.get('command') or 'fmagent suite ' + str(sj.get('file'))}`",
                f"suite budget per run: {sj.get('budget')}"])
    index_rows = []
    result: dict[str, Any] = {"benchmarks": {}}
    for bench in sorted(by_bench):
        brs = by_bench[bench]
        groups = group_by_task(brs)
        bdir = out / bench
        doc = Doc(f"{TITLES.get(bench, bench)}: reproduction report")
        setup = setup_section(doc, brs)
        models = ", ".join(setup["models"])
        data: dict[str, Any] = {"setup": setup, "tasks": results_section(doc, groups)}
        if bench in SECTIONS:
            doc.h(f"{TITLES[bench]} in the paper's shape")
            data[bench] = SECTIONS[bench](doc, groups, ref, models)
        if plots:
            data["plots"] = plots_section(doc, brs, groups, bdir, bench)
        doc.h("Run directories", 3)
        doc.table(["task", "seed", "status", "stop reason", "evals", "run directory"],
                  [[r.task_id, fmt(r.seed), r.status,
                    (r.summary or {}).get("stop_reason") or r.manifest.get("stop_reason") or "–",
                    r.n_evals, str(r.path)] for r in brs])
        bdir.mkdir(parents=True, exist_ok=True)
        (bdir / "report.md").write_text(to_markdown(doc))
        (bdir / "index.html").write_text(to_html(doc))
        (bdir / "report.json").write_text(json.dumps(data, indent=1, default=str))
        result["benchmarks"][bench] = {"markdown": str(bdir / "report.md"),
                                       "html": str(bdir / "index.html"), "runs": len(brs)}
        index_rows.append([TITLES.get(bench, bench), len(groups), len(brs),
                           Link("report.md", f"{bench}/report.md"),
                           Link("index.html", f"{bench}/index.html")])
    index.table(["benchmark", "tasks", "runs", "Markdown", "HTML"], index_rows)
    (out / "README.md").write_text(to_markdown(index))
    (out / "index.html").write_text(to_html(index))
    result["index"] = str(out / "README.md")
    return result
