"""``fmagent suite``: many tasks x seeds in one command, resumable, with progress.

A suite file (YAML)::

    name: smoke
    description: what it is for
    seeds: 2                 # a count (seeds 0..n-1) or a list of seeds
    budget: {max_evals: 20, max_time: 300}     # per run; max_time in seconds
    config:                  # RunConfig fields (nested), as in `fmagent run --config`
      population: {islands: 2}
      pools: {backend: local}
    tasks:
      - math/circle_packing_26
      - {task: ale/route, budget: {max_evals: 10}, options: {workers: 1},
         config: {cold_start: {variants_per_island: 1}}}

Every task-seed runs through the same code path as ``fmagent run`` (a subprocess by default,
so one crashed run never takes the suite down), into ``<out>/<task>/s<seed>``. Re-running the
command skips task-seeds whose run directory holds a finished run (summary.json and status
``finished``) and resumes unfinished ones (``fmagent run --resume``). ``<out>/suite.json`` holds
the state of every item; a report of the whole suite is written to ``<out>/report`` at the end.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.config import load_yaml_model

ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = ROOT / "suites"


class SuiteError(ValueError):
    """A malformed or missing suite file, or an unknown task; the message names it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Budget(_Strict):
    max_evals: int | None = Field(None, ge=1)
    max_time: float | None = Field(None, gt=0, description="seconds per run")


class TaskEntry(_Strict):
    task: str = Field(min_length=3)
    budget: Budget | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    seeds: int | list[int] | None = None


class Suite(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    needs: str = ""  # what the suite needs beyond this repository (keys, data, GPUs)
    requires_env: list[str] = Field(default_factory=list)  # variables that must be set
    seeds: int | list[int] = 1
    budget: Budget = Field(default_factory=Budget)
    config: dict[str, Any] = Field(default_factory=dict)
    tasks: list[TaskEntry] = Field(min_length=1)

    @field_validator("tasks", mode="before")
    @classmethod
    def _strings_are_tasks(cls, v: Any) -> Any:
        return [{"task": t} if isinstance(t, str) else t for t in v] if isinstance(v, list) else v


def _seed_list(s: int | list[int]) -> list[int]:
    return list(range(s)) if isinstance(s, int) else [int(x) for x in s]


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) \
            else copy.deepcopy(v)
    return out


def resolve_suite_path(ref: str | Path) -> Path:
    p = Path(ref)
    if p.is_file():
        return p
    cand = SUITES_DIR / f"{ref}.yaml"
    if cand.is_file():
        return cand
    known = sorted(x.stem for x in SUITES_DIR.glob("*.yaml"))
    raise SuiteError(f"suite {ref} not found: pass a YAML file or one of {', '.join(known)}")


def load_suite(ref: str | Path) -> Suite:
    path = resolve_suite_path(ref)
    suite = load_yaml_model(path, Suite, SuiteError)
    from agent.config import ConfigError, load_config

    for t in suite.tasks:  # a typo in a config override fails now, not after an hour
        try:
            load_config(None, _flatten(_merge(suite.config, t.config)))
        except ConfigError as e:
            raise SuiteError(f"{path}: task {t.task}: {e}") from e
    return suite


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and k not in ("llm", "benchmark_options"):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def expand_tasks(suite: Suite) -> list[TaskEntry]:
    """Check every task against `fmagent list` (or a task folder) and expand glob patterns
    (``ale/ahc*``, ``kernel/level3/*``) to the tasks they match, in listing order."""
    import difflib
    import fnmatch

    from harness.registry import list_tasks

    cache: dict[str, list[Any]] = {}
    out: list[TaskEntry] = []
    for t in suite.tasks:
        if Path(t.task).is_dir():
            out.append(t)
            continue
        if "/" not in t.task:
            raise SuiteError(f"suite {suite.name}: task {t.task!r} must be benchmark/task")
        bench, name = t.task.split("/", 1)
        if bench not in cache:
            try:
                cache[bench] = list(list_tasks(bench)[bench])
            except Exception as e:
                raise SuiteError(f"suite {suite.name}: task {t.task}: {e}") from e
        names = [i.name for i in cache[bench]]
        if any(ch in name for ch in "*?["):
            hits = [n for n in names if fnmatch.fnmatchcase(n, name)]
            if not hits:
                raise SuiteError(f"suite {suite.name}: pattern {t.task!r} matches no task "
                                 f"(`fmagent list {bench}`; some tasks are listed only when "
                                 "their data or checkout is configured)")
            out += [t.model_copy(update={"task": f"{bench}/{n}"}) for n in hits]
        elif name in names:
            out.append(t)
        else:
            hint = difflib.get_close_matches(name, names, n=1)
            more = f" Did you mean {bench}/{hint[0]}?" if hint else ""
            raise SuiteError(f"suite {suite.name}: unknown task {t.task!r}.{more} "
                             f"(`fmagent list {bench}`)")
    return out


def slug(task: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", task).strip("-")


def item_state(run_dir: Path) -> Literal["new", "finished", "unfinished"]:
    if not (run_dir / "programs.db").exists() or not (run_dir / "manifest.json").is_file():
        return "new"
    try:
        status = json.loads((run_dir / "manifest.json").read_text()).get("status")
    except (OSError, ValueError):
        status = None
    if (run_dir / "summary.json").is_file() and status == "finished":
        return "finished"
    return "unfinished"


def run_args(entry: TaskEntry, suite: Suite, seed: int, run_dir: Path, cfg_path: Path,
             resume: bool, plain: bool = True) -> list[str]:
    b = entry.budget or suite.budget
    max_evals = b.max_evals if b.max_evals is not None else suite.budget.max_evals
    max_time = b.max_time if b.max_time is not None else suite.budget.max_time
    args = ["run", "--resume", str(run_dir)] if resume else \
        ["run", entry.task, "--config", str(cfg_path), "--seed", str(seed), "--out", str(run_dir)]
    if max_evals is not None:
        args += ["--max-evals", str(max_evals)]
    if max_time is not None:
        args += ["--max-time", str(max_time)]
    if plain:
        args.append("--plain")
    return args


Runner = Callable[[list[str], Path], int]


def subprocess_runner(args: list[str], log_path: Path) -> int:
    """`python -m harness.cli ARGS`, output to the item's log; the exit status back."""
    pp = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(ROOT) + (os.pathsep + pp if pp else "")}
    with open(log_path, "a") as log:  # same working directory: relative paths keep meaning
        log.write(f"$ fmagent {' '.join(args)}\n")
        log.flush()
        return subprocess.run([sys.executable, "-m", "harness.cli", *args], stdout=log,
                              stderr=subprocess.STDOUT, env=env).returncode


def inprocess_runner(args: list[str], log_path: Path) -> int:
    """Call harness.cli.main in this process (tests, debugging)."""
    import contextlib

    from harness.cli import main

    with open(log_path, "a") as log, contextlib.redirect_stdout(log), \
            contextlib.redirect_stderr(log):
        try:
            return main(args)
        except SystemExit as e:  # argparse
            return int(e.code or 0)


def _dur(seconds: float) -> str:
    m, sec = divmod(int(seconds), 60)
    return f"{m}m{sec:02d}s" if m else f"{sec}s"


def _write_state(out: Path, state: dict[str, Any]) -> None:
    from agent.runstore import atomic_write

    atomic_write(out / "suite.json", json.dumps(state, indent=1, default=str))


def _summary_line(run_dir: Path) -> str:
    try:
        s = json.loads((run_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return "no summary"
    return (f"best {s.get('best_score')!r} (seed {s.get('seed_score')!r}), "
            f"{s.get('evaluations')} evals, {s.get('stop_reason')}")


def run_suite(ref: str | Path, seeds: int | None = None, out: str | Path | None = None,
              plain: bool = False, report: bool = True, dry_run: bool = False,
              runner: Runner = subprocess_runner,
              echo: Callable[[str], None] | None = None) -> dict[str, Any]:
    suite = load_suite(ref)
    missing_env = [v for v in suite.requires_env if not os.environ.get(v)]
    if missing_env and not dry_run:
        raise SuiteError(f"suite {suite.name} needs {', '.join(missing_env)} in the environment "
                         f"(needs: {suite.needs or 'see the suite file'})")
    entries = expand_tasks(suite)
    out_dir = Path(out) if out else Path("runs") / f"suite-{suite.name}"
    items = []
    for entry in entries:
        sl = [*range(seeds)] if seeds is not None else _seed_list(entry.seeds if entry.seeds
                                                                  is not None else suite.seeds)
        for s in sl:
            items.append((entry, s, out_dir / slug(entry.task) / f"s{s}"))
    if echo is None:
        from rich.console import Console

        console = Console(highlight=False, force_terminal=False if plain else None)
        echo = (lambda m: console.print(m, soft_wrap=True)) if not plain else \
            (lambda m: print(m, flush=True))
    state: dict[str, Any] = {"suite": suite.name, "file": str(resolve_suite_path(ref)),
                             "command": "fmagent " + " ".join(sys.argv[1:])
                             if Path(sys.argv[0]).name in ("fmagent", "cli.py") else None,
                             "seeds": seeds, "budget": suite.budget.model_dump(),
                             "started_at": time.time(), "items": []}
    counts = {"finished": 0, "skipped": 0, "failed": 0, "resumed": 0}
    echo(f"suite {suite.name}: {len(entries)} tasks x seeds = {len(items)} runs -> {out_dir}")
    if dry_run:
        if missing_env:
            echo(f"  (a real run needs {', '.join(missing_env)} in the environment)")
        for entry, s, rd in items:
            echo(f"  {entry.task} seed {s}: {item_state(rd)} ({rd})")
        return {**counts, "items": len(items), "out": str(out_dir), "dry_run": True}
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg_dir = out_dir / "configs"  # one resolved config per task (kept: the runs cite it)
    cfg_dir.mkdir(exist_ok=True)
    t_suite = time.monotonic()
    for i, (entry, s, rd) in enumerate(items, 1):
        st = item_state(rd)
        rec = {"task": entry.task, "seed": s, "run_dir": str(rd), "before": st}
        prefix = f"[{i}/{len(items)}] {entry.task} seed {s}"
        if st == "finished":
            counts["skipped"] += 1
            rec["status"] = "skipped (finished before)"
            echo(f"{prefix}: already finished, skipped")
            state["items"].append(rec)
            _write_state(out_dir, state)
            continue
        cfg_path = cfg_dir / f"{slug(entry.task)}.yaml"
        cfg = _merge(suite.config, entry.config)
        if entry.options:  # typed, through the config (``--option`` would make them strings)
            cfg = _merge(cfg, {"benchmark_options": entry.options})
        cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        rd.parent.mkdir(parents=True, exist_ok=True)
        args = run_args(entry, suite, s, rd, cfg_path, resume=(st == "unfinished"))
        done_s = [x["seconds"] for x in state["items"] if "seconds" in x]
        eta = ""
        if done_s:
            left = sum(1 for _, _, d in items[i - 1:] if item_state(d) != "finished")
            eta = f" (elapsed {_dur(time.monotonic() - t_suite)}, about " \
                  f"{_dur(left * sum(done_s) / len(done_s))} left)"
        echo(f"{prefix}: {'resuming' if st == 'unfinished' else 'running'}{eta} ...")
        t0 = time.monotonic()
        try:
            rc = runner(args, out_dir / f"{slug(entry.task)}-s{s}.log")
        except KeyboardInterrupt:
            rec.update(status="interrupted", seconds=round(time.monotonic() - t0, 1))
            state["items"].append(rec)
            _write_state(out_dir, state)
            echo(f"{prefix}: interrupted; run the same command again to resume")
            raise
        dt = time.monotonic() - t0
        rec.update(rc=rc, seconds=round(dt, 1), args=args)
        if rc == 0 and item_state(rd) == "finished":
            counts["finished"] += 1
            counts["resumed"] += int(st == "unfinished")
            rec["status"] = "finished"
            echo(f"{prefix}: finished in {dt:.0f}s: {_summary_line(rd)}")
        else:
            counts["failed"] += 1
            rec["status"] = f"failed (exit {rc})"
            echo(f"{prefix}: FAILED (exit {rc}) after {dt:.0f}s; log: "
                 f"{out_dir / f'{slug(entry.task)}-s{s}.log'}")
        state["items"].append(rec)
        _write_state(out_dir, state)
    state.update(finished_at=time.time(), counts=counts,
                 wall_s=round(time.monotonic() - t_suite, 1))
    _write_state(out_dir, state)
    echo(f"suite {suite.name}: {counts['finished']} run, {counts['skipped']} skipped, "
         f"{counts['failed']} failed in {time.monotonic() - t_suite:.0f}s")
    if report and any((rd / "manifest.json").is_file() for _, _, rd in items):
        from harness.report.build import build_report

        res = build_report([out_dir], out_dir / "report")
        echo(f"report: {res['index']}")
    return {**counts, "items": len(items), "out": str(out_dir)}
