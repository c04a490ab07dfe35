"""Depot placement: K depots serving N weighted customers (k-median, maximise the score)."""

from __future__ import annotations

import math
import random

from benchmarks.ale.problem import AleProblem, WrongAnswer, ints, tokens

STATEMENT = """# Depot placement

N customers live at integer points (x_i, y_i) of [0, 1000] x [0, 1000]; customer i orders d_i
parcels. Place K depots at integer points of the same square. Every customer is served by its
nearest depot (Euclidean distance). Make the average distance a parcel travels small.

## Input
```
N K
x_0 y_0 d_0
...
x_{N-1} y_{N-1} d_{N-1}
```
100 <= N <= 400, 4 <= K <= 16, 1 <= d_i <= 100.

## Output
K lines `x y`: the depots, integers with 0 <= x, y <= 1000.

## Score
Let A = (sum_i d_i * dist_i) / (sum_i d_i), dist_i the distance from customer i to its nearest
depot. The absolute score of a case is round(10^8 / (10 + A)). Higher is better. An output
with a wrong number of depots or a depot outside the square is WRONG_ANSWER.
"""


def generate(seed: int) -> str:
    rng = random.Random(seed * 104_729 + 3)
    n, k = rng.randint(100, 400), rng.randint(4, 16)
    towns = [(rng.randint(50, 950), rng.randint(50, 950), rng.uniform(30, 150))
             for _ in range(rng.randint(k, 2 * k))]
    rows = []
    for _ in range(n):
        if rng.random() < 0.2:
            x, y = rng.randint(0, 1000), rng.randint(0, 1000)
        else:
            cx, cy, s = rng.choice(towns)
            x = min(1000, max(0, int(rng.gauss(cx, s))))
            y = min(1000, max(0, int(rng.gauss(cy, s))))
        rows.append((x, y, rng.randint(1, 100)))
    return f"{n} {k}\n" + "".join(f"{x} {y} {d}\n" for x, y, d in rows)


def score(inp: str, out: str) -> int:
    vals = [int(t) for t in inp.split()]
    n, k = vals[:2]
    cust = [tuple(vals[2 + 3 * i: 5 + 3 * i]) for i in range(n)]
    toks = ints(tokens(out, 2 * k + 10), "depot coordinates")
    if len(toks) != 2 * k:
        raise WrongAnswer(f"expected {k} depots ({2 * k} integers), got {len(toks)} integers")
    depots = list(zip(toks[0::2], toks[1::2]))
    for j, (x, y) in enumerate(depots):
        if not (0 <= x <= 1000 and 0 <= y <= 1000):
            raise WrongAnswer(f"depot {j} at ({x}, {y}) is outside [0, 1000] x [0, 1000]")
    num = 0.0
    den = 0
    for x, y, d in cust:
        num += d * min(math.hypot(x - a, y - b) for a, b in depots)
        den += d
    return int(round(1e8 / (10.0 + num / den)))


PROBLEM = AleProblem(
    name="depots", title="Depot placement: weighted k-median on a grid (maximise the score)",
    statement=STATEMENT, score_type="maximize", generate=generate, score=score,
    public_seeds=tuple(range(8)), private_seeds=tuple(range(3000, 3016)),
    time_limit_s=1.0, memory_mb=1024)
