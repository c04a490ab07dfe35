"""Courier route: a closed tour through N depots (AHC-style TSP, minimise the length)."""

from __future__ import annotations

import math
import random

from benchmarks.ale.problem import AleProblem, WrongAnswer, ints, tokens

STATEMENT = """# Courier route

A courier starts at depot 0, must visit every one of the N depots exactly once and return to
depot 0. Depot i stands at integer coordinates (x_i, y_i) in [0, 1000] x [0, 1000].

## Input
```
N
x_0 y_0
...
x_{N-1} y_{N-1}
```
50 <= N <= 200. Depots may share coordinates.

## Output
N integers (separated by spaces or newlines): the visiting order, a permutation of 0..N-1 that
starts with 0. The tour returns from the last depot to depot 0.

## Score
The absolute score of a case is round(L), L the Euclidean length of the closed tour. Lower is
better. An output that is not such a permutation is WRONG_ANSWER.
"""


def generate(seed: int) -> str:
    rng = random.Random(seed * 1_000_003 + 11)
    n = rng.randint(50, 200)
    # Clustered points make the nearest-neighbour tour clearly improvable.
    centres = [(rng.randint(100, 900), rng.randint(100, 900)) for _ in range(rng.randint(3, 8))]
    pts = []
    for _ in range(n):
        cx, cy = rng.choice(centres)
        pts.append((min(1000, max(0, int(rng.gauss(cx, 90)))),
                    min(1000, max(0, int(rng.gauss(cy, 90))))))
    return f"{n}\n" + "".join(f"{x} {y}\n" for x, y in pts)


def score(inp: str, out: str) -> int:
    vals = [int(t) for t in inp.split()]
    n, xy = vals[0], vals[1:]
    order = ints(tokens(out, 10 * n + 10), "visiting order")
    if len(order) != n:
        raise WrongAnswer(f"expected {n} depot indices, got {len(order)}")
    if order[0] != 0:
        raise WrongAnswer(f"the tour must start at depot 0, not {order[0]}")
    if sorted(order) != list(range(n)):
        bad = next((v for v in order if not 0 <= v < n), None)
        if bad is not None:
            raise WrongAnswer(f"depot index {bad} is out of range 0..{n - 1}")
        seen: set[int] = set()
        dup = next(v for v in order if v in seen or seen.add(v))
        raise WrongAnswer(f"depot {dup} is visited twice")
    total = 0.0
    for a, b in zip(order, order[1:] + order[:1]):
        total += math.hypot(xy[2 * a] - xy[2 * b], xy[2 * a + 1] - xy[2 * b + 1])
    return int(round(total))


PROBLEM = AleProblem(
    name="route", title="Courier route: shortest closed tour through N depots (minimise)",
    statement=STATEMENT, score_type="minimize", generate=generate, score=score,
    public_seeds=tuple(range(8)), private_seeds=tuple(range(1000, 1016)),
    time_limit_s=1.0, memory_mb=1024)
