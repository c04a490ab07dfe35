"""Re-score AlphaEvolve's published constructions with this benchmark's own validators.

    python -m benchmarks.math.rescore_alphaevolve PATH/TO/mathematical_results.ipynb

The notebook (google-deepmind/alphaevolve_results) states most values rounded (e.g. "2.937");
its constructions give the exact values of the "alphaevolve" reference entries. The notebook is
read as data only: the literal lists in its data cells are parsed with ``ast.literal_eval``;
nothing from it is executed. Prints one Markdown row per problem: stated value, value of the
construction under our validator (so also a check that our validators accept it).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path
from typing import Any, Sequence

from benchmarks.math.problem import InvalidConstruction, get_problem

# problem -> (notebook section heading prefix, variable name, post-processing)
WANTED: dict[str, tuple[str, str, str]] = {
    "first_autocorrelation": ("B.1.", "step_function_heights_1", ""),
    "second_autocorrelation": ("B.2.", "heights_sequence_2", ""),
    "third_autocorrelation": ("B.3.", "height_sequence_3", ""),
    "third_autocorrelation_abs": ("B.3.", "height_sequence_4", ""),
    "erdos_minimum_overlap": ("B.5.", "best_sequence", "mirror"),
    "min_distance_ratio_16_2d": ("B.8.", "construction_1", ""),
    "min_distance_ratio_14_3d": ("B.8.", "construction_2", ""),
    "heilbronn_triangle_11": ("B.9.", "found_points", ""),
    "heilbronn_convex_13": ("B.10", "construction_1", ""),
    "heilbronn_convex_14": ("B.10", "construction_2", ""),
    "kissing_11d": ("B.11", "sphere_centers", ""),
    "circle_packing_26": ("B.12", "construction_1", ""),
    "circle_packing_32": ("B.12", "construction_2", ""),
    "circle_packing_rect_21": ("B.13", "circles", ""),
}


def _literal(node: ast.AST) -> Any:
    """A literal list, or the literal first argument of np.array(...) / np.asarray(...)."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("array", "asarray"):
        node = node.args[0]
    return ast.literal_eval(node)


def _to_lists(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_to_lists(x) for x in v]
    return v


def sections(nb: dict[str, Any]) -> list[tuple[str, str]]:
    """(section heading, code source) for every code cell, headings from '# B.x' markdown."""
    out, heading = [], ""
    for cell in nb.get("cells", []):
        src = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            m = re.match(r"\s*#\s+(B\.\d+\.?)", src)
            if m:
                heading = m.group(1)
        elif cell.get("cell_type") == "code":
            out.append((heading, src))
    return out


def extract(nb: dict[str, Any], section: str, name: str) -> Any:
    for heading, src in sections(nb):
        if not heading.startswith(section):
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                try:
                    return _to_lists(_literal(node.value))
                except (ValueError, SyntaxError):
                    continue
    raise KeyError(f"no literal {name!r} in section {section} of the notebook")


def rescore(nb: dict[str, Any]) -> list[tuple[str, Any, float | None, str]]:
    rows = []
    for problem, (section, name, post) in WANTED.items():
        prob = get_problem(problem)
        stated = prob.references.get("alphaevolve", {}).get("value")
        try:
            value = extract(nb, section, name)
            if post == "mirror":  # the notebook stores half of a symmetric sequence
                value = value[:-1] + value[::-1]
            got: float | None = prob.validate(value).score
            note = ""
        except (KeyError, InvalidConstruction, ValueError, TypeError) as e:
            got, note = None, f"{type(e).__name__}: {e}"
        rows.append((problem, stated, got, note))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.math.rescore_alphaevolve",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path, help="mathematical_results.ipynb")
    args = ap.parse_args(argv)
    try:
        nb = json.loads(args.notebook.read_text())
    except (OSError, ValueError) as e:
        print(f"error: cannot read notebook {args.notebook}: {e}", file=sys.stderr)
        return 2
    print("| problem | reference value in our table | AlphaEvolve's construction, our "
          "validator | note |")
    print("|---|---|---|---|")
    for problem, stated, got, note in rescore(nb):
        print(f"| {problem} | {stated} | {'' if got is None else repr(got)} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
