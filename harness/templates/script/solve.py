"""Seed: nearest-neighbour tour from city 0."""
import math
import sys


def read():
    data = sys.stdin.read().split()
    n = int(data[0])
    return [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]


# EVOLVE-BLOCK-START
def tour(cities):
    n = len(cities)
    left = set(range(1, n))
    order = [0]
    while left:
        last = cities[order[-1]]
        nxt = min(left, key=lambda j: math.dist(last, cities[j]))
        order.append(nxt)
        left.remove(nxt)
    return order
# EVOLVE-BLOCK-END


if __name__ == "__main__":
    print(" ".join(map(str, tour(read()))))
