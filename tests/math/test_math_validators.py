"""Trusted validators: hand-built constructions score exactly; broken ones are refused, with reason.

Every expected value here is derived by hand (or with exact rational arithmetic) independently of
the evaluator's code.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from benchmarks.math.problem import InvalidConstruction, get_problem

S3 = math.sqrt(3.0)


def score(name: str, value: object) -> float:
    return get_problem(name).validate(value).score


def rejects(name: str, value: object, *words: str) -> str:
    with pytest.raises(InvalidConstruction) as e:
        get_problem(name).validate(value)
    msg = str(e.value)
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    return msg


# ----------------------------------------------------------------------------- circle packing
def grid_circles(nx: int, ny: int, r: float) -> list[list[float]]:
    return [[(2 * i + 1) * r, (2 * j + 1) * r, r] for i in range(nx) for j in range(ny)]


def test_circle_packing_26_grid_plus_gap_circle_scores_exactly():
    circles = grid_circles(5, 5, 0.1)
    gap = 0.1 * (math.sqrt(2) - 1)  # tangent to the four grid circles around (0.2, 0.2)
    circles.append([0.2, 0.2, gap])
    assert score("circle_packing_26", circles) == pytest.approx(2.5 + gap, abs=1e-12)


def test_circle_packing_accepts_centers_and_radii_and_ignores_a_claimed_sum():
    circles = grid_circles(5, 5, 0.1) + [[0.2, 0.2, 0.0]]
    centers, radii = [c[:2] for c in circles], [c[2] for c in circles]
    assert score("circle_packing_26", [centers, radii, 99.0]) == pytest.approx(2.5, abs=1e-12)
    assert score("circle_packing_26", {"centers": centers, "radii": radii}) == pytest.approx(2.5)
    rejects("circle_packing_26", {"centers": centers, "radii": radii[:-1]}, "26 entries")
    centers[3] = [0.1]
    rejects("circle_packing_26", [centers, radii], "centre 3")


def test_circle_packing_32_grid_scores_exactly():
    circles = grid_circles(6, 6, 1 / 12)
    del circles[35], circles[30], circles[5], circles[0]
    assert score("circle_packing_32", circles) == pytest.approx(32 / 12, abs=1e-12)


@pytest.mark.parametrize("bad, words", [
    ("overlap", ("overlap",)), ("outside", ("leaves the region",)), ("nan", ("finite",)),
    ("inf", ("finite",)), ("negative", ("negative radius",)), ("short", ("expected a list of 26",)),
    ("shape", ("must be [x, y, r]",)), ("string", ("expected a list",)),
])
def test_circle_packing_rejects(bad, words):
    gap = 0.1 * (math.sqrt(2) - 1)
    c = grid_circles(5, 5, 0.1) + [[0.2, 0.2, gap]]
    if bad == "overlap":
        c[25][2] += 1e-6  # the gap circle now overlaps its neighbours by 1e-6 > tolerance 1e-9
    elif bad == "outside":
        c[3][0] = 0.1 - 1e-7
    elif bad == "nan":
        c[4][1] = float("nan")
    elif bad == "inf":
        c[4][2] = float("inf")
    elif bad == "negative":
        c[25][2] = -0.01
    elif bad == "short":
        c = c[:-1]
    elif bad == "shape":
        c[7] = [0.5, 0.5]
    elif bad == "string":
        c = "2.7"
    rejects("circle_packing_26", c, *words)


def test_circle_packing_within_tolerance_is_accepted_and_beyond_is_not():
    gap = 0.1 * (math.sqrt(2) - 1)
    c = grid_circles(5, 5, 0.1) + [[0.2, 0.2, gap + 5e-10]]  # overlap 5e-10 <= 1e-9
    assert score("circle_packing_26", c) == pytest.approx(2.5 + gap + 5e-10, abs=1e-12)
    c[25][2] += 1e-9
    rejects("circle_packing_26", c, "overlap")


def test_rectangle_bounding_box_row_of_circles():
    r = 1 / 22  # 21 circles in a row: width 42 r, height 2 r, w + h = 44 r = 2
    row = [[(2 * i + 1) * r, r, r] for i in range(21)]
    assert score("circle_packing_rect_21", row) == pytest.approx(21 / 22, abs=1e-12)
    shifted = [[x + 5.0, y - 3.0, rr] for x, y, rr in row]  # translation does not matter
    assert score("circle_packing_rect_21", shifted) == pytest.approx(21 / 22, abs=1e-12)
    big = [[x, y, rr * 1.001] for x, y, rr in row]
    big = [[(2 * i + 1) * big[0][2], big[0][2], big[0][2]] for i in range(21)]
    rejects("circle_packing_rect_21", big, "perimeter")


def test_rectangle_with_explicit_width():
    # 7 x 3 grid of r = 0.1 in the 1.4 x 0.6 rectangle (perimeter 4)
    circles = [[(2 * i + 1) * 0.1, (2 * j + 1) * 0.1, 0.1] for i in range(7) for j in range(3)]
    v = {"width": 1.4, "circles": circles}
    assert score("circle_packing_rect_21", v) == pytest.approx(2.1, abs=1e-12)
    rejects("circle_packing_rect_21", {"width": 1.3, "circles": circles}, "leaves the region")
    rejects("circle_packing_rect_21", {"width": 2.5, "circles": circles}, "width")
    claimed = {"width": 1.4, "circles": circles, "sum_radii": 9.0}  # a claimed sum is ignored
    assert score("circle_packing_rect_21", claimed) == pytest.approx(2.1, abs=1e-12)
    split = {"width": 1.4, "centers": [c[:2] for c in circles], "radii": [c[2] for c in circles]}
    assert score("circle_packing_rect_21", split) == pytest.approx(2.1, abs=1e-12)
    circles[4][1] = 0.3 - 1e-3  # the middle circle of column 1 overlaps the one below
    rejects("circle_packing_rect_21", {"width": 1.4, "circles": circles}, "overlap")


# ----------------------------------------------------------------------------- distance ratio
def test_ratio_square_grid_and_cuboctahedral_patch():
    grid = [[float(i), float(j)] for i in range(4) for j in range(4)]
    assert score("min_distance_ratio_16_2d", grid) == pytest.approx(18.0, abs=1e-12)  # (3 sqrt2)^2
    # cube corners + face centres: d_min = sqrt(2)/2, d_max = sqrt(3) -> ratio^2 = 6
    pts = [[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    pts += [[.5, .5, 0], [.5, .5, 1], [.5, 0, .5], [.5, 1, .5], [0, .5, .5], [1, .5, .5]]
    assert score("min_distance_ratio_14_3d", pts) == pytest.approx(6.0, abs=1e-12)
    scaled = [[3.7 * c + 11 for c in p] for p in pts]  # similarity-invariant
    assert score("min_distance_ratio_14_3d", scaled) == pytest.approx(6.0, abs=1e-11)


def test_ratio_is_scale_free_even_at_extreme_scales():
    grid = [[float(i), float(j)] for i in range(4) for j in range(4)]
    for s in (1e-200, 1e200):
        assert score("min_distance_ratio_16_2d", [[s * x, s * y] for x, y in grid]) == \
            pytest.approx(18.0, rel=1e-12)


def test_ratio_rejects():
    grid = [[float(i), float(j)] for i in range(4) for j in range(4)]
    rejects("min_distance_ratio_16_2d", grid[:15], "16 points")
    rejects("min_distance_ratio_16_2d", grid[:15] + [[0.0, 0.0]], "coincide")
    rejects("min_distance_ratio_16_2d", [p + [0.0] for p in grid], "must be a list of 2")
    g = [list(p) for p in grid]
    g[3][0] = float("nan")
    rejects("min_distance_ratio_16_2d", g, "finite")
    rejects("min_distance_ratio_14_3d", [[1.0, 2.0, 3.0]] * 14, "coincide")


# ----------------------------------------------------------------------------- autocorrelation
def knot_values(h: list[float]) -> list[Fraction]:
    """(f*f) at the knots t_k = -1/2 + k w, by exact integration of step functions (Fractions)."""
    n = len(h)
    w = Fraction(1, 2 * n)
    hf = [Fraction(x) for x in h]
    out = []
    for k in range(2 * n + 1):
        # (f*f)(t_k) = sum_i sum_j h_i h_j |I_i cap (t_k - I_j)|; overlap is w iff i + j = k - 1
        s = sum((hf[i] * hf[k - 1 - i] for i in range(n) if 0 <= k - 1 - i < n), Fraction(0))
        out.append(s * w)
    return out


def test_first_autocorrelation_exact_values():
    assert score("first_autocorrelation", [1.0] * 37) == pytest.approx(2.0, abs=1e-13)
    assert score("first_autocorrelation", [1.0, 0.0]) == pytest.approx(4.0, abs=1e-13)
    h = [0.3, 1.2, 0.0, 0.7, 2.5]
    kv = knot_values(h)
    integral = sum(Fraction(x) for x in h) * Fraction(1, 10)
    expect = float(max(kv) / integral ** 2)
    assert score("first_autocorrelation", h) == pytest.approx(expect, rel=1e-13)


def test_second_autocorrelation_tent_is_two_thirds_exactly():
    # constant f: f*f is a tent, ||.||_2^2 / (||.||_1 ||.||_inf) = (H^2/3) / (H/2 * H) = 2/3
    for n in (1, 2, 7, 50):
        assert score("second_autocorrelation", [2.5] * n) == pytest.approx(2 / 3, abs=1e-13)


def test_second_autocorrelation_matches_exact_integration():
    h = [0.3, 1.2, 0.0, 0.7, 2.5]
    kv = knot_values(h)
    w = Fraction(1, 10)
    l2 = sum(w / 3 * (a * a + a * b + b * b) for a, b in zip(kv, kv[1:]))
    l1 = sum(w * (a + b) / 2 for a, b in zip(kv, kv[1:]))
    expect = float(l2 / (l1 * max(kv)))
    assert score("second_autocorrelation", h) == pytest.approx(expect, rel=1e-13)


def test_third_autocorrelation_both_versions():
    h = [-2.0, -2.0, -1.0, 3.0]  # c = [4, 8, 8, -8, -11, -6, 9], sum h = -2
    assert score("third_autocorrelation", h) == pytest.approx(2 * 4 * 9 / 4, rel=1e-13)
    assert score("third_autocorrelation_abs", h) == pytest.approx(2 * 4 * 11 / 4, rel=1e-13)
    kv = knot_values(h)
    integral = Fraction(-2) * Fraction(1, 8)
    assert score("third_autocorrelation", h) == pytest.approx(
        float(max(kv) / integral ** 2), rel=1e-13)
    assert score("third_autocorrelation_abs", h) == pytest.approx(
        float(max(abs(v) for v in kv) / integral ** 2), rel=1e-13)


@pytest.mark.parametrize("name", ["first_autocorrelation", "second_autocorrelation"])
def test_nonnegative_autocorrelation_rejects(name):
    rejects(name, [1.0, -1e-12, 1.0], "non-negative")
    rejects(name, [], "between 1 and")
    rejects(name, [1.0] * 20001, "between 1 and")
    rejects(name, [1.0, float("nan")], "finite")
    rejects(name, [1.0, float("inf")], "finite")
    rejects(name, [0.0, 0.0], "zero")
    rejects(name, [[1.0], [2.0]], "finite")
    rejects(name, {"heights": [1.0]}, "list of numbers")
    rejects(name, [True, 1.0], "finite")
    rejects(name, [10 ** 400, 1.0], "finite")  # an int too large for a float


def test_third_autocorrelation_rejects_zero_integral():
    rejects("third_autocorrelation", [1.0, -1.0], "integral")
    rejects("third_autocorrelation_abs", [1.0, float("-inf")], "finite")


# ----------------------------------------------------------------------------- Erdős
def test_erdos_exact_values():
    assert score("erdos_minimum_overlap", [0.5] * 40) == pytest.approx(0.5, abs=1e-13)
    assert score("erdos_minimum_overlap", [1.0, 0.0]) == pytest.approx(1.0, abs=1e-13)
    # h = [0, 1, 1, 0]: f = 1 on [1/2, 3/2]; best shift overlaps f with g on [0,1/2] or [3/2,2]
    assert score("erdos_minimum_overlap", [0.0, 1.0, 1.0, 0.0]) == pytest.approx(0.5, abs=1e-13)


def test_erdos_matches_brute_force_over_shifts():
    h = [0.1, 0.9, 0.6, 0.4, 0.0, 1.0, 0.5, 0.5]  # sum 4 = n/2
    n = len(h)
    hf = [Fraction(x).limit_denominator(1000) for x in h]
    best = max(sum(hf[i] * (1 - hf[i + m]) for i in range(n) if 0 <= i + m < n)
               for m in range(-n + 1, n))
    assert score("erdos_minimum_overlap", h) == pytest.approx(float(best * Fraction(2, n)),
                                                              abs=1e-13)


def test_erdos_rejects():
    rejects("erdos_minimum_overlap", [0.6] * 10, "integral")
    rejects("erdos_minimum_overlap", [1.2, -0.2, 0.5, 0.5], "[0, 1]")
    rejects("erdos_minimum_overlap", [0.5, float("nan")], "finite")
    rejects("erdos_minimum_overlap", [], "between 1 and")


# ----------------------------------------------------------------------------- Heilbronn
def exact_min_area(pts) -> Fraction:
    P = [(Fraction(x), Fraction(y)) for x, y in pts]
    return min(abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) / 2
               for a, b, c in itertools.combinations(P, 3))


def triangle_points() -> list[list[float]]:
    rng = np.random.default_rng(5)
    bary = rng.dirichlet([2, 2, 2], 11)
    V = np.array([(0, 0), (1, 0), (0.5, S3 / 2)])
    return (bary @ V).tolist()


def test_heilbronn_triangle_matches_exact_rational_area():
    pts = triangle_points()
    expect = float(exact_min_area(pts)) / (S3 / 4)
    assert score("heilbronn_triangle_11", pts) == pytest.approx(expect, rel=1e-12)
    # the three corners + 8 inner points: still valid (points on the boundary are allowed)
    pts2 = [[0.0, 0.0], [1.0, 0.0], [0.5, S3 / 2]] + pts[:8]
    assert score("heilbronn_triangle_11", pts2) == pytest.approx(
        float(exact_min_area(pts2)) / (S3 / 4), rel=1e-12)


def test_heilbronn_triangle_rejects():
    pts = triangle_points()
    rejects("heilbronn_triangle_11", pts[:10], "11 points")
    bad = [list(p) for p in pts]
    bad[4] = [0.5, -1e-6]
    rejects("heilbronn_triangle_11", bad, "outside", "point 4")
    bad[4] = [0.9, 0.5]  # beyond the right edge
    rejects("heilbronn_triangle_11", bad, "outside")
    bad[4] = [float("nan"), 0.1]
    rejects("heilbronn_triangle_11", bad, "finite")


def test_heilbronn_triangle_collinear_points_score_zero():
    pts = [[i / 10, 0.0] for i in range(11)]
    assert score("heilbronn_triangle_11", pts) == 0.0


def test_heilbronn_convex_regular_polygon_and_affine_invariance():
    from scipy.spatial import ConvexHull

    for n in (13, 14):
        pts = [[math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)] for k in range(n)]
        # smallest triangle: three consecutive vertices, area sin(a) - sin(a)cos(a) with a = 2pi/n
        a = 2 * math.pi / n
        tri = math.sin(a) * (1 - math.cos(a))
        poly = n / 2 * math.sin(a)
        assert score(f"heilbronn_convex_{n}", pts) == pytest.approx(tri / poly, rel=1e-12)
        sheared = [[2 * x + 0.7 * y + 3, 0.5 * y - 1] for x, y in pts]
        assert score(f"heilbronn_convex_{n}", sheared) == pytest.approx(tri / poly, rel=1e-11)
        rng = np.random.default_rng(n)
        cloud = rng.random((n, 2)).tolist()
        expect = float(exact_min_area(cloud)) / ConvexHull(np.array(cloud)).volume
        assert score(f"heilbronn_convex_{n}", cloud) == pytest.approx(expect, rel=1e-12)


def test_heilbronn_convex_rejects():
    rejects("heilbronn_convex_13", [[float(i), 2.0 * i] for i in range(13)], "zero area")
    rejects("heilbronn_convex_14", [[0.0, 1.0]] * 13, "14 points")
    pts = [[math.cos(k), math.sin(k)] for k in range(13)]
    pts[2] = [float("inf"), 0.0]
    rejects("heilbronn_convex_13", pts, "finite")


# ----------------------------------------------------------------------------- kissing
def d11_roots(scale: int = 1) -> list[list[int]]:
    out = []
    for i, j in itertools.combinations(range(11), 2):
        for si, sj in itertools.product((1, -1), repeat=2):
            v = [0] * 11
            v[i], v[j] = si * scale, sj * scale
            out.append(v)
    return out


def test_kissing_d11_roots_and_exact_60_degrees():
    assert score("kissing_11d", d11_roots()) == 220.0
    big = 10 ** 15
    assert score("kissing_11d", d11_roots(big)) == 220.0  # exact integers beyond 2^53
    # (1,1,0,..) and (1,0,1,..) meet at exactly 60 degrees: allowed
    assert score("kissing_11d", [[1, 1] + [0] * 9, [1, 0, 1] + [0] * 8]) == 2.0
    # integral floats are accepted as integers
    assert score("kissing_11d", [[2.0] + [0.0] * 10, [0.0, 3.0] + [0.0] * 9]) == 2.0


def test_kissing_rejects():
    roots = d11_roots()
    rejects("kissing_11d", roots + [[1] + [0] * 10], "degrees < 60")
    rejects("kissing_11d", roots + [roots[0]], "degrees < 60")  # duplicate
    rejects("kissing_11d", roots + [[2 * x for x in roots[5]]], "degrees < 60")  # parallel
    rejects("kissing_11d", [[0] * 11, [1] + [0] * 10], "zero vector")
    rejects("kissing_11d", [[1] * 10], "11 integers")
    rejects("kissing_11d", [[0.5] + [0] * 10], "not an integer")
    rejects("kissing_11d", [[True] + [0] * 10], "integer")
    rejects("kissing_11d", [[float("nan")] + [0] * 10], "not an integer")
    rejects("kissing_11d", [], "non-empty")
    rejects("kissing_11d", "593", "list")
    # a hair under 60 degrees, invisible at float precision ~1e-13 but not to the exact test
    n = 10 ** 13
    rejects("kissing_11d", [[n, n] + [0] * 9, [n, 1, n] + [0] * 8], "degrees < 60")
