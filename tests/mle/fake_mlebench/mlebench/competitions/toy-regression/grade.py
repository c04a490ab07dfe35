import numpy as np
import pandas as pd

from mlebench.grade_helpers import InvalidSubmissionError


def grade(submission: pd.DataFrame, answers: pd.DataFrame) -> float:
    if "Id" not in submission or "y" not in submission or len(submission) != len(answers):
        raise InvalidSubmissionError("submission needs one row per Id with a y column")
    merged = answers.merge(submission, on="Id", suffixes=("", "_pred"))
    if len(merged) != len(answers):
        raise InvalidSubmissionError("submission ids do not match the answers")
    return float(np.sqrt(np.mean((merged["y"] - merged["y_pred"]) ** 2)))
