"""Cargo loading: pick items under a weight and a volume capacity (maximise the value)."""

from __future__ import annotations

import random

from benchmarks.ale.problem import AleProblem, WrongAnswer, ints, tokens

STATEMENT = """# Cargo loading

A truck has weight capacity W and volume capacity V. There are N items; item i has weight w_i,
volume v_i and value p_i. Load a set of items whose total weight is at most W and whose total
volume is at most V, with the largest total value.

## Input
```
N W V
w_0 v_0 p_0
...
w_{N-1} v_{N-1} p_{N-1}
```
50 <= N <= 300, 1 <= w_i, v_i <= 1000, 1 <= p_i <= 10^6; W and V are about a third of the
totals.

## Output
```
K
i_1 i_2 ... i_K
```
K distinct item indices in 0..N-1 (K may be 0).

## Score
The absolute score of a case is the total value of the loaded items. Higher is better. An
output that overloads the truck or names an item twice or out of range is WRONG_ANSWER.
"""


def generate(seed: int) -> str:
    rng = random.Random(seed * 7_919 + 5)
    n = rng.randint(50, 300)
    rows = []
    for _ in range(n):
        w, v = rng.randint(1, 1000), rng.randint(1, 1000)
        # Value correlates with size (hard instances for a plain greedy) plus noise.
        p = max(1, int((w + v) * rng.uniform(200, 400) + rng.randint(0, 50_000)))
        rows.append((w, v, min(p, 10**6)))
    cap_w = max(1, sum(r[0] for r in rows) // 3)
    cap_v = max(1, sum(r[1] for r in rows) // rng.randint(3, 5))
    return f"{n} {cap_w} {cap_v}\n" + "".join(f"{w} {v} {p}\n" for w, v, p in rows)


def score(inp: str, out: str) -> int:
    vals = [int(t) for t in inp.split()]
    n, cap_w, cap_v = vals[:3]
    items = [tuple(vals[3 + 3 * i: 6 + 3 * i]) for i in range(n)]
    toks = ints(tokens(out, n + 10), "output")
    if not toks:
        raise WrongAnswer("empty output: expected K and then K item indices")
    k, chosen = toks[0], toks[1:]
    if k != len(chosen):
        raise WrongAnswer(f"K = {k} but {len(chosen)} indices follow")
    if len(set(chosen)) != len(chosen):
        raise WrongAnswer("an item is loaded twice")
    for i in chosen:
        if not 0 <= i < n:
            raise WrongAnswer(f"item index {i} is out of range 0..{n - 1}")
    tw = sum(items[i][0] for i in chosen)
    tv = sum(items[i][1] for i in chosen)
    if tw > cap_w:
        raise WrongAnswer(f"total weight {tw} exceeds W = {cap_w}")
    if tv > cap_v:
        raise WrongAnswer(f"total volume {tv} exceeds V = {cap_v}")
    return sum(items[i][2] for i in chosen)


PROBLEM = AleProblem(
    name="cargo", title="Cargo loading: two-constraint knapsack (maximise the value)",
    statement=STATEMENT, score_type="maximize", generate=generate, score=score,
    public_seeds=tuple(range(8)), private_seeds=tuple(range(2000, 2016)),
    time_limit_s=1.0, memory_mb=1024)
