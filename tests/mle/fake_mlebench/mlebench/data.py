import pandas as pd


def get_leaderboard(competition) -> pd.DataFrame:
    assert competition.leaderboard.exists(), f"Leaderboard not found for {competition.id}"
    return pd.read_csv(competition.leaderboard)


def is_dataset_prepared(competition, grading_only: bool = False) -> bool:
    if not grading_only and not competition.public_dir.is_dir():
        return False
    return competition.private_dir.is_dir() and competition.answers.is_file()
