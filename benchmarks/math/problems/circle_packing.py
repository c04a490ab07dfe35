"""Circle packing: maximise the sum of radii of n disjoint circles in a square or a rectangle.

AlphaEvolve (2025) Appendix B.12 (unit square, n = 26 and 32) and B.13 (rectangle of perimeter 4,
n = 21). Constraints are checked with absolute tolerance ``TOL``: a circle may cross a wall or
overlap another by at most TOL; more is rejected.
"""

from __future__ import annotations

import numpy as np

from benchmarks.math.problem import (
    AE_RESCORED,
    InvalidConstruction,
    MathProblem,
    Validated,
    _finite_array,
    make_references,
)

TOL = 1e-9
_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"


def _zip_circles(centres: object, radii: object, n: int) -> list:
    if not isinstance(centres, list) or not isinstance(radii, list) or len(centres) != n \
            or len(radii) != n:
        raise InvalidConstruction(f"centres and radii must be lists of {n} entries each")
    out = []
    for i, (c, r) in enumerate(zip(centres, radii)):
        if not isinstance(c, list) or len(c) != 2:
            raise InvalidConstruction(f"centre {i} must be [x, y], got {c!r:.60}")
        out.append([c[0], c[1], r])
    return out


def circles_from(value: object, n: int) -> object:
    """The canonical list of n [x, y, r] from the accepted shapes of a construction.

    Accepted: a list of n [x, y, r]; {"centers" (or "centres"): [[x, y]]*n, "radii": [r]*n};
    a pair or triple (centers, radii[, anything]) as OpenEvolve-style programs return
    (centers, radii, sum_radii). Any extra value, such as a claimed sum, is ignored: the score is
    always recomputed from the circles.
    """
    if isinstance(value, dict):
        key = "centers" if "centers" in value else "centres" if "centres" in value else None
        if key is not None and "radii" in value:
            return _zip_circles(value[key], value["radii"], n)
        if "circles" in value:
            return value["circles"]
        return value
    if isinstance(value, list) and len(value) in (2, 3) and n not in (2, 3) \
            and isinstance(value[0], list) and len(value[0]) == n \
            and isinstance(value[1], list) and len(value[1]) == n:
        return _zip_circles(value[0], value[1], n)
    return value


def validate_packing(value: object, n: int, width: float = 1.0, height: float = 1.0,
                     tol: float = TOL) -> Validated:
    """Check n circles (x, y, r) lie in [0,width]x[0,height] and do not overlap; sum radii."""
    value = circles_from(value, n)
    if not isinstance(value, list) or len(value) != n:
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise InvalidConstruction(f"expected a list of {n} circles [x, y, r], got {got}")
    rows = []
    for i, c in enumerate(value):
        if not isinstance(c, list) or len(c) != 3:
            raise InvalidConstruction(f"circle {i} must be [x, y, r], got {c!r:.60}")
        _finite_array(c, f"circle {i}")
        rows.append(c)
    a = np.asarray(rows, dtype=float)
    x, y, r = a[:, 0], a[:, 1], a[:, 2]
    if (r < 0).any():
        i = int(np.argmin(r))
        raise InvalidConstruction(f"circle {i} has negative radius {r[i]:.3g}")
    viol = np.maximum.reduce([r - x, x + r - width, r - y, y + r - height])
    if (viol > tol).any():
        i = int(np.argmax(viol))
        raise InvalidConstruction(f"circle {i} at ({x[i]:.6g}, {y[i]:.6g}) r={r[i]:.6g} leaves "
                                  f"the region by {viol[i]:.3g} (tolerance {tol:g})")
    d = np.sqrt((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)
    over = (r[:, None] + r[None, :]) - d
    np.fill_diagonal(over, -np.inf)
    if (over > tol).any():
        i, j = np.unravel_index(int(np.argmax(over)), over.shape)
        raise InvalidConstruction(f"circles {i} and {j} overlap by {over[i, j]:.3g} "
                                  f"(tolerance {tol:g})")
    total = float(r.sum())
    used = max(float(viol.max()), float(over.max()), 0.0)  # how much of the tolerance is used
    return Validated(total, {"sum_radii": total, "min_radius": float(r.min()),
                             "max_violation": used},
                     f"valid packing of {n} circles, sum of radii {total:.10f}")


def validate_rectangle_packing(value: object, n: int, perimeter: float = 4.0,
                               tol: float = TOL) -> Validated:
    """n disjoint circles in a rectangle of the given perimeter.

    ``value`` is either a list of n circles [x, y, r] (the rectangle is then the circles'
    bounding box, which must have width + height <= perimeter / 2), or a dict
    {"width": w, "circles": [...]} for the rectangle [0, w] x [0, perimeter/2 - w].
    """
    half = perimeter / 2.0
    if isinstance(value, dict) and "width" in value:
        w = value["width"]
        _finite_array([w], "width")
        if not 0 < w < half:
            raise InvalidConstruction(f"width must lie in (0, {half:g}), got {w!r}")
        v = validate_packing(circles_from(value, n), n, width=float(w), height=half - float(w),
                             tol=tol)
        return Validated(v.score, {**v.metrics, "width": float(w), "height": half - float(w)},
                         v.feedback + f" in the {float(w):.6g} x {half - float(w):.6g} rectangle")
    value = circles_from(value, n)
    if not isinstance(value, list) or len(value) != n:
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise InvalidConstruction(f"expected a list of {n} circles [x, y, r] (or a dict with "
                                  f"width and circles), got {got}")
    for i, c in enumerate(value):
        if not isinstance(c, list) or len(c) != 3:
            raise InvalidConstruction(f"circle {i} must be [x, y, r], got {c!r:.60}")
        _finite_array(c, f"circle {i}")
    a = np.asarray(value, dtype=float)
    if (a[:, 2] < 0).any():
        i = int(np.argmin(a[:, 2]))
        raise InvalidConstruction(f"circle {i} has negative radius {a[i, 2]:.3g}")
    x0, x1 = float((a[:, 0] - a[:, 2]).min()), float((a[:, 0] + a[:, 2]).max())
    y0, y1 = float((a[:, 1] - a[:, 2]).min()), float((a[:, 1] + a[:, 2]).max())
    w, h = x1 - x0, y1 - y0
    if w + h > half + tol:
        raise InvalidConstruction(f"the circles' bounding box is {w:.9g} x {h:.9g}: perimeter "
                                  f"{2 * (w + h):.9g} exceeds {perimeter:g} by more than the "
                                  f"tolerance {tol:g}")
    shifted = [[float(c[0]) - x0, float(c[1]) - y0, float(c[2])] for c in value]
    v = validate_packing(shifted, n, width=w, height=h, tol=tol)
    return Validated(v.score, {**v.metrics, "width": w, "height": h,
                               "perimeter": 2 * (w + h)},
                     v.feedback + f" in a {w:.6g} x {h:.6g} bounding box (perimeter "
                     f"{2 * (w + h):.9g})")


def _statement(n: int) -> str:
    return (f"Pack {n} disjoint circles inside the unit square [0,1]x[0,1] so that the sum of "
            f"their radii is as large as possible. `run()` returns a list of {n} triples "
            "[x, y, r]: centre and radius of each circle (a pair (centers, radii) is accepted "
            "too). Every circle must lie inside the square and no two circles may overlap.")


_RECT_STATEMENT = (
    "Pack 21 disjoint circles inside a rectangle of perimeter 4 (width + height = 2; you choose "
    "the aspect ratio) so that the sum of their radii is as large as possible. `run()` returns "
    "either a list of 21 triples [x, y, r] (then the rectangle is the circles' axis-parallel "
    "bounding box, whose width + height must not exceed 2), or a dict {\"width\": w, "
    "\"circles\": [[x, y, r], ...]} for the rectangle [0, w] x [0, 2 - w]. No two circles may "
    "overlap.")

_AE_NB = "google-deepmind/alphaevolve_results: mathematical_results.ipynb"

_SHINKA = "ShinkaEvolve (SakanaAI/ShinkaEvolve) as reported in shared/PEERS.md"

PROBLEMS = [
    MathProblem(
        name="circle_packing_26",
        title="Circle packing in the unit square, n=26 (max sum of radii)",
        statement=_statement(26), direction="max", tolerance=TOL,
        validate=lambda v: validate_packing(v, 26),
        references=make_references(
            "max",
            before=(2.634, f"FM Agent TR (arXiv 2510.26144) Table 4; {_AE_NB}, section B.12 "
                    "(SOTA from erich-friedman.github.io/packing/cirRsqu/)"),
            alphaevolve=(2.6358627564, "FM Agent TR Table 4; equals AlphaEvolve's construction in "
                         f"{_AE_NB}, B.12, Construction 1 (text: 2.635), " + AE_RESCORED),
            later=(2.63598325, f"{_SHINKA} (about 150 proposals); ThetaEvolve 2.63598308, "
                   "LoongFlow 2.63598296 (shared/PEERS.md); compare only at a stated tolerance"),
            fm_agent=(2.6359740012, "FM Agent TR Table 4"),
        ),
    ),
    MathProblem(
        name="circle_packing_32",
        title="Circle packing in the unit square, n=32 (max sum of radii)",
        statement=_statement(32), direction="max", tolerance=TOL,
        validate=lambda v: validate_packing(v, 32),
        references=make_references(
            "max",
            before=(2.936, f"{_AE_NB}, section B.12 (SOTA from erich-friedman.github.io/"
                    "packing/cirRsqu/, as quoted there)"),
            alphaevolve=(2.937944526205518,
                         f"{_AE_NB}, section B.12, Construction 2 (text: 2.937); "
                         + AE_RESCORED),
            later=(None, "not found as a number: google-deepmind/"
                   "alphaevolve_repository_of_problems problems/36.html says slight "
                   "improvements were made by Timo Berthold (FICO Xpress) and Arnaud Deza "
                   "(algorithmicsuperintelligence/openevolve issue #156)"),
        ),
    ),
    MathProblem(
        name="circle_packing_rect_21",
        title="Circles in a rectangle of perimeter 4, n=21 (max sum of radii)",
        statement=_RECT_STATEMENT, direction="max", tolerance=TOL,
        validate=lambda v: validate_rectangle_packing(v, 21),
        references=make_references(
            "max",
            before=(2.364, f"{_AE_NB}, section B.13 (SOTA from erich-friedman.github.io/"
                    "packing/cirRrec/, as quoted there)"),
            alphaevolve=(2.3658321334167627, f"{_AE_NB}, section B.13 construction (text: 2.365); "
                         + AE_RESCORED),
            later=(None, "not found as a number (google-deepmind/"
                   "alphaevolve_repository_of_problems problems/36.html mentions slight "
                   "improvements by Berthold and Deza)"),
        ),
    ),
]
