"""Seed: 14 points in R^3: the 8 corners and 6 face centres of a cube, jittered."""

import numpy as np


# EVOLVE-BLOCK-START
def points():
    """The 14 points, one per row."""
    return np.array([
        (0.2102, 0.1946, 0.1931),
        (0.2117, 0.1883, 1.1801),
        (0.2055, 1.2079, 0.2073),
        (0.1958, 1.1993, 1.1883),
        (1.2102, 0.1803, 0.2189),
        (1.1807, 0.2158, 1.1929),
        (1.1975, 1.1930, 0.1974),
        (1.1920, 1.2021, 1.1941),
        (0.7128, 0.6885, 0.2083),
        (0.6989, 0.7098, 1.1897),
        (0.6932, 0.2167, 0.7110),
        (0.6911, 1.2039, 0.7189),
        (0.1885, 0.7046, 0.6945),
        (1.2117, 0.6924, 0.7010),
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    return points().tolist()
