import dataclasses
from datetime import datetime

import pytest

from benchmarks.mle.medals import (REPORT_FIELDS, CompetitionReport, is_lower_better,
                                   make_report, medal_positions, rank_score, thresholds)

# The published table (Kaggle progression, as in mlebench grade_helpers): N -> (gold, silver, bronze)
TABLE = {50: (5, 10, 20), 150: (10, 30, 60), 500: (11, 50, 100), 2000: (14, 100, 200)}


@pytest.mark.parametrize("n", sorted(TABLE))
def test_threshold_table(n):
    assert medal_positions(n) == TABLE[n]
    scores = [float(n - i) for i in range(n)]  # higher is better, best first
    t = thresholds(scores)
    g, s, b = TABLE[n]
    assert (t.gold, t.silver, t.bronze) == (n - g + 1, n - s + 1, n - b + 1)
    assert t.median == pytest.approx((n + 1) / 2)
    assert not t.lower_is_better and t.num_teams == n
    low = thresholds([float(i) for i in range(1, n + 1)])  # lower is better
    assert low.lower_is_better and (low.gold, low.silver, low.bronze) == (g, s, b)


@pytest.mark.parametrize("n,expected", [(1, (1, 1, 1)), (5, (1, 1, 2)), (99, (9, 19, 39)),
                                        (100, (10, 20, 40)), (249, (10, 49, 99)),
                                        (250, (10, 50, 100)), (999, (11, 50, 100)),
                                        (1000, (12, 50, 100))])
def test_band_edges(n, expected):
    assert medal_positions(n) == expected


def test_no_teams_is_an_error():
    with pytest.raises(ValueError, match="at least one team"):
        medal_positions(0)


def test_medals_are_exclusive_and_inclusive_of_threshold():
    lb = [float(100 - i) for i in range(50)]  # gold 96 (pos 5), silver 91, bronze 81
    r = rank_score(96.0, lb)
    assert r["gold_medal"] and not r["silver_medal"] and not r["bronze_medal"]
    r = rank_score(95.9, lb)
    assert not r["gold_medal"] and r["silver_medal"] and not r["bronze_medal"]
    r = rank_score(81.0, lb)
    assert r["bronze_medal"] and not r["silver_medal"]
    r = rank_score(80.99, lb)
    assert not (r["gold_medal"] or r["silver_medal"] or r["bronze_medal"])


def test_above_median_is_strict_both_directions():
    hi = [10.0, 8.0, 6.0, 4.0, 2.0]  # median 6
    assert not rank_score(6.0, hi)["above_median"] and rank_score(6.01, hi)["above_median"]
    lo = [2.0, 4.0, 6.0, 8.0, 10.0]
    assert is_lower_better(lo)
    assert not rank_score(6.0, lo)["above_median"] and rank_score(5.99, lo)["above_median"]
    r = rank_score(2.0, lo)
    assert r["gold_medal"]


def test_no_score_gets_nothing_but_thresholds():
    r = rank_score(None, [3.0, 2.0, 1.0])
    assert not any(r[k] for k in ("gold_medal", "silver_medal", "bronze_medal", "above_median"))
    assert r["gold_threshold"] == 3.0


def test_report_has_mlebench_fields_and_roundtrips():
    names = [f.name for f in dataclasses.fields(CompetitionReport)]
    assert tuple(names) == REPORT_FIELDS
    rep = make_report("x", 0.92, [1.0, 0.95, 0.9, 0.5, 0.1], submission_exists=True,
                      submission_path="/s.csv")
    d = rep.to_dict()
    assert set(d) == set(REPORT_FIELDS)
    assert d["valid_submission"] and d["above_median"] and d["any_medal"] == (
        d["gold_medal"] or d["silver_medal"] or d["bronze_medal"])
    assert isinstance(d["created_at"], str)
    back = CompetitionReport.from_dict(d)
    assert back == rep and isinstance(back.created_at, datetime)
    none = make_report("x", None, [1.0, 0.5], submission_exists=False, submission_path="")
    assert not none.valid_submission and not none.any_medal
