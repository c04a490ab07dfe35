"""Seed: a kissing configuration in dimension 11, built greedily from two families of vectors.

Family A: the 220 vectors 2(+-e_i +- e_j) (the D11 root system, scaled). Family B: sign vectors in
{-1, 1}^11, offered in a shuffled order and kept when they make at least 60 degrees with
everything kept so far (exact integer test).
"""

import numpy as np

DIM = 11


# EVOLVE-BLOCK-START
ROOT_SCALE = 2       # family A: ROOT_SCALE * (+-e_i +- e_j)
SIGN_SCALE = 1       # family B: SIGN_SCALE * (+-1, ..., +-1)
ORDER_SEED = 17      # shuffles the order in which family B is tried
TRIES = 2048         # how many sign vectors are offered
A_FIRST = 1          # 1: family A goes in first, 0: family B first
# EVOLVE-BLOCK-END


def family_a():
    out = []
    for i in range(DIM):
        for j in range(i + 1, DIM):
            for si in (1, -1):
                for sj in (1, -1):
                    v = [0] * DIM
                    v[i], v[j] = si * ROOT_SCALE, sj * ROOT_SCALE
                    out.append(v)
    return out


def family_b():
    rng = np.random.default_rng(int(ORDER_SEED))
    codes = rng.permutation(2 ** DIM)[: max(0, int(TRIES))]
    return [[SIGN_SCALE * (1 if (int(c) >> k) & 1 else -1) for k in range(DIM)] for c in codes]


def compatible(v, kept, norms):
    """Exact: for every kept u, <u, v> <= 0 or 4 <u, v>^2 <= |u|^2 |v|^2."""
    if not kept:
        return True
    k = np.array(kept, dtype=np.int64)
    dots = k @ np.array(v, dtype=np.int64)
    nv = int(np.dot(v, v))
    bad = (dots > 0) & (4 * dots * dots > norms * nv)
    return not bad.any()


def run():
    cands = family_a() + family_b() if A_FIRST else family_b() + family_a()
    kept, norms = [], np.zeros(0, dtype=np.int64)
    for v in cands:
        if any(v) and compatible(v, kept, norms):
            kept.append(v)
            norms = np.append(norms, int(np.dot(v, v)))
    return kept
