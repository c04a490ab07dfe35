"""``fmagent ablate``: settings, plan, resumable runs, records and the report from records alone."""

import json
import math
import shutil
from pathlib import Path

import pytest

from harness import ablate as A
from harness.cli import main
from harness.suite import TaskEntry, inprocess_runner

SEED = """# EVOLVE-BLOCK-START
def params():
    return [1.0, 1.0, 1.0, 1.0, 1.0]
# EVOLVE-BLOCK-END


def run():
    return params()
"""
EVALUATOR = """TARGETS = [0.3, -1.2, 2.5, 0.05, 7.0]


def evaluate(output):
    err = sum((float(a) - b) ** 2 for a, b in zip(output, TARGETS))
    return {"score": err}
"""
TASK_YAML = """id: toy/fit5
version: 1
statement: Return five numbers close to the hidden targets.
direction: min
seed: seed.py
resources: {cpus: 1, memory_mb: 512, timeout_s: 10}
entry: {kind: function, function: run}
"""
BASE = {"pools": {"backend": "local", "evals_in_flight": 2}, "knowledge": {"enabled": False},
        "population": {"islands": 2, "generation_size": 2, "migration_interval": 1},
        "cold_start": {"variants_per_island": 1}}


def toy_folder(root: Path) -> Path:
    d = root / "toytask"
    d.mkdir()
    (d / "task.yaml").write_text(TASK_YAML)
    (d / "seed.py").write_text(SEED)
    (d / "evaluator.py").write_text(EVALUATOR)
    return d


# ------------------------------------------------------------------ settings and parsing
def test_settings_parse_and_apply():
    assert A.parse_settings(None) == list(A.DEFAULT_SETTINGS)
    assert A.parse_settings("all") == list(A.SETTINGS)
    assert A.parse_settings("full, topk") == ["full", "topk"]
    with pytest.raises(A.AblationError, match="Did you mean 'topk'"):
        A.parse_settings("full,topkk")
    with pytest.raises(A.AblationError, match="twice"):
        A.parse_settings("full,full")
    cfg = A.apply_setting({"population": {"islands": 3, "island_capacity": 50}}, "no-islands")
    assert (cfg.population.islands, cfg.population.island_capacity) == (1, 150)
    assert A.apply_setting({}, "no-cold-start").cold_start.enabled is False
    assert A.apply_setting({}, "no-elites").population.elite_size == 0
    assert A.apply_setting({}, "no-migration").population.migration_interval == 0
    assert A.apply_setting({}, "fixed-diversity-rule").sampler.diversity_rule == "fixed"
    assert A.apply_setting({}, "fitness-proportional").sampler.kind == "fitness-proportional"
    custom = {"sharp": {"sampler.rank_power": 2.0}}
    assert A.apply_setting({}, "sharp", custom).sampler.rank_power == 2.0
    with pytest.raises(A.AblationError, match="does not give a valid config"):
        A.apply_setting({}, "bad", {"bad": {"sampler.kind": "nonsense"}})


def test_seeds_and_options():
    assert A.parse_seeds("3") == [0, 1, 2]
    assert A.parse_seeds("10-12") == [10, 11, 12]
    assert A.parse_seeds("4,9") == [4, 9]
    for bad in ("x", "0", "1-b"):
        with pytest.raises(A.AblationError, match="--seeds"):
            A.parse_seeds(bad)
    opts = A.parse_options(["workers=1", "ale/depots:language=python"],
                           ["ale/depots", "math/circle_packing_26"])
    assert opts == {"ale/depots": {"workers": "1", "language": "python"},
                    "math/circle_packing_26": {"workers": "1"}}
    with pytest.raises(A.AblationError, match="not in this ablation"):
        A.parse_options(["ale/route:language=python"], ["ale/depots"])
    with pytest.raises(A.AblationError, match="KEY=VALUE"):
        A.parse_options(["language"], ["ale/depots"])


def test_plan_configs_carry_budget_options_and_model(tmp_path):
    plan = A.Plan(tasks=[TaskEntry(task="ale/depots", options={"language": "python"})],
                  settings=["full", "topk"], seeds=[0, 1], max_evals=42, out=tmp_path,
                  models=["gpt-4o-mini"])
    cfg = plan.config_for("topk", plan.tasks[0])
    assert cfg.stop.max_evals == 42 and cfg.sampler.kind == "topk"
    assert cfg.benchmark_options == {"language": "python"}
    assert cfg.llm == {"models": [{"name": "gpt-4o-mini"}]}
    assert cfg.pools.backend == "local"  # offline default: no Ray per run
    items = plan.items()  # seed-major: a partial study stays balanced across settings
    assert [(s, st) for s, _, st, _ in items] == [(0, "full"), (0, "topk"), (1, "full"),
                                                  (1, "topk")]
    assert items[1][3] == tmp_path / "topk" / "ale-depots" / "s0"


def test_per_task_budget_from_the_file_and_the_command_line(tmp_path):
    from harness.suite import Budget

    e = [TaskEntry(task="math/circle_packing_26", budget=Budget(max_evals=7)),
         TaskEntry(task="ale/depots")]
    plan = A.Plan(tasks=e, settings=["full"], seeds=[0], max_evals=20, out=tmp_path)
    assert [plan.config_for("full", t).stop.max_evals for t in e] == [7, 20]
    f = tmp_path / "abl.yaml"
    f.write_text("name: t\nbudget: {max_evals: 9}\nsettings: [full, topk]\n"
                 "tasks: [{task: math/circle_packing_26, budget: {max_evals: 4}}]\n")
    args = ["ablate", "--suite", str(f), "--dry-run", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    assert main(args[:3] + ["--settings", "full,nope"] + args[3:]) == 2


def test_cli_errors_are_one_line(capsys):
    assert main(["ablate", "math/circle_packing_26", "--budget", "5", "--settings", "fulll"]) == 2
    assert "Did you mean 'full'" in capsys.readouterr().err
    assert main(["ablate", "math/circle_packng_26", "--budget", "5", "--dry-run"]) == 2
    assert "Did you mean math/circle_packing_26" in capsys.readouterr().err
    assert main(["ablate", "math/circle_packing_26"]) == 2
    assert "--budget" in capsys.readouterr().err
    assert main(["ablate", "--report-only", "/nonexistent/dir"]) == 2
    assert main(["ablate", "--list-settings"]) == 0
    assert "no-islands" in capsys.readouterr().out


def test_print_config_is_a_run_config(tmp_path, capsys):
    from agent.config import load_config

    base = tmp_path / "base.yaml"
    base.write_text("population: {islands: 3, island_capacity: 10}\n")
    assert main(["ablate", "--print-config", "no-islands", "--config", str(base)]) == 0
    cfg_file = tmp_path / "cfg.yaml"
    cfg_file.write_text(capsys.readouterr().out)
    cfg = load_config(cfg_file)  # what `fmagent run --config` reads
    assert (cfg.population.islands, cfg.population.island_capacity) == (1, 30)


def test_shipped_ablation_file_is_valid():
    f = A.load_ablation_file("ablation")
    assert {t.task for t in f.tasks} >= {"math/circle_packing_26", "ale/depots"}
    A.parse_settings(f.settings, f.custom_settings)
    plan = A.Plan(tasks=list(f.tasks), settings=f.settings, seeds=[0], max_evals=5,
                  out=Path("/tmp/unused"), base=A._merge(A.DEFAULT_BASE, f.config),
                  custom=f.custom_settings)
    A.check_plan(plan)


# ------------------------------------------------------------------ a real (tiny) study
def test_study_runs_resumes_and_reports_from_records(tmp_path):
    task = toy_folder(tmp_path)
    out = tmp_path / "study"
    calls = []

    def runner(args, log):
        calls.append(args)
        return inprocess_runner(args, log)

    plan = A.Plan(tasks=[TaskEntry(task=str(task))], settings=["full", "random"], seeds=[0, 1],
                  max_evals=8, out=out, base=BASE, command="fmagent ablate (test)")
    res = A.run_ablation(plan, runner=runner, echo=lambda m: None)
    assert (res["finished"], res["failed"]) == (4, 0)
    for st in ("full", "random"):
        for s in (0, 1):
            assert (out / st / A.slug(str(task)) / f"s{s}" / "summary.json").is_file()
    recs = json.loads((out / "runs.json").read_text())["runs"]
    assert len(recs) == 4 and {r["setting"] for r in recs} == {"full", "random"}
    assert all(r["evaluations"] >= 8 and len(r["fitness"]) == len(r["island"]) for r in recs)
    assert {r["switches"]["sampler"] for r in recs} == {"adaptive", "random"}
    md = (out / "report.md").read_text()
    assert "adaptive sampling over uniform random" in md and "+58.26%" in md
    assert (out / f"curves_{A.slug('toy/fit5')}.png").stat().st_size > 1000
    assert (out / "final_vs_full.png").is_file()

    # rerun: everything finished, nothing runs
    calls.clear()
    res = A.run_ablation(plan, runner=runner, echo=lambda m: None)
    assert res["skipped"] == 4 and calls == []
    # an unfinished run is resumed, not restarted
    rd = out / "random" / A.slug(str(task)) / "s1"
    m = json.loads((rd / "manifest.json").read_text())
    (rd / "manifest.json").write_text(json.dumps({**m, "status": "running"}))
    res = A.run_ablation(plan, runner=runner, echo=lambda m: None)
    assert res["resumed"] == 1 and len(calls) == 1 and calls[0][:3] == ["run", "--resume", str(rd)]

    # the committed records alone regenerate the same report
    committed = tmp_path / "committed"
    committed.mkdir()
    shutil.copy(out / "runs.json", committed / "runs.json")
    assert main(["ablate", "--report-only", str(committed)]) == 0
    a = json.loads((out / "report.json").read_text())
    b = json.loads((committed / "report.json").read_text())
    assert a == b
    assert (committed / "report.md").read_text() == md


# ------------------------------------------------------------------ statistics from records
def _record(setting, seed, final, n=40, direction="max"):
    """A synthetic run: best-so-far rising linearly from 1.0 to ``final``."""
    sign = 1.0 if direction == "max" else -1.0
    fit = [sign * (1.0 + (final - 1.0) * i / (n - 1)) for i in range(n)]
    return {"setting": setting, "task": "toy/t", "task_id": "toy/t", "version": "1",
            "direction": direction, "seed": seed, "status": "finished", "max_evals": n,
            "switches": {}, "models": ["offline"], "fitness": fit, "island": [0] * n,
            "proposer": ["seed"] + ["offline"] * (n - 1)}


def test_report_verdicts_and_percentages(tmp_path):
    recs = []
    for s in range(4):
        jitter = 0.01 * s
        recs += [_record("full", s, 2.0 + jitter), _record("topk", s, 1.8 + jitter),
                 _record("random", s, 2.0 + jitter + 0.001 * (-1) ** s)]
    # a migration copy is not an evaluation: left out of the curves
    recs[0]["fitness"].insert(5, recs[0]["fitness"][4])
    recs[0]["island"].insert(5, 1)
    recs[0]["proposer"].insert(5, "migration")
    res = A.write_report(recs, tmp_path, command="test")
    data = json.loads(Path(res["json"]).read_text())
    topk = data["per_task"]["toy/t"]["topk"]
    assert topk["final"]["verdict"] == "worse"  # removing adaptive sampling hurt
    d, lo, hi = topk["final_pct"]
    assert d == pytest.approx(-100 * 0.2 / 2.015, rel=1e-6) and lo < d < hi < 0
    assert data["per_task"]["toy/t"]["random"]["final"]["verdict"] == "no significant difference"
    claim = next(c for c in data["paper"] if c["claim"].startswith("adaptive sampling over top-k"))
    assert claim["pct"][0] == pytest.approx(100 * 0.2 / 1.815, rel=1e-6)
    assert not math.isnan(claim["pct"][1])
    md = Path(res["markdown"]).read_text()
    assert "+10.99%" in md and "| topk | 4 | 40 |" in md


def test_unfinished_runs_are_left_out_of_the_statistics(tmp_path):
    recs = [_record("full", s, 2.0 + 0.01 * s) for s in range(3)]
    short = _record("full", 9, 5.0, n=10)
    short["status"] = "running"
    res = A.write_report(recs + [short], tmp_path)
    md = Path(res["markdown"]).read_text()
    assert "left out (not finished): 1 run(s): full toy/t s9 (running)" in md
    assert "| full | 3 | 40 |" in md
    with pytest.raises(A.AblationError, match="no finished runs"):
        A.write_report([short], tmp_path)


def test_report_minimisation_sign(tmp_path):
    recs = [_record("full", s, 0.5 + 0.01 * s, direction="min") for s in range(3)]
    recs += [_record("no-islands", s, 0.8 + 0.01 * s, direction="min") for s in range(3)]
    data = json.loads(Path(A.write_report(recs, tmp_path)["json"]).read_text())
    row = data["per_task"]["toy/t"]["no-islands"]
    assert row["final"]["verdict"] == "worse" and row["final_pct"][0] < 0  # higher error: worse
