"""Seed: a step function (heights may be negative) on [-1/4, 1/4] with 40 equal steps."""

import numpy as np


# EVOLVE-BLOCK-START
def heights():
    """Height of each of the equal steps on [-1/4, 1/4] (any number of steps is allowed)."""
    return np.array([
        1.6421, 1.5895, 1.5274, 1.4770, 1.3814, 1.3493, 1.3308, 1.2527,
        1.2303, 1.2126, 1.1588, 1.1153, 1.0963, 1.1117, 1.0843, 1.0382,
        1.0567, 1.0531, 1.0480, 1.0356, 1.0355, 1.0063, 1.0258, 1.0211,
        1.0706, 1.0759, 1.0854, 1.0901, 1.1472, 1.1549, 1.1888, 1.2372,
        1.2539, 1.3335, 1.3636, 1.4197, 1.4474, 1.5009, 1.5506, 1.6060,
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    h = heights()
    return h.tolist()
