"""Circle packing in the unit square: maximise the sum of radii of n disjoint circles."""

from __future__ import annotations

import numpy as np

from benchmarks.math.problem import InvalidConstruction, MathProblem, Validated, _finite_array

TOL = 1e-9


def validate_packing(value: object, n: int, width: float = 1.0, height: float = 1.0,
                     tol: float = TOL) -> Validated:
    """Check n circles (x, y, r) lie in [0,width]x[0,height] and do not overlap; sum radii."""
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
    return Validated(total, {"sum_radii": total, "min_radius": float(r.min())},
                     f"valid packing of {n} circles, sum of radii {total:.10f}")


def _statement(n: int) -> str:
    return (f"Pack {n} disjoint circles inside the unit square [0,1]x[0,1] so that the sum of "
            f"their radii is as large as possible. `run()` returns a list of {n} triples "
            "[x, y, r]: centre and radius of each circle. Every circle must lie inside the square "
            "and no two circles may overlap.")


PROBLEMS = [
    MathProblem(
        name="circle_packing_26", title="Circle packing in the unit square, n=26 (max sum of radii)",
        statement=_statement(26), direction="max", tolerance=TOL,
        validate=lambda v: validate_packing(v, 26),
        references={
            "best_known_before_alphaevolve": {"value": 2.634, "source": "FM Agent TR Table 4; "
                                              "AlphaEvolve paper (Packomania-era result)"},
            "alphaevolve": {"value": 2.6358627564, "source": "AlphaEvolve (2025), mathematical "
                            "results; FM Agent TR Table 4"},
            "fm_agent": {"value": 2.6359740012, "source": "FM Agent TR Table 4"},
            "best_known": {"value": 2.6359830849, "source": "ShinkaEvolve reports 2.63598325; "
                           "see shared/PEERS.md (compare only at a stated tolerance)"},
        },
    ),
]
