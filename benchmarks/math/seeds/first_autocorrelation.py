"""Seed: a non-negative step function, higher near the ends on [-1/4, 1/4] with 40 equal steps."""

import numpy as np


# EVOLVE-BLOCK-START
def heights():
    """Height of each of the equal steps on [-1/4, 1/4] (any number of steps is allowed)."""
    return np.array([
        1.6165, 1.5522, 1.4865, 1.4370, 1.4118, 1.3610, 1.2925, 1.2765,
        1.2301, 1.2228, 1.1775, 1.1200, 1.1224, 1.0830, 1.0634, 1.0701,
        1.0353, 1.0118, 1.0096, 1.0430, 1.0385, 1.0095, 1.0213, 1.0344,
        1.0724, 1.0943, 1.0742, 1.1253, 1.1593, 1.1762, 1.2104, 1.2512,
        1.2786, 1.3259, 1.3411, 1.4000, 1.4318, 1.5173, 1.5764, 1.6415,
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    h = heights()
    # heights must be non-negative
    return np.clip(h, 0.0, None).tolist()
