"""Real mode driven by a fake of mlebench's grading API (tests/mle/fake_mlebench)."""

import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.mle import final_grade, load_task
from benchmarks.mle.medals import REPORT_FIELDS
from benchmarks.mle.real import MLEBenchMissing

FAKE = Path(__file__).parent / "fake_mlebench"


def _drop_mlebench():
    for m in [m for m in sys.modules if m == "mlebench" or m.startswith("mlebench.")]:
        del sys.modules[m]


@pytest.fixture
def fake_mlebench(monkeypatch):
    _drop_mlebench()
    monkeypatch.syspath_prepend(str(FAKE))
    yield
    _drop_mlebench()


@pytest.fixture
def toy_data(tmp_path):
    """`mlebench prepare`-style folders for toy-tabular: id column rid, target label."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=500, n_features=8, n_informative=5, random_state=0)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    df.insert(0, "rid", np.arange(5000, 5500))
    df["label"] = y
    pub = tmp_path / "toy-tabular" / "prepared" / "public"
    priv = tmp_path / "toy-tabular" / "prepared" / "private"
    pub.mkdir(parents=True)
    priv.mkdir(parents=True)
    df.iloc[:350].to_csv(pub / "train.csv", index=False)
    df.iloc[350:].drop(columns=["label"]).to_csv(pub / "test.csv", index=False)
    df.iloc[350:][["rid"]].assign(label=0).to_csv(pub / "sample_submission.csv", index=False)
    (pub / "description.md").write_text("# Toy Tabular\nPredict label.\n")
    (pub / "side.csv").write_text("k,v\n1,2\n")
    (pub / "media").mkdir()
    (pub / "media" / "a.txt").write_text("hello")
    df.iloc[350:][["rid", "label"]].to_csv(priv / "test.csv", index=False)
    return tmp_path


def test_real_task_uses_mlebench_grader_on_a_validation_split(fake_mlebench, toy_data):
    task = load_task("toy-tabular", data_dir=str(toy_data))
    assert task.id == "mle/toy-tabular" and task.direction == "max"
    assert task.evaluator.ref.id_column == "rid" and task.evaluator.ref.target_columns == ("label",)
    assert "accuracy" in task.statement and "Predict label" in task.statement
    pickle.loads(pickle.dumps(task.evaluator))
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    assert 0.6 < r.fitness <= 1.0 and r.metrics["n_val"] == 70
    assert "Kaggle leaderboard (60 teams" in r.feedback
    assert task.references["leaderboard"]["n_teams"] == 60
    side = task.evaluate(
        "import sys, pathlib\n"
        "d = pathlib.Path(sys.argv[1])\n"
        "assert (d / 'media' / 'a.txt').read_text() == 'hello'\n"
        "assert (d / 'side.csv').is_file() and (d / 'description.md').is_file()\n"
        "import pandas as pd\n"
        "t = pd.read_csv(d / 'test.csv')\n"
        "assert 'label' not in t and len(t) == 70\n"
        "t[['rid']].assign(label=1).to_csv('submission.csv', index=False)\n")
    assert side.valid, side.error + side.feedback
    bad = task.evaluate("open('submission.csv','w').write('rid,label\\n1,0\\n')")
    assert not bad.valid and "mlebench's grader rejected" in bad.error


def test_real_final_grade_is_mlebench_report(fake_mlebench, toy_data, tmp_path):
    task = load_task("toy-tabular", data_dir=str(toy_data))
    rep = final_grade("mle/toy-tabular", task.seeds[0], tmp_path / "final",
                      data_dir=str(toy_data))
    assert set(REPORT_FIELDS) <= set(rep)
    assert rep["mode"] == "real" and rep["n_teams"] == 60 and rep["valid_submission"]
    assert rep["competition_id"] == "toy-tabular" and not rep["is_lower_better"]
    assert rep["gold_threshold"] == pytest.approx(0.97 - 0.4 * 5 / 59, abs=1e-5)  # position 6
    assert 0.6 < rep["score"] <= 1.0
    assert rep["any_medal"] == (rep["gold_medal"] or rep["silver_medal"] or rep["bronze_medal"])
    assert Path(rep["submission_path"]).is_file()
    nothing = final_grade("toy-tabular", "pass", tmp_path / "f2", data_dir=str(toy_data))
    assert not nothing["submission_exists"] and nothing["score"] is None
    assert "no submission.csv" in nothing["run_error"]


def test_missing_mlebench_says_how_to_install(monkeypatch, toy_data):
    _drop_mlebench()
    monkeypatch.setitem(sys.modules, "mlebench", None)
    with pytest.raises(MLEBenchMissing, match="pip install"):
        load_task("toy-tabular", data_dir=str(toy_data))


def test_missing_data_says_how_to_prepare(fake_mlebench, tmp_path, monkeypatch):
    monkeypatch.delenv("FMAGENT_MLEBENCH_DATA", raising=False)
    with pytest.raises(ValueError, match="mlebench prepare -c toy-tabular"):
        load_task("toy-tabular", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="data_dir"):
        load_task("toy-tabular")


def test_columns_that_are_not_in_train_are_reported(fake_mlebench, toy_data):
    with pytest.raises(ValueError, match="target_columns"):
        load_task("toy-tabular", data_dir=str(toy_data), target_columns=["nope"])


def test_any_competition_id_is_accepted_for_loading():
    from benchmarks.mle import accepts_task

    assert accepts_task("playground-series-s3e18") and accepts_task("new-comp-2027")
    assert not accepts_task("../etc") and not accepts_task("Bad Name")
    with pytest.raises(ValueError, match="neither a mini competition"):
        load_task("../private")


def test_lower_is_better_real_competition(fake_mlebench, tmp_path):
    pub = tmp_path / "toy-regression" / "prepared" / "public"
    priv = tmp_path / "toy-regression" / "prepared" / "private"
    pub.mkdir(parents=True)
    priv.mkdir(parents=True)
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"Id": np.arange(100), "x": rng.rand(100)})
    df["y"] = 3 * df["x"]
    df.iloc[:80].to_csv(pub / "train.csv", index=False)
    df.iloc[80:][["Id", "x"]].to_csv(pub / "test.csv", index=False)
    df.iloc[80:][["Id"]].assign(y=0.0).to_csv(pub / "sample_submission.csv", index=False)
    df.iloc[80:][["Id", "y"]].to_csv(priv / "test.csv", index=False)
    task = load_task("toy-regression", data_dir=str(tmp_path))
    lb = task.references["leaderboard"]
    assert task.direction == "min" and lb["n_teams"] == 120
    assert lb["gold"] == pytest.approx(1.45) and lb["silver"] == pytest.approx(1.0 + 0.05 * 23)
    assert "rmse (lower is better)" in task.statement
