"""Depot placement seed: spread the depots over the customers, then a few rounds of weighted
Lloyd iterations (move each depot to the centre of the customers it serves)."""
import math
import sys

# EVOLVE-BLOCK-START
LLOYD_ROUNDS = 2  # assignment / re-centring rounds
PULL = 1.0  # how far a depot moves towards its centre per round
# EVOLVE-BLOCK-END


def main():
    data = list(map(int, sys.stdin.read().split()))
    n, k = data[:2]
    cust = [tuple(data[2 + 3 * i: 5 + 3 * i]) for i in range(n)]
    depots = [list(cust[j * n // k][:2]) for j in range(k)]
    for _ in range(LLOYD_ROUNDS):
        sx, sy, sw = [0.0] * k, [0.0] * k, [0.0] * k
        for x, y, d in cust:
            best = min(range(k), key=lambda j: math.hypot(x - depots[j][0], y - depots[j][1]))
            sx[best] += d * x
            sy[best] += d * y
            sw[best] += d
        for j in range(k):
            if sw[j] > 0:
                depots[j][0] += PULL * (sx[j] / sw[j] - depots[j][0])
                depots[j][1] += PULL * (sy[j] / sw[j] - depots[j][1])
    for x, y in depots:
        print(min(1000, max(0, round(x))), min(1000, max(0, round(y))))


main()
