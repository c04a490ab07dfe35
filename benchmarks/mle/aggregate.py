"""Aggregation like MLE-Bench's: per split and over seeds, plus the grading JSONL.

Follows ``experiments/aggregate_grading_reports.py`` of openai/mle-bench (783b15a): a seed is one
report per competition of the split; per seed, each rate is a percentage of the split's
competitions; over seeds, the mean and the standard error (``ddof=1``; 0 with one seed) and a
1.96-SE interval. A competition missing from a seed is an error unless ``pad_missing`` (then it
counts as no submission), as there.

Splits (``splits/*.txt``, the real ids): lite (= low, 22), medium (38), high (15), all (75), and
``mini`` (the offline mini competitions).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

SPLITS_DIR = Path(__file__).parent / "splits"
SPLIT_FILES = {"lite": "low.txt", "low": "low.txt", "medium": "medium.txt", "high": "high.txt",
               "all": "split75.txt", "split75": "split75.txt", "dev": "dev.txt"}
HEADLINE_SPLITS = ("lite", "medium", "high", "all")
RATES = {  # name in the output -> report field(s) that count
    "submission_exists_percentage": ("submission_exists",),
    "valid_submissions_percentage": ("valid_submission",),
    "above_median_percentage": ("above_median",),
    "gold_medal_percentage": ("gold_medal",),
    "silver_medal_percentage": ("silver_medal",),
    "bronze_medal_percentage": ("bronze_medal",),
    "any_medal_percentage": ("gold_medal", "silver_medal", "bronze_medal"),
}
GRADING_KEYS = ("competition_id", "submission_path", "logs_path", "code_path")


def split_ids(split: str) -> list[str]:
    """Competition ids of a split name (lite/low, medium, high, all/split75, dev, mini)."""
    if split == "mini":
        from benchmarks.mle.specs import MINIS

        return list(MINIS)
    if split not in SPLIT_FILES:
        raise ValueError(f"unknown split {split!r}; known: {', '.join([*SPLIT_FILES, 'mini'])}")
    lines = (SPLITS_DIR / SPLIT_FILES[split]).read_text().splitlines()
    return [x.strip() for x in lines if x.strip()]


def _cid(report: Mapping[str, Any]) -> str:
    return str(report["competition_id"]).removeprefix("mle/")


def seed_rates(reports: Iterable[Mapping[str, Any]], competition_ids: Sequence[str],
               pad_missing: bool = False) -> dict[str, float]:
    """Percentages over ``competition_ids`` for one seed (one report per competition)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for r in reports:
        cid = _cid(r)
        if cid in by_id:
            raise ValueError(f"two reports for {cid} in one seed; give each seed its own list")
        by_id[cid] = r
    missing = [c for c in competition_ids if c not in by_id]
    if missing and not pad_missing:
        raise ValueError(f"no report for {len(missing)} competition(s) of the split "
                         f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); "
                         "pass pad_missing=True to count them as no submission")
    n = len(competition_ids)
    if n == 0:
        raise ValueError("empty split")
    out = {"total_competitions": float(n)}
    for name, fields in RATES.items():
        hits = sum(1 for c in competition_ids if c in by_id and
                   any(bool(by_id[c].get(f, False)) for f in fields))
        out[name] = 100.0 * hits / n
    return out


def mean_sem(values: Sequence[float]) -> dict[str, float]:
    """Mean, standard error (ddof=1; 0 for one value) and the 1.96-SE interval."""
    v = [float(x) for x in values]
    if not v:
        raise ValueError("no values to aggregate")
    m = sum(v) / len(v)
    if len(v) > 1:
        sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
        se = sd / math.sqrt(len(v))
    else:
        se = 0.0
    return {"mean": m, "standard_error": se, "ci_lower": m - 1.96 * se, "ci_upper": m + 1.96 * se}


def aggregate(reports_by_seed: Mapping[Any, Sequence[Mapping[str, Any]]], split: str | Sequence[str],
              pad_missing: bool = False) -> dict[str, Any]:
    """Mean ± SE over seeds of every rate, for one split (a name or a list of ids)."""
    ids = split_ids(split) if isinstance(split, str) else list(split)
    per_seed = {str(s): seed_rates([r for r in reps if _cid(r) in set(ids)], ids, pad_missing)
                for s, reps in reports_by_seed.items()}
    if not per_seed:
        raise ValueError("no seeds to aggregate")
    metrics = {name: mean_sem([p[name] for p in per_seed.values()]) for name in RATES}
    return {"split": split if isinstance(split, str) else "custom",
            "num_seeds_averaged": len(per_seed), "num_competitions_per_seed": len(ids),
            "metrics": metrics, "per_seed": per_seed}


def aggregate_splits(reports_by_seed: Mapping[Any, Sequence[Mapping[str, Any]]],
                     splits: Sequence[str] = HEADLINE_SPLITS,
                     pad_missing: bool = False) -> dict[str, dict[str, Any]]:
    return {s: aggregate(reports_by_seed, s, pad_missing) for s in splits}


def headline(agg: Mapping[str, Any]) -> str:
    """One line: valid / above median / any medal / gold as mean ± SE (percent)."""
    m = agg["metrics"]

    def f(k: str) -> str:
        return f"{m[k]['mean']:.2f} ± {m[k]['standard_error']:.2f}"

    return (f"{agg['split']} ({agg['num_competitions_per_seed']} competitions, "
            f"{agg['num_seeds_averaged']} seeds): valid {f('valid_submissions_percentage')}, "
            f"above median {f('above_median_percentage')}, any medal "
            f"{f('any_medal_percentage')}, gold {f('gold_medal_percentage')}")


# ---- grading JSONL ------------------------------------------------------------------------------

def grading_line(competition_id: str, submission_path: str | Path | None,
                 logs_path: str | Path | None = None,
                 code_path: str | Path | None = None) -> dict[str, Any]:
    def p(x: str | Path | None) -> str | None:
        return None if x is None else Path(x).as_posix()

    return {"competition_id": competition_id.removeprefix("mle/"),
            "submission_path": p(submission_path), "logs_path": p(logs_path),
            "code_path": p(code_path)}


def write_grading_jsonl(lines: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write a JSONL that ``mlebench grade --submission <path>`` (grade_jsonl) accepts."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for ln in lines:
        if "competition_id" not in ln:
            raise ValueError(f"grading line without competition_id: {dict(ln)}")
        rows.append(json.dumps({k: ln.get(k) for k in GRADING_KEYS}))
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text("".join(r + "\n" for r in rows))
    tmp.replace(out)
    return out


def read_grading_jsonl(path: str | Path) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(Path(path).read_text().splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        try:
            d = json.loads(s)
        except ValueError as e:
            raise ValueError(f"{path}:{i}: not JSON ({e})") from None
        if "competition_id" not in d or "submission_path" not in d:
            raise ValueError(f"{path}:{i}: needs competition_id and submission_path")
        out.append(d)
    return out


def grade_jsonl_offline(path: str | Path, data_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Grade a JSONL of mini-competition submissions, like mlebench's grade_jsonl does."""
    from benchmarks.mle import mini
    from benchmarks.mle.evaluator import read_csv
    from benchmarks.mle.medals import make_report
    from benchmarks.mle.metrics import InvalidSubmission

    reports = []
    for line in read_grading_jsonl(path):
        comp = mini.load(line["competition_id"], data_dir)
        sp = line["submission_path"]
        exists = sp is not None and Path(sp).is_file() and Path(sp).suffix.lower() == ".csv"
        score = None
        if exists:
            try:
                score = comp.grade(read_csv(sp), read_csv(comp.answers_path))
            except (InvalidSubmission, ValueError, KeyError):
                score = None
        reports.append(make_report(comp.id, score, comp.leaderboard()["score"].tolist(),
                                   submission_exists=exists,
                                   submission_path=str(sp)).to_dict())
    return reports
