"""Medal thresholds and the grading report, by MLE-Bench's rules.

Matches ``mlebench/grade_helpers.py`` (openai/mle-bench at 783b15a): thresholds are the scores
at 1-based positions of the leaderboard's ``score`` column, chosen by the number of teams N
(Kaggle's progression rules); the median threshold is the median of the scores; lower is better
when the first row's score is below the last row's; medals are exclusive (gold, else silver, else
bronze) and need a score at least the threshold (at most, when lower is better); above-median is
strict. :class:`CompetitionReport` has mlebench's field names and JSON form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

REPORT_FIELDS = ("competition_id", "score", "gold_threshold", "silver_threshold",
                 "bronze_threshold", "median_threshold", "any_medal", "gold_medal",
                 "silver_medal", "bronze_medal", "above_median", "submission_exists",
                 "valid_submission", "is_lower_better", "created_at", "submission_path")


def medal_positions(num_teams: int) -> tuple[int, int, int]:
    """1-based leaderboard positions of the (gold, silver, bronze) thresholds for N teams."""
    n = int(num_teams)
    if n < 1:
        raise ValueError(f"a leaderboard needs at least one team, got {num_teams}")
    if n < 100:
        return max(1, int(n * 0.1)), max(1, int(n * 0.2)), max(1, int(n * 0.4))
    if n < 250:
        return 10, max(1, int(n * 0.2)), max(1, int(n * 0.4))
    if n < 1000:
        return 10 + int(n * 0.002), 50, 100
    return 10 + int(n * 0.002), max(1, int(n * 0.05)), max(1, int(n * 0.1))


def is_lower_better(scores: Sequence[float]) -> bool:
    """A leaderboard is ordered best first: lower is better when the top score is the smaller."""
    if len(scores) == 0:
        raise ValueError("empty leaderboard: cannot tell the direction")
    return bool(float(scores[0]) < float(scores[-1]))


def _median(scores: Sequence[float]) -> float:
    vals = sorted(float(s) for s in scores if not math.isnan(float(s)))  # pandas skips NaN
    if not vals:
        return math.nan
    m = len(vals) // 2
    return vals[m] if len(vals) % 2 else (vals[m - 1] + vals[m]) / 2


@dataclass(frozen=True)
class Thresholds:
    gold: float
    silver: float
    bronze: float
    median: float
    lower_is_better: bool
    num_teams: int


def thresholds(scores: Sequence[float]) -> Thresholds:
    """Thresholds of a leaderboard (scores best first, one per team)."""
    s = [float(x) for x in scores]
    g, sv, b = medal_positions(len(s))

    def at(pos: int) -> float:
        if pos < 1 or pos > len(s):
            raise IndexError(f"position {pos} is outside a leaderboard of {len(s)} teams")
        return s[pos - 1]

    return Thresholds(at(g), at(sv), at(b), _median(s), is_lower_better(s), len(s))


def rank_score(score: float | None, scores: Sequence[float]) -> dict[str, Any]:
    """Medals and above-median of ``score`` against a leaderboard, as mlebench's ``rank_score``."""
    t = thresholds(scores)
    out: dict[str, Any] = {"gold_threshold": t.gold, "silver_threshold": t.silver,
                           "bronze_threshold": t.bronze, "median_threshold": t.median}
    if score is None:
        return {**out, "gold_medal": False, "silver_medal": False, "bronze_medal": False,
                "above_median": False}
    lo = t.lower_is_better

    def reaches(th: float) -> bool:
        return score <= th if lo else score >= th

    gold = reaches(t.gold)
    silver = not gold and reaches(t.silver)
    bronze = not gold and not silver and reaches(t.bronze)
    above = score < t.median if lo else score > t.median
    return {**out, "gold_medal": bool(gold), "silver_medal": bool(silver),
            "bronze_medal": bool(bronze), "above_median": bool(above)}


@dataclass(frozen=True)
class CompetitionReport:
    """One graded submission; the fields and JSON form of mlebench's ``CompetitionReport``."""

    competition_id: str
    score: float | None
    gold_threshold: float
    silver_threshold: float
    bronze_threshold: float
    median_threshold: float
    any_medal: bool
    gold_medal: bool
    silver_medal: bool
    bronze_medal: bool
    above_median: bool
    submission_exists: bool
    valid_submission: bool
    is_lower_better: bool
    created_at: datetime
    submission_path: str

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k in REPORT_FIELDS:
            v = getattr(self, k)
            if k == "created_at":
                v = v.isoformat()
            elif k == "score":
                v = None if v is None else float(v)
            elif k.endswith("_threshold"):
                v = float(v)
            elif k not in ("competition_id", "submission_path"):
                v = bool(v)
            d[k] = v
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CompetitionReport":
        missing = [k for k in REPORT_FIELDS if k not in data]
        if missing:
            raise ValueError(f"competition report lacks {', '.join(missing)}")
        kw: dict[str, Any] = {}
        for k in REPORT_FIELDS:
            v = data[k]
            if k == "created_at":
                v = v if isinstance(v, datetime) else datetime.fromisoformat(v)
            elif k == "score":
                v = None if v is None else float(v)
            elif k.endswith("_threshold"):
                v = float(v)
            elif k not in ("competition_id", "submission_path"):
                v = bool(v)
            kw[k] = v
        return cls(**kw)


def make_report(competition_id: str, score: float | None, leaderboard_scores: Sequence[float],
                *, submission_exists: bool, submission_path: str) -> CompetitionReport:
    """The report ``mlebench.grade.grade_csv`` builds, from a score and a leaderboard."""
    r = rank_score(score, leaderboard_scores)
    return CompetitionReport(
        competition_id=competition_id, score=score,
        gold_threshold=r["gold_threshold"], silver_threshold=r["silver_threshold"],
        bronze_threshold=r["bronze_threshold"], median_threshold=r["median_threshold"],
        any_medal=r["gold_medal"] or r["silver_medal"] or r["bronze_medal"],
        gold_medal=r["gold_medal"], silver_medal=r["silver_medal"],
        bronze_medal=r["bronze_medal"], above_median=r["above_median"],
        submission_exists=submission_exists, valid_submission=score is not None,
        is_lower_better=is_lower_better(leaderboard_scores), created_at=datetime.now(),
        submission_path=submission_path)
