"""fmagent suite: tasks x seeds through the `fmagent run` path, resumable, with progress."""

import json

import pytest

from harness.cli import main
from harness.suite import SuiteError, inprocess_runner, load_suite, run_suite, subprocess_runner
from tests.report.toy import patch_registry

SUITE = """\
name: toy-suite
seeds: 2
budget: {max_evals: 25}
config:
  population: {islands: 2}
  cold_start: {variants_per_island: 1}
  pools: {backend: local, proposals_in_flight: 1, evals_in_flight: 1}
tasks:
  - toy/fit5
"""


def test_suite_runs_skips_finished_and_resumes_unfinished(tmp_path, monkeypatch):
    patch_registry(monkeypatch)
    f = tmp_path / "toy.yaml"
    f.write_text(SUITE)
    out = tmp_path / "suite"
    lines = []
    res = run_suite(f, out=out, runner=inprocess_runner, echo=lines.append)
    assert (res["finished"], res["failed"], res["skipped"]) == (2, 0, 0)
    for s in (0, 1):
        summary = json.loads((out / "toy-fit5" / f"s{s}" / "summary.json").read_text())
        assert summary["evaluations"] == 25 and summary["seed"] == s
    assert any(line.startswith("[2/2] toy/fit5 seed 1: finished") for line in lines)
    assert (out / "report" / "toy" / "report.md").is_file()
    assert "suite toy-suite" in (out / "report" / "README.md").read_text()
    state = json.loads((out / "suite.json").read_text())
    assert [i["status"] for i in state["items"]] == ["finished", "finished"]
    # a rerun skips both; an unfinished run (killed: status still 'running') is resumed
    m = out / "toy-fit5" / "s1" / "manifest.json"
    man = json.loads(m.read_text())
    m.write_text(json.dumps({**man, "status": "running"}))
    f.write_text(SUITE.replace("max_evals: 25", "max_evals: 30"))
    res = run_suite(f, out=out, runner=inprocess_runner, echo=lines.append, report=False)
    assert (res["skipped"], res["resumed"], res["finished"]) == (1, 1, 1)
    s1 = json.loads((out / "toy-fit5" / "s1" / "summary.json").read_text())
    assert s1["evaluations"] == 30  # continued from 25 (resume), not restarted
    assert json.loads((out / "toy-fit5" / "s0" / "summary.json").read_text())["evaluations"] == 25
    # --seeds widens the suite; the new seed runs, the others are skipped
    res = run_suite(f, seeds=3, out=out, runner=inprocess_runner, echo=lines.append, report=False)
    assert (res["skipped"], res["finished"]) == (2, 1)


def test_bad_suites_name_the_problem(tmp_path, monkeypatch):
    patch_registry(monkeypatch)
    f = tmp_path / "s.yaml"
    f.write_text(SUITE.replace("budget:", "budgett:"))
    with pytest.raises(SuiteError, match="budgett"):
        load_suite(f)
    f.write_text(SUITE.replace("islands: 2", "islandz: 2"))
    with pytest.raises(SuiteError, match="islandz"):
        load_suite(f)
    f.write_text(SUITE.replace("toy/fit5", "toy/fit55"))
    with pytest.raises(SuiteError, match="Did you mean toy/fit5"):
        run_suite(f, out=tmp_path / "o", runner=inprocess_runner, echo=lambda m: None)
    with pytest.raises(SuiteError, match="not found"):
        load_suite(tmp_path / "missing.yaml")


def test_shipped_suites_load_and_list_offline_tasks(capsys, tmp_path):
    for name in ("smoke", "offline", "paper"):
        load_suite(name)
    assert main(["suite", "offline", "--dry-run", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "kernel/mlp seed 0: new" in out and "math/kissing_11d seed 0: new" in out
    from harness.registry import list_tasks

    offline = {f"{b}/{t.name}" for b, ts in list_tasks().items() for t in ts if t.offline}
    listed = {t.task for t in load_suite("offline").tasks}
    assert listed == offline, f"suites/offline.yaml is out of date: {offline ^ listed}"


def test_subprocess_runner_runs_the_cli(tmp_path):
    log = tmp_path / "x.log"
    assert subprocess_runner(["list", "math"], log) == 0
    assert "circle_packing_26" in log.read_text()
