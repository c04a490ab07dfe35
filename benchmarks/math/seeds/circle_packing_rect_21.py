"""Seed: 21 circles in a rectangle of perimeter 4; centres near a 7x3 grid, radii from an LP."""

import numpy as np
from scipy.optimize import linprog

N = 21


# EVOLVE-BLOCK-START
WIDTH = 1.2  # the rectangle is WIDTH x (2 - WIDTH)


def centres():
    """Centres as fractions (u, v) of the rectangle's width and height."""
    return np.array([
        (0.0658, 0.1617),
        (0.2114, 0.1737),
        (0.3492, 0.1580),
        (0.4995, 0.1699),
        (0.6487, 0.1680),
        (0.7892, 0.1662),
        (0.9327, 0.1671),
        (0.0798, 0.5049),
        (0.2241, 0.4966),
        (0.3486, 0.5089),
        (0.4916, 0.4952),
        (0.6455, 0.5057),
        (0.7937, 0.4930),
        (0.9246, 0.5056),
        (0.0738, 0.8326),
        (0.2153, 0.8341),
        (0.3589, 0.8254),
        (0.5087, 0.8295),
        (0.6371, 0.8272),
        (0.7887, 0.8372),
        (0.9383, 0.8261),
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
    w = min(max(float(WIDTH), 0.05), 1.95)
    h = 2.0 - w
    uv = np.clip(centres(), 0.0, 1.0)
    c, r = max_radii(uv * [w, h], w, h)
    return {"width": w, "circles": [[float(x), float(y), float(rr)] for (x, y), rr in zip(c, r)]}
