"""``fmagent export {mle,ale,kernel} RUN_DIR... --out DIR``: the files each grader takes.

- **mle**: per run, the submission, the code and the logs copied under ``<out>/<competition>/
  s<seed>/``, and the grading JSONL that ``mlebench grade --submission`` (grade_jsonl) reads:
  one line per competition with ``competition_id``, ``submission_path``, ``logs_path``,
  ``code_path`` (absolute paths to the copies). One file per seed
  (``submissions_s<seed>.jsonl``, as MLE-Bench aggregates per seed) and ``submissions.jsonl``
  with every line. A run without a final grading (no final.json) exports its best program with
  a null submission_path (counted as no submission), and says so.
- **ale**: per problem, the best program as ``<out>/<problem>/s<seed>/Main.<ext>`` and
  ``<out>/<problem>.json`` (problem id, language as ALE-Bench names it, code path, the public
  score and the private evaluation from final.json when present), plus ``submissions.json``.
- **kernel**: the best ``ModelNew`` per problem, named like KernelBench's level3 files
  (``<out>/level3/<n>_<Name>.py``; in-repo problems under ``<out>/inrepo/<name>.py``, best seed),
  every seed also as ``<out>/samples/level_3_problem_<n>_sample_<i>_kernel.py`` (the layout of
  KernelBench's generated samples), and ``kernels.json`` with correctness and speedups.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Sequence

from harness.report.rundata import Run, RunDataError, find_runs

ALE_EXT = {"python": "py", "cpp17": "cpp", "cpp20": "cpp", "cpp23": "cpp", "cpp": "cpp",
           "rust": "rs"}
GRADING_KEYS = ("competition_id", "submission_path", "logs_path", "code_path")


class ExportError(ValueError):
    """Runs that do not fit the export kind, or nothing to export."""


def _runs_of(kind: str, dirs: Sequence[str | Path]) -> list[Run]:
    try:
        runs = find_runs(dirs)
    except RunDataError as e:
        raise ExportError(str(e)) from e
    mine = [r for r in runs if r.benchmark == kind]
    others = sorted({r.task_id for r in runs if r.benchmark != kind})
    if not mine:
        raise ExportError(f"no {kind} runs among the {len(runs)} run(s) given "
                          f"(found: {', '.join(others) or 'none'})")
    return mine


def _write_jsonl(lines: list[dict[str, Any]], path: Path) -> None:
    try:  # the adapter's writer when present (same format)
        from benchmarks.mle.aggregate import write_grading_jsonl

        write_grading_jsonl(lines, path)
    except ImportError:
        path.write_text("".join(json.dumps({k: ln.get(k) for k in GRADING_KEYS}) + "\n"
                                for ln in lines))


def export_mle(runs: list[Run], out: Path) -> dict[str, Any]:
    lines_by_seed: dict[Any, list[dict[str, Any]]] = {}
    notes = []
    for r in runs:
        cid = r.task_id.split("/", 1)[1]
        dest = (out / cid / f"s{r.seed}").resolve()
        dest.mkdir(parents=True, exist_ok=True)
        fin = r.final or {}
        sub_src = None
        for cand in (fin.get("submission_path"), r.path / "submission" / "submission.csv"):
            if cand and Path(cand).is_file():
                sub_src = Path(cand)
                break
        code_src = Path(fin["code_path"]) if fin.get("code_path") and \
            Path(fin["code_path"]).is_file() else None
        best = r.best_code()
        if code_src is not None:
            shutil.copyfile(code_src, dest / "solution.py")
        elif best is not None:
            (dest / "solution.py").write_text(best[1])
        logs_src = Path(fin["logs_path"]) if fin.get("logs_path") and \
            Path(fin["logs_path"]).is_file() else (r.path / "run.log")
        if logs_src.is_file():
            shutil.copyfile(logs_src, dest / "run.log")
        if sub_src is not None:
            shutil.copyfile(sub_src, dest / "submission.csv")
        else:
            why = "no final.json (the final step did not run)" if r.final is None else \
                "the final run produced no submission"
            notes.append(f"{cid} seed {r.seed}: {why}; exported with submission_path null")
        line = {"competition_id": cid,
                "submission_path": str(dest / "submission.csv") if sub_src else None,
                "logs_path": str(dest / "run.log") if (dest / "run.log").is_file() else None,
                "code_path": (str(dest / "solution.py") if (dest / "solution.py").is_file()
                              else None)}
        lines_by_seed.setdefault(r.seed, []).append(line)
    files = []
    for seed, lines in sorted(lines_by_seed.items(), key=lambda kv: str(kv[0])):
        ids = [ln["competition_id"] for ln in lines]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ExportError(f"two runs of {', '.join(sorted(dup))} with seed {seed}: export "
                              "one run per competition and seed")
        p = out / f"submissions_s{seed}.jsonl"
        _write_jsonl(lines, p)
        files.append(p)
    all_lines = [ln for ls in lines_by_seed.values() for ln in ls]
    _write_jsonl(all_lines, out / "submissions.jsonl")
    files.append(out / "submissions.jsonl")
    return {"files": [str(f) for f in files], "notes": notes,
            "lines": [f"mle: {len(all_lines)} grading lines -> {f}" for f in files] + notes}


def export_ale(runs: list[Run], out: Path) -> dict[str, Any]:
    entries = []
    notes = []
    for r in runs:
        pid = r.task_id.split("/", 1)[1]
        best = r.best_code()
        if best is None:
            notes.append(f"{pid} seed {r.seed}: no valid program, nothing exported")
            continue
        lang = str(r.task.get("language") or "cpp20")
        dest = (out / pid / f"s{r.seed}").resolve()
        dest.mkdir(parents=True, exist_ok=True)
        code_path = dest / f"Main.{ALE_EXT.get(lang, 'txt')}"
        code_path.write_text(best[1])
        fin = r.final or {}
        entry = {"problem_id": pid, "language": lang, "code_path": str(code_path),
                 "seed": r.seed, "task_version": r.version, "public_score": r.best_score,
                 "private": ({k: fin.get(k) for k in ("mode", "valid", "overall_absolute_score",
                                                      "rank", "performance", "cases_accepted",
                                                      "cases_total", "error")}
                             if r.final is not None else None),
                 "run_dir": str(r.path)}
        if r.final is None:
            notes.append(f"{pid} seed {r.seed}: no final.json (no private evaluation)")
        entries.append(entry)
    by_pid: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_pid.setdefault(e["problem_id"], []).append(e)
    for pid, es in by_pid.items():
        (out / f"{pid}.json").write_text(json.dumps(es[0] if len(es) == 1 else es, indent=1))
    (out / "submissions.json").write_text(json.dumps(entries, indent=1))
    return {"files": [str(out / "submissions.json")], "notes": notes,
            "lines": [f"ale: {len(entries)} programs for {len(by_pid)} problems -> {out}"] + notes}


def _kb_name(task_id: str) -> tuple[str, int | None, int | None]:
    """(relative file stem, level, problem number) of a kernel task id."""
    name = task_id.split("/", 1)[1]
    m = re.match(r"^level(\d+)/((\d+)_.+)$", name)
    if m:
        return f"level{m.group(1)}/{m.group(2)}", int(m.group(1)), int(m.group(3))
    return f"inrepo/{name}", None, None


def export_kernel(runs: list[Run], out: Path) -> dict[str, Any]:
    notes, entries = [], []
    best_by: dict[str, Run] = {}
    sample_idx: dict[str, int] = {}
    for r in runs:
        stem, level, num = _kb_name(r.task_id)
        best = r.best_code()
        if best is None:
            notes.append(f"{r.task_id} seed {r.seed}: no valid program, nothing exported")
            continue
        if "class ModelNew" not in best[1]:
            notes.append(f"{r.task_id} seed {r.seed}: the best program defines no ModelNew")
        i = sample_idx.get(stem, 0)
        sample_idx[stem] = i + 1
        if level is not None:
            sp = out / "samples" / f"level_{level}_problem_{num}_sample_{i}_kernel.py"
        else:
            sp = out / "samples" / f"{stem.split('/', 1)[1]}_sample_{i}_kernel.py"
        sp.parent.mkdir(parents=True, exist_ok=True)
        sp.write_text(best[1])
        res = r.best_result() or {}
        metrics = res.get("metrics") or {}
        entries.append({"task": r.task_id, "seed": r.seed, "sample": i, "sample_path": str(sp),
                        "correct": bool(metrics.get("correct")),
                        "speedup_vs_eager": metrics.get("speedup_vs_eager"),
                        "speedup_vs_compile": metrics.get("speedup_vs_compile"),
                        "fitness": r.best_fitness})
        cur = best_by.get(stem)
        if cur is None or (r.best_fitness or float("-inf")) > (cur.best_fitness or float("-inf")):
            best_by[stem] = r
    for stem, r in best_by.items():
        p = out / f"{stem}.py"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(r.best_code()[1])  # type: ignore[index]
        for e in entries:
            if e["task"] == r.task_id and e["seed"] == r.seed:
                e["file"] = str(p)
    (out / "kernels.json").write_text(json.dumps(entries, indent=1))
    return {"files": [str(out / "kernels.json")], "notes": notes,
            "lines": [f"kernel: {len(best_by)} problems ({len(entries)} samples) -> {out}"] + notes}


EXPORTERS = {"mle": export_mle, "ale": export_ale, "kernel": export_kernel}


def export(kind: str, dirs: Sequence[str | Path], out: Path) -> dict[str, Any]:
    if kind not in EXPORTERS:
        raise ExportError(f"unknown export kind {kind!r}; use one of {', '.join(EXPORTERS)}")
    runs = _runs_of(kind, dirs)
    out.mkdir(parents=True, exist_ok=True)
    return EXPORTERS[kind](runs, out)
