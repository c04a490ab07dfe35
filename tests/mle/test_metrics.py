import numpy as np
import pandas as pd
import pytest

from benchmarks.mle.metrics import InvalidSubmission, grade

ANS = pd.DataFrame({"id": [10, 11, 12, 13], "target": [0, 1, 1, 0]})


def test_rows_are_aligned_by_id_not_order():
    sub = pd.DataFrame({"id": [13, 12, 11, 10], "target": [0, 1, 1, 1]})
    assert grade("accuracy", sub, ANS) == 0.75
    assert grade("auc", sub.assign(target=[0.1, 0.8, 0.9, 0.2]), ANS) == 1.0


@pytest.mark.parametrize("sub,why", [
    (pd.DataFrame({"id": [10, 11, 12], "target": [0, 1, 1]}), "rows"),
    (pd.DataFrame({"id": [10, 10, 12, 13], "target": [0, 1, 1, 0]}), "duplicate"),
    (pd.DataFrame({"id": [10, 11, 12, 99], "target": [0, 1, 1, 0]}), "ids do not match"),
    (pd.DataFrame({"id": [10, 11, 12, 13], "pred": [0, 1, 1, 0]}), "lacks column"),
    (pd.DataFrame({"id": [10, 11, 12, 13], "target": [0, 1, np.nan, 0]}), "non-finite"),
    (pd.DataFrame({"id": [10, 11, 12, 13], "target": [0, 1, 0.5, 0]}), "whole numbers"),
    (pd.DataFrame(), "empty"),
])
def test_malformed_submissions_are_refused_with_a_reason(sub, why):
    with pytest.raises(InvalidSubmission, match=why):
        grade("accuracy", sub, ANS)


def test_logloss_and_regression_metrics():
    ans = pd.DataFrame({"id": [1, 2], "target": [0, 2]})
    perfect = pd.DataFrame({"id": [1, 2], "class_0": [1.0, 0], "class_1": [0, 0],
                            "class_2": [0, 1.0]})
    assert grade("logloss", perfect, ans, classes=[0, 1, 2]) == pytest.approx(0.0, abs=1e-5)
    uniform = perfect.assign(class_0=1, class_1=1, class_2=1)  # rows are rescaled
    assert grade("logloss", uniform, ans, classes=[0, 1, 2]) == round(np.log(3), 5)
    reg = pd.DataFrame({"id": [1, 2], "target": [1.0, 5.0]})
    pred = pd.DataFrame({"id": [2, 1], "target": [2.0, 1.0]})
    assert grade("rmse", pred, reg) == round(np.sqrt(4.5), 5)
    assert grade("mae", pred, reg) == 1.5


def test_declared_directions_match_the_metrics():
    from benchmarks.mle.metrics import METRICS
    from benchmarks.mle.specs import LOWER_IS_BETTER, MINIS

    assert {k: m.lower_is_better for k, m in METRICS.items()} == LOWER_IS_BETTER
    assert all(s.metric in METRICS for s in MINIS.values())


def test_listing_tasks_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys; from benchmarks.mle import list_tasks; list_tasks(); "
            "print(sorted(m for m in ('pandas', 'sklearn', 'numpy', 'mlebench') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
