"""Seed: 14 points near a circle (the score is relative to their convex hull)."""

import numpy as np


# EVOLVE-BLOCK-START
def points():
    """The 14 points (x, y)."""
    return np.array([
        (0.9587, 0.5143),
        (0.8937, 0.7237),
        (0.7182, 0.9020),
        (0.5062, 0.9466),
        (0.2813, 0.9021),
        (0.1210, 0.7154),
        (0.0455, 0.5119),
        (0.1095, 0.2611),
        (0.2710, 0.1113),
        (0.4971, 0.0446),
        (0.7128, 0.1186),
        (0.8757, 0.2872),
        (0.4464, 0.4881),
        (0.5895, 0.5315),
    ], dtype=float)
# EVOLVE-BLOCK-END


def run():
    return points().tolist()
