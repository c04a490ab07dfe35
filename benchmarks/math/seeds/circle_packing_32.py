"""Seed: 32 circles, centres near a 6x6 grid without its corners, radii from a linear program."""

import numpy as np
from scipy.optimize import linprog

N = 32


# EVOLVE-BLOCK-START
def centres():
    """Centre positions (x, y) in the unit square."""
    return np.array([
        (0.2471, 0.0741),
        (0.4129, 0.0870),
        (0.5779, 0.0736),
        (0.7500, 0.0890),
        (0.0889, 0.2434),
        (0.2405, 0.2558),
        (0.4224, 0.2416),
        (0.5845, 0.2402),
        (0.7552, 0.2422),
        (0.9076, 0.2466),
        (0.0931, 0.4229),
        (0.2467, 0.4157),
        (0.4145, 0.4195),
        (0.5807, 0.4229),
        (0.7457, 0.4234),
        (0.9162, 0.4084),
        (0.0867, 0.5786),
        (0.2465, 0.5827),
        (0.4183, 0.5925),
        (0.5851, 0.5900),
        (0.7580, 0.5775),
        (0.9113, 0.5883),
        (0.0832, 0.7508),
        (0.2480, 0.7570),
        (0.4186, 0.7426),
        (0.5783, 0.7521),
        (0.7588, 0.7505),
        (0.9184, 0.7483),
        (0.2403, 0.9146),
        (0.4223, 0.9115),
        (0.5870, 0.9166),
        (0.7545, 0.9185),
    ], dtype=float)
# EVOLVE-BLOCK-END


def max_radii(c, width=1.0, height=1.0):
    """Largest radii for fixed centres (a linear program): max sum r, r_i + r_j <= d_ij, walls."""
    n = len(c)
    c = np.clip(np.asarray(c, dtype=float), 0.0, [width, height])
    rows, rhs = [], []
    for i in range(n):
        for j in range(i + 1, n):
            row = np.zeros(n)
            row[i] = row[j] = 1.0
            rows.append(row)
            rhs.append(np.hypot(*(c[i] - c[j])))
    wall = np.minimum.reduce([c[:, 0], width - c[:, 0], c[:, 1], height - c[:, 1]])
    res = linprog(-np.ones(n), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=[(0, max(w, 0.0)) for w in wall], method="highs")
    r = res.x if res.success else np.zeros(n)
    # shrink a hair so that rounding never produces an overlap
    return c, np.maximum(r * (1 - 1e-9) - 1e-12, 0.0)


def run():
    c, r = max_radii(centres())
    return [[float(x), float(y), float(rr)] for (x, y), rr in zip(c, r)]
