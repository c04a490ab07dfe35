"""`fmagent baseline openevolve PATH`: OpenEvolve itself on the same folder, model and budget.

OpenEvolve (pinned, from PyPI) is installed on first use into its own virtual environment,
``$FMAGENT_CACHE/openevolve-venv`` (default ``~/.cache/fmagent``), together with the folder's
``requirements.txt``. It runs as OpenEvolve always runs: its own process, evaluating candidates
in-process, with your environment (it needs your API key); fmagent only bounds its wall clock
and kills its process group. Its output is converted into a run directory that reads like one
of ours:

```
OUT/
  manifest.json        schema_version, task (ref, id, version, direction, ...), config
                       (stop.max_evals, llm.models), proposer "openevolve <version>", models,
                       provenance, status, peer: {name, version, command, config_file}
  programs.db          every program OpenEvolve's database kept, as our Program rows: code,
                       parents, island, generation, result (fitness = combined_score, metrics,
                       feedback, error) scored the way fmagent scores the same folder
  summary.json         the keys of our summary (evaluations, valid_rate, best_score, ...)
  best_program.<ext>
  openevolve_output/   OpenEvolve's own output, untouched (config.yaml used, checkpoints, logs)
```
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from agent.records import Program
from agent.runstore import RunStore, provenance
from harness.peer_formats.common import to_result
from harness.peer_formats.evaluators import _verdict

OPENEVOLVE_VERSION = "0.4.1"
SUPPORTED = ("openevolve", "fmagent")  # both call evaluate(program_path) from evaluator.py


class BaselineError(RuntimeError):
    """The baseline could not run; the message says what to do."""


def cache_dir() -> Path:
    return Path(os.environ.get("FMAGENT_CACHE") or Path.home() / ".cache" / "fmagent")


def ensure_venv(requirements: Path | None = None, venv: Path | None = None) -> Path:
    """The baseline venv's python, creating it and installing OpenEvolve on first use."""
    venv = venv or cache_dir() / "openevolve-venv"
    py = venv / "bin" / "python"
    if not (venv / "bin" / "openevolve-run").exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        _check([sys.executable, "-m", "venv", str(venv)], "create the OpenEvolve venv")
        _check([str(py), "-m", "pip", "install", "-q", f"openevolve=={OPENEVOLVE_VERSION}"],
               f"pip install openevolve=={OPENEVOLVE_VERSION} into {venv}")
    if requirements is not None and requirements.is_file():
        _check([str(py), "-m", "pip", "install", "-q", "-r", str(requirements)],
               f"pip install -r {requirements} into {venv}")
    return py


def _check(argv: list[str], what: str) -> None:
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        tail = (r.stderr.strip().splitlines() or [""])[-1][:300]
        raise BaselineError(f"could not {what}: {tail}")


def build_config(folder: Path, config_file: str | None, model: str | None, max_evals: int,
                 api_base: str | None = None) -> dict[str, Any]:
    """The folder's OpenEvolve config with our budget (and model, when given) imposed."""
    cfg: dict[str, Any] = {}
    if config_file:
        cfg = yaml.safe_load((folder / config_file).read_text()) or {}
    iterations = max(1, int(max_evals) - 1)  # our max_evals counts the seed; theirs does not
    cfg["max_iterations"] = iterations
    cfg["checkpoint_interval"] = iterations  # one checkpoint, at the end, holding everything
    if model:
        llm = {k: v for k, v in (cfg.get("llm") or {}).items() if k not in (
            "models", "primary_model", "primary_model_weight", "secondary_model",
            "secondary_model_weight")}
        # OpenEvolve talks to OpenAI-compatible endpoints; a litellm "openai/x" is "x" there
        name = model.split("/", 1)[1] if model.startswith("openai/") else model
        llm["models"] = [{"name": name, "weight": 1.0}]
        if api_base:
            llm["api_base"] = api_base
        cfg["llm"] = llm
    return cfg


def convert(oe_out: Path, run_dir: Path, task: Any, manifest_extra: dict[str, Any]) -> Path:
    """OpenEvolve's last checkpoint -> our run directory (see the module docstring)."""
    cps = sorted(oe_out.glob("checkpoints/checkpoint_*"),
                 key=lambda p: int(p.name.rsplit("_", 1)[-1]) if p.name.rsplit("_", 1)[-1]
                 .isdigit() else -1)
    if not cps:
        raise BaselineError(f"{oe_out}: OpenEvolve wrote no checkpoint; see its logs in "
                            f"{oe_out / 'logs'}")
    rows = []
    for f in sorted((cps[-1] / "programs").glob("*.json")):
        try:
            rows.append(json.loads(f.read_text()))
        except (OSError, ValueError):
            continue
    rows.sort(key=lambda d: (d.get("iteration_found", 0), d.get("timestamp", 0)))
    store = RunStore(run_dir)
    programs = []
    for d in rows:
        metrics = d.get("metrics") or {}
        arts = {}
        if d.get("artifacts_json"):
            try:
                arts = json.loads(d["artifacts_json"])
            except ValueError:
                arts = {}
        r = to_result(metrics, src="evaluator.py", artifacts=arts, invalid=_verdict(metrics))
        if r.valid:
            r = r.with_(metrics={**r.metrics, "score": r.fitness})
        meta = d.get("metadata") or {}
        p = Program(code=d.get("code", ""), id=str(d.get("id")),
                    parents=(str(d["parent_id"]),) if d.get("parent_id") else (),
                    island=int(meta.get("island", 0) or 0), generation=int(d.get("generation", 0)),
                    proposer="openevolve" if d.get("parent_id") else "seed",
                    created_at=float(d.get("timestamp", time.time())),
                    meta={"iteration_found": d.get("iteration_found")}
                    ).evaluated(r)
        p = p.with_(evaluated_at=p.created_at)
        store.db.add_program(p)
        programs.append(p)
    valid = [p for p in programs if p.valid]
    best = max(valid, key=lambda p: p.fitness or 0.0) if valid else None
    seed = next((p for p in programs if not p.parents), None)
    if best is not None:
        store.write_best(best.code, task.language)
    summary = {"task_id": task.id, "task_version": task.version, "direction": task.direction,
               "evaluations": len(programs), "valid": len(valid),
               "valid_rate": len(valid) / len(programs) if programs else 0.0,
               "best_score": best.fitness if best else None,
               "best_fitness": best.fitness if best else None,
               "best_program_id": best.id if best else None,
               "seed_score": seed.fitness if seed else None,
               "stop_reason": manifest_extra.get("stop_reason"),
               "wall_s": manifest_extra.get("wall_s"), "cost_usd": None, "tokens": None,
               "note": "programs OpenEvolve's database kept at its final checkpoint"}
    store.write_summary(summary)
    store.write_manifest({"created_at": time.time(), **manifest_extra, "status": "finished"})
    store.close()
    return run_dir


def run_openevolve_baseline(folder: Path, out_dir: Path, model: str | None, max_evals: int, *,
                            api_base: str | None = None, timeout_s: float | None = None,
                            venv: Path | None = None) -> Path:
    from harness.task_folder import load_folder

    folder = Path(folder).resolve()
    task = load_folder(folder)
    fmt = task.meta.get("format")
    if fmt not in SUPPORTED:
        raise BaselineError(f"{folder}: `baseline openevolve` needs an OpenEvolve or FM Agent "
                            f"folder (evaluator.py with evaluate(program_path)); this is {fmt}")
    out_dir = Path(out_dir).resolve()
    if (out_dir / "programs.db").exists():
        raise BaselineError(f"{out_dir} already holds a run; pass another --out")
    oe_out = out_dir / "openevolve_output"
    oe_out.mkdir(parents=True, exist_ok=True)
    py = ensure_venv(folder / "requirements.txt", venv)
    api_base = api_base or os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE")
    cfg = build_config(folder, task.meta.get("config_file"), model, max_evals, api_base)
    cfg_path = oe_out / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    argv = [str(py.parent / "openevolve-run"), str(folder / task.meta["seed_file"]),
            str(folder / "evaluator.py"), "--config", str(cfg_path), "--output", str(oe_out),
            "--iterations", str(cfg["max_iterations"])]
    t0, started = time.monotonic(), time.time()
    with open(oe_out / "openevolve.log", "wb") as log:
        proc = subprocess.Popen(argv, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout_s)
            stop = "finished" if rc == 0 else f"openevolve-run exited with code {rc}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            stop = f"timeout after {timeout_s:g}s"
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    models = [m.get("name") for m in (cfg.get("llm") or {}).get("models", [])] or [
        m for m in ((cfg.get("llm") or {}).get("primary_model"),
                    (cfg.get("llm") or {}).get("secondary_model")) if m]
    extra = {"config": {"stop": {"max_evals": max_evals},
                        "llm": {"models": [{"name": m} for m in models]}},
             "task": {"ref": str(folder), "id": task.id, "version": task.version,
                      "direction": task.direction, "language": task.language,
                      "references": task.references},
             "proposer": f"openevolve {OPENEVOLVE_VERSION}", "models": models, "seeds": [],
             "provenance": provenance(), "stop_reason": stop, "created_at": started,
             "wall_s": time.monotonic() - t0,
             "peer": {"name": "openevolve", "version": OPENEVOLVE_VERSION, "command": argv,
                      "config_file": str(cfg_path)}}
    return convert(oe_out, out_dir, task, extra)


__all__ = ["BaselineError", "build_config", "convert", "ensure_venv",
           "run_openevolve_baseline"]
