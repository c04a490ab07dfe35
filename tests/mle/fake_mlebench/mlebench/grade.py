from datetime import datetime
from pathlib import Path

from mlebench.data import get_leaderboard, is_dataset_prepared
from mlebench.grade_helpers import CompetitionReport
from mlebench.utils import load_answers, read_csv


def grade_csv(path_to_submission: Path, competition) -> CompetitionReport:
    if not is_dataset_prepared(competition, grading_only=True):
        raise ValueError(f"Dataset for competition `{competition.id}` is not prepared!")
    score = None
    exists = path_to_submission.is_file() and path_to_submission.suffix.lower() == ".csv"
    if exists:
        score = competition.grader(read_csv(path_to_submission), load_answers(competition.answers))
    lb = get_leaderboard(competition)
    rank = competition.grader.rank_score(score, lb)
    return CompetitionReport(
        competition_id=competition.id, score=score,
        gold_threshold=rank["gold_threshold"], silver_threshold=rank["silver_threshold"],
        bronze_threshold=rank["bronze_threshold"], median_threshold=rank["median_threshold"],
        any_medal=rank["gold_medal"] or rank["silver_medal"] or rank["bronze_medal"],
        gold_medal=rank["gold_medal"], silver_medal=rank["silver_medal"],
        bronze_medal=rank["bronze_medal"], above_median=rank["above_median"],
        submission_exists=exists, valid_submission=score is not None,
        is_lower_better=competition.grader.is_lower_better(lb), created_at=datetime.now(),
        submission_path=str(path_to_submission))
