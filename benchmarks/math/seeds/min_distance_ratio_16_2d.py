"""Seed: 16 points in R^2: a jittered patch of the hexagonal lattice."""

import numpy as np


# EVOLVE-BLOCK-START
def points():
    """The 16 points, one per row."""
    return np.array([
        (0.1091, 0.1013),
        (0.3421, 0.0909),
        (0.5934, 0.0940),
        (0.8546, 0.1040),
        (0.2281, 0.3262),
        (0.4779, 0.3086),
        (0.7321, 0.3180),
        (0.9683, 0.3149),
        (0.0949, 0.5292),
        (0.3456, 0.5314),
        (0.5913, 0.5365),
        (0.8468, 0.5386),
        (0.2278, 0.7591),
        (0.4845, 0.7590),
        (0.7285, 0.7583),
        (0.9751, 0.7491),
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    return points().tolist()
