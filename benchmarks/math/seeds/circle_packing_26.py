"""Seed: 26 circles, centres on a simple grid, radii from a linear program."""

import numpy as np
from scipy.optimize import linprog

N = 26


# EVOLVE-BLOCK-START
def centres():
    """Centre positions: the first 26 cells of a 6x5 grid (rows of six)."""
    return np.array([
        (0.0833, 0.1000),
        (0.2500, 0.1000),
        (0.4167, 0.1000),
        (0.5833, 0.1000),
        (0.7500, 0.1000),
        (0.9167, 0.1000),
        (0.0833, 0.3000),
        (0.2500, 0.3000),
        (0.4167, 0.3000),
        (0.5833, 0.3000),
        (0.7500, 0.3000),
        (0.9167, 0.3000),
        (0.0833, 0.5000),
        (0.2500, 0.5000),
        (0.4167, 0.5000),
        (0.5833, 0.5000),
        (0.7500, 0.5000),
        (0.9167, 0.5000),
        (0.0833, 0.7000),
        (0.2500, 0.7000),
        (0.4167, 0.7000),
        (0.5833, 0.7000),
        (0.7500, 0.7000),
        (0.9167, 0.7000),
        (0.0833, 0.9000),
        (0.2500, 0.9000),
    ], dtype=float)
# EVOLVE-BLOCK-END


def max_radii(c):
    """Largest radii for fixed centres: maximise sum r s.t. r_i + r_j <= d_ij, r_i <= wall."""
    n = len(c)
    c = np.clip(c, 0.0, 1.0)
    rows, rhs = [], []
    for i in range(n):
        for j in range(i + 1, n):
            row = np.zeros(n)
            row[i] = row[j] = 1.0
            rows.append(row)
            rhs.append(np.hypot(*(c[i] - c[j])))
    wall = np.minimum.reduce([c[:, 0], 1 - c[:, 0], c[:, 1], 1 - c[:, 1]])
    res = linprog(-np.ones(n), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=[(0, w) for w in wall], method="highs")
    r = res.x if res.success else np.zeros(n)
    return c, np.maximum(r * (1 - 1e-9) - 1e-12, 0.0)


def run():
    c, r = max_radii(centres())
    return [[float(x), float(y), float(rr)] for (x, y), rr in zip(c, r)]
