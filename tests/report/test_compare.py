"""fmagent compare: a deliberately weakened agent is a regression (exit 1); the same agent with
other seeds is not (exit 0); runs of different task versions are refused (exit 2)."""

import json
import math

import pytest

from harness.cli import main
from harness.compare import CompareError, compare_dirs, compare_runs
from harness.report.rundata import find_runs
from tests.report.conftest import build_runs
from tests.report.toy import retask

N = 200


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    return {"base": build_runs(root / "base" / "runs", [0, 1, 2, 3], N),
            "other": build_runs(root / "other" / "runs", [4, 5, 6, 7], N),
            # random parent choice, no crossover, mutations of 1e-9..1e-8: no real progress
            "weak": build_runs(root / "weak" / "runs", [0, 1, 2, 3], N, weak=True)}


def test_weakened_agent_is_a_regression(sides, tmp_path, capsys):
    out = tmp_path / "cmp.md"
    assert main(["compare", str(sides["base"]), str(sides["weak"]), "--out", str(out),
                 "--json", str(tmp_path / "cmp.json")]) == 1
    js = json.loads((tmp_path / "cmp.json").read_text())
    assert js["regression"] is True and js["overall"]["final"]["verdict"] == "worse"
    text = out.read_text()
    assert "**Verdict: worse**" in text and "exit status 1" in text
    assert text in capsys.readouterr().out
    res = compare_dirs(sides["base"], sides["weak"])
    final = res["overall"]["final"]
    assert final.verdict == "worse" and final.hi < 0 and final.lo <= final.diff <= final.hi
    (task,) = res["tasks"].values()
    runs = find_runs([sides["base"], sides["weak"]])
    assert task["n"] == min(r.n_evals for r in runs) >= N  # the common budget
    assert len(task["base"]) == len(task["cand"]) == 4
    # the normalised metrics are consistent with the databases' best values
    bests = [float(r.best_curve()[task["n"] - 1]) for r in runs]
    assert math.isclose(max(bests), task["hi"])
    assert all(x["final"] < 1e-3 for x in task["cand"])  # weak: stays at the seed


def test_same_agent_other_seeds_is_not_a_regression(sides, capsys):
    assert main(["compare", str(sides["base"]), str(sides["other"])]) == 0
    out = capsys.readouterr().out
    assert "**Verdict: no significant difference**" in out
    # and the weakened agent as the base makes the real agent look better, never worse
    assert main(["compare", str(sides["weak"]), str(sides["base"])]) == 0
    assert "**Verdict: better**" in capsys.readouterr().out


def test_different_task_versions_are_refused(sides, tmp_path, capsys):
    runs = find_runs([sides["base"]])
    for r in runs:
        retask(r.path, tmp_path / "v2" / r.path.name, "toy/fit5", version="2")
    assert main(["compare", str(sides["base"]), str(tmp_path / "v2")]) == 2
    assert "task version" in capsys.readouterr().err
    with pytest.raises(CompareError, match="no task in common"):
        retask(runs[0].path, tmp_path / "other" / "r", "toy/other")
        compare_dirs(sides["base"], tmp_path / "other")


def test_single_seed_gives_no_verdict(sides):
    b = find_runs([sides["base"] / "s0"])
    c = find_runs([sides["weak"] / "s0"])
    res = compare_runs(b, c)
    assert not res["regression"] and "too few" in res["overall"]["final"].verdict
    assert json.dumps(res["markdown"])  # renders
