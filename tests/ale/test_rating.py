"""Rank, performance and rating against ALE-Bench's published numbers and hand-made tables."""

import pytest

from benchmarks.ale.rating import (LITE_SCHEDULE, RatingError, performance_from_rank,
                                   rank_in_standings, rating, summarize)

# docs/rating_and_ranking.md of SakanaAI/ALE-Bench (ALE-Agent on the ten lite problems).
PUBLISHED = {"ahc008": 1189, "ahc011": 1652, "ahc015": 2446, "ahc016": 1457, "ahc024": 1980,
             "ahc025": 1331, "ahc026": 1965, "ahc027": 1740, "ahc039": 2880, "ahc046": 2153}


def test_published_example_rating_and_table_shape():
    assert rating(PUBLISHED, "ahc046") == 2222
    s = summarize(PUBLISHED)
    assert s["average_performance"] == pytest.approx(1879.3)
    # FM Agent TR, Table 2, ALE-Agent row: short 2284.8, long 1473.8, 100 / 70 / 30 / 20 %.
    assert s["average_performance_short"] == pytest.approx(2284.8)
    assert s["average_performance_long"] == pytest.approx(1473.8)
    assert (s["pct_ge_400"], s["pct_ge_1600"], s["pct_ge_2000"], s["pct_ge_2400"]) == \
        (100.0, 70.0, 30.0, 20.0)
    assert s["rating"] == 2222


def test_rating_depends_on_weights_and_decay():
    heavy = {k: v for k, v in LITE_SCHEDULE.items()}
    heavy["ahc046"] = LITE_SCHEDULE["ahc046"].__class__(LITE_SCHEDULE["ahc046"].end, 1.0, "short")
    assert rating(PUBLISHED, "ahc046", heavy) == 2246  # weight matters
    # A single recent contest: 1900 + 150 = 2050 expanded with weight 1.
    one = rating({"ahc046": 1900})
    assert 400 < one < 1900
    # Older performances decay: the same performance counts less from an older contest.
    assert rating({"ahc008": 2000}) < rating({"ahc039": 2000})
    # Below 400 the rating is squashed, never negative.
    assert 0 < rating({"ahc008": 0}) < 400
    # Contests after the final one are ignored.
    assert rating({"ahc008": 2000, "ahc046": 3000}, "ahc039") == rating({"ahc008": 2000}, "ahc039")


def test_rating_bad_input():
    with pytest.raises(RatingError, match="no performances"):
        rating({})
    with pytest.raises(RatingError, match="ahc999"):
        rating({"ahc999": 1000})


STANDINGS = [(1, 100), (2, 98), (4, 96), (8, 94), (16, 0)]  # ranks 2-3 tie at 98, 4-7 at 96 ...


@pytest.mark.parametrize("score,expected", [
    (101, (1, 1.0)), (100, (1, 1.0)), (99, (2, 2.0)), (98, (2, 2.5)), (97, (4, 4.0)),
    (96, (4, 5.5)), (95, (8, 8.0)), (94, (8, 11.5)), (93, (16, 16.0)), (0, (16, 16.0)),
])
def test_rank_with_ties_averaged(score, expected):
    assert rank_in_standings(score, STANDINGS) == expected


def test_rank_lower_is_better_and_validation():
    # Same standings written as costs: lower is better.
    costs = [(1, 10), (2, 20), (2, 20), (4, 30), (5, 1000)]
    assert rank_in_standings(20, costs, higher_is_better=False) == (2, 2.5)
    assert rank_in_standings(5, costs, higher_is_better=False) == (1, 1.0)
    with pytest.raises(RatingError, match="sorted best first"):
        rank_in_standings(5, [(1, 10), (2, 20), (3, 0)])


TABLE = [(1, 3200), (2, 2800), (4, 2400), (8, 2000), (16, 200)]


@pytest.mark.parametrize("rank,perf", [
    (1, 3200), (1.5, 3067), (2, 2933), (2.5, 2800), (4, 2600), (6, 2367), (8, 2233),
    (12, 1800), (16, 200),
])
def test_performance_interpolation(rank, perf):
    # Tie groups of the table sit at their average rank: 2-3 -> 2.5, 4-7 -> 5.5, 8-15 -> 11.5.
    assert performance_from_rank(rank, TABLE) == perf


def test_performance_extrapolates_above_first_row_and_rejects_beyond_last():
    # First row is a tie group of ranks 1-2 at 3000 (sits at 1.5); rank 1 extrapolates upward.
    assert performance_from_rank(1, [(1, 3000), (3, 2400), (4, 200)]) == 3200
    with pytest.raises(RatingError, match="beyond"):
        performance_from_rank(17, TABLE)
    with pytest.raises(RatingError, match="at least 2 rows"):
        performance_from_rank(1, [(1, 3000)])


def test_rank_then_performance_end_to_end():
    r, pr = rank_in_standings(96, STANDINGS)
    assert (r, performance_from_rank(pr, TABLE)) == (4, 2400)


def test_suite_summary_from_private_results():
    from benchmarks.ale.offline import PrivateResult
    from benchmarks.ale.rating import suite_summary

    res = {f"ale/{k}": PrivateResult(f"ale/{k}", "real", "cpp20", True, 1.0, 1, 1, {}, 1, v)
           for k, v in PUBLISHED.items()}
    s = suite_summary(res)
    assert s["rating"] == 2222 and s["average_performance"] == pytest.approx(1879.3)
    s2 = suite_summary({"ahc008": {"performance": None}, "ahc011": {"performance": 1000}})
    assert s2["average_performance"] == 500 and s2["pct_ge_400"] == 50.0


def test_single_contest_ratings_from_ale_bench_tests():
    # SakanaAI/ALE-Bench tests/test_data.py: a lone 1900 in its own (final) contest rates 1050
    # at weight 1 (ahc045) and 634 at weight 0.5 (ahc044); the date does not matter then.
    import datetime as dt

    from benchmarks.ale.rating import Contest

    for weight, expected in ((1.0, 1050), (0.5, 634)):
        sched = {"c": Contest(dt.date(2025, 3, 1), weight, "long")}
        assert rating({"c": 1900}, "c", sched) == expected
