"""Kissing configurations in dimension 11: many integer vectors, pairwise at least 60 degrees apart.

AlphaEvolve (2025) Appendix B.11. A kissing configuration of m unit spheres around a central one
is the same as m non-zero vectors whose pairwise angles are all at least 60 degrees (put a sphere
at 2x/|x| for each x). The evaluator checks every pair EXACTLY with integer arithmetic:

    angle(x, y) >= 60 degrees  <=>  2 <x, y> <= |x| |y|
                               <=>  <x, y> <= 0  or  4 <x, y>^2 <= |x|^2 |y|^2

A float pre-pass only decides which pairs need the (slower) exact check; the verdict is always the
exact one. Score = the number of vectors.
"""

from __future__ import annotations

import numpy as np

from benchmarks.math.problem import (
    AE_RESCORED,
    InvalidConstruction,
    MathProblem,
    Validated,
    make_references,
)

DIM = 11
MAX_VECTORS = 2000
MAX_ABS = 2 ** 62  # entries beyond this are refused (exact checks stay fast)
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"


def _as_int(x: object, i: int, k: int) -> int:
    if isinstance(x, bool):
        raise InvalidConstruction(f"vector {i}, entry {k}: booleans are not integers")
    if isinstance(x, int):
        v = x
    elif isinstance(x, float):
        if not (abs(x) < 2.0 ** 53 and x == int(x)):
            raise InvalidConstruction(f"vector {i}, entry {k} = {x!r} is not an integer "
                                      "(coordinates must be integers; floats only when exactly "
                                      "integral and below 2^53)")
        v = int(x)
    else:
        raise InvalidConstruction(f"vector {i}, entry {k} must be an integer, got "
                                  f"{type(x).__name__}")
    if abs(v) > MAX_ABS:
        raise InvalidConstruction(f"vector {i}, entry {k} is larger than 2^62 in absolute value")
    return v


def kissing_config(value: object, dim: int = DIM) -> Validated:
    if not isinstance(value, list) or not value:
        got = "an empty list" if isinstance(value, list) else type(value).__name__
        raise InvalidConstruction(f"expected a non-empty list of integer vectors of length {dim}, "
                                  f"got {got}")
    if len(value) > MAX_VECTORS:
        raise InvalidConstruction(f"at most {MAX_VECTORS} vectors are accepted, got {len(value)}")
    vecs: list[list[int]] = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != dim:
            raise InvalidConstruction(f"vector {i} must be a list of {dim} integers, got "
                                      f"{row!r:.60}")
        vecs.append([_as_int(x, i, k) for k, x in enumerate(row)])
    norms = [sum(x * x for x in v) for v in vecs]
    for i, nn in enumerate(norms):
        if nn == 0:
            raise InvalidConstruction(f"vector {i} is the zero vector")
    m = len(vecs)
    # float pre-pass: which pairs could possibly be closer than 60 degrees?
    f = np.array([[float(x) for x in v] for v in vecs])
    f /= np.linalg.norm(f, axis=1, keepdims=True)
    cos = f @ f.T
    np.fill_diagonal(cos, -2.0)
    ii, jj = np.nonzero(np.triu(cos > 0.5 - 1e-6, 1))
    worst = None
    for i, j in zip(ii.tolist(), jj.tolist()):
        dot = sum(a * b for a, b in zip(vecs[i], vecs[j]))
        bad = dot > 0 and 4 * dot * dot > norms[i] * norms[j]
        if bad and (worst is None or cos[i, j] > cos[worst[0], worst[1]]):
            worst = (i, j)
    if worst is not None:
        i, j = worst
        ang = float(np.degrees(np.arccos(min(1.0, float(cos[i, j])))))
        raise InvalidConstruction(f"vectors {i} and {j} are at {ang:.9g} degrees < 60 "
                                  "(checked exactly in integers: 4<x,y>^2 > |x|^2|y|^2); "
                                  "every pair must be at least 60 degrees apart")
    max_cos = float(cos.max()) if m > 1 else -1.0
    return Validated(float(m), {"vectors": float(m), "max_cosine": max_cos},
                     f"valid kissing configuration of {m} vectors in dimension {dim} "
                     f"(largest pairwise cosine {max_cos:.9f} <= 1/2)")


PROBLEMS = [
    MathProblem(
        name="kissing_11d",
        title="Kissing configuration in dimension 11 (max number of spheres)",
        statement=(
            "Kissing problem in dimension 11: find as many non-zero vectors in Z^11 as possible "
            "such that every two of them make an angle of at least 60 degrees, i.e. "
            "2 <x, y> <= |x| |y| for all pairs (unit spheres centred at 2x/|x| then all touch "
            "the central unit sphere without overlapping). `run()` returns a list of vectors, "
            f"each a list of {DIM} integers (at most {MAX_VECTORS} vectors). The evaluator checks "
            "every pair exactly in integer arithmetic; duplicate or parallel vectors, the zero "
            "vector or any pair closer than 60 degrees make the whole construction invalid. The "
            "score is the number of vectors."),
        direction="max", tolerance=0.0, validate=kissing_config,
        references=make_references(
            "max",
            before=(592, f"Ganzhinov (2022), arXiv 2207.08266, as quoted in {_AE_NB}, "
                    "section B.11"),
            alphaevolve=(593, f"{_AE_NB}, section B.11 (593 integer vectors); " + AE_RESCORED),
            later=(604, "EinsteinArena, arXiv 2606.10402 (June 2026), as summarised at "
                   "pith.science/ref/arxiv/2606.10402: lower bound in dimension 11 raised from "
                   "593 to 604; construction not checked by us (google-deepmind/"
                   "alphaevolve_repository_of_problems problems/8.html points to H. Cohn's "
                   "table and arXiv 2511.13391; no value "
                   "for dimension 11 read)"),
        ),
        timeout_s=60.0,
    ),
]
