"""Courier route seed: nearest-neighbour tour, then a few passes of 2-opt."""
import math
import sys
import time

# EVOLVE-BLOCK-START
TWO_OPT_PASSES = 1  # full 2-opt sweeps after the greedy tour
TIME_BUDGET_S = 0.3  # stop improving after this many seconds
# EVOLVE-BLOCK-END


def main():
    t0 = time.monotonic()
    data = sys.stdin.read().split()
    n = int(data[0])
    pts = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]

    def d(a, b):
        return math.hypot(pts[a][0] - pts[b][0], pts[a][1] - pts[b][1])

    tour, used = [0], [False] * n
    used[0] = True
    for _ in range(n - 1):
        cur = tour[-1]
        best = min((j for j in range(n) if not used[j]), key=lambda j: d(cur, j))
        used[best] = True
        tour.append(best)
    for _ in range(TWO_OPT_PASSES):
        improved = False
        for i in range(1, n - 1):
            if time.monotonic() - t0 > TIME_BUDGET_S:
                break
            for j in range(i + 1, n):
                a, b, c, e = tour[i - 1], tour[i], tour[j], tour[(j + 1) % n]
                if d(a, c) + d(b, e) < d(a, b) + d(c, e) - 1e-9:
                    tour[i:j + 1] = tour[i:j + 1][::-1]
                    improved = True
        if not improved:
            break
    print(" ".join(map(str, tour)))


main()
