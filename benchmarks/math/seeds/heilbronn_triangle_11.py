"""Seed: 11 points inside the triangle (0,0), (1,0), (1/2, sqrt(3)/2)."""

import numpy as np

N = 11
V = np.array([(0.0, 0.0), (1.0, 0.0), (0.5, np.sqrt(3.0) / 2.0)])


# EVOLVE-BLOCK-START
def points():
    """The 11 points (x, y); points outside the triangle are pulled back onto it."""
    return np.array([
        (0.5277, 0.4943),
        (0.4256, 0.1309),
        (0.7290, 0.0867),
        (0.3010, 0.3905),
        (0.2990, 0.4743),
        (0.7413, 0.2598),
        (0.7951, 0.0721),
        (0.8221, 0.1762),
        (0.3952, 0.5401),
        (0.4317, 0.4964),
        (0.3178, 0.2481),
    ], dtype=float)
# EVOLVE-BLOCK-END


def into_triangle(p):
    """Barycentric coordinates, negatives clipped to 0 and renormalised: a point of the triangle."""
    m = np.array([[V[1, 0] - V[0, 0], V[2, 0] - V[0, 0]], [V[1, 1] - V[0, 1], V[2, 1] - V[0, 1]]])
    lam = np.linalg.solve(m, (p - V[0]).T).T
    bary = np.column_stack([1.0 - lam.sum(axis=1), lam])
    bary = np.clip(bary, 0.0, None)
    bary /= bary.sum(axis=1, keepdims=True)
    return bary @ V


def run():
    return into_triangle(points()).tolist()
