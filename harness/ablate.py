"""Ablations: does each FM Agent component earn its place? (``fmagent ablate``)

A *setting* is a named set of config overrides applied to one base config; :data:`SETTINGS` is
the one place they are defined. ``full`` is the base config itself; every other setting switches
one component off or swaps it for a baseline:

=====================  =====================================================================
full                   the base config (adaptive cluster-based sampler, islands, cold start,
                       elite pool, migration, relative diversity-to-temperature rule)
random                 parents drawn uniformly from the island
topk                   parents drawn uniformly from the island's best ``sampler.topk``
fitness-proportional   parents drawn with weight fitness minus the island's minimum
no-islands             one island of the same total size (islands=1, capacity=islands x capacity)
no-cold-start          no cold-start variants: islands start from the seed(s) alone
no-elites              no elite pool (no elite inspirations, no elites in prompts)
no-migration           islands never exchange programs (migration_interval=0)
fixed-diversity-rule   temperature from diversity / diversity_target instead of the diversity
                       relative to the largest seen in the run
=====================  =====================================================================

:func:`run_ablation` runs every setting x seed x task through the same code path as
``fmagent run`` (a subprocess each, via :mod:`harness.suite`), into
``<out>/<setting>/<task>/s<seed>``; a rerun skips finished runs and resumes unfinished ones.
:func:`extract_records` turns the run directories into small JSON records (``runs.json``: the
per-evaluation fitness, island and proposer of every run, no code and no database), and
:func:`write_report` builds the report from those records alone, so committed records
regenerate the committed figures (``fmagent ablate --report-only DIR``). Statistics come from
:func:`harness.compare.compare_runs` (bootstrap standard errors, Welch t intervals).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml
from pydantic import Field

from agent.config import ConfigError, RunConfig, load_yaml_model
from harness.report.rundata import ProgramRow, Run, find_runs
from harness.suite import (ROOT, Suite, TaskEntry, expand_tasks, item_state, slug,
                           subprocess_runner)

Overrides = dict[str, Any]


def _islands_off(base: RunConfig) -> Overrides:
    pc = base.population
    return {"population.islands": 1, "population.island_capacity": pc.islands * pc.island_capacity}


SETTINGS: dict[str, tuple[str, Callable[[RunConfig], Overrides]]] = {
    "full": ("the base config, every component on", lambda b: {}),
    "random": ("uniform random parent sampling", lambda b: {"sampler.kind": "random"}),
    "topk": ("uniform sampling among the island's top-k", lambda b: {"sampler.kind": "topk"}),
    "fitness-proportional": ("parent weight = fitness minus the island's minimum",
                             lambda b: {"sampler.kind": "fitness-proportional"}),
    "no-islands": ("one island of the same total size", _islands_off),
    "no-cold-start": ("no cold-start variants", lambda b: {"cold_start.enabled": False}),
    "no-elites": ("no elite pool", lambda b: {"population.elite_size": 0}),
    "no-migration": ("no migration between islands",
                     lambda b: {"population.migration_interval": 0}),
    "fixed-diversity-rule": ("temperature from diversity / diversity_target",
                             lambda b: {"sampler.diversity_rule": "fixed"}),
    "fixed-rank-weights": ("in-cluster parent weights 1/(rank+1)**p, not sharpened by the "
                           "temperature", lambda b: {"sampler.rank_temperature": False}),
}
DEFAULT_SETTINGS = ("full", "random", "topk", "no-islands", "no-cold-start")
# Offline defaults when no base config is given: local pools (no Ray start per run).
DEFAULT_BASE: dict[str, Any] = {"pools": {"backend": "local"}}

# TR Section 6 (ALE-Bench ahc016, five runs per setting); /work/shared/PAPER_NUMBERS.md.
PAPER_CLAIMS = [
    {"claim": "adaptive sampling over top-k (final score)", "base": "topk", "paper": "+10.99%"},
    {"claim": "adaptive sampling over uniform random (final score)", "base": "random",
     "paper": "+58.26%"},
    {"claim": "full method over no cold start", "base": "no-cold-start", "paper": "better"},
    {"claim": "full method over no islands", "base": "no-islands", "paper": "better"},
]
PAPER_PASS_RANDOM = "adaptive passes random's best by iteration 40 (random: iteration 900)"


class AblationError(ValueError):
    """Bad settings, tasks, seeds or files; the message names the problem and the fix."""


def _unflatten(flat: Overrides) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        cur = out
        parts = key.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value
    return out


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def known_settings(custom: dict[str, Overrides] | None = None) -> list[str]:
    return list(SETTINGS) + [c for c in (custom or {}) if c not in SETTINGS]


def setting_overrides(name: str, base: RunConfig,
                      custom: dict[str, Overrides] | None = None) -> Overrides:
    """Dotted config overrides of a setting, given the base config it applies to."""
    if custom and name in custom:
        return dict(custom[name])
    if name not in SETTINGS:
        import difflib

        hint = difflib.get_close_matches(name, known_settings(custom), n=1)
        more = f" Did you mean {hint[0]!r}?" if hint else ""
        raise AblationError(f"unknown ablation setting {name!r}.{more} Known: "
                            f"{', '.join(known_settings(custom))}")
    return SETTINGS[name][1](base)


def apply_setting(base: dict[str, Any] | RunConfig, name: str,
                  custom: dict[str, Overrides] | None = None) -> RunConfig:
    """The validated RunConfig of ``name`` applied to ``base`` (a RunConfig or a config dict)."""
    data = base.model_dump() if isinstance(base, RunConfig) else dict(base)
    try:
        cfg = RunConfig.model_validate(data)
        over = setting_overrides(name, cfg, custom)
        return RunConfig.model_validate(_merge(data, _unflatten(over)))
    except (ConfigError, ValueError) as e:
        if isinstance(e, AblationError):
            raise
        raise AblationError(f"setting {name!r} does not give a valid config: "
                            f"{str(e).splitlines()[0]}") from e


def parse_settings(text: str | Sequence[str] | None,
                   custom: dict[str, Overrides] | None = None) -> list[str]:
    if not text:
        return list(DEFAULT_SETTINGS)
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [s.strip() for s in items if s.strip()]
    if names == ["all"]:
        return known_settings(custom)
    for n in names:
        setting_overrides(n, RunConfig(), custom)  # unknown names fail here
    if len(set(names)) != len(names):
        raise AblationError(f"--settings lists a setting twice: {','.join(names)}")
    return names


def parse_seeds(text: str | int | Sequence[int]) -> list[int]:
    """``3`` -> 0,1,2; ``10-12`` -> 10,11,12; ``4,9`` -> 4,9."""
    if isinstance(text, int):
        return list(range(text))
    if not isinstance(text, str):
        return [int(x) for x in text]
    t = text.strip()
    try:
        if "," in t:
            return [int(x) for x in t.split(",") if x.strip()]
        if "-" in t[1:]:
            a, b = t.split("-", 1)
            return list(range(int(a), int(b) + 1))
        n = int(t)
    except ValueError:
        raise AblationError(f"--seeds {text!r}: give a count (3), a range (10-12) or a list "
                            "(4,9)") from None
    if n < 1:
        raise AblationError(f"--seeds {text!r}: need at least one seed")
    return list(range(n))


# --------------------------------------------------------------------------- the plan
class AblationFile(Suite):
    """suites/ablation.yaml: a suite (tasks, seeds, budget, base config) plus settings."""

    settings: list[str] = Field(default_factory=lambda: list(DEFAULT_SETTINGS))
    custom_settings: dict[str, dict[str, Any]] = Field(default_factory=dict)


@dataclass
class Plan:
    tasks: list[TaskEntry]
    settings: list[str]
    seeds: list[int]
    max_evals: int
    out: Path
    base: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_BASE))
    max_time: float | None = None
    models: list[str] = field(default_factory=list)
    custom: dict[str, Overrides] = field(default_factory=dict)
    command: str = ""

    def budget_for(self, entry: TaskEntry) -> tuple[int, float | None]:
        """(max_evals, max_time): the task's own budget (ablation file) or the study's."""
        b = entry.budget
        return ((b.max_evals if b and b.max_evals else self.max_evals),
                (b.max_time if b and b.max_time else self.max_time))

    def config_for(self, setting: str, entry: TaskEntry) -> RunConfig:
        base = _merge(self.base, entry.config)
        if entry.options:
            base = _merge(base, {"benchmark_options": dict(entry.options)})
        if self.models:
            base["llm"] = {"models": [{"name": m} for m in self.models]}
        max_evals, max_time = self.budget_for(entry)
        base = _merge(base, {"stop": {"max_evals": max_evals,
                                      **({"max_time_s": max_time} if max_time else {})}})
        cfg = apply_setting(base, setting, self.custom)
        cfg.task = entry.task
        return cfg

    def items(self) -> list[tuple[int, TaskEntry, str, Path]]:
        """(seed, task, setting, run dir), seed-major so a partial study stays balanced."""
        return [(s, t, st, self.out / st / slug(t.task) / f"s{s}")
                for s in self.seeds for t in self.tasks for st in self.settings]


def load_ablation_file(path: str | Path) -> AblationFile:
    p = Path(path)
    if not p.is_file():
        cand = ROOT / "suites" / f"{path}.yaml"
        if not cand.is_file():
            raise AblationError(f"ablation file {path} not found: pass a YAML file such as "
                                "suites/ablation.yaml")
        p = cand
    return load_yaml_model(p, AblationFile, AblationError)


def parse_options(items: Sequence[str] | None, tasks: Sequence[str]) -> dict[str, dict[str, str]]:
    """``KEY=VALUE`` (every task) or ``TASK:KEY=VALUE`` (that task) -> {task: {key: value}}."""
    out: dict[str, dict[str, str]] = {t: {} for t in tasks}
    for item in items or []:
        scope, _, kv = item.rpartition(":") if ":" in item.split("=", 1)[0] else ("", "", item)
        if "=" not in kv:
            raise AblationError(f"--option {item!r} must be KEY=VALUE or TASK:KEY=VALUE")
        k, v = kv.split("=", 1)
        if scope and scope not in out:
            raise AblationError(f"--option {item!r} names task {scope!r}, which is not in this "
                                f"ablation ({', '.join(tasks)})")
        for t in ([scope] if scope else tasks):
            out[t][k] = v
    return out


def check_plan(plan: Plan) -> None:
    """Every setting gives a valid config for every task, before anything runs."""
    if not plan.tasks:
        raise AblationError("no tasks: pass TASK... (e.g. math/circle_packing_26) or --suite FILE")
    for t in plan.tasks:
        if plan.budget_for(t)[0] < 1:
            raise AblationError(f"{t.task}: no budget; pass --budget EVALS (at least 1 "
                                "evaluation per run)")
    for t in plan.tasks:
        for st in plan.settings:
            plan.config_for(st, t)
    expand_tasks(Suite(name="ablation", tasks=plan.tasks))  # unknown task names fail here


# --------------------------------------------------------------------------- running
Runner = Callable[[list[str], Path], int]


def _budget_of(run_dir: Path) -> int | None:
    try:
        m = json.loads((run_dir / "manifest.json").read_text())
        return ((m.get("config") or {}).get("stop") or {}).get("max_evals")
    except (OSError, ValueError):
        return None


def run_ablation(plan: Plan, runner: Runner = subprocess_runner,
                 echo: Callable[[str], None] = print, report: bool = True) -> dict[str, Any]:
    """Run every (seed, task, setting) not finished yet; then records and the report."""
    check_plan(plan)
    out = plan.out.resolve()
    plan.out = out
    (out / "configs").mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    items = plan.items()
    counts = {"finished": 0, "skipped": 0, "failed": 0, "resumed": 0}
    state = {"command": plan.command, "settings": plan.settings, "seeds": plan.seeds,
             "tasks": {t.task: plan.budget_for(t)[0] for t in plan.tasks},
             "max_time": plan.max_time, "models": plan.models or ["offline"],
             "started_at": time.time(), "items": []}
    echo(f"ablation: {len(plan.settings)} settings x {len(plan.seeds)} seeds x "
         f"{len(plan.tasks)} tasks = {len(items)} runs -> {out}")
    t_start = time.monotonic()
    durations: list[float] = []
    for i, (seed, entry, setting, rd) in enumerate(items, 1):
        prefix = f"[{i}/{len(items)}] {setting} {entry.task} seed {seed}"
        st = item_state(rd)
        budget = _budget_of(rd)
        rec: dict[str, Any] = {"setting": setting, "task": entry.task, "seed": seed,
                               "run_dir": str(rd.relative_to(out)), "before": st}
        max_evals, max_time = plan.budget_for(entry)
        if st == "finished" and (budget or 0) >= max_evals:
            counts["skipped"] += 1
            rec["status"] = "skipped (finished before)"
            state["items"].append(rec)
            echo(f"{prefix}: finished before, skipped")
            continue
        cfg_path = out / "configs" / setting / f"{slug(entry.task)}.yaml"
        cfg_path.parent.mkdir(parents=True, exist_ok=True)
        cfg = plan.config_for(setting, entry)
        cfg_path.write_text(yaml.safe_dump(cfg.model_dump(), sort_keys=False))
        rd.parent.mkdir(parents=True, exist_ok=True)
        if st == "new":
            args = ["run", entry.task, "--config", str(cfg_path), "--seed", str(seed),
                    "--out", str(rd)]
        else:  # unfinished, or finished with a smaller budget: continue the same run
            args = ["run", "--resume", str(rd)]
        args += ["--max-evals", str(max_evals), "--plain"]
        if max_time:
            args += ["--max-time", str(max_time)]
        left = 1 + sum(item_state(d) != "finished" for *_, d in items[i:])
        eta = (f" (about {sum(durations) / len(durations) * left / 60:.0f} min left)"
               if durations else "")
        echo(f"{prefix}: {'running' if st == 'new' else 'resuming'}{eta} ...")
        t0 = time.monotonic()
        rc = runner(args, out / "logs" / f"{setting}--{slug(entry.task)}--s{seed}.log")
        dt = time.monotonic() - t0
        durations.append(dt)
        rec.update(rc=rc, seconds=round(dt, 1))
        if rc == 0 and item_state(rd) == "finished":
            counts["finished"] += 1
            counts["resumed"] += int(st != "new")
            rec["status"] = "finished"
            try:
                best = json.loads((rd / "summary.json").read_text()).get("best_score")
            except (OSError, ValueError):
                best = None
            echo(f"{prefix}: finished in {dt:.0f}s, best {best!r}")
        else:
            counts["failed"] += 1
            rec["status"] = f"failed (exit {rc})"
            echo(f"{prefix}: FAILED (exit {rc}); log: {out / 'logs'}")
        state["items"].append(rec)
        _write_json(out / "ablation.json", state)
    state.update(counts=counts, wall_s=round(time.monotonic() - t_start, 1))
    _write_json(out / "ablation.json", state)
    echo(f"ablation: {counts['finished']} run, {counts['skipped']} skipped, "
         f"{counts['failed']} failed in {time.monotonic() - t_start:.0f}s")
    res: dict[str, Any] = {**counts, "items": len(items), "out": str(out)}
    if report:
        records = extract_records(out, plan.settings)
        if records:
            res["report"] = write_report(records, out, command=plan.command)
            echo(f"report: {res['report']['markdown']}")
    return res


def _write_json(path: Path, data: Any) -> None:
    from agent.runstore import atomic_write

    atomic_write(path, json.dumps(data, indent=1, default=str))


# --------------------------------------------------------------------------- records
def _meta_counts(run: Run) -> dict[str, int]:
    """Cold-start variants, migrations and elites seen in a run's database."""
    from agent.store import connect

    out = {"cold_start_variants": 0, "migrations": 0}
    db = run.path / "programs.db"
    if not db.is_file():
        return out
    conn = connect(db, readonly=True)
    try:
        out["cold_start_variants"] = conn.execute(
            "SELECT count(*) FROM programs WHERE island = -1 AND proposer != 'seed'").fetchone()[0]
        out["migrations"] = conn.execute(
            "SELECT count(*) FROM programs WHERE proposer = 'migration'").fetchone()[0]
    finally:
        conn.close()
    return out


def record_of(run: Run, setting: str) -> dict[str, Any]:
    """A run's small JSON record: identity, switches, figures, and per-evaluation fitness."""
    cfg = run.config
    prov = run.provenance()
    git = prov.get("git") or {}
    progs = run.programs
    return {
        "setting": setting, "task": run.task_ref, "task_id": run.task_id, "version": run.version,
        "direction": run.direction, "seed": run.seed, "status": run.status,
        "max_evals": (cfg.get("stop") or {}).get("max_evals"),
        "switches": {"sampler": (cfg.get("sampler") or {}).get("kind"),
                     "diversity_rule": (cfg.get("sampler") or {}).get("diversity_rule"),
                     "islands": (cfg.get("population") or {}).get("islands"),
                     "island_capacity": (cfg.get("population") or {}).get("island_capacity"),
                     "cold_start": (cfg.get("cold_start") or {}).get("enabled"),
                     "elite_size": (cfg.get("population") or {}).get("elite_size"),
                     "migration_interval": (cfg.get("population") or {}).get("migration_interval")},
        "models": run.models(), "commit": git.get("commit"), "dirty": git.get("dirty"),
        "machine": prov.get("machine"), "wall_s": run.wall_s,
        "evaluations": sum(p.proposer not in COPIES for p in progs),
        "copies": sum(p.proposer in COPIES for p in progs), "valid": sum(p.valid for p in progs),
        "best_score": run.best_score, "seed_score": run.seed_score, **_meta_counts(run),
        "fitness": [p.fitness if p.valid else None for p in progs],
        "island": [p.island for p in progs],
        "proposer": [p.proposer for p in progs],
    }


def extract_records(out: Path, settings: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Records of every run under ``out/<setting>/...`` (the setting is the first folder)."""
    out = Path(out)
    recs = []
    for run in find_runs([out]):
        rel = run.path.resolve().relative_to(out.resolve())
        setting = rel.parts[0] if len(rel.parts) > 1 else "full"
        if settings and setting not in settings:
            continue
        recs.append(record_of(run, setting))
    recs.sort(key=lambda r: (r["task"], r["setting"], r["seed"] if r["seed"] is not None else -1))
    return recs


def load_records(path: Path) -> list[dict[str, Any]]:
    """``runs.json`` in ``path`` (committed records) or, failing that, the run dirs below it."""
    path = Path(path)
    f = path / "runs.json" if path.is_dir() else path
    if f.is_file():
        try:
            data = json.loads(f.read_text())
        except ValueError as e:
            raise AblationError(f"{f} is not valid JSON ({e}); regenerate it with "
                                "`fmagent ablate --report-only RUN_DIR`") from e
        recs = data.get("runs") if isinstance(data, dict) else data
        if not isinstance(recs, list):
            raise AblationError(f"{f} holds no list of runs")
        return recs
    if not path.is_dir():
        raise AblationError(f"{path} is neither an ablation folder nor a runs.json file")
    try:
        recs = extract_records(path)
    except ValueError as e:
        raise AblationError(f"{path}: no runs.json and no run directories ({e})") from e
    return recs


# Rows that are copies of evaluated programs, not evaluations: left out of the curves, so every
# setting is compared at the same number of real evaluations.
COPIES = ("migration", "cold_start_copy")


@dataclass
class RecordRun(Run):
    """A :class:`Run` rebuilt from a record (no database): what compare and plots need."""

    rows: list[ProgramRow] = field(default_factory=list)

    @property
    def programs(self) -> list[ProgramRow]:  # type: ignore[override]
        return self.rows


def as_run(rec: dict[str, Any]) -> RecordRun:
    sign = 1.0 if rec.get("direction", "max") == "max" else -1.0
    evals = [(f, isl, prop) for f, isl, prop in zip(rec["fitness"], rec["island"],
                                                    rec["proposer"]) if prop not in COPIES]
    rows = [ProgramRow(i + 1, f"p{i}", int(isl), prop, f is not None, f,
                       None if f is None else sign * f, None, None)
            for i, (f, isl, prop) in enumerate(evals)]
    manifest = {"task": {"ref": rec["task"], "id": rec["task_id"], "version": rec["version"],
                         "direction": rec["direction"]},
                "config": {"seed": rec["seed"], "stop": {"max_evals": rec.get("max_evals")}},
                "status": rec.get("status"), "models": rec.get("models")}
    return RecordRun(Path(rec["setting"]) / slug(rec["task"]) / f"s{rec['seed']}", manifest,
                     {"wall_s": rec.get("wall_s")}, rows=rows)


def write_report(records: list[dict[str, Any]], out: Path, command: str = "",
                 n_boot: int = 2000, alpha: float = 0.05) -> dict[str, Any]:
    """runs.json, report.md, report.json and PNGs in ``out``, from the records alone."""
    from agent.runstore import atomic_write

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(r, default=str) for r in records)  # one run per line
    atomic_write(out / "runs.json", '{"schema": 1, "command": %s, "runs": [\n%s\n]}\n'
                 % (json.dumps(command), lines))
    return _build_report(records, out, command, n_boot, alpha)


# --------------------------------------------------------------------------- report
def _order(settings: set[str]) -> list[str]:
    return [s for s in SETTINGS if s in settings] + sorted(settings - set(SETTINGS))


def _pct(stat: Any, span: float, base_mean: float) -> tuple[float, float, float]:
    """Normalised difference (compare) -> percent of the base's mean final score."""
    import math

    scale = span / abs(base_mean) * 100.0 if base_mean else math.nan
    return stat.diff * scale, stat.lo * scale, stat.hi * scale


def _pct_cell(p: tuple[float, float, float]) -> str:
    import math

    d, lo, hi = p
    if math.isnan(d):
        return "–"
    ci = "" if math.isnan(lo) else f" [{lo:+.3g}%, {hi:+.3g}%]"
    return f"{d:+.3g}%{ci}"


def _to_target(entries: list[dict[str, float]], n: int) -> str:
    hits = [e["to_target"] * n for e in entries if e["to_target"] * n <= n]
    if not hits:
        return f"never (0/{len(entries)})"
    return f"{sum(hits) / len(hits):.0f} ({len(hits)}/{len(entries)})"


def _curves_png(task: str, by_setting: dict[str, list[Run]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 4.8))
    colors = plt.get_cmap("tab10")
    for i, (setting, runs) in enumerate(by_setting.items()):
        n = min(r.n_evals for r in runs)
        if n == 0:
            continue
        C = np.stack([r.sign * r.best_curve()[:n] for r in runs])
        x = np.arange(1, n + 1)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, lo, hi = np.nanmean(C, 0), np.nanmin(C, 0), np.nanmax(C, 0)
        full = setting == "full"
        col = "black" if full else colors(i % 10)
        ax.plot(x, mean, color=col, lw=2.2 if full else 1.3, label=f"{setting} ({len(runs)})")
        ax.fill_between(x, lo, hi, color=col, alpha=0.12 if full else 0.08, lw=0)
    d = next(iter(by_setting.values()))[0].direction
    ax.set(xlabel="evaluations", ylabel=f"best score so far ({d})",
           title=f"{task}: mean over seeds, band = min..max over seeds")
    ax.grid(alpha=.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _forest_png(rows: list[tuple[str, str, Any]], path: Path) -> None:
    """rows: (panel, setting, Stat of the normalised final difference setting - full)."""
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(dict.fromkeys(p for p, _, _ in rows))
    settings = list(dict.fromkeys(s for _, s, _ in rows))
    size = (3.2 * len(panels), 0.45 * len(settings) + 1.6)
    fig, axes = plt.subplots(1, len(panels), figsize=size, sharey=True, squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for y, s in enumerate(settings):
            st = next((x for p, ss, x in rows if p == panel and ss == s), None)
            if st is None or math.isnan(st.diff):
                continue
            col = "tab:red" if st.verdict == "worse" else "tab:green" if st.verdict == "better" \
                else "tab:gray"
            if not math.isnan(st.lo):
                ax.plot([st.lo, st.hi], [y, y], color=col, lw=2)
            ax.plot([st.diff], [y], "o", color=col)
        ax.axvline(0, color="black", lw=.8)
        ax.set_title(panel, fontsize=8)
        ax.set_yticks(range(len(settings)))
        ax.set_yticklabels(settings, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(alpha=.3, axis="x")
    axes[0][0].invert_yaxis()
    fig.supxlabel("final best: setting minus full (normalised; < 0 = the component helped)",
                  fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _build_report(records: list[dict[str, Any]], out: Path, command: str, n_boot: int,
                  alpha: float) -> dict[str, Any]:
    from harness.compare import CompareError, compare_runs
    from harness.report.render import Doc, fmt, to_markdown

    skipped = [r for r in records if r.get("status") != "finished"]
    records = [r for r in records if r.get("status") == "finished"]
    if not records:
        raise AblationError("no finished runs to report on (a run that stopped early or is "
                            "still running is left out); finish them with the same command")
    runs = [(r["setting"], as_run(r)) for r in records]
    tasks = list(dict.fromkeys(r.task_id for _, r in runs))
    settings = _order({s for s, _ in runs})
    by = {t: {s: [r for ss, r in runs if ss == s and r.task_id == t] for s in settings}
          for t in tasks}
    for t in tasks:
        by[t] = {s: rs for s, rs in by[t].items() if rs}

    def side(s: str) -> list[Run]:
        return [r for ss, r in runs if ss == s]

    def cmp(base: str, cand: str) -> dict[str, Any] | None:
        try:
            return compare_runs(side(base), side(cand), n_boot=n_boot, alpha=alpha)
        except CompareError:
            return None

    conf = f"{100 * (1 - alpha):g}%"
    data: dict[str, Any] = {"tasks": tasks, "settings": settings, "per_task": {}, "overall": {},
                            "paper": []}
    doc = Doc("Ablation: does each component earn its place?")
    recs0 = records[0]
    commits = sorted({f"{(r.get('commit') or '?')[:10]}{'+dirty' if r.get('dirty') else ''}"
                      for r in records})
    cpus = sorted({str((r.get("machine") or {}).get("cpus", "?")) for r in records})
    doc.h("Setup")
    doc.bullets([
        f"command: `{command or recs0.get('command', '?')}`",
        f"tasks: {', '.join(tasks)}; settings: {', '.join(settings)}",
        f"seeds: {', '.join(sorted({str(r['seed']) for r in records}, key=int))}; budget: "
        f"{', '.join(sorted({str(r.get('max_evals')) for r in records}))} evaluations per run; "
        f"models: {', '.join(sorted({m for r in records for m in r.get('models') or ['?']}))}",
        f"code version: {', '.join(commits)}; machine: {', '.join(cpus)} CPUs",
        f"left out (not finished): {len(skipped)} run(s)" + (": " + ", ".join(
            f"{r['setting']} {r['task']} s{r['seed']} ({r.get('status')})" for r in skipped)
            if skipped else ""),
        f"statistics: differences with {conf} intervals from `fmagent compare` (bootstrap "
        f"standard errors over seeds, Welch t; {n_boot} resamples). Final best and AUC are "
        "normalised per task to [0, 1]; percentages are of the base's mean final score, "
        "positive = better in the task's direction.",
    ])
    doc.table(["setting", "what it changes", "switches"],
              [[s, SETTINGS.get(s, ("custom setting", None))[0],
                ", ".join(f"{k}={v}" for k, v in (next(r for r in records if r["setting"] == s)
                                                   .get("switches") or {}).items())]
               for s in settings])
    vs_full = {s: cmp("full", s) for s in settings if s != "full"} if "full" in settings else {}
    forest: list[tuple[str, str, Any]] = []
    for t in tasks:
        png = f"curves_{slug(t)}.png"
        _curves_png(t, by[t], out / png)
        doc.h(t)
        doc.image(png, f"best-so-far curves on {t}")
        rows = []
        full_runs = by[t].get("full", [])
        full_final = [r.best_curve()[-1] * r.sign for r in full_runs if r.n_evals]
        tinfo: dict[str, Any] = {}
        for s, rs in by[t].items():
            finals = [r.sign * float(r.best_curve()[-1]) for r in rs if r.n_evals]
            mean = sum(finals) / len(finals) if finals else None
            row = [s, len(rs), min(r.n_evals for r in rs), fmt(mean, 8),
                   f"{fmt(min(finals), 6)} .. {fmt(max(finals), 6)}" if finals else "–"]
            res = vs_full.get(s)
            tm = res["tasks"].get(t) if res else None
            if tm:
                st = tm["stats"]
                pct = _pct(st["final"], tm["hi"] - tm["lo"],
                           sum(full_final) / len(full_final) if full_final else 0.0)
                row += [_pct_cell(pct), st["final"].verdict,
                        f"{st['auc'].diff:+.3f}" + ("" if st["auc"].lo != st["auc"].lo else
                                                    f" [{st['auc'].lo:+.3f}, {st['auc'].hi:+.3f}]"),
                        _to_target(tm["cand"], tm["n"])]
                forest.append((t, s, st["final"]))
                tinfo[s] = {"final_pct": pct, "final": vars(st["final"]), "auc": vars(st["auc"]),
                            "to_target": [e["to_target"] * tm["n"] for e in tm["cand"]]}
            elif s == "full" and vs_full:
                anyres = next((v for v in vs_full.values() if v and t in v["tasks"]), None)
                tt = _to_target(anyres["tasks"][t]["base"], anyres["tasks"][t]["n"]) \
                    if anyres else "–"
                row += ["(base)", "", "", tt]
            else:
                row += ["–", "no full runs to compare", "", ""]
            tinfo.setdefault(s, {}).update(mean_final=mean, finals=finals)
            rows.append(row)
        data["per_task"][t] = tinfo
        doc.table(["setting", "seeds", "evals", "mean final", "min .. max", "final vs full "
                   f"({conf} CI)", "verdict", "AUC vs full", "evals to full's median final "
                   "(seeds reaching)"], rows,
                  caption="final = best score after the run's evaluations, in the task's own "
                          "direction; 'worse' means removing the component hurt")
    if vs_full:
        doc.h("Overall (all tasks)")
        orow = []
        for s, res in vs_full.items():
            if not res:
                continue
            o = res["overall"]
            data["overall"][s] = {m: vars(o[m]) for m in o}
            forest.append(("overall", s, o["final"]))
            orow.append([s, f"{o['final'].diff:+.3f}", "–" if o["final"].lo != o["final"].lo
                         else f"[{o['final'].lo:+.3f}, {o['final'].hi:+.3f}]", o["final"].verdict,
                         f"{o['auc'].diff:+.3f}", o["auc"].verdict])
        doc.table(["setting", "final vs full (normalised)", f"{conf} CI", "verdict",
                   "AUC vs full", "AUC verdict"], orow,
                  caption=f"per-task normalised differences averaged over tasks ({res['method']})"
                  if vs_full and res else "")
        if forest:
            _forest_png(forest, out / "final_vs_full.png")
            doc.image("final_vs_full.png", "final best, setting minus full, with intervals")
    doc.h("The paper's claims beside the measured ones")
    doc.p("Paper: FM Agent technical report, Section 6, ALE-Bench ahc016, five runs per setting "
          "(an LLM proposer). Measured: this study, the tasks above, its own budget and proposer; "
          "percentages are full minus the named setting, of that setting's mean final score.")
    prow = []
    for c in PAPER_CLAIMS:
        if "full" not in settings or c["base"] not in settings:
            prow.append([c["claim"], c["paper"], "not measured (setting not run)", ""])
            continue
        res = cmp(c["base"], "full")
        for t in tasks:
            tm = res["tasks"].get(t) if res else None
            if not tm:
                continue
            bf = data["per_task"][t].get(c["base"], {}).get("finals") or [0.0]
            pct = _pct(tm["stats"]["final"], tm["hi"] - tm["lo"], sum(bf) / len(bf))
            verdict = tm["stats"]["final"].verdict
            data["paper"].append({"claim": c["claim"], "task": t, "pct": pct, "verdict": verdict})
            prow.append([c["claim"], c["paper"], f"{t}: {_pct_cell(pct)}", verdict])
    if "random" in settings and "full" in settings:
        res = cmp("random", "full")
        for t in tasks:
            tm = res["tasks"].get(t) if res else None
            if tm:
                prow.append([PAPER_PASS_RANDOM.split(" (")[0], "iteration 40 (random: 900)",
                             f"{t}: full reaches random's median final at eval "
                             f"{_to_target(tm['cand'], tm['n'])}; random at "
                             f"{_to_target(tm['base'], tm['n'])} of {tm['n']}", ""])
    doc.table(["claim", "paper (ahc016)", "measured here", "verdict"], prow)
    md = to_markdown(doc)
    (out / "report.md").write_text(md)
    _write_json(out / "report.json", data)
    return {"markdown": str(out / "report.md"), "json": str(out / "report.json"),
            "pngs": sorted(str(p) for p in out.glob("*.png"))}
