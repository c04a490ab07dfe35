"""Seed: a step function on [0, 2] with 40 equal steps, values in [0, 1], integral 1."""

import numpy as np


# EVOLVE-BLOCK-START
def raw_values():
    """Unnormalised step values; run() shifts and clips them into [0, 1] with mean 1/2."""
    return np.array([
        0.2206, 0.2171, 0.2655, 0.2641, 0.2665, 0.3153, 0.3270, 0.3550,
        0.3623, 0.3875, 0.3737, 0.3849, 0.3900, 0.4304, 0.4623, 0.4552,
        0.4534, 0.4817, 0.5256, 0.5258, 0.5249, 0.5312, 0.5474, 0.5567,
        0.6159, 0.6054, 0.6434, 0.6584, 0.6640, 0.6497, 0.6962, 0.7049,
        0.7402, 0.7465, 0.7297, 0.7761, 0.7720, 0.8085, 0.7924, 0.8292,
    ], dtype=float)
# EVOLVE-BLOCK-END


def normalise(v):
    """h = clip(v + s, 0, 1), the shift s found by bisection so that mean(h) = 1/2 (integral 1)."""
    v = np.asarray(v, dtype=float)
    lo, hi = -1.0 - v.max(), 1.0 - v.min()
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if np.clip(v + mid, 0.0, 1.0).mean() < 0.5:
            lo = mid
        else:
            hi = mid
    h = np.clip(v + (lo + hi) / 2.0, 0.0, 1.0)
    # exact mean 1/2 up to rounding: spread the tiny residual over the interior values
    inner = (h > 1e-6) & (h < 1 - 1e-6)
    if inner.any():
        h[inner] += (0.5 * len(h) - h.sum()) / inner.sum()
    return np.clip(h, 0.0, 1.0)


def run():
    return normalise(raw_values()).tolist()
