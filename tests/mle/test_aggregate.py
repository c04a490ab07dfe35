import json
import math

import pytest

from benchmarks.mle.aggregate import (aggregate, aggregate_splits, grading_line, headline,
                                      read_grading_jsonl, split_ids, write_grading_jsonl)


def test_splits_are_mlebench_ids():
    lite, med, high, all75 = (split_ids(s) for s in ("lite", "medium", "high", "all"))
    assert (len(lite), len(med), len(high), len(all75)) == (22, 38, 15, 75)
    assert set(lite) | set(med) | set(high) == set(all75)
    assert not (set(lite) & set(med) or set(lite) & set(high) or set(med) & set(high))
    assert "aerial-cactus-identification" in lite
    with pytest.raises(ValueError, match="unknown split"):
        split_ids("tiny")


def _rep(cid, medal=None, above=False, valid=True):
    return {"competition_id": cid, "gold_medal": medal == "gold",
            "silver_medal": medal == "silver", "bronze_medal": medal == "bronze",
            "above_median": above, "submission_exists": valid, "valid_submission": valid}


def test_mean_and_standard_error_over_seeds():
    ids = ["a", "b", "c", "d", "e"]
    seeds = {
        0: [_rep("a", "gold", True), _rep("b", "bronze", True)] + [_rep(c) for c in "cde"],
        1: [_rep("a", "silver", True)] + [_rep(c) for c in "bcd"] + [_rep("e", valid=False)],
        2: [_rep("a", "gold", True), _rep("b", "gold", True), _rep("c", "bronze", True),
            _rep("d"), _rep("e")],
    }
    agg = aggregate(seeds, ids)
    m = agg["metrics"]
    assert agg["num_seeds_averaged"] == 3 and agg["num_competitions_per_seed"] == 5
    assert m["any_medal_percentage"]["mean"] == pytest.approx(40.0)
    assert m["any_medal_percentage"]["standard_error"] == pytest.approx(20 / math.sqrt(3))
    assert m["gold_medal_percentage"]["mean"] == pytest.approx(20.0)
    assert m["valid_submissions_percentage"]["mean"] == pytest.approx(100 * 14 / 15)
    assert m["above_median_percentage"]["mean"] == pytest.approx(40.0)
    assert "any medal 40.00 ± 11.55" in headline(agg)
    one = aggregate({0: seeds[0]}, ids)
    assert one["metrics"]["any_medal_percentage"]["standard_error"] == 0.0


def test_missing_competitions_fail_unless_padded():
    seeds = {0: [_rep("a", "gold")]}
    with pytest.raises(ValueError, match="pad_missing"):
        aggregate(seeds, ["a", "b"])
    padded = aggregate(seeds, ["a", "b"], pad_missing=True)
    assert padded["metrics"]["any_medal_percentage"]["mean"] == 50.0
    lite = split_ids("lite")
    by = aggregate_splits({0: [_rep(c, "gold") for c in lite]}, ("lite", "all"), pad_missing=True)
    assert by["lite"]["metrics"]["gold_medal_percentage"]["mean"] == 100.0
    assert by["all"]["metrics"]["gold_medal_percentage"]["mean"] == pytest.approx(2200 / 75)


def test_grading_jsonl_roundtrip(tmp_path):
    lines = [grading_line("mle/mini-wine", tmp_path / "s.csv", tmp_path / "l.log", None),
             grading_line("spaceship-titanic", None)]
    p = write_grading_jsonl(lines, tmp_path / "g" / "submissions.jsonl")
    raw = [json.loads(x) for x in p.read_text().splitlines()]
    assert [list(r) for r in raw] == [["competition_id", "submission_path", "logs_path",
                                       "code_path"]] * 2
    assert raw[0]["competition_id"] == "mini-wine" and raw[1]["submission_path"] is None
    assert read_grading_jsonl(p) == raw
    (tmp_path / "bad.jsonl").write_text('{"submission_path": "x"}\n')
    with pytest.raises(ValueError, match="competition_id"):
        read_grading_jsonl(tmp_path / "bad.jsonl")


def test_cli_grades_a_jsonl_offline_and_aggregates(mini_data, tmp_path, capsys):
    import pandas as pd

    from benchmarks.mle.cli import main

    answers = pd.read_csv(mini_data / "mini-diabetes/prepared/private/test.csv")
    perfect = tmp_path / "perfect.csv"
    answers.to_csv(perfect, index=False)
    wrong = tmp_path / "wrong.csv"
    answers.head(3).to_csv(wrong, index=False)
    jl = write_grading_jsonl([grading_line("mini-diabetes", perfect),
                              grading_line("mini-breast-cancer", None)], tmp_path / "a.jsonl")
    assert main(["grade", str(jl), "--out", str(tmp_path / "g"), "--data-dir", str(mini_data)]) == 0
    (report,) = (tmp_path / "g").glob("*_grading_report.json")
    summary = json.loads(report.read_text())
    assert summary["total_runs"] == 2 and summary["total_gold_medals"] == 1
    assert summary["total_valid_submissions"] == 1 and summary["total_runs_with_submissions"] == 1
    jl2 = write_grading_jsonl([grading_line("mini-diabetes", wrong)], tmp_path / "b.jsonl")
    main(["grade", str(jl2), "--out", str(tmp_path / "h"), "--data-dir", str(mini_data)])
    (report2,) = (tmp_path / "h").glob("*_grading_report.json")
    assert json.loads(report2.read_text())["total_valid_submissions"] == 0
    capsys.readouterr()
    main(["aggregate", str(report), str(report2), "--split", "mini", "--pad-missing"])
    out = capsys.readouterr().out
    # seed 1: 1 gold of 5 minis (20%); seed 2: none -> 10 ± 10
    assert "mini (5 competitions, 2 seeds)" in out and "gold 10.00 ± 10.00" in out
