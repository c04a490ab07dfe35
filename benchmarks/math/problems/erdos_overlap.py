"""Erdős' minimum overlap problem: an upper bound on C5 from a step function (minimise).

AlphaEvolve (2025) Appendix B.5, in Haugland's (2016) form: C5 is the infimum, over step
functions h on [0, 2] with values in [0, 1] and integral 1, of max_k int h(x) (1 - h(x + k)) dx,
where h and 1 - h are extended by zero outside [0, 2]. With n equal steps (width 2/n) the overlap
is piecewise linear in the shift k with knots at multiples of 2/n, so its maximum is the maximum
of the discrete cross-correlation of h and 1 - h times 2/n: exact, no sampling.
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

TOL = 1e-9
MAX_STEPS = 20000
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"


def erdos_overlap(value: object, tol: float = TOL) -> Validated:
    h = as_vector(value, "step values", min_len=1, max_len=MAX_STEPS)
    n = len(h)
    lo, hi = float(h.min()), float(h.max())
    if lo < -tol or hi > 1 + tol:
        i = int(np.argmin(h)) if lo < -tol else int(np.argmax(h))
        raise InvalidConstruction(f"values must lie in [0, 1]: step {i} is {h[i]:.10g} "
                                  f"(tolerance {tol:g})")
    integral = 2.0 * float(h.sum()) / n
    if abs(integral - 1.0) > tol:
        raise InvalidConstruction(f"the integral of h over [0, 2] must be 1, got {integral:.12g} "
                                  f"(sum of values must be n/2 = {n / 2:g}; tolerance {tol:g})")
    overlap = float(np.correlate(h, 1.0 - h, mode="full").max()) * 2.0 / n
    return Validated(overlap, {"c5_upper_bound": overlap, "steps": float(n),
                               "integral": integral},
                     f"step function with {n} steps: max overlap = {overlap:.12f}")


PROBLEMS = [
    MathProblem(
        name="erdos_minimum_overlap",
        title="Erdős minimum overlap problem: upper bound on C5 (minimise)",
        statement=(
            "Erdős' minimum overlap problem. Find a step function h on [0, 2] with values in "
            "[0, 1] and integral exactly 1 that makes M(h) = max over shifts k of "
            "integral h(x) (1 - h(x + k)) dx as small as possible (h and 1 - h are zero outside "
            "[0, 2]); M(h) is an upper bound on the Erdős constant C5 (Haugland 2016). `run()` "
            f"returns a list of n values h_0..h_{{n-1}} (1 <= n <= {MAX_STEPS}), h equal to h_i "
            "on the i-th of n equal sub-intervals of [0, 2]; the values must lie in [0, 1] and "
            "sum to n/2 (so the integral is 1). The evaluator computes M(h) exactly from the "
            "values (discrete cross-correlation of h and 1 - h, times 2/n)."),
        direction="min", tolerance=TOL, validate=erdos_overlap,
        references=make_references(
            "min",
            before=(0.380927, f"Haugland (2016), arXiv 1609.08000, as quoted in {_AE_NB}, "
                    "section B.5"),
            alphaevolve=(0.38092303510845016, f"{_AE_NB}, section B.5: 95-step construction (text: "
                         "0.380924); " + AE_RESCORED),
            later=(None, "not found"),
        ),
    ),
]
