"""Rank, performance and rating the way ALE-Bench computes them.

Three steps turn a private score into the numbers the FM Agent paper reports:

1. :func:`rank_in_standings` places the score inside a contest's final standings. A score equal
   to an existing tie group takes that group's first rank, and for the performance lookup the
   average rank of the group (ties averaged).
2. :func:`performance_from_rank` maps a (possibly fractional) rank to a performance by linear
   interpolation in the contest's rank-to-performance table; tied rows of the table count at
   the average rank of their group; ranks above the best row extrapolate from the first two.
3. :func:`rating` aggregates per-problem performances with the AHC rating (v2) rule ALE-Bench
   uses, and :func:`summarize` gives the paper's table shape (average performance, shares of
   problems at or above 400/1600/2000/2400, short/long averages).

Checked against SakanaAI/ALE-Bench (read, not copied): ``src/ale_bench/data.py`` classes
``Standings.get_new_rank``, ``RankPerformanceMap.get_performance`` and
``RatingCalculator.calculate_rating`` (constants S, R, the +150 and 100/365 decay, the 100
values per contest, the < 400 correction) and ``docs/rating_and_ranking.md`` (the published
example: average 1879.3, rating 2222, final contest ahc046).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

# RatingCalculator.S and .R in src/ale_bench/data.py (SakanaAI/ALE-Bench).
S = 724.4744301
R = 0.8271973364
FINAL_CONTEST = "ahc046"  # "ahc046 is the latest contest in ALE-Bench" (docs/rating_and_ranking.md)
THRESHOLDS = (400, 1600, 2000, 2400)


@dataclass(frozen=True)
class Contest:
    """One contest of the rating schedule: its end date (JST), weight and length."""

    end: dt.date
    weight: float
    kind: Literal["short", "long"]


# The ten ALE-Bench lite contests.
#
# Where these come from:
# - ALE-Bench reads (start_at, end_at, weight) per problem from ``schedule.csv`` of the Hugging
#   Face dataset SakanaAI/ALE-Bench (``RatingCalculator.load_contest_schedule`` in
#   src/ale_bench/data.py, times parsed in Asia/Tokyo); only the calendar date of end_at enters
#   the decay (``(last_end.date() - end.date()).days``). That CSV is not reachable offline, so
#   the end dates below are the AtCoder contest end dates (JST) as we know them. Only ahc046's
#   was confirmed here (ended 2025-04-26 19:00 JST, BrainPad Programming Contest 2025, 4 hours,
#   from a contest listing found with the code search); the others were not re-read. The
#   published example below pins the sensitive ones: with every other date fixed it reproduces
#   2222 only for an ahc039 end in 2024-11-10..15, ahc015 in 2022-10-26..11-15, ahc024 in
#   2023-09-10..10-30; the rest have weeks of slack. Replace them with schedule.csv when you
#   have it (``rating(..., schedule=...)``).
# - Weights: the AHC rating v2 rule (all contests up to 2024 weigh 1.0; from 2025 long 1.0,
#   short 0.5), as ALE-Bench's own tests pin it: tests/test_data.py
#   ``TestRatingCalculator`` cases "first_contest_weight_1" (ahc045, a 2025 long contest,
#   1900 -> 1050) and "first_contest_weight_0.5" (ahc044, a 2025 short contest, 1900 -> 634).
#   Only ahc046 of the lite set is from 2025 (short), so it alone weighs 0.5.
# - Short/long: src/ale_bench/constants.py lists the long contests (ALLOW_SCORE_NON_AC_PRIVATE,
#   "NOTE: long contests"): ahc008, ahc011, ahc016, ahc025, ahc027 are long; the paper's table
#   (short 2284.8 / long 1473.8 for the published example) agrees.
# The published example reproduces with these: 2221.65 -> 2222 (with ahc046 at weight 1.0 it
# would be 2246), which the tests check.
LITE_SCHEDULE: dict[str, Contest] = {
    "ahc008": Contest(dt.date(2022, 2, 27), 1.0, "long"),
    "ahc011": Contest(dt.date(2022, 6, 5), 1.0, "long"),
    "ahc015": Contest(dt.date(2022, 10, 29), 1.0, "short"),
    "ahc016": Contest(dt.date(2022, 11, 20), 1.0, "long"),
    "ahc024": Contest(dt.date(2023, 9, 17), 1.0, "short"),
    "ahc025": Contest(dt.date(2023, 10, 1), 1.0, "long"),
    "ahc026": Contest(dt.date(2023, 10, 14), 1.0, "short"),
    "ahc027": Contest(dt.date(2023, 11, 19), 1.0, "long"),
    "ahc039": Contest(dt.date(2024, 11, 10), 1.0, "short"),
    "ahc046": Contest(dt.date(2025, 4, 26), 0.5, "short"),
}


class RatingError(ValueError):
    """Bad standings, table or performances; the message names what is wrong."""


def rank_in_standings(score: float, standings: Sequence[tuple[int, float]],
                      higher_is_better: bool = True) -> tuple[int, float]:
    """Place ``score`` in final standings ``[(rank, score), ...]`` (best first).

    Returns ``(rank, rank_for_performance)``: a score strictly better than a tie group takes
    the group's first rank; a score equal to a group's score shares it, and its performance
    rank is the average of the group's ranks. A score at or below the last row (AtCoder
    standings end with the score-0 row) gets the last row's rank.
    """
    rows = [(int(r), float(s) if higher_is_better else -float(s)) for r, s in standings]
    x = float(score) if higher_is_better else -float(score)
    if not rows:
        raise RatingError("standings are empty: need [(rank, score), ...] ending with the "
                          "last-place row")
    for (r0, s0), (r1, s1) in zip(rows, rows[1:]):
        if r1 < r0 or s1 > s0:
            raise RatingError(f"standings must be sorted best first: row (rank {r1}, score "
                              f"{s1:g}) follows (rank {r0}, score {s0:g})")
    # Tie groups: (score, first rank, last rank); a group ends where the next score starts.
    groups: list[tuple[float, int, int]] = []
    for r, s in rows:
        if groups and groups[-1][0] == s:
            continue
        if groups:
            g = groups[-1]
            groups[-1] = (g[0], g[1], r - 1)
        groups.append((s, r, r))
    last_rank = rows[-1][0]
    if x <= groups[-1][0]:
        return last_rank, float(last_rank)
    for s, first, last in groups:
        if x > s:
            return first, float(first)
        if x == s:
            return first, (first + last) / 2.0
    return last_rank, float(last_rank)  # pragma: no cover - unreachable after the checks


def _table_points(table: Sequence[tuple[int, float]]) -> tuple[list[float], list[float]]:
    if len(table) < 2:
        raise RatingError("rank-to-performance table needs at least 2 rows (rank, performance)")
    rows = [(int(r), float(p)) for r, p in table]
    for (r0, p0), (r1, p1) in zip(rows, rows[1:]):
        if r1 < r0:
            raise RatingError(f"rank-to-performance table must be sorted by rank: {r1} after {r0}")
        if p1 > p0:
            raise RatingError(f"performance must not rise with rank: {p1:g} at rank {r1} after "
                              f"{p0:g} at rank {r0}")
        if r1 == r0 and p1 != p0:
            raise RatingError(f"rank {r0} appears with two performances ({p0:g}, {p1:g})")
    xs: list[float] = []
    ys: list[float] = []
    for (r, p), (r_next, _) in zip(rows, rows[1:]):
        if r == r_next:
            continue  # same tie group, counted once
        xs.append((r + r_next - 1) / 2.0)  # a group of ties sits at its average rank
        ys.append(p)
    xs.append(float(rows[-1][0]))
    ys.append(rows[-1][1])
    return xs, ys


def performance_from_rank(rank: float, table: Sequence[tuple[int, float]]) -> int:
    """Performance at ``rank`` by linear interpolation in ``[(rank, performance), ...]``."""
    xs, ys = _table_points(table)
    rank = float(rank)
    if rank > xs[-1]:
        raise RatingError(f"rank {rank:g} is beyond the table's last rank {xs[-1]:g}")
    i = bisect.bisect_left(xs, rank)
    if i < len(xs) and xs[i] == rank:
        return int(round(ys[i]))
    hi = max(i, 1)  # above the best row: extrapolate along the first segment
    x0, x1, y0, y1 = xs[hi - 1], xs[hi], ys[hi - 1], ys[hi]
    return int(round(y0 - (y0 - y1) * (rank - x0) / (x1 - x0)))


def rating(performances: Mapping[str, float], final_contest: str = FINAL_CONTEST,
           schedule: Mapping[str, Contest] = LITE_SCHEDULE) -> int:
    """AHC rating (v2) of ``{problem_id: performance}`` as ALE-Bench computes it."""
    if not performances:
        raise RatingError("no performances given: pass {problem_id: performance}")
    unknown = [p for p in list(performances) + [final_contest] if p not in schedule]
    if unknown:
        raise RatingError(f"no schedule entry for {', '.join(sorted(set(unknown)))}; known: "
                          f"{', '.join(schedule)} (pass schedule= for other contests)")
    last = schedule[final_contest].end
    values: list[tuple[float, float]] = []
    for pid, perf in performances.items():
        c = schedule[pid]
        if c.end > last:
            continue  # contests after the final one do not count
        decayed = float(perf) + 150.0 - 100.0 * (last - c.end).days / 365.0
        values.extend((decayed - S * math.log(j), c.weight) for j in range(1, 101))
    values.sort(key=lambda v: v[0], reverse=True)
    total, acc = 0.0, 0.0
    for v, w in values:
        acc += v * (R ** total - R ** (total + w))
        total += w
    if acc < 400:
        acc = 400.0 / math.exp((400.0 - acc) / 400.0)
    return int(round(acc))


def summarize(performances: Mapping[str, float], final_contest: str = FINAL_CONTEST,
              schedule: Mapping[str, Contest] = LITE_SCHEDULE) -> dict[str, float]:
    """The paper's table row: average (overall, short, long), shares at thresholds, rating."""
    if not performances:
        raise RatingError("no performances given: pass {problem_id: performance}")
    perfs = [float(p) for p in performances.values()]
    out: dict[str, float] = {"n_problems": float(len(perfs)),
                             "average_performance": sum(perfs) / len(perfs)}
    for kind in ("short", "long"):
        sel = [float(p) for k, p in performances.items() if k in schedule
               and schedule[k].kind == kind]
        if sel:
            out[f"average_performance_{kind}"] = sum(sel) / len(sel)
    for t in THRESHOLDS:
        out[f"pct_ge_{t}"] = 100.0 * sum(p >= t for p in perfs) / len(perfs)
    if all(k in schedule for k in performances) and final_contest in schedule:
        out["rating"] = float(rating(performances, final_contest, schedule))
    return out


def suite_summary(results: Mapping[str, object], final_contest: str = FINAL_CONTEST,
                  schedule: Mapping[str, Contest] = LITE_SCHEDULE) -> dict[str, float]:
    """:func:`summarize` over private results keyed by problem id (``ahc008`` or
    ``ale/ahc008``): objects or dicts with a ``performance``; a missing or None performance
    (no valid private submission) counts as 0, as a contest entry without a score would."""
    perfs: dict[str, float] = {}
    for pid, r in results.items():
        perf = r.get("performance") if isinstance(r, Mapping) else getattr(r, "performance", None)
        perfs[pid.split("/", 1)[-1]] = float(perf) if perf is not None else 0.0
    return summarize(perfs, final_contest, schedule)
