"""Autocorrelation (autoconvolution) inequalities: bounds from step functions, computed exactly.

AlphaEvolve (2025) Appendix B.1-B.3. A candidate is a step function f on [-1/4, 1/4] with n
equal steps of heights h_0..h_{n-1} (width w = 1/(2n)). Its autoconvolution f*f is piecewise
linear on [-1/2, 1/2] with knots t_k = -1/2 + k w, value 0 at both ends and w * c_{k-1} at the
inner knots, where c = h (*) h is the discrete convolution. So every functional below is a
closed-form expression in c, with no sampling error:

* max f*f = w max(c), max |f*f| = w max|c|, and (integral of f) = w sum(h);
* ||f*f||_1 = w^2 sum(c) when f >= 0; ||f*f||_2^2 = (w^3 / 3) sum over the 2n intervals of
  (a^2 + a b + b^2) with a, b the neighbouring entries of [0, c, 0] (exact for linear pieces).

The only arithmetic error is floating-point rounding of these sums.
"""

from __future__ import annotations

import numpy as np

from benchmarks.math.problem import (
    AE_RESCORED,
    InvalidConstruction,
    MathProblem,
    Validated,
    as_vector,
    make_references,
)

MAX_STEPS = 20000  # direct convolution of 20000 steps takes about 0.2 s
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"
_AE_RP = "google-deepmind/alphaevolve_repository_of_problems"


def _heights(value: object, nonnegative: bool) -> np.ndarray:
    h = as_vector(value, "step heights", min_len=1, max_len=MAX_STEPS)
    if nonnegative and (h < 0).any():
        i = int(np.argmin(h))
        raise InvalidConstruction(f"f must be non-negative: step {i} has height {h[i]:.6g} < 0 "
                                  "(tolerance 0)")
    scale = float(np.abs(h).max())
    if scale == 0.0:
        raise InvalidConstruction("f is identically zero")
    return h / scale  # the ratios are scale-invariant; normalising avoids overflow


def _integral_sq(h: np.ndarray) -> float:
    s = float(h.sum())
    if abs(s) <= 1e-12 * float(np.abs(h).sum()):
        raise InvalidConstruction(f"the integral of f is (numerically) zero: sum of heights "
                                  f"{s:.3g}; the bound needs a non-zero integral")
    return s * s


def first_autocorrelation(value: object) -> Validated:
    """C1 <= max_t (f*f)(t) / (int f)^2 for non-negative f; smaller is a better bound."""
    h = _heights(value, nonnegative=True)
    n = len(h)
    c = np.convolve(h, h)
    bound = 2 * n * float(c.max()) / _integral_sq(h)
    return Validated(bound, {"c1_upper_bound": bound, "steps": float(n)},
                     f"step function with {n} steps: max(f*f)/(int f)^2 = {bound:.12f}")


def second_autocorrelation(value: object) -> Validated:
    """C2 >= ||f*f||_2^2 / (||f*f||_1 ||f*f||_inf) for non-negative f; larger is better."""
    h = _heights(value, nonnegative=True)
    n = len(h)
    c = np.convolve(h, h)
    cmax, csum = float(c.max()), float(c.sum())
    if cmax <= 0 or csum <= 0:
        raise InvalidConstruction("f*f vanishes identically")
    y = np.concatenate(([0.0], c, [0.0]))
    a, b = y[:-1], y[1:]
    l2sq = float(np.sum(a * a + a * b + b * b)) / 3.0  # times w^3
    bound = l2sq / (csum * cmax)  # the w factors cancel: (w^3/3 S) / (w^2 sum c * w max c)
    return Validated(bound, {"c2_lower_bound": bound, "steps": float(n)},
                     f"step function with {n} steps: ||f*f||_2^2/(||f*f||_1 ||f*f||_inf) = "
                     f"{bound:.12f}")


def third_autocorrelation(value: object, absolute: bool = False) -> Validated:
    """C3 <= max_t (f*f)(t) / (int f)^2 for signed f (``absolute``: max_t |f*f(t)|)."""
    h = _heights(value, nonnegative=False)
    n = len(h)
    c = np.convolve(h, h)
    peak = float(np.abs(c).max()) if absolute else abs(max(float(c.max()), 0.0))
    bound = 2 * n * peak / _integral_sq(h)
    what = "max|f*f|" if absolute else "|max f*f|"
    return Validated(bound, {"c3_upper_bound": bound, "steps": float(n)},
                     f"step function with {n} steps: {what}/(int f)^2 = {bound:.12f}")


_STEP = ("`run()` returns a list of n step heights h_0..h_{n-1} (1 <= n <= "
         f"{MAX_STEPS}): f equals h_i on the i-th of n equal sub-intervals of [-1/4, 1/4] and 0 "
         "outside. The evaluator computes the functional exactly from the heights (f*f of a "
         "step function is piecewise linear), so the number of steps is yours to choose.")

PROBLEMS = [
    MathProblem(
        name="first_autocorrelation",
        title="First autocorrelation inequality: upper bound on C1 (minimise)",
        statement=("Let C1 be the largest constant with max_{-1/2<=t<=1/2} (f*f)(t) >= C1 "
                   "(integral_{-1/4}^{1/4} f)^2 for all non-negative f. Find a non-negative "
                   "step function f on [-1/4, 1/4] making max_t (f*f)(t) / (integral f)^2 as "
                   "small as possible (an upper bound on C1). " + _STEP + " Every height must "
                   "be >= 0."),
        direction="min", tolerance=0.0, validate=first_autocorrelation,
        references=make_references(
            "min",
            before=(1.5098, f"Matolcsi and Vinuesa (2010), as quoted in {_AE_NB}, section B.1 "
                    f"({_AE_RP} problems/2.html gives 1.50992)"),
            alphaevolve=(1.5052939684401612,
                         f"{_AE_NB}, section B.1: 600-step construction (text: 1.5053); "
                         + AE_RESCORED),
            later=(1.5032, f"Georgiev, Gomez-Serrano, Tao, Wagner, 'Mathematical exploration "
                   f"and discovery at scale' (arXiv 2511.02864), listed in {_AE_RP} "
                   "problems/2.html (an unpublished leaderboard value, 1.50286 on "
                   "einsteinarena.com, is not counted)"),
        ),
    ),
    MathProblem(
        name="second_autocorrelation",
        title="Second autocorrelation inequality: lower bound on C2 (maximise)",
        statement=("Let C2 be the smallest constant with ||f*f||_2^2 <= C2 ||f*f||_1 "
                   "||f*f||_inf for all non-negative f. Find a non-negative step function f on "
                   "[-1/4, 1/4] making ||f*f||_2^2 / (||f*f||_1 ||f*f||_inf) as large as "
                   "possible (a lower bound on C2; the trivial upper bound is 1). " + _STEP +
                   " Every height must be >= 0."),
        direction="max", tolerance=0.0, validate=second_autocorrelation,
        references=make_references(
            "max",
            before=(0.88922, f"Matolcsi and Vinuesa (2010), as quoted in {_AE_NB}, section B.2"),
            alphaevolve=(0.8962799441554077,
                         f"{_AE_NB}, section B.2: 50-step construction (text: 0.8962); "
                         + AE_RESCORED),
            later=(0.94136, "Jaech and Joseph, arXiv 2508.02803 (Aug 2025), abstract: 0.94136 "
                   "from a 4x upsampled 559-interval function (0.926529 with 2399 intervals); "
                   f"earlier Boyer and Li, arXiv 2506.16750: 0.901564 ({_AE_RP} "
                   "problems/3.html). Not re-scored by us"),
        ),
    ),
    MathProblem(
        name="third_autocorrelation",
        title="Third autocorrelation inequality: upper bound on C3, f may be negative (minimise)",
        statement=("Let C3 be the largest constant with |max_{-1/2<=t<=1/2} (f*f)(t)| >= C3 "
                   "(integral_{-1/4}^{1/4} f)^2 for all real f (f may take negative values). "
                   "Find a step function f on [-1/4, 1/4] making |max_t (f*f)(t)| / "
                   "(integral f)^2 as small as possible (an upper bound on C3). " + _STEP +
                   " Heights may be negative, but the integral of f must not be zero. (This is "
                   "the version with the maximum of f*f, as corrected in AlphaEvolve's results "
                   "notebook; problem third_autocorrelation_abs uses max |f*f|.)"),
        direction="min", tolerance=0.0, validate=third_autocorrelation,
        references=make_references(
            "min",
            before=(1.4581, f"Vinuesa's thesis (2009) p. 75, as quoted in {_AE_NB}, section B.3"),
            alphaevolve=(1.4556427953745403,
                         f"{_AE_NB}, section B.3: 400-step construction (text: 1.4557); "
                         + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
    MathProblem(
        name="third_autocorrelation_abs",
        title="Third autocorrelation inequality, max |f*f| version: upper bound on C3' (minimise)",
        statement=("Let C3' be the largest constant with max_{-1/2<=t<=1/2} |(f*f)(t)| >= C3' "
                   "(integral_{-1/4}^{1/4} f)^2 for all real f (f may take negative values). "
                   "Find a step function f on [-1/4, 1/4] making max_t |(f*f)(t)| / "
                   "(integral f)^2 as small as possible (an upper bound on C3'). " + _STEP +
                   " Heights may be negative, but the integral of f must not be zero."),
        direction="min", tolerance=0.0,
        validate=lambda v: third_autocorrelation(v, absolute=True),
        references=make_references(
            "min",
            before=(1.4993, f"Matolcsi and Vinuesa (2010), as quoted in {_AE_NB}, section B.3 "
                    "(second part)"),
            alphaevolve=(1.4687620697410213,
                         f"{_AE_NB}, section B.3, second part: 150-step construction "
                         "(text: 1.4688); " + AE_RESCORED),
            later=(None, f"not found ({_AE_RP} problems/4.html lists no value yet)"),
        ),
    ),
]
