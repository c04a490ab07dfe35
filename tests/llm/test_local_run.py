"""`fmagent run math/circle_packing_26 --model local`: a few dozen proposals through the real
llama.cpp server (llama-cpp-python + the gemma3-270m GGUF from PyPI), no key, no network."""

import json
import sqlite3
import subprocess
import sys

import pytest

from agent.llm.local import llama_cpp_available

pytestmark = pytest.mark.skipif(not llama_cpp_available(),
                                reason="llama-cpp-python is not installed (pip install -e '.[local]')")


@pytest.mark.slow
def test_run_with_the_embedded_local_model(tmp_path):
    cfg = tmp_path / "local.yaml"
    cfg.write_text(
        "llm:\n"
        "  models:\n"
        "    - {name: local, max_tokens: 48, timeout_s: 300}\n"
        "  max_retries: 1\n"
        "  max_parse_retries: 0\n"
        "stop:\n"
        "  max_proposals: 24\n"
        "  max_evals: 1000\n"
        "  max_time_s: 1500\n"
        "population: {islands: 1}\n"
        "cold_start: {variants_per_island: 4}\n"
        "knowledge: {enabled: false}\n")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "harness.cli", "run", "math/circle_packing_26",
                        "--config", str(cfg), "--backend", "local", "--out", str(out),
                        "--plain"], capture_output=True, text=True, timeout=1700)
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert summary["proposals"] >= 24
    assert manifest["models"] and "local" in json.dumps(manifest["config"]["llm"])
    # every proposal went through the real server: answered ones are programs, the rest are
    # counted failures with reasons (a 270M base model rarely writes an edit that applies)
    n_llm = sqlite3.connect(out / "programs.db").execute(
        "select count(*) from programs where proposer like 'llm%' or model is not null").fetchone()[0]
    assert n_llm + summary["proposal_failures"] + summary["duplicates"] >= 24
    assert "connection" not in json.dumps(summary.get("proposal_errors", {})).lower()
