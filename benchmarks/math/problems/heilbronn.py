"""Heilbronn problems: place n points so that their smallest triangle is as large as possible.

AlphaEvolve (2025) Appendix B.9 (points in a triangle of unit area, n = 11) and B.10 (points in
a convex region of unit area, n = 13 and 14). Both objectives are ratios of areas, so they are
invariant under affine maps: the triangle is fixed as the equilateral triangle with vertices
(0, 0), (1, 0), (1/2, sqrt(3)/2), and for convex regions the region is the points' convex hull.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from benchmarks.math.problem import (
    AE_RESCORED,
    InvalidConstruction,
    MathProblem,
    Validated,
    as_matrix,
    make_references,
)

TOL = 1e-9
SQRT3 = math.sqrt(3.0)
TRIANGLE = ((0.0, 0.0), (1.0, 0.0), (0.5, SQRT3 / 2))
TRIANGLE_AREA = SQRT3 / 4
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"


def min_triangle_area(p: np.ndarray) -> tuple[float, tuple[int, int, int]]:
    """Smallest area of a triangle with vertices among the points, and which triple spans it."""
    idx = np.array(list(itertools.combinations(range(len(p)), 3)))
    a, b, c = p[idx[:, 0]], p[idx[:, 1]], p[idx[:, 2]]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    areas = np.abs(cross) / 2.0
    k = int(np.argmin(areas))
    return float(areas[k]), tuple(int(v) for v in idx[k])  # type: ignore[return-value]


def convex_hull_area(p: np.ndarray) -> float:
    """Area of the convex hull (Andrew's monotone chain, then the shoelace formula)."""
    pts = sorted(set(map(tuple, p.tolist())))
    if len(pts) < 3:
        return 0.0

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for q in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    upper: list = []
    for q in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    hull = lower[:-1] + upper[:-1]
    s = 0.0
    for i in range(len(hull)):
        x1, y1 = hull[i]
        x2, y2 = hull[(i + 1) % len(hull)]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


def heilbronn_triangle(value: object, n: int, tol: float = TOL) -> Validated:
    p = as_matrix(value, n, 2, f"{n} points in the triangle", row_name="point")
    x, y = p[:, 0], p[:, 1]
    # signed distances to the three edges (positive inside)
    d = np.stack([y, (SQRT3 * x - y) / 2.0, (SQRT3 * (1.0 - x) - y) / 2.0])
    worst = d.min(axis=0)
    if (worst < -tol).any():
        i = int(np.argmin(worst))
        raise InvalidConstruction(f"point {i} ({x[i]:.10g}, {y[i]:.10g}) lies outside the "
                                  f"triangle (0,0), (1,0), (1/2, sqrt(3)/2) by {-worst[i]:.3g} "
                                  f"(tolerance {tol:g})")
    area, tri = min_triangle_area(p)
    score = area / TRIANGLE_AREA
    return Validated(score, {"min_area_normalised": score, "min_area": area},
                     f"smallest triangle {tri} has area {score:.12f} x the container's area")


def heilbronn_convex(value: object, n: int) -> Validated:
    p = as_matrix(value, n, 2, f"{n} points in the plane", row_name="point")
    p = p - p.mean(axis=0)
    scale = float(np.abs(p).max())
    if scale > 0:
        p = p / scale  # the score is affine-invariant; this avoids overflow and underflow
    hull = convex_hull_area(p)
    span = float(np.ptp(p, axis=0).max())
    if not math.isfinite(hull) or hull <= 1e-12 * span * span:
        raise InvalidConstruction("the points' convex hull has zero area (all points collinear "
                                  "or coincident)")
    area, tri = min_triangle_area(p)
    score = area / hull
    return Validated(score, {"min_area_normalised": score, "hull_area": hull},
                     f"smallest triangle {tri} has area {score:.12f} x the convex hull's area")


def _tri_statement(n: int) -> str:
    return (f"Heilbronn problem for triangles, n = {n}. Place {n} points on or inside the "
            "equilateral triangle with vertices (0, 0), (1, 0), (0.5, sqrt(3)/2) so that the "
            "smallest area of a triangle formed by three of the points is as large as possible. "
            f"`run()` returns a list of {n} points [x, y]. The score is that smallest area "
            "divided by the area of the container (sqrt(3)/4), i.e. normalised to a container "
            "of unit area; larger is better. Points may lie outside the triangle by at most the "
            "tolerance.")


def _convex_statement(n: int) -> str:
    return (f"Heilbronn problem for convex regions, n = {n}. Place {n} points in the plane so "
            "that the smallest area of a triangle formed by three of the points, divided by the "
            "area of the points' convex hull, is as large as possible (equivalently: points in "
            "a convex region of unit area). `run()` returns a list of "
            f"{n} points [x, y]; position, scale and any affine map do not change the score.")


PROBLEMS = [
    MathProblem(
        name="heilbronn_triangle_11",
        title="Heilbronn problem in a unit-area triangle, n=11 (max smallest triangle)",
        statement=_tri_statement(11), direction="max", tolerance=TOL,
        validate=lambda v: heilbronn_triangle(v, 11),
        references=make_references(
            "max",
            before=(0.036, f"{_AE_NB}, section B.9 (erich-friedman.github.io/packing/heiltri/, "
                    "as quoted there)"),
            alphaevolve=(0.03652988988003013, f"{_AE_NB}, section B.9 construction (text: 'larger "
                         "than 0.0365'); " + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
    MathProblem(
        name="heilbronn_convex_13",
        title="Heilbronn problem in a unit-area convex region, n=13 (max smallest triangle)",
        statement=_convex_statement(13), direction="max", tolerance=0.0,
        validate=lambda v: heilbronn_convex(v, 13),
        references=make_references(
            "max",
            before=(0.0306, f"{_AE_NB}, section B.10 (erich-friedman.github.io/packing/"
                    "heilconvex/, as quoted there)"),
            alphaevolve=(0.0309368890348956,
                         f"{_AE_NB}, section B.10, Construction 1 (text: 0.0309); "
                         + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
    MathProblem(
        name="heilbronn_convex_14",
        title="Heilbronn problem in a unit-area convex region, n=14 (max smallest triangle)",
        statement=_convex_statement(14), direction="max", tolerance=0.0,
        validate=lambda v: heilbronn_convex(v, 14),
        references=make_references(
            "max",
            before=(0.0277, f"{_AE_NB}, section B.10 (erich-friedman.github.io/packing/"
                    "heilconvex/, as quoted there)"),
            alphaevolve=(0.027835571458482124,
                         f"{_AE_NB}, section B.10, Construction 2 (text: 0.0278); "
                         + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
]
