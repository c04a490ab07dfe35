"""fmagent export: the files MLE-Bench's grader, ALE-Bench and KernelBench take."""

import json

import pytest

from harness.cli import main
from harness.export import ExportError, export
from tests.report.toy import retask


def test_mle_grading_jsonl(toy_runs, tmp_path):
    runs = tmp_path / "runs"
    a = retask(toy_runs / "s0", runs / "a", "mle/mini-wine")
    retask(toy_runs / "s1", runs / "b", "mle/mini-digits")
    sub = a / "submission" / "submission.csv"
    sub.parent.mkdir()
    sub.write_text("id,target\n1,0\n")
    (a / "code").mkdir()
    (a / "code" / "solution.py").write_text("print('solution')\n")
    (a / "final.json").write_text(json.dumps({
        "competition_id": "mini-wine", "submission_path": str(sub),
        "code_path": str(a / "code" / "solution.py"), "logs_path": str(a / "run.log")}))
    out = tmp_path / "out"
    assert main(["export", "mle", str(runs), "--out", str(out)]) == 0
    lines = [json.loads(x) for x in (out / "submissions.jsonl").read_text().splitlines()]
    assert [set(x) for x in lines] == [{"competition_id", "submission_path", "logs_path",
                                        "code_path"}] * 2
    by = {x["competition_id"]: x for x in lines}
    assert open(by["mini-wine"]["submission_path"]).read() == "id,target\n1,0\n"
    assert open(by["mini-wine"]["code_path"]).read() == "print('solution')\n"
    # no final grading: exported with a null submission (counts as no submission)
    assert by["mini-digits"]["submission_path"] is None
    assert "params()" in open(by["mini-digits"]["code_path"]).read()
    assert (out / "submissions_s0.jsonl").is_file() and (out / "submissions_s1.jsonl").is_file()


def test_ale_code_and_json_per_problem(toy_runs, tmp_path):
    r = retask(toy_runs / "s0", tmp_path / "runs" / "r", "ale/ahc008", language="cpp20")
    (r / "final.json").write_text(json.dumps({"mode": "real", "valid": True, "rank": 3,
                                              "performance": 2000,
                                              "overall_absolute_score": 1.0}))
    res = export("ale", [tmp_path / "runs"], tmp_path / "out")
    meta = json.loads((tmp_path / "out" / "ahc008.json").read_text())
    assert meta["language"] == "cpp20" and meta["private"]["performance"] == 2000
    assert meta["code_path"].endswith("ahc008/s0/Main.cpp")
    assert open(meta["code_path"]).read() == (r / "best_program.py").read_text()
    assert res["notes"] == []


def test_kernel_files_named_like_kernelbench(toy_runs, tmp_path):
    runs = tmp_path / "runs"
    retask(toy_runs / "s0", runs / "a", "kernel/level3/1_MLP")
    retask(toy_runs / "s1", runs / "b", "kernel/level3/1_MLP")
    retask(toy_runs / "s0", runs / "c", "kernel/mlp")
    res = export("kernel", [runs], tmp_path / "out")
    out = tmp_path / "out"
    assert (out / "level3" / "1_MLP.py").is_file() and (out / "inrepo" / "mlp.py").is_file()
    assert (out / "samples" / "level_3_problem_1_sample_0_kernel.py").is_file()
    assert (out / "samples" / "level_3_problem_1_sample_1_kernel.py").is_file()
    entries = json.loads((out / "kernels.json").read_text())
    assert len(entries) == 3
    assert any("defines no ModelNew" in n for n in res["notes"])  # toy code is not a kernel


def test_wrong_kind_is_refused(toy_runs, tmp_path, capsys):
    with pytest.raises(ExportError, match="no mle runs"):
        export("mle", [toy_runs], tmp_path / "o")
    assert main(["export", "ale", str(toy_runs), "--out", str(tmp_path / "o")]) == 2
    assert "no ale runs" in capsys.readouterr().err
