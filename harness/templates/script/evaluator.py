"""Scores the tour the program printed (its stdout), against cities.txt."""

import math


def _cities():
    with open("cities.txt") as f:
        data = f.read().split()
    n = int(data[0])
    return [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]


def evaluate(stdout):
    cities = _cities()
    n = len(cities)
    try:
        order = [int(t) for t in stdout.split()]
    except ValueError:
        return {"valid": False, "error": "output must be whitespace-separated city indices"}
    if sorted(order) != list(range(n)):
        return {"valid": False, "error": f"output must be a permutation of 0..{n - 1}, "
                                         f"got {len(order)} numbers"}
    length = sum(math.dist(cities[order[i]], cities[order[i - 1]]) for i in range(n))
    return {"score": length, "tour_length": length, "feedback": f"tour length {length:.1f}"}
