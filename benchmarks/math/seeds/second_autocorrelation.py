"""Seed: a non-negative step function, a flat hump on [-1/4, 1/4] with 40 equal steps."""

import numpy as np


# EVOLVE-BLOCK-START
def heights():
    """Height of each of the equal steps on [-1/4, 1/4] (any number of steps is allowed)."""
    return np.array([
        0.7129, 0.7537, 0.7596, 0.8125, 0.8308, 0.8614, 0.8774, 0.9146,
        0.9413, 0.9211, 0.9321, 0.9869, 0.9574, 1.0082, 0.9860, 1.0252,
        1.0310, 1.0155, 1.0306, 1.0126, 1.0356, 1.0479, 1.0172, 1.0355,
        1.0022, 0.9849, 0.9877, 0.9567, 0.9770, 0.9626, 0.9554, 0.8969,
        0.9018, 0.8746, 0.8531, 0.8236, 0.8327, 0.7861, 0.7737, 0.7448,
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    h = heights()
    # heights must be non-negative
    return np.clip(h, 0.0, None).tolist()
