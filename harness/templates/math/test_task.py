"""Evaluates this folder's seed through fmagent: `pytest test_task.py` in this folder."""

from pathlib import Path

from harness.task_folder import load_folder


def test_seed_is_valid():
    task = load_folder(Path(__file__).parent)
    result = task.evaluate(task.seeds[0])
    assert result.valid, result.error
    assert abs(result.metrics["score"] - 0.28) < 1e-9
