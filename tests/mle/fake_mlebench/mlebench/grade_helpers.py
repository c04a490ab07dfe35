from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

import pandas as pd

from mlebench.utils import import_fn


class InvalidSubmissionError(Exception):
    pass


class Grader:
    def __init__(self, name: str, grade_fn: str) -> None:
        self.name = name
        self.grade_fn = import_fn(grade_fn)

    def is_lower_better(self, leaderboard: pd.DataFrame) -> bool:
        s = leaderboard["score"]
        return bool(s.iloc[0] < s.iloc[-1])

    @staticmethod
    def from_dict(data: dict) -> "Grader":
        return Grader(**data)

    def __call__(self, submission: pd.DataFrame, answers: Any) -> Optional[float]:
        try:
            score = self.grade_fn(submission, answers)
        except Exception:  # InvalidSubmissionError and grader errors both give None
            return None
        return round(score, 5)

    def rank_score(self, score: Optional[float], leaderboard: pd.DataFrame) -> dict:
        lower = self.is_lower_better(leaderboard)
        s = leaderboard["score"]
        n = len(s)
        if n < 100:
            pos = (max(1, int(n * 0.1)), max(1, int(n * 0.2)), max(1, int(n * 0.4)))
        elif n < 250:
            pos = (10, max(1, int(n * 0.2)), max(1, int(n * 0.4)))
        elif n < 1000:
            pos = (10 + int(n * 0.002), 50, 100)
        else:
            pos = (10 + int(n * 0.002), max(1, int(n * 0.05)), max(1, int(n * 0.1)))
        g, sv, b = (float(s.iloc[p - 1]) for p in pos)
        med = float(s.median())
        out = {"gold_threshold": g, "silver_threshold": sv, "bronze_threshold": b,
               "median_threshold": med}
        if score is None:
            return {**out, "gold_medal": False, "silver_medal": False, "bronze_medal": False,
                    "above_median": False}
        better_eq = (lambda a, t: a <= t) if lower else (lambda a, t: a >= t)
        gold = better_eq(score, g)
        silver = not gold and better_eq(score, sv)
        bronze = not gold and not silver and better_eq(score, b)
        above = score < med if lower else score > med
        return {**out, "gold_medal": gold, "silver_medal": silver, "bronze_medal": bronze,
                "above_median": above}


@dataclass(frozen=True)
class CompetitionReport:
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

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["created_at"] = self.created_at.isoformat()
        return d
