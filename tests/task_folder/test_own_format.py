"""Our task.yaml format and `fmagent init` templates."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.task_folder import TEMPLATE_NAMES, TaskFolderError, init_task, load_folder


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(f"m_{path.parent.name}_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_math_template_seed_scores_as_its_evaluator(tmp_path):
    folder = init_task("demo", "math", tmp_path)
    task = load_folder(folder)
    assert task.id == "demo" and task.direction == "max" and task.version == "1"
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    direct = _module(folder / "evaluator.py").evaluate(_module(folder / "seed.py").run())
    assert r.fitness == direct["score"] == pytest.approx(0.28)
    assert r.feedback.startswith("minimum pairwise distance 0.280000")
    assert task.references["best_known"] == pytest.approx(0.4212795)
    r = task.evaluate(task.seeds[0].replace("(0.95, 0.95)", "(1.5, 0.95)"))
    assert not r.valid and r.error.startswith("evaluator.py: candidate rejected: point 9")


def test_script_template_direction_min(tmp_path, monkeypatch):
    folder = init_task("tsp", "script", tmp_path)
    task = load_folder(folder)
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    cities_in = (folder / "cities.txt").read_text()
    out = subprocess.run([sys.executable, "solve.py"], cwd=folder, input=cities_in,
                         capture_output=True, text=True, check=True).stdout
    monkeypatch.chdir(folder)
    direct = _module(folder / "evaluator.py").evaluate(out)
    assert r.metrics["score"] == pytest.approx(direct["score"])
    assert r.fitness == pytest.approx(-direct["score"])
    bad = task.evaluate("print('0 1 2')\n")
    assert not bad.valid and "permutation" in bad.error
    crash = task.evaluate("raise SystemExit(3)\n")
    assert not crash.valid and crash.error.startswith("program failed: exit code 3")


def test_ml_template_hides_labels_from_the_candidate(tmp_path):
    folder = init_task("clf", "ml", tmp_path)
    task = load_folder(folder)
    r = task.evaluate(task.seeds[0])
    assert r.valid and 0.5 < r.fitness <= 1.0
    peek = task.seeds[0].replace("def run():", f'''def run():
    for p in ("hidden/test_labels.csv", {str(folder / "hidden" / "test_labels.csv")!r}):
        try:
            return [int(v) for v in open(p).read().split()[1:]]
        except OSError:
            pass
    return _run()


def _run():''')
    cheat = task.evaluate(peek)
    assert cheat.valid and cheat.fitness == r.fitness  # the labels were never readable


def test_init_writes_a_folder_whose_own_test_passes(tmp_path):
    folder = init_task("demo", "math", tmp_path)
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(folder / "test_task.py")], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stdout[-2000:]


def test_init_refuses_bad_input(tmp_path):
    init_task("demo", "math", tmp_path)
    with pytest.raises(TaskFolderError, match="already exists"):
        init_task("demo", "math", tmp_path)
    with pytest.raises(TaskFolderError, match="unknown template 'rust'; choose one of math"):
        init_task("x", "rust", tmp_path)
    with pytest.raises(TaskFolderError, match="task name"):
        init_task("../up", "math", tmp_path)
    assert set(TEMPLATE_NAMES) == {"math", "script", "ml"}


def _edit(folder: Path, **changes) -> None:
    data = yaml.safe_load((folder / "task.yaml").read_text())
    for dotted, value in changes.items():
        cur = data
        *head, last = dotted.split("__")
        for part in head:
            cur = cur[part]
        if value is None:
            cur.pop(last)
        else:
            cur[last] = value
    (folder / "task.yaml").write_text(yaml.safe_dump(data))


@pytest.mark.parametrize("changes, expect", [
    ({"resources__gpu": 1}, r"task\.yaml: field 'resources\.gpu': Extra inputs"),
    ({"direction": "up"}, r"field 'direction'"),
    ({"statement": None}, r"field 'statement': Field required"),
    ({"seed": "missing.py"}, r"seed names 'missing.py', which is not a file inside"),
    ({"entry__inputs": ["../../etc/passwd"]}, r"entry\.inputs names '\.\./\.\./etc/passwd'"),
])
def test_manifest_errors_name_file_and_field(tmp_path, changes, expect):
    folder = init_task("demo", "math", tmp_path)
    _edit(folder, **changes)
    with pytest.raises(TaskFolderError, match=expect):
        load_folder(folder)


def test_own_evaluator_failures(tmp_path):
    folder = init_task("demo", "math", tmp_path)
    (folder / "evaluator.py").write_text("def evaluate(points):\n    return {'min': 1.0}\n")
    r = load_folder(folder).evaluate(load_folder(folder).seeds[0])
    assert r.error == ("evaluator.py: returned no 'score' (it returned: min); make it return a "
                       "numeric 'score'")
    (folder / "evaluator.py").write_text("def evaluate(points):\n    return {'score': 1e999}\n")
    r = load_folder(folder).evaluate(load_folder(folder).seeds[0])
    assert not r.valid and r.error.startswith("evaluator.py: score is inf, not finite")


def test_folder_evaluator_pickles(tmp_path):
    import pickle

    task = load_folder(init_task("p", "ml", tmp_path))
    ev = pickle.loads(pickle.dumps(task.evaluator))
    assert ev == task.evaluator and ev.manifest.entry.inputs == ["train.csv", "test.csv"]


def test_script_kind_with_a_build_step(tmp_path):
    folder = tmp_path / "cpp"
    folder.mkdir()
    (folder / "task.yaml").write_text(
        "id: cpp_sum\nstatement: print the sum of the numbers on stdin\ndirection: max\n"
        "language: cpp\nseed: main.cpp\nentry:\n  kind: script\n"
        "  build: [g++, -O1, -o, prog, '{program}']\n  run: [./prog]\n  stdin: in.txt\n"
        "  outputs: [log.txt]\n")
    (folder / "in.txt").write_text("1 2 3 4\n")
    (folder / "main.cpp").write_text(
        "#include <cstdio>\n#include <fstream>\nint main(){long s=0,x;while(scanf(\"%ld\",&x)==1)"
        "s+=x;std::ofstream(\"log.txt\")<<\"ok\";printf(\"%ld\\n\",s);}\n")
    (folder / "evaluator.py").write_text(
        "def evaluate(out):\n    log = open('log.txt').read()\n"
        "    return {'score': float(out), 'logged': float(log == 'ok')}\n")
    task = load_folder(folder)
    r = task.evaluate(task.seeds[0])
    assert r.valid, r.error
    assert r.fitness == 10.0 and r.metrics["logged"] == 1.0
    r = task.evaluate("int main( {\n")
    assert not r.valid and r.error.startswith("program failed: exit code 1")
