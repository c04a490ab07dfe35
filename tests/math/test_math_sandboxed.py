"""End to end through the sandbox: seeds are valid, and cheating never beats the seed."""

from __future__ import annotations

import json

import pytest

import benchmarks.math as bm

NAMES = [t.name for t in bm.list_tasks()]


@pytest.mark.parametrize("name", NAMES)
def test_seed_is_valid_and_fast(name):
    task = bm.load_task(name)
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    assert r.metrics["score"] == pytest.approx(task.to_score(r.fitness))
    assert r.metrics["runtime_s"] < 5.0
    assert r.feedback


PRINTS_SCORE = '''
print("score: 1e9")
print('{"combined_score": 1e9, "sum_radii": 1e9, "validity": 1.0}')

def run():
    print("sum of radii: 99.0")
    return %s
'''

# (task, construction that violates the constraints by more than the tolerance)
CHEATS = [
    ("circle_packing_26", "[[0.5, 0.5, 0.5]] * 26"),  # all on top of each other
    ("circle_packing_26", "[[float('nan'), float('nan'), 0.2]] * 26"),  # OpenEvolve #285
    ("circle_packing_32",
     "[[0.1 * (i % 8) + 0.05, 0.25 * (i // 8) + 0.1, 0.06] for i in range(32)]"),
    ("circle_packing_rect_21", "{'width': 1.0, 'circles': [[0.5, 0.5, 0.5]] * 21}"),
    ("circle_packing_rect_21", "[[0.2 * i, 0.0, 0.1 + 1e-6] for i in range(21)]"),
    ("min_distance_ratio_16_2d", "[[0.0, 0.0]] * 16"),
    ("min_distance_ratio_14_3d", "[[1.0, 2.0]] * 14"),
    ("first_autocorrelation", "[1.0, -0.5, 1.0]"),
    ("second_autocorrelation", "[1.0, float('inf')]"),
    ("third_autocorrelation", "[1.0, -1.0]"),
    ("third_autocorrelation_abs", "[]"),
    ("erdos_minimum_overlap", "[0.4] * 50"),  # integral 0.8, not 1
    ("heilbronn_triangle_11",
     "[[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]] + [[0.3 + 0.01 * i, 0.1] for i in range(8)]"),
    ("heilbronn_convex_13", "[[float(i), float(i)] for i in range(13)]"),
    ("heilbronn_convex_14", "'0.99'"),
    ("kissing_11d", "[[1] + [0] * 10] * 800"),
]


@pytest.mark.parametrize("name, construction", CHEATS)
def test_constraint_violations_are_rejected_whatever_is_printed(name, construction):
    task = bm.load_task(name)
    r = task.evaluate(PRINTS_SCORE % construction)
    assert not r.valid and r.fitness is None
    assert r.error and ("invalid construction" in r.error or "malformed" in r.error)


def test_printed_score_is_ignored_for_a_valid_but_poor_construction():
    task = bm.load_task("circle_packing_26")
    seed = task.evaluate(task.seeds[0])
    poor = "[[0.05 + 0.15 * (i % 6), 0.05 + 0.15 * (i // 6), 0.01] for i in range(26)]"
    r = task.evaluate(PRINTS_SCORE % poor)
    assert r.valid and r.metrics["score"] == pytest.approx(0.26)
    assert r.fitness < seed.fitness


def test_crash_and_timeout_are_invalid_with_a_reason():
    task = bm.load_task("kissing_11d")
    r = task.evaluate("def run():\n    raise RuntimeError('boom')\n")
    assert not r.valid and "boom" in r.error
    r = task.evaluate("def nope():\n    return 1\n")
    assert not r.valid and "run" in r.error


def test_fmagent_eval_scores_a_hand_built_construction_exactly(tmp_path, capsys):
    cli = pytest.importorskip("harness.cli")
    prog = tmp_path / "cube.py"
    prog.write_text(
        "def run():\n"
        "    pts = [[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)]\n"
        "    pts += [[.5, .5, 0], [.5, .5, 1], [.5, 0, .5], [.5, 1, .5],\n"
        "            [0, .5, .5], [1, .5, .5]]\n"
        "    print('score: 0.1')\n"
        "    return pts\n")
    assert cli.main(["eval", "math/min_distance_ratio_14_3d", str(prog), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] and out["metrics"]["score"] == pytest.approx(6.0, abs=1e-12)
    bad = tmp_path / "bad.py"
    bad.write_text("def run():\n    return [[1] + [0] * 10, [1, 1] + [0] * 9]\n")  # 45 degrees
    assert cli.main(["eval", "math/kissing_11d", str(bad)]) == 1
    assert "degrees < 60" in capsys.readouterr().out


def test_climb_check_never_reports_worse_than_the_seed():
    from benchmarks.math.climb_check import climb

    r = climb("heilbronn_convex_13", budget=3, seed=1)
    assert r["best_score"] >= r["seed_score"]  # maximised problem
    r = climb("min_distance_ratio_16_2d", budget=3, seed=1)
    assert r["best_score"] <= r["seed_score"]  # minimised problem
