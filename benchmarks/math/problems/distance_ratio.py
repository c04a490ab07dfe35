"""Minimise the ratio of the largest to the smallest pairwise distance of n points in R^d.

AlphaEvolve (2025) Appendix B.8. The objective is the SQUARED ratio (d_max / d_min)^2, the
convention of AlphaEvolve and of Erich Friedman's tables. There is no region: the ratio is
invariant under translation, rotation and scaling. The only constraint is that the points are
distinct: d_min must exceed ``MIN_SEP`` times the configuration's diameter.
"""

from __future__ import annotations

import numpy as np

from benchmarks.math.problem import (
    AE_RESCORED,
    InvalidConstruction,
    MathProblem,
    Validated,
    as_matrix,
    make_references,
)

MIN_SEP = 1e-9  # relative: d_min <= MIN_SEP * d_max counts as coincident points
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"


def validate_ratio(value: object, n: int, d: int) -> Validated:
    """n points in R^d (list of n lists of d numbers) -> (max distance / min distance)^2."""
    p = as_matrix(value, n, d, f"{n} points in R^{d}", row_name="point")
    p = p - p.mean(axis=0)
    scale = float(np.abs(p).max())
    if scale > 0:
        p = p / scale  # the ratio is similarity-invariant; this avoids overflow and underflow
    diff = p[:, None, :] - p[None, :, :]
    d2 = np.einsum("ijk,ijk->ij", diff, diff)
    iu = np.triu_indices(n, 1)
    pair = d2[iu]
    dmax2, dmin2 = float(pair.max()), float(pair.min())
    if not np.isfinite(dmax2) or dmax2 <= 0:
        raise InvalidConstruction("all points coincide (or coordinates overflow)")
    if dmin2 <= (MIN_SEP ** 2) * dmax2:
        k = int(np.argmin(pair))
        i, j = int(iu[0][k]), int(iu[1][k])
        raise InvalidConstruction(f"points {i} and {j} coincide (distance {np.sqrt(dmin2):.3g} "
                                  f"vs diameter {np.sqrt(dmax2):.3g}); points must be distinct")
    ratio2 = dmax2 / dmin2
    return Validated(ratio2, {"ratio_squared": ratio2, "ratio": float(np.sqrt(ratio2))},
                     f"{n} points in R^{d}: (max/min distance)^2 = {ratio2:.10f}")


def _statement(n: int, d: int) -> str:
    return (f"Place {n} distinct points in {d}-dimensional space so that the ratio between the "
            "largest and the smallest pairwise Euclidean distance is as small as possible. "
            f"`run()` returns a list of {n} points, each a list of {d} coordinates. The score is "
            "the SQUARED ratio (max distance / min distance)^2 (the convention of AlphaEvolve "
            "and of Erich Friedman's tables); lower is better. Position, rotation and scale do "
            "not matter.")


PROBLEMS = [
    MathProblem(
        name="min_distance_ratio_16_2d",
        title="16 points in the plane: minimise (max/min distance)^2",
        statement=_statement(16, 2), direction="min", tolerance=0.0,
        validate=lambda v: validate_ratio(v, 16, 2),
        references=make_references(
            "min",
            before=(12.89, f"{_AE_NB}, section B.8 (erich-friedman.github.io/packing/maxmin/, "
                    "squared ratio, as quoted there)"),
            alphaevolve=(12.889266112, f"{_AE_NB}, section B.8, Construction 1; " + AE_RESCORED),
            later=(12.889230201, "FM Agent TR (arXiv 2510.26144) Table 4 and Listing 1; "
                   "LoongFlow reports 12.889243547 (shared/PEERS.md)"),
            fm_agent=(12.889230201, "FM Agent TR Table 4"),
        ),
    ),
    MathProblem(
        name="min_distance_ratio_14_3d",
        title="14 points in 3D: minimise (max/min distance)^2",
        statement=_statement(14, 3), direction="min", tolerance=0.0,
        validate=lambda v: validate_ratio(v, 14, 3),
        references=make_references(
            "min",
            before=(4.168, f"{_AE_NB}, section B.8 (erich-friedman.github.io/packing/maxmin3/, "
                    "squared ratio, as quoted there)"),
            alphaevolve=(4.165849767, f"{_AE_NB}, section B.8, Construction 2; " + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
]
