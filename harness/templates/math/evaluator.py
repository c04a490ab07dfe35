"""Scores what run() returned. Runs in its own sandbox; the candidate's code is never here."""

import math

N = 10


def evaluate(points):
    if not isinstance(points, list) or len(points) != N:
        return {"valid": False, "error": f"expected a list of {N} [x, y] pairs"}
    for i, p in enumerate(points):
        if not (isinstance(p, list) and len(p) == 2
                and all(isinstance(v, (int, float)) and math.isfinite(v) for v in p)):
            return {"valid": False, "error": f"point {i} is not a pair of finite numbers: {p!r}"}
        if not (0.0 <= p[0] <= 1.0 and 0.0 <= p[1] <= 1.0):
            return {"valid": False, "error": f"point {i} = {p} lies outside the unit square"}
    d = min(math.dist(points[i], points[j]) for i in range(N) for j in range(i + 1, N))
    return {"score": d, "min_distance": d,
            "feedback": f"minimum pairwise distance {d:.6f} (best known 0.421280)"}
