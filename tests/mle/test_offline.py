"""Offline mode end to end: preparation, validation fitness in the sandbox, final grading."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from agent._sandbox_exec import landlock_abi
from benchmarks.mle import final_grade, list_tasks, load_task, mini
from benchmarks.mle.evaluator import (CompetitionRef, build_validation_input,
                                      check_private_hidden)
from benchmarks.mle.medals import REPORT_FIELDS

needs_landlock = pytest.mark.skipif(landlock_abi() < 1, reason="kernel without Landlock")


def test_list_tasks_is_cheap_and_has_minis_and_real_ids():
    infos = {t.name: t for t in list_tasks()}
    minis = [n for n, t in infos.items() if t.offline]
    assert len(minis) >= 4 and all(n.startswith("mini-") for n in minis)
    metrics = {mini.MINIS[n].metric for n in minis}
    assert {"auc", "logloss", "accuracy", "rmse", "mae"} <= metrics
    assert {mini.MINIS[n].problem for n in minis} == {"classification", "regression"}
    assert "spaceship-titanic" in infos and not infos["spaceship-titanic"].offline


def test_prepared_layout_and_reference_leaderboard(mini_data):
    root = mini_data / "mini-breast-cancer"
    pub = root / "prepared" / "public"
    for f in ("description.md", "train.csv", "test.csv", "sample_submission.csv"):
        assert (pub / f).is_file()
    test, answers = pd.read_csv(pub / "test.csv"), pd.read_csv(root / "prepared/private/test.csv")
    assert "target" not in test.columns and list(answers.columns) == ["id", "target"]
    assert sorted(test["id"]) == sorted(answers["id"])
    lb = pd.read_csv(root / "leaderboard.csv")
    assert (lb["kind"] == "reference model").all() and len(lb) >= 20
    assert lb["score"].is_monotonic_decreasing  # AUC: best first
    assert "reference models" in (pub / "description.md").read_text()
    again = mini.ensure_prepared("mini-breast-cancer", mini_data)  # reuse, no rebuild
    assert again == root and pd.read_csv(root / "leaderboard.csv").equals(lb)


def test_validation_input_hides_targets(mini_data, tmp_path):
    ref = CompetitionRef("mini-diabetes", "offline", str(mini_data))
    answers = build_validation_input(ref, tmp_path / "in")
    full = pd.read_csv(ref.public_dir / "train.csv")
    fit, val = pd.read_csv(tmp_path / "in/train.csv"), pd.read_csv(tmp_path / "in/test.csv")
    assert "target" not in val.columns and len(fit) + len(val) == len(full)
    assert set(val["id"]) == set(answers["id"]) and not set(val["id"]) & set(fit["id"])
    sample = pd.read_csv(tmp_path / "in/sample_submission.csv")
    assert list(sample["id"]) == list(val["id"])
    private = set(pd.read_csv(ref.public_dir.parent / "private/test.csv")["id"])
    assert not private & (set(fit["id"]) | set(val["id"]))


def test_seed_gets_a_valid_validation_fitness(mini_data):
    task = load_task("mini-breast-cancer", data_dir=str(mini_data))
    assert task.direction == "max" and "submission.csv" in task.statement
    import pickle

    assert pickle.loads(pickle.dumps(task.evaluator)) == task.evaluator
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    assert 0.5 < r.fitness <= 1.0 and r.metrics["val_score"] == r.fitness
    assert "validation score" in r.feedback and "reference models" in r.feedback


def test_lower_is_better_task_and_better_hyperparameters_win(mini_data):
    task = load_task("mini-diabetes", data_dir=str(mini_data))
    assert task.direction == "min"
    seed = task.seeds[0]
    base = task.evaluate(seed)
    assert base.valid and base.fitness == -base.metrics["score"]
    better = re.sub(r"n_estimators=\d+", "n_estimators=150", seed)
    tuned = task.evaluate(better)
    assert tuned.valid and tuned.fitness > base.fitness


@pytest.mark.parametrize("code,why", [
    ("raise SystemExit(3)", "exit code 3"),
    ("print('no file')", "no submission.csv"),
    ("open('submission.csv','w').write('id,target\\n1,2\\n')", "invalid submission"),
    ("print('score: 1.0')\nimport time\ntime.sleep(60)", "timeout"),
])
def test_bad_candidates_are_invalid_with_a_reason(mini_data, code, why):
    task = load_task("mini-diabetes", data_dir=str(mini_data), timeout_s=4)
    r = task.evaluate(code)
    assert not r.valid and why in r.error


CHEAT_ABS = """
import sys, shutil
shutil.copy({answers!r}, "submission.csv")
"""
CHEAT_REL = """
import sys, shutil
from pathlib import Path
shutil.copy(Path(sys.argv[1]).parent / "private" / "test.csv", "submission.csv")
"""


@needs_landlock
def test_candidate_cannot_read_private_answers(mini_data, tmp_path):
    answers = mini_data / "mini-breast-cancer/prepared/private/test.csv"
    task = load_task("mini-breast-cancer", data_dir=str(mini_data))
    r = task.evaluate(CHEAT_ABS.format(answers=str(answers)))
    assert not r.valid and "Permission" in (r.error + r.feedback)
    for up in range(1, 5):  # wherever the validation input lives, no relative path gets there
        probe = CHEAT_REL.replace('Path(sys.argv[1]).parent / "private"',
                                  f'Path(sys.argv[1]).parents[{up}] / "prepared" / "private"')
        r = task.evaluate(probe)
        assert not r.valid and ("Permission" in r.feedback or "No such file" in r.feedback)
    # The final run reads the real public folder; its sibling private/ must stay closed.
    rep = final_grade("mle/mini-breast-cancer", CHEAT_REL, tmp_path / "final",
                      data_dir=str(mini_data))
    assert rep["score"] is None and not rep["valid_submission"] and not rep["submission_exists"]
    assert "Permission" in (tmp_path / "final/logs/run.log").read_text()


def test_final_grade_report_holds_medal_fields(mini_data, tmp_path):
    task = load_task("mini-diabetes", data_dir=str(mini_data))
    rep = final_grade("mle/mini-diabetes", task.seeds[0], tmp_path / "out", data_dir=str(mini_data))
    assert set(REPORT_FIELDS) <= set(rep)
    assert rep["valid_submission"] and rep["submission_exists"] and rep["is_lower_better"]
    assert rep["score"] > 0 and rep["run_error"] is None and rep["mode"] == "offline"
    assert rep["n_teams"] >= 20 and "reference models" in rep["leaderboard_source"]
    assert rep["bronze_threshold"] >= rep["silver_threshold"] >= rep["gold_threshold"]
    stored = json.loads((tmp_path / "out/report.json").read_text())
    assert stored["score"] == rep["score"]
    line = json.loads((tmp_path / "out/submission.jsonl").read_text())
    assert set(line) == {"competition_id", "submission_path", "logs_path", "code_path"}
    assert line["competition_id"] == "mini-diabetes"
    assert (tmp_path / "out/code/solution.py").read_text() == task.seeds[0]


def test_bad_options_and_names_fail_clearly(mini_data):
    with pytest.raises(ValueError, match="unknown option"):
        load_task("mini-diabetes", data_dir=str(mini_data), lr=3)
    with pytest.raises(ValueError, match="unknown mini competition"):
        mini.ensure_prepared("mini-nope", mini_data)


def test_data_under_a_sandbox_readable_root_is_refused(tmp_path):
    from benchmarks.mle.evaluator import exposed_by, sandbox_read_roots

    assert "/usr" in sandbox_read_roots()
    assert exposed_by(Path("/opt/data/x/prepared/private"), ["/usr", "/opt"]) == "/opt"
    assert exposed_by(tmp_path / "x", ["/usr", "/opt"]) is None
    assert exposed_by(Path("/optional/x"), ["/opt"]) is None  # a prefix is not a parent
    ref = CompetitionRef("mini-wine", "offline", "/usr/share/fmagent-mle")
    with pytest.raises(ValueError, match="which every sandboxed program may read"):
        check_private_hidden(ref)


def test_relative_data_dir_is_made_absolute(mini_data, monkeypatch):
    monkeypatch.chdir(mini_data.parent)
    task = load_task("mini-diabetes", data_dir=mini_data.name)
    assert Path(task.evaluator.ref.data_dir).is_absolute()
    assert Path(task.evaluator.ref.data_dir) == mini_data.resolve()
