"""The math benchmark's contract: tasks, statements, seeds with editable literals, references."""

from __future__ import annotations

import math
import pickle
import re

import pytest

import benchmarks.math as bm
from agent.blocks import find_blocks, has_markers
from benchmarks.math.problem import MathEvaluator, all_problems, get_problem

EXPECTED = {
    "circle_packing_26": "max", "circle_packing_32": "max", "circle_packing_rect_21": "max",
    "min_distance_ratio_16_2d": "min", "min_distance_ratio_14_3d": "min",
    "first_autocorrelation": "min", "second_autocorrelation": "max",
    "third_autocorrelation": "min", "third_autocorrelation_abs": "min",
    "erdos_minimum_overlap": "min", "heilbronn_triangle_11": "max",
    "heilbronn_convex_13": "max", "heilbronn_convex_14": "max", "kissing_11d": "max",
}
NUM = re.compile(r"(?<![\w.])\d+\.\d+")


def test_list_tasks_has_every_problem_with_its_direction():
    infos = {t.name: t for t in bm.list_tasks()}
    assert len(infos) >= 12
    assert {k: infos[k].direction for k in EXPECTED} == EXPECTED
    assert all(t.offline for t in infos.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_task_is_complete(name):
    task = bm.load_task(name)
    assert task.id == f"math/{name}"
    assert task.direction == EXPECTED[name]
    assert "run()" in task.statement and "tolerance" in task.statement
    assert pickle.loads(pickle.dumps(task.evaluator)) == MathEvaluator(name)
    seed = task.seeds[0]
    assert has_markers(seed)
    body = "".join(b.text(seed) for b in find_blocks(seed))
    assert len(NUM.findall(body)) >= 4  # numeric literals the offline proposer mutates


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_references_cite_a_source_for_every_value(name):
    refs = get_problem(name).references
    for key in ("best_known_before_alphaevolve", "alphaevolve", "best_later", "best_known"):
        assert key in refs, key
    for key, entry in refs.items():
        assert entry["source"].strip(), key
        v = entry["value"]
        assert v is None or (isinstance(v, (int, float)) and math.isfinite(v))
        if v is None:
            assert "not found" in entry["source"]
    vals = [e["value"] for k, e in refs.items() if k != "best_known" and e["value"] is not None]
    best = max(vals) if EXPECTED[name] == "max" else min(vals)
    assert refs["best_known"]["value"] == best


def test_unknown_problem_names_the_known_ones():
    with pytest.raises(KeyError, match="Did you mean 'kissing_11d'"):
        get_problem("kissing_11")
    with pytest.raises(KeyError, match="circle_packing_26"):
        bm.load_task("nonsense")


def test_options_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="take no options"):
        bm.load_task("kissing_11d", steps="3")


def test_problem_names_match_seed_files():
    for name, prob in all_problems().items():
        assert prob.seed_path.name == f"{name}.py" and prob.seed_path.exists()
