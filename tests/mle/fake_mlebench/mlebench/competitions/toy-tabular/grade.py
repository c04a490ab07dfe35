import pandas as pd

from mlebench.grade_helpers import InvalidSubmissionError


def grade(submission: pd.DataFrame, answers: pd.DataFrame) -> float:
    if "rid" not in submission or "label" not in submission:
        raise InvalidSubmissionError("submission needs columns rid, label")
    if len(submission) != len(answers) or set(submission["rid"]) != set(answers["rid"]):
        raise InvalidSubmissionError("submission ids do not match the answers")
    merged = answers.merge(submission, on="rid", suffixes=("", "_pred"))
    return float((merged["label"] == merged["label_pred"]).mean())
