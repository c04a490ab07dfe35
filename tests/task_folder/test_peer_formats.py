"""Peer task folders (OpenEvolve, ShinkaEvolve, FM Agent) run unmodified, in the sandbox."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.peer_formats import detect
from harness.peer_formats.common import SHIMS
from harness.task_folder import TaskFolderError, load_folder
from . import folders as F


def _direct(folder: Path, fn: str = "evaluate", program: str = "initial_program.py") -> dict:
    """The folder's own evaluator called directly (test code only; the harness never does)."""
    spec = importlib.util.spec_from_file_location(f"ev_{folder.name}", folder / "evaluator.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, fn)(str(folder / program))


def test_detects_each_format(tmp_path):
    assert detect(F.openevolve(tmp_path))[0] == "openevolve"
    assert detect(F.shinka(tmp_path))[0] == "shinka"
    assert detect(F.fmagent(tmp_path, F.OE_EVALUATOR))[0] == "fmagent"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TaskFolderError, match="not a task folder.*fmagent init"):
        load_folder(empty)
    with pytest.raises(TaskFolderError, match="unknown task folder option"):
        load_folder(F.openevolve(tmp_path), timeout=3)


def test_openevolve_seed_scores_as_its_own_evaluator(tmp_path):
    folder = F.openevolve(tmp_path)
    task = load_folder(folder)
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    assert r.fitness == _direct(folder)["combined_score"] == 0.75
    assert r.metrics["raw_value"] == 3.0 and r.metrics["score"] == 0.75
    assert "note: value/4" in r.feedback
    assert task.direction == "max" and task.meta["format"] == "openevolve"
    assert "evaluation_module" not in sys.modules  # never imported in the controller
    task2 = pickle.loads(pickle.dumps(task.evaluator))
    assert task2 == task.evaluator


def test_openevolve_evaluation_result_object_and_artifacts(tmp_path):
    folder = F.openevolve(tmp_path, evaluator='''\
        from openevolve.evaluation_result import EvaluationResult

        def evaluate(program_path):
            return EvaluationResult(metrics={"combined_score": 0.5, "speed": 2},
                                    artifacts={"stderr": "slow loop at line 3"})
        ''')
    r = load_folder(folder).evaluate(F.SEED)
    assert r.valid and r.fitness == 0.5 and r.metrics["speed"] == 2.0
    assert "slow loop at line 3" in r.feedback and r.artifacts["stderr"] == "slow loop at line 3"


CASCADE = '''\
    import importlib.util

    def _v(path):
        spec = importlib.util.spec_from_file_location("program", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.value()

    def evaluate_stage1(path):
        return {"combined_score": _v(path) / 10, "stage1_ok": 1.0}

    def evaluate_stage2(path):
        return {"combined_score": _v(path), "stage2_ok": 1.0}

    def evaluate(path):
        return {"combined_score": -1.0}
    '''


def test_openevolve_cascade_follows_thresholds(tmp_path):
    high = F.openevolve(tmp_path, CASCADE, name="high",
                        **{"config.yaml": "evaluator:\n  cascade_thresholds: [0.2]\n"})
    r = load_folder(high).evaluate(F.SEED)
    assert r.stages == ("stage1", "stage2") and r.fitness == 3.0
    assert r.metrics["stage1_ok"] == 1.0 and r.metrics["stage2_ok"] == 1.0
    low = F.openevolve(tmp_path, CASCADE, name="low")  # default thresholds [0.5, ...]
    r = load_folder(low).evaluate(F.SEED)
    assert r.stages == ("stage1",) and r.fitness == pytest.approx(0.3)
    off = F.openevolve(tmp_path, CASCADE, name="off",
                       **{"config.yaml": "evaluator:\n  cascade_evaluation: false\n"})
    assert load_folder(off).evaluate(F.SEED).fitness == -1.0


def test_openevolve_config_is_mapped_and_ignored_fields_named(tmp_path):
    cfg = '''\
        max_iterations: 40
        checkpoint_interval: 5
        diff_based_evolution: false
        llm:
          primary_model: gpt-a
          primary_model_weight: 0.8
          secondary_model: gpt-b
          secondary_model_weight: 0.2
          api_key: sk-not-copied
          temperature: 0.5
        prompt:
          system_message: Make value() large.
          num_top_programs: 3
        database:
          num_islands: 3
          feature_dimensions: [score]
        evaluator:
          timeout: 17
        '''
    task = load_folder(F.openevolve(tmp_path, **{"config.yaml": cfg}))
    pc = task.meta["peer_config"]
    assert pc["stop.max_evals"] == 40 and pc["population.islands"] == 3
    assert pc["llm.edit_mode"] == "full"
    assert [(m["name"], m["weight"], m["temperature"]) for m in pc["llm.models"]] == [
        ("gpt-a", 0.8, 0.5), ("gpt-b", 0.2, 0.5)]
    assert task.statement.startswith("Make value() large.")
    assert task.resources.timeout_s == 17
    assert set(task.meta["ignored_config"]) == {
        "checkpoint_interval", "llm.api_key", "prompt.num_top_programs",
        "database.feature_dimensions"}
    assert "sk-not-copied" not in json.dumps(task.meta)


def test_shinka_seed_scores_as_its_own_evaluate_py(tmp_path):
    folder = F.shinka(tmp_path)
    r = load_folder(folder).evaluate(F.SEED)
    assert r.valid, r.error
    out = tmp_path / "direct"
    subprocess.run([sys.executable, "evaluate.py", "--program_path", "initial.py",
                    "--results_dir", str(out)], cwd=folder, check=True, capture_output=True,
                   env={"PYTHONPATH": str(SHIMS), "PATH": "/usr/bin:/bin"})
    direct = json.loads((out / "metrics.json").read_text())
    assert r.fitness == direct["combined_score"] == 6.0
    assert r.metrics["doubled"] == 6.0 and r.metrics["private.secret_margin"] == 2.0
    assert r.feedback.startswith("doubled the value") and "label: x2" in r.feedback
    assert "secret_margin" not in r.feedback  # private values stay out of the prompt


def test_shinka_incorrect_and_plain_evaluators(tmp_path):
    folder = F.shinka(tmp_path, F.SHINKA_PLAIN, name="plain")
    task = load_folder(folder)
    assert task.evaluate(F.SEED).fitness == 3.0
    r = task.evaluate(F.SEED.replace("3.0", "300.0"))
    assert not r.valid and r.error == "evaluate.py: candidate rejected: value too large"
    r = load_folder(F.shinka(tmp_path)).evaluate(F.SEED.replace("3.0", "-1.0"))
    assert not r.valid and "value must be positive" in r.error
    silent = F.shinka(tmp_path, "print('nothing written')\n", name="silent")
    r = load_folder(silent).evaluate(F.SEED)
    assert not r.valid and r.error.startswith("evaluate.py: wrote no metrics.json")


def test_fmagent_validity_and_error_info(tmp_path):
    ev = '''\
        import importlib.util

        def evaluate(path_user_py):
            spec = importlib.util.spec_from_file_location("p", path_user_py)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            v = mod.value()
            if v < 0:
                return {"validity": 0.0, "combined_score": 0.0, "error_info": "negative value"}
            return {"validity": 1.0, "combined_score": v + 1, "error_info": ""}
        '''
    folder = F.fmagent(tmp_path, ev)
    task = load_folder(folder)
    r = task.evaluate(task.seeds[0])
    assert r.valid and r.fitness == _direct(folder, program="init.py")["combined_score"] == 4.0
    r = task.evaluate(F.SEED.replace("3.0", "-2.0"))
    assert not r.valid and r.error == "evaluator.py: candidate rejected: negative value"
    assert r.metrics["validity"] == 0.0


def test_openevolve_error_with_zero_score_is_invalid_with_reason(tmp_path):
    folder = F.openevolve(tmp_path, '''\
        def evaluate(path):
            return {"combined_score": 0.0, "error": "Invalid shapes: (3,) expected (16, 2)"}
        ''')
    r = load_folder(folder).evaluate(F.SEED)
    assert not r.valid
    assert r.error == "evaluator.py: candidate rejected: Invalid shapes: (3,) expected (16, 2)"


@pytest.mark.parametrize("body, expect", [
    ("return 1 / 0", r"^evaluator\.py: evaluate\(\) raised ZeroDivisionError: division by zero"),
    ("return {'accuracy': 0.9}", r"^evaluator\.py: returned no 'combined_score' \(it returned: "
                                 r"accuracy\)"),
    ("return {'combined_score': float('nan')}", r"^evaluator\.py: combined_score is nan, not "
                                                r"finite"),
    ("return {'combined_score': float('-inf')}", r"^evaluator\.py: combined_score is -inf"),
    ("return {'combined_score': 'high'}", r"^evaluator\.py: combined_score is 'high', not a "
                                          r"number"),
    ("return [1, 2]", r"^evaluator\.py: evaluate\(\) returned list, not a dict"),
    ("import no_such_module_fm\n    return {}", r"^evaluator\.py: No module named "
                                               r"'no_such_module_fm'; run: pip install "
                                               r"no_such_module_fm"),
])
def test_evaluator_failures_are_one_clear_line(tmp_path, body, expect):
    folder = F.openevolve(tmp_path, f"def evaluate(path):\n    {body}\n")
    r = load_folder(folder).evaluate(F.SEED)
    assert not r.valid and r.fitness is None
    assert "\n" not in r.error
    assert re.search(expect, r.error), r.error


def test_hanging_evaluator_is_killed_and_named(tmp_path):
    folder = F.openevolve(tmp_path, "import time\n\ndef evaluate(path):\n    time.sleep(60)\n")
    task = load_folder(folder, timeout_s=1.5)
    r = task.evaluate(F.SEED)
    assert not r.valid
    assert r.error.startswith("evaluator.py: no answer within 1.5s")
    assert r.metrics["eval_wall_s"] < 10


def test_missing_packages_named_up_front(tmp_path):
    folder = F.openevolve(tmp_path, **{"requirements.txt": "numpy>=1.0\n# a comment\n"
                                                           "fmagent-no-such-dist-xyz==1.0\n"})
    task = load_folder(folder)
    assert "pip install fmagent-no-such-dist-xyz" in task.meta["missing_packages"]
    r = task.evaluate(task.seeds[0])
    assert not r.valid
    assert r.error == ("requirements.txt lists 'fmagent-no-such-dist-xyz', not installed in this "
                       "environment; run: pip install fmagent-no-such-dist-xyz")
    imp = F.openevolve(tmp_path, "import fm_absent_mod\n\ndef evaluate(p):\n    return {}\n",
                       name="imp")
    r = load_folder(imp).evaluate(F.SEED)
    assert r.error.startswith("evaluator.py imports 'fm_absent_mod'") and \
        r.error.endswith("pip install fm_absent_mod")


def test_evaluator_runs_sandboxed_in_a_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("FMAGENT_TEST_SECRET", "s3cret")
    folder = F.openevolve(tmp_path, '''\
        import os
        open("written_by_evaluator.txt", "w").write("x")

        def evaluate(path):
            return {"combined_score": 1.0,
                    "saw_secret": float("FMAGENT_TEST_SECRET" in os.environ),
                    "in_folder": float(os.getcwd() == %r)}
        ''' % str(tmp_path / "oe"))
    r = load_folder(folder).evaluate(F.SEED)
    assert r.valid, r.error
    assert r.metrics["saw_secret"] == 0.0 and r.metrics["in_folder"] == 0.0
    assert not (folder / "written_by_evaluator.txt").exists()


def test_unsupported_peer_imports_are_named(tmp_path):
    folder = F.shinka(tmp_path, "from shinka.llm import LLMClient\n", name="llm")
    r = load_folder(folder).evaluate(F.SEED)
    assert r.error == ("evaluate.py: imports 'shinka.llm', which fmagent does not provide (only "
                       "openevolve.evaluation_result and shinka.core); make the evaluator "
                       "self-contained")


def test_async_evaluate_is_awaited(tmp_path):
    folder = F.openevolve(tmp_path, "async def evaluate(path):\n"
                                    "    return {'combined_score': 2.5}\n")
    assert load_folder(folder).evaluate(F.SEED).fitness == 2.5


def test_fixed_tmp_paths_need_allow_tmp(tmp_path):
    target = f"/tmp/fmagent-test-{tmp_path.name}"
    ev = (f"import os\n\ndef evaluate(path):\n    os.makedirs({target!r}, exist_ok=True)\n"
          "    return {'combined_score': 1.0}\n")
    folder = F.openevolve(tmp_path, ev)
    r = load_folder(folder).evaluate(F.SEED)
    assert not r.valid and "Permission denied: '/tmp/fmagent-test-" in r.error
    assert "allow_tmp=1" in r.error
    try:
        assert load_folder(folder, allow_tmp="1").evaluate(F.SEED).fitness == 1.0
    finally:
        os.rmdir(target)


def test_multiprocessing_evaluator_needs_allow_tmp(tmp_path):
    ev = ("from concurrent.futures import ProcessPoolExecutor\n\ndef evaluate(path):\n"
          "    with ProcessPoolExecutor(2) as ex:\n"
          "        return {'combined_score': float(sum(ex.map(abs, [-1, -2])))}\n")
    folder = F.openevolve(tmp_path, ev)
    r = load_folder(folder).evaluate(F.SEED)
    assert not r.valid and "multiprocessing locks in /dev/shm" in r.error
    assert load_folder(folder, allow_tmp="true").evaluate(F.SEED).fitness == 3.0


def test_fitness_key_option_for_folders_without_combined_score(tmp_path):
    folder = F.openevolve(tmp_path, "def evaluate(path):\n    return {'score': 0.4, 'mse': 2}\n")
    r = load_folder(folder).evaluate(F.SEED)
    assert r.error == ("evaluator.py: returned no 'combined_score' (it returned: score, mse); "
                       "make it return a numeric 'combined_score', or pass --option "
                       "fitness_key=score")
    r = load_folder(folder, fitness_key="score").evaluate(F.SEED)
    assert r.valid and r.fitness == 0.4 and r.metrics["score"] == 0.4 and r.metrics["mse"] == 2
