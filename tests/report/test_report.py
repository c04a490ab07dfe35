"""fmagent report: the numbers match the run databases; every table and plot is there;
missing inputs are said, not fatal."""

import json
import sqlite3

from harness.cli import main
from harness.report.build import build_report
from harness.report.render import fmt
from tests.report.toy import retask


def _db(run):
    con = sqlite3.connect(run / "programs.db")
    n = con.execute("select count(*) from programs").fetchone()[0]
    best = con.execute("select min(score) from programs where valid=1").fetchone()[0]  # min task
    seed = con.execute("select score from programs where proposer='seed'").fetchone()[0]
    stats = con.execute("select count(*) from island_stats").fetchone()[0]
    return n, best, seed, stats


def test_report_numbers_match_the_databases(toy_runs, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", str(toy_runs), "--out", str(out)]) == 0
    data = json.loads((out / "toy" / "report.json").read_text())
    (row,) = data["tasks"]
    dbs = [_db(toy_runs / f"s{s}") for s in (0, 1)]
    assert row["evaluations"] == [d[0] for d in dbs] == [60, 60]
    assert row["best"] == min(d[1] for d in dbs)  # best over seeds, minimised
    assert row["seed_score"] == dbs[0][2]
    assert row["seeds"] == [0, 1] and row["direction"] == "min"
    assert row["references"] == {"target": 0.0}
    md = (out / "toy" / "report.md").read_text()
    html = (out / "toy" / "index.html").read_text()
    for text in (md, html):
        assert fmt(row["best"], 10) in text and fmt(row["seed_score"], 10) in text
        assert "max_evals 60" in text and "models: offline" in text
    assert "<table>" in html and html.count("<img") == 3
    n_md_tables = sum(line.startswith("|---") for line in md.splitlines())
    assert html.count("<table>") == n_md_tables >= 2  # every table is on the HTML page too
    # one figure per run plus the references bars, all real PNGs
    pngs = sorted((out / "toy" / "plots").glob("*.png"))
    assert len(pngs) == 3 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    for p in pngs:
        assert f"plots/{p.name}" in md
    assert "toy/report.md" in (out / "README.md").read_text()
    assert all(d[3] > 0 for d in dbs)  # island statistics were there to plot


def test_benchmark_sections_say_what_is_missing(toy_runs, tmp_path):
    runs = tmp_path / "runs"
    ale = retask(toy_runs / "s0", runs / "ale", "ale/route", language="cpp20")
    mle = retask(toy_runs / "s1", runs / "mle", "mle/mini-wine")
    retask(toy_runs / "s0", runs / "mle-s0", "mle/mini-digits")
    (mle / "final.json").write_text(json.dumps({
        "competition_id": "mini-wine", "score": 0.1, "valid_submission": True,
        "above_median": True, "gold_medal": False, "silver_medal": True, "bronze_medal": False,
        "any_medal": True, "submission_exists": True, "mode": "offline"}))
    (ale / "summary.json").unlink()  # an unfinished run still reports
    res = build_report([runs], tmp_path / "rep", plots=False)
    assert set(res["benchmarks"]) == {"ale", "mle"}
    a = json.loads((tmp_path / "rep" / "ale" / "report.json").read_text())["ale"]
    assert a["summary"] == {} and any("no final.json" in n for n in a["notes"])
    md = (tmp_path / "rep" / "ale" / "report.md").read_text()
    assert "1976.3" in md and "1976.8" in md and "ALE-Agent" in md  # both paper versions
    m = json.loads((tmp_path / "rep" / "mle" / "report.json").read_text())["mle"]
    # two competitions, one seed each (seeds 0 and 1 are different seeds): per seed percentages
    assert m["summary"]["n_seeds"] == 2
    assert m["summary"]["any_medal"] == 50.0 and m["summary"]["valid"] == 50.0
    assert any("mini-digits" in n and "no final.json" in n for n in m["notes"])
    mmd = (tmp_path / "rep" / "mle" / "report.md").read_text()
    assert "43.56 ± 1.78" in mmd and "InternAgent" in mmd


def test_ale_performance_row_from_final_json(toy_runs, tmp_path):
    runs = tmp_path / "runs"
    perfs = {"ahc008": 1189, "ahc011": 1652}
    for pid, perf in perfs.items():
        d = retask(toy_runs / "s0", runs / pid, f"ale/{pid}", language="cpp20")
        (d / "final.json").write_text(json.dumps({"mode": "real", "valid": True,
                                                  "overall_absolute_score": 123.0, "rank": 10,
                                                  "performance": perf}))
    build_report([runs], tmp_path / "rep", plots=False)
    s = json.loads((tmp_path / "rep" / "ale" / "report.json").read_text())["ale"]["summary"]
    assert s["overall"] == (1189 + 1652) / 2 and s["ge_1600"] == 50.0 and s["ge_400"] == 100.0


def test_bad_input_is_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no run directories" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2


def test_mle_and_kernel_without_final_data_are_not_measured(toy_runs, tmp_path):
    runs = tmp_path / "runs"
    retask(toy_runs / "s0", runs / "m", "mle/mini-wine")
    retask(toy_runs / "s0", runs / "k", "kernel/mlp")
    build_report([runs], tmp_path / "rep", plots=False)
    m = json.loads((tmp_path / "rep" / "mle" / "report.json").read_text())["mle"]
    assert m["summary"] == {} and any("not measured" in n for n in m["notes"])
    assert "| ours (this report) | offline | not measured |" in \
        (tmp_path / "rep" / "mle" / "report.md").read_text()
    k = json.loads((tmp_path / "rep" / "kernel" / "report.json").read_text())["kernel"]
    assert any("no timing record" in n for n in k["notes"])
    assert k["rows"][0]["correct"] is True and k["rows"][0]["speedup_eager"] is None
