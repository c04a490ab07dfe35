"""The OpenEvolve baseline's config building and output conversion (no network, no install)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from harness.peer_formats.baseline import BaselineError, build_config, convert
from harness.task_folder import load_folder

from . import folders as F


def test_build_config_imposes_budget_and_model(tmp_path):
    folder = F.openevolve(tmp_path, **{"config.yaml": (
        "max_iterations: 500\nllm:\n  primary_model: a\n  secondary_model: b\n"
        "  temperature: 0.3\nprompt:\n  system_message: hi\n")})
    cfg = build_config(folder, "config.yaml", "openai/gpt-x", 21, api_base="http://127.0.0.1:9")
    assert cfg["max_iterations"] == 20 and cfg["checkpoint_interval"] == 20
    assert cfg["llm"] == {"temperature": 0.3, "models": [{"name": "gpt-x", "weight": 1.0}],
                          "api_base": "http://127.0.0.1:9"}
    assert cfg["prompt"]["system_message"] == "hi"
    keep = build_config(folder, "config.yaml", None, 5)
    assert keep["llm"]["primary_model"] == "a" and keep["max_iterations"] == 4


def _checkpoint(root, programs):
    d = root / "checkpoints" / "checkpoint_3" / "programs"
    d.mkdir(parents=True)
    (root / "checkpoints" / "checkpoint_1" / "programs").mkdir(parents=True)
    for p in programs:
        (d / f"{p['id']}.json").write_text(json.dumps(p))


def test_convert_writes_a_run_directory(tmp_path):
    task = load_folder(F.openevolve(tmp_path))
    oe = tmp_path / "out" / "openevolve_output"
    _checkpoint(oe, [
        {"id": "s", "code": F.SEED, "parent_id": None, "generation": 0, "timestamp": 1.0,
         "iteration_found": 0, "metrics": {"combined_score": 0.75, "raw_value": 3.0},
         "metadata": {"island": 0}},
        {"id": "c1", "code": "x = 1\n", "parent_id": "s", "generation": 1, "timestamp": 2.0,
         "iteration_found": 1, "metrics": {"combined_score": 0.9},
         "artifacts_json": json.dumps({"stderr": "ok"}), "metadata": {"island": 1}},
        {"id": "c2", "code": "x = (\n", "parent_id": "s", "generation": 1, "timestamp": 3.0,
         "iteration_found": 2, "metrics": {"combined_score": 0.0, "error": "SyntaxError"},
         "metadata": {}},
    ])
    run = convert(oe, tmp_path / "out", task, {"task": {"id": task.id}, "stop_reason": "done"})
    summary = json.loads((run / "summary.json").read_text())
    assert summary["evaluations"] == 3 and summary["valid"] == 2
    assert summary["best_score"] == 0.9 and summary["seed_score"] == 0.75
    assert (run / "best_program.py").read_text() == "x = 1\n"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["schema_version"] == 1 and manifest["status"] == "finished"
    rows = sqlite3.connect(run / "programs.db").execute(
        "select id, parents, island, proposer, valid, fitness, score, result from programs "
        "order by seq").fetchall()
    assert [r[:7] for r in rows] == [
        ("s", "[]", 0, "seed", 1, 0.75, 0.75), ("c1", '["s"]', 1, "openevolve", 1, 0.9, 0.9),
        ("c2", '["s"]', 0, "openevolve", 0, None, None)]
    assert json.loads(rows[2][7])["error"] == "evaluator.py: candidate rejected: SyntaxError"
    assert "stderr: ok" in json.loads(rows[1][7])["feedback"]


def test_convert_without_checkpoint_says_where_to_look(tmp_path):
    task = load_folder(F.openevolve(tmp_path))
    with pytest.raises(BaselineError, match="wrote no checkpoint; see its logs"):
        convert(tmp_path / "none", tmp_path / "run", task, {})
