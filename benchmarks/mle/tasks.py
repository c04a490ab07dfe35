"""Tasks of the MLE benchmark: offline mini competitions and real MLE-Bench competitions.

Options of ``load_task`` / ``final_grade`` (all optional):
  data_dir        offline: where minis are prepared (default env FMAGENT_MLE_DATA or
                  ~/.cache/fmagent/mle); real: the mlebench data dir (or env FMAGENT_MLEBENCH_DATA)
  val_fraction    share of the public training rows held out for validation fitness (0.2)
  val_seed        seed of that split (0); fixed per task so fitnesses compare
  timeout_s, memory_mb, cpus, gpus   resources of one candidate run
  train_file, test_file, id_column, target_columns   real mode: how to split the training data
                  (default train.csv, test.csv, and sample_submission.csv's first column / the rest)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.records import Resources
from agent.task import Task, TaskInfo

if TYPE_CHECKING:
    from benchmarks.mle.evaluator import CompetitionRef

HERE = Path(__file__).parent
SEEDS = HERE / "seeds"
SPLITS = HERE / "splits"
VERSION = "1"

_COMMON = {"data_dir", "val_fraction", "val_seed", "timeout_s", "memory_mb", "cpus", "gpus"}
_REAL = {"train_file", "test_file", "id_column", "target_columns"}


def real_competition_ids() -> list[str]:
    ids: list[str] = []
    for f in ("split75.txt", "dev.txt"):
        for line in (SPLITS / f).read_text().splitlines():
            if line.strip() and line.strip() not in ids:
                ids.append(line.strip())
    return ids


def list_tasks() -> list[TaskInfo]:
    from benchmarks.mle.specs import LOWER_IS_BETTER, MINIS

    out = [TaskInfo(s.id, s.title, "min" if LOWER_IS_BETTER[s.metric] else "max",
                    offline=True) for s in MINIS.values()]
    out += [TaskInfo(cid, f"MLE-Bench {cid} (direction: from its leaderboard, on load)", "max",
                     offline=False,
                     needs="mlebench (git install) and data prepared with `mlebench prepare`; "
                           "option data_dir")
            for cid in real_competition_ids()]
    return out


def _check_options(name: str, options: dict[str, Any], real: bool) -> None:
    allowed = _COMMON | (_REAL if real else set())
    bad = sorted(set(options) - allowed)
    if bad:
        raise ValueError(f"mle/{name}: unknown option(s) {', '.join(bad)}; allowed: "
                         f"{', '.join(sorted(allowed))}")


def _resources(options: dict[str, Any], timeout: float, memory: int, cpus: float,
               gpus: float) -> Resources:
    return Resources(cpus=float(options.get("cpus", cpus)), gpus=float(options.get("gpus", gpus)),
                     memory_mb=int(options.get("memory_mb", memory)),
                     timeout_s=float(options.get("timeout_s", timeout)))


def _contract(ref: CompetitionRef, res: Resources, metric_line: str) -> str:
    gpu = f", {res.gpus:g} GPU" if res.gpus else ", no GPU"
    return (
        "## Your program\n"
        f"Write one Python script, run as `python solution.py INPUT_DIR OUTPUT_DIR`. INPUT_DIR is "
        f"read-only and holds description.md, {ref.train_file}, {ref.test_file} and "
        f"sample_submission.csv. Write OUTPUT_DIR/submission.csv in exactly the format of "
        f"sample_submission.csv, one row per id of {ref.test_file}.\n"
        f"During search, INPUT_DIR is a validation split: {ref.train_file} holds "
        f"{1 - ref.val_fraction:.0%} of the training rows and {ref.test_file} the other "
        f"{ref.val_fraction:.0%} without their targets; fitness is {metric_line} on those rows, "
        "computed by the evaluator (never read from your output). The best script is finally "
        "run once on the full public data and its test submission graded. Do not hard-code row "
        "counts or ids.\n"
        f"Limits per run: {res.timeout_s:g}s wall clock, {res.memory_mb} MB memory, "
        f"{res.cpus:g} CPU{gpu}; no network; only INPUT_DIR and the working directory are "
        "readable.")


def _mini_task(name: str, options: dict[str, Any]) -> Task:
    from benchmarks.mle import mini
    from benchmarks.mle.evaluator import MLEEvaluator
    from benchmarks.mle.medals import thresholds

    _check_options(name, options, real=False)
    spec = mini.MINIS[name]
    comp = mini.load(name, options.get("data_dir"))
    ref = _mini_ref(name, options, comp.root.parent.resolve())
    res = _resources(options, spec.timeout_s, spec.memory_mb, 1.0, spec.gpus)
    t = thresholds(comp.leaderboard()["score"].tolist())
    note = (f"Test leaderboard ({t.num_teams} scikit-learn reference models): gold "
            f"{t.gold:.5g}, silver {t.silver:.5g}, bronze {t.bronze:.5g}, median {t.median:.5g} "
            f"({'lower' if comp.lower_is_better else 'higher'} is better).")
    direction = "min" if comp.lower_is_better else "max"
    statement = ((comp.public_dir / "description.md").read_text() + "\n" +
                 _contract(ref, res, f"{comp.metric} ({'lower' if comp.lower_is_better else 'higher'}"
                                     " is better)"))
    return Task(id=f"mle/{name}", statement=statement, seeds=((SEEDS / spec.seed).read_text(),),
                evaluator=MLEEvaluator(ref, note), direction=direction, language="python",
                version=VERSION, resources=res,
                references={"leaderboard": {"gold": t.gold, "silver": t.silver,
                                            "bronze": t.bronze, "median": t.median,
                                            "n_teams": t.num_teams,
                                            "source": "scikit-learn reference models (offline)"}},
                tags=("mle", "offline", spec.problem),
                meta={"mode": "offline", "metric": comp.metric, "data_dir": ref.data_dir})


def _mini_ref(name: str, options: dict[str, Any], data_dir: Path) -> CompetitionRef:
    from benchmarks.mle.evaluator import CompetitionRef, check_private_hidden

    ref = CompetitionRef(name, "offline", str(data_dir),
                         val_fraction=float(options.get("val_fraction", 0.2)),
                         val_seed=int(options.get("val_seed", 0)))
    check_private_hidden(ref)
    return ref


def _real_ref(name: str, options: dict[str, Any]) -> CompetitionRef:
    import pandas as pd

    from benchmarks.mle import real
    from benchmarks.mle.evaluator import CompetitionRef

    data_dir = real.resolve_data_dir(options.get("data_dir"), name)
    pub = data_dir / name / "prepared" / "public"
    train_file = str(options.get("train_file", "train.csv"))
    test_file = str(options.get("test_file", "test.csv"))
    sample_p = pub / "sample_submission.csv"
    for f in (train_file, test_file, "sample_submission.csv"):
        if not (pub / f).is_file():
            raise ValueError(f"mle/{name}: {pub / f} is missing; validation fitness needs a "
                             "tabular train file, test file and sample_submission.csv (set "
                             "train_file / test_file for other names)")
    cols = list(pd.read_csv(sample_p, nrows=0).columns)
    id_col = str(options.get("id_column", cols[0]))
    targets = options.get("target_columns", [c for c in cols if c != id_col])
    targets = tuple([targets] if isinstance(targets, str) else targets)
    train_cols = set(pd.read_csv(pub / train_file, nrows=0).columns)
    missing = [c for c in (id_col, *targets) if c not in train_cols]
    if missing:
        raise ValueError(f"mle/{name}: {train_file} has no column(s) {missing}; pass id_column "
                         "and target_columns naming the id and target columns of the training "
                         "data")
    from benchmarks.mle.evaluator import check_private_hidden

    ref = CompetitionRef(name, "real", str(data_dir), train_file, test_file, id_col, targets,
                         float(options.get("val_fraction", 0.2)), int(options.get("val_seed", 0)))
    check_private_hidden(ref)
    return ref


def _real_task(name: str, options: dict[str, Any]) -> Task:
    from benchmarks.mle import real
    from benchmarks.mle.evaluator import MLEEvaluator
    from benchmarks.mle.medals import thresholds

    _check_options(name, options, real=True)
    ref = _real_ref(name, options)
    comp = real.get_competition(ref.data_dir, name)
    lower = real.is_lower_better(comp)
    t = thresholds(real.mlebench_module("data").get_leaderboard(comp)["score"].tolist())
    note = (f"Kaggle leaderboard ({t.num_teams} teams, test set): gold {t.gold:.5g}, silver "
            f"{t.silver:.5g}, bronze {t.bronze:.5g}, median {t.median:.5g} "
            f"({'lower' if lower else 'higher'} is better).")
    res = _resources(options, 1800.0, 16384, 2.0, 0.0)
    metric = getattr(comp.grader, "name", "the competition metric")
    statement = ((ref.public_dir / "description.md").read_text()
                 if (ref.public_dir / "description.md").is_file() else comp.description)
    statement += "\n" + _contract(ref, res, f"{metric} ({'lower' if lower else 'higher'} is "
                                            "better), by mlebench's own grader")
    return Task(id=f"mle/{name}", statement=statement,
                seeds=((SEEDS / "tabular_auto.py").read_text(),),
                evaluator=MLEEvaluator(ref, note), direction="min" if lower else "max",
                language="python", version=VERSION, resources=res,
                references={"leaderboard": {"gold": t.gold, "silver": t.silver,
                                            "bronze": t.bronze, "median": t.median,
                                            "n_teams": t.num_teams, "source": "mlebench"}},
                tags=("mle", "real"), meta={"mode": "real", "metric": metric,
                                            "data_dir": ref.data_dir})


def load_task(name: str, **options: Any) -> Task:
    from benchmarks.mle.specs import MINIS

    name = name.removeprefix("mle/")
    if name in MINIS:
        return _mini_task(name, options)
    _check_name(name)
    return _real_task(name, options)


def _check_name(name: str) -> None:
    from benchmarks.mle import accepts_task

    if not accepts_task(name):
        raise ValueError(f"{name!r} is neither a mini competition nor an MLE-Bench competition id "
                         "(lower-case words joined by hyphens); `fmagent list mle` shows them")


def final_grade(task_name: str, code: str, out_dir: str | Path, **options: Any) -> dict[str, Any]:
    """Run the best ``code`` on the full public data and grade its test submission.

    Offline minis are graded by this package against the reference-model leaderboard; real
    competitions by ``mlebench.grade.grade_csv``. The report (CompetitionReport fields plus
    mode, metric, n_teams, leaderboard_source, run_error, runtime_s, code_path, logs_path) is
    returned and stored as ``out_dir/report.json``.
    """
    from benchmarks.mle import mini
    from benchmarks.mle.evaluator import run_final

    name = task_name.removeprefix("mle/")
    if name in mini.MINIS:
        _check_options(name, options, real=False)
        spec = mini.MINIS[name]
        comp = mini.load(name, options.get("data_dir"))
        ref = _mini_ref(name, options, comp.root.parent.resolve())
        res = _resources(options, spec.timeout_s, spec.memory_mb, 1.0, spec.gpus)
    else:
        _check_name(name)
        _check_options(name, options, real=True)
        ref = _real_ref(name, options)
        res = _resources(options, 1800.0, 16384, 2.0, 0.0)
    return run_final(ref, code, out_dir, res)

