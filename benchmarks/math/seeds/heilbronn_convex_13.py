"""Seed: 13 points near a circle (the score is relative to their convex hull)."""

import numpy as np


# EVOLVE-BLOCK-START
def points():
    """The 13 points (x, y)."""
    return np.array([
        (0.9621, 0.4969),
        (0.8782, 0.7224),
        (0.7262, 0.8753),
        (0.5147, 0.9646),
        (0.2629, 0.8776),
        (0.0991, 0.7343),
        (0.0376, 0.4904),
        (0.1201, 0.2871),
        (0.2845, 0.1078),
        (0.5009, 0.0530),
        (0.7274, 0.1006),
        (0.8754, 0.2632),
        (0.4569, 0.4922),
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    return points().tolist()
