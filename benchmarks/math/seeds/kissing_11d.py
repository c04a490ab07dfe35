"""Seed: a kissing configuration in dimension 11, built greedily from two families of vectors.

Family A: the 220 vectors 2(+-e_i +- e_j) (the D11 root system, scaled). Family B: the 2048 sign
vectors in {-1, 1}^11, offered in the order given by a score (weighted bits plus seeded jitter)
and kept when they make at least 60 degrees with everything kept so far (exact integer test).
"""

import numpy as np

DIM = 11


# EVOLVE-BLOCK-START
# family B is offered in increasing order of  bits . WEIGHTS + JITTER * noise(NOISE_SEED)
WEIGHTS = [0.0856, 0.2370, 0.8021, 0.5641, 0.0115, 0.5759, 0.7515, 0.1963, 0.4831, 0.6203,
           0.3317]
JITTER = 2.0
NOISE_SEED = 17
# EVOLVE-BLOCK-END


def family_a():
    out = []
    for i in range(DIM):
        for j in range(i + 1, DIM):
            for si in (2, -2):
                for sj in (2, -2):
                    v = [0] * DIM
                    v[i], v[j] = si, sj
                    out.append(v)
    return out


def family_b():
    codes = np.arange(2 ** DIM)
    bits = (codes[:, None] >> np.arange(DIM)) & 1
    w = np.resize(np.asarray(WEIGHTS, dtype=float), DIM)
    noise = np.random.default_rng(int(NOISE_SEED)).random(len(codes))
    order = np.argsort(bits @ w + float(JITTER) * noise, kind="stable")
    return (2 * bits[order] - 1).tolist()


def run():
    kept, norms = np.zeros((0, DIM), dtype=np.int64), np.zeros(0, dtype=np.int64)
    for v in family_a() + family_b():
        x = np.array(v, dtype=np.int64)
        nx = int(x @ x)
        dots = kept @ x
        # exact: every pair needs <u, x> <= 0 or 4 <u, x>^2 <= |u|^2 |x|^2
        if nx and not ((dots > 0) & (4 * dots * dots > norms * nx)).any():
            kept = np.vstack([kept, x])
            norms = np.append(norms, nx)
    return kept.tolist()
