"""The command line as a user meets it: list, eval, run, resume, and one-line errors."""

import json
import math
import subprocess
import sys

import pytest

from harness.cli import main


def fm(*args):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, timeout=600)


def hex_packing_code(overlap: bool = False) -> tuple[str, float]:
    """An independent valid construction: 26 equal circles on a 6x5 grid minus 4 (r = 1/12)."""
    r = 1 / 12
    pts = [((i + 0.5) / 6, (j + 0.5) / 5) for j in range(5) for i in range(6)][:26]
    if overlap:
        pts[1] = (pts[0][0] + r, pts[0][1])  # centres r apart: overlap of r
    rows = ",\n        ".join(f"[{x!r}, {y!r}, {r!r}]" for x, y in pts)
    return f"def run():\n    return [\n        {rows}\n    ]\n", 26 * r


def test_list_shows_the_core_task(capsys):
    assert main(["list", "math"]) == 0
    assert "math/circle_packing_26" in capsys.readouterr().out


def test_eval_scores_a_valid_packing_exactly(tmp_path):
    code, expected = hex_packing_code()
    f = tmp_path / "p.py"
    f.write_text(code)
    r = fm("eval", "math/circle_packing_26", str(f), "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["valid"] and math.isclose(res["metrics"]["score"], expected, rel_tol=0, abs_tol=1e-12)


def test_eval_rejects_an_overlapping_packing_with_a_reason(tmp_path):
    code, _ = hex_packing_code(overlap=True)
    f = tmp_path / "p.py"
    f.write_text(code)
    r = fm("eval", "math/circle_packing_26", str(f))
    assert r.returncode == 1
    assert "invalid" in r.stdout and "overlap" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["run", "math/circle_pakcing_26"], "Did you mean math/circle_packing_26"),
    (["run", "nosuch/task"], "unknown benchmark"),
    (["run", "circle_packing_26"], "benchmark/task"),
    (["run", "--resume", "/nonexistent/run"], "not a run directory"),
    (["eval", "math/circle_packing_26", "/nonexistent.py"], "not found"),
])
def test_bad_input_gets_one_clear_line(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1


def test_broken_config_names_the_field(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("population:\n  islandz: 3\n")
    assert main(["run", "math/circle_packing_26", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "population.islandz" in err


def test_run_then_resume_extends_the_run(tmp_path):
    out = tmp_path / "run"
    r = fm("run", "math/circle_packing_26", "--max-evals", "12", "--backend", "local",
           "--islands", "2", "--out", str(out), "--plain")
    assert r.returncode == 0, r.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "finished" and manifest["schema_version"] == 1
    assert manifest["provenance"]["git"]["commit"] is not None
    assert "offline" in manifest["proposer"]
    assert (out / "best_program.py").exists() and (out / "events.jsonl").exists()
    r = fm("run", "--resume", str(out), "--max-evals", "16", "--plain")
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["evaluations"] == 16
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 1
