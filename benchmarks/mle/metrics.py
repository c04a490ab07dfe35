"""Trusted metrics and submission checks for the offline mini competitions.

A submission is a DataFrame with the id column and the prediction column(s); the answers hold the
id column and ``target``. :func:`grade` aligns the two by id, refuses a malformed submission with
:class:`InvalidSubmission` (a one-line reason), and returns the score rounded to 5 decimals, as
mlebench's ``Grader`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd


class InvalidSubmission(ValueError):
    """The submission cannot be graded; the message says why."""


@dataclass(frozen=True)
class Metric:
    name: str
    lower_is_better: bool
    kind: str  # "label" (class labels), "score" (positive-class score), "proba" (one column per class), "value"
    fn: Callable[[np.ndarray, np.ndarray], float]


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(y == p))


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p))


def _logloss(y: np.ndarray, p: np.ndarray) -> float:
    # Kaggle's multi-class log loss: rows rescaled to sum to one, probabilities clipped at 1e-15.
    p = np.clip(p, 1e-15, 1 - 1e-15)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def _rmse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - p) ** 2)))


def _mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(y - p)))


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", False, "label", _accuracy),
    "auc": Metric("auc", False, "score", _auc),
    "logloss": Metric("logloss", True, "proba", _logloss),
    "rmse": Metric("rmse", True, "value", _rmse),
    "mae": Metric("mae", True, "value", _mae),
}


def get_metric(name: str) -> Metric:
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
    return METRICS[name]


def submission_columns(metric: str, id_column: str, classes: list[int]) -> list[str]:
    """The columns a submission must have, in order."""
    if get_metric(metric).kind == "proba":
        return [id_column, *[f"class_{c}" for c in classes]]
    return [id_column, "target"]


def _numeric(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    try:
        a = df[cols].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError) as e:
        raise InvalidSubmission(f"non-numeric predictions in {cols}: {e}") from None
    if not np.isfinite(a).all():
        raise InvalidSubmission(f"missing or non-finite predictions in {cols}")
    return a


def grade(metric: str, submission: pd.DataFrame, answers: pd.DataFrame, *, id_column: str = "id",
          classes: list[int] | None = None) -> float:
    """Score ``submission`` against ``answers`` (id column + ``target``); raise InvalidSubmission."""
    m = get_metric(metric)
    cols = submission_columns(metric, id_column, list(classes or []))
    if not isinstance(submission, pd.DataFrame) or submission.empty:
        raise InvalidSubmission("the submission is empty")
    missing = [c for c in cols if c not in submission.columns]
    if missing:
        raise InvalidSubmission(f"submission lacks column(s) {missing}; expected {cols}")
    if len(submission) != len(answers):
        raise InvalidSubmission(f"submission has {len(submission)} rows, expected "
                                f"{len(answers)} (one per test id)")
    if submission[id_column].duplicated().any():
        raise InvalidSubmission(f"duplicate ids in column {id_column!r}")
    sub_ids = submission[id_column].astype(str)
    ans_ids = answers[id_column].astype(str)
    if set(sub_ids) != set(ans_ids):
        raise InvalidSubmission(f"submission ids do not match the test ids (column {id_column!r})")
    sub = submission.assign(_k=sub_ids.to_numpy()).set_index("_k").loc[ans_ids.to_numpy()]
    y = answers["target"].to_numpy()
    if m.kind == "proba":
        p = _numeric(sub, cols[1:])
        if (p < 0).any():
            raise InvalidSubmission("negative probabilities")
        pos = {c: i for i, c in enumerate(classes or [])}
        score = m.fn(np.array([pos[int(v)] for v in y]), p)
    elif m.kind == "label":
        p = _numeric(sub, ["target"])[:, 0]
        if not np.all(p == np.round(p)):
            raise InvalidSubmission("class labels must be whole numbers")
        score = m.fn(y.astype(int), p.astype(int))
    else:
        p = _numeric(sub, ["target"])[:, 0]
        score = m.fn(y.astype(float), p)
    if not np.isfinite(score):
        raise InvalidSubmission(f"{metric} is not finite")
    return round(float(score), 5)
