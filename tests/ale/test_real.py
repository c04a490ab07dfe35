"""Real mode against a faithful fake of the ale_bench package."""

import json
import pickle
import sys

import pytest

import benchmarks.ale as ale
from benchmarks.ale import real
from tests.ale import fake_ale_bench


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setitem(sys.modules, "ale_bench", fake_ale_bench)
    real.close_sessions()
    fake_ale_bench.STARTED.clear()
    yield fake_ale_bench
    real.close_sessions()


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ale_bench", None)  # import raises ImportError
    real.close_sessions()
    with pytest.raises(real.AleBenchMissing, match="pip install git\\+https://github.com/"
                                                   "SakanaAI/ALE-Bench"):
        ale.load_task("ahc008")
    r = real.RealEvaluator("ahc008").evaluate("int main(){}", ctx=None)
    assert not r.valid and "ale_bench" in r.error


def test_lite_suite_is_listed_without_ale_bench():
    names = {t.name: t for t in ale.list_tasks()}
    lite = ["ahc008", "ahc011", "ahc015", "ahc016", "ahc024", "ahc025", "ahc026", "ahc027",
            "ahc039", "ahc046"]
    assert all(n in names and not names[n].offline and "ale_bench" in names[n].needs
               for n in lite)
    assert names["ahc025"].direction == "min"


def test_public_eval_fitness_direction_and_feedback(fake):
    task = ale.load_task("ahc008", public_eval_budget=10)
    assert task.direction == "max" and task.language == "cpp20" and task.meta["single_process"]
    assert fake.STARTED == [{"problem_id": "ahc008", "lite_version": True,
                             "maximum_num_call_public_eval": 10, "num_workers": 1}]
    assert "Territory" in task.statement and "2 s" in task.statement
    pickle.loads(pickle.dumps(task.evaluator))  # picklable: names only
    r = task.evaluate("// SCORE=100")
    # 5 lite public cases scoring 100..104: overall_absolute_score 510.
    assert r.valid and r.fitness == 510 and r.metrics["score"] == 510
    assert r.metrics["cases_accepted"] == 5 and r.metrics["max_memory_mb"] == 5
    assert "5/5 ACCEPTED" in r.feedback
    # Same process, same session: no second start.
    assert len(fake.STARTED) == 1
    # Partial answers on a maximise problem without allow_score_non_ac score 0 like ALE-Bench.
    r2 = task.evaluate("// SCORE=100 WA_ODD")
    assert r2.valid and r2.fitness == 0 and r2.metrics["n_wrong_answer"] == 2
    ce = task.evaluate("COMPILE_ERROR")
    assert not ce.valid and ce.error.startswith("compilation error")
    tle = task.evaluate("TLE_ALL")
    assert not tle.valid and "TIME_LIMIT_EXCEEDED" in tle.error


def test_minimize_problem_direction_and_all_cases_required(fake):
    task = ale.load_task("ahc025", language="python")
    assert task.direction == "min" and task.language == "python"
    good = task.evaluate("# SCORE=50")
    assert good.valid and good.fitness == -(50 + 51 + 52 + 53 + 54)
    partial = task.evaluate("# SCORE=50 WA_ODD")
    assert not partial.valid and "every case must be accepted" in partial.error


def test_public_eval_budget_is_respected(fake):
    task = ale.load_task("ahc039", public_eval_budget=2)
    assert task.evaluate("// SCORE=1").valid
    assert task.evaluate("// SCORE=2").valid
    r = task.evaluate("// SCORE=3")
    assert not r.valid and "budget" in r.error
    session = real.get_session(task.evaluator.key)
    assert session.current_resource_usage.num_call_public_eval == 2


def test_private_eval_once_with_rank_performance_and_saved_session(fake, tmp_path):
    task = ale.load_task("ahc008")
    assert task.evaluate("// SCORE=800").valid
    path = tmp_path / "run" / "ale_session.json"
    res = ale.private_eval("ale/ahc008", "// SCORE=800", "cpp20", session_path=path)
    # Fake private set: 10 lite cases scoring 800..809, mean 804 -> rank 4 -> performance 2200.
    assert (res.rank, res.performance) == (4, 2200)
    assert res.mode == "real" and res.valid and res.cases_total == 10
    assert res.overall_absolute_score == sum(range(800, 810))
    saved = json.loads(path.read_text())
    assert saved["problem_id"] == "ahc008"
    assert [json.loads(a)["function"] for a in saved["action_log"]] == ["public_eval",
                                                                        "private_eval"]
    assert json.loads(json.dumps(res.to_dict()))["performance"] == 2200
    # One private evaluation per session: a second one is refused by ale_bench itself.
    with pytest.raises(fake.AleBenchError, match="resource usage"):
        ale.private_eval("ahc008", "// SCORE=900")
    # Saving again and restarting gives back the action log.
    p2 = real.save_session("ahc008", tmp_path / "again.json")
    assert len(fake.restart(p2).action_log) == 2


def test_final_eval_hook_saves_session_in_run_dir(fake, tmp_path):
    task = ale.load_task("ahc039", public_eval_budget=5, num_workers=2)
    assert task.meta["finalize"] == "benchmarks.ale:final_eval"
    assert task.evaluate("// SCORE=1000").valid
    out = ale.final_eval("ahc039", "// SCORE=1000", tmp_path, public_eval_budget=5,
                         num_workers=2)
    assert out["rank"] == 1 and out["performance"] == 3000
    saved = json.loads((tmp_path / "ale_session.json").read_text())
    assert saved["num_workers"] == 2 and len(saved["action_log"]) == 2
    assert len(fake.STARTED) == 1  # the search's session, not a new one


def test_bad_options_and_languages(fake):
    with pytest.raises(ValueError, match="not an ALE-Bench language"):
        ale.load_task("ahc008", language="java")
    with pytest.raises(ValueError, match="takes options"):
        ale.load_task("ahc008", budget=3)
    with pytest.raises(ValueError, match="unknown ALE task"):
        ale.load_task("ahc999")
    with pytest.raises(ValueError, match="positive integer"):
        ale.load_task("ahc008", public_eval_budget=0)
    assert ale.load_task("ahc008").references["ale_agent_performance"]["value"] == 1189
