"""A fast toy task for report tests, run through the real `fmagent run` code path.

The evaluator parses the list literal that ``params()`` returns with ``ast.literal_eval`` and
never executes the candidate, so a run of dozens of evaluations takes a second or two and no
untrusted code runs outside a sandbox.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.records import EvalResult, Resources
from agent.task import EvalContext, Task, TaskInfo

TARGETS = [0.3, -1.2, 2.5, 0.05, 7.0]
TASK_REF = "toy/fit5"

SEED = '''
# EVOLVE-BLOCK-START
def params():
    return [1.0, 1.0, 1.0, 1.0, 1.0]
# EVOLVE-BLOCK-END


def run():
    return params()
'''


@dataclass(frozen=True)
class LiteralEvaluator:
    def evaluate(self, code: str, ctx: EvalContext) -> EvalResult:
        try:
            tree = ast.parse(code)
        except SyntaxError as e:
            return EvalResult.invalid(f"syntax error: {e.msg}")
        fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef)
                   and n.name == "params"), None)
        ret = next((n for n in ast.walk(fn) if isinstance(n, ast.Return)), None) if fn else None
        try:
            value = ast.literal_eval(ret.value) if ret is not None and ret.value else None
        except ValueError:
            value = None
        if not isinstance(value, list) or len(value) != len(TARGETS):
            return EvalResult.invalid(f"params() must return a list of {len(TARGETS)} numbers")
        try:
            err = sum((float(a) - b) ** 2 for a, b in zip(value, TARGETS))
        except (TypeError, ValueError):
            return EvalResult.invalid("non-numeric output")
        return EvalResult(valid=True, fitness=err, metrics={"sq_error": err})


def toy_task() -> Task:
    return Task(id=TASK_REF, statement="Return five numbers close to the hidden targets.",
                seeds=(SEED,), evaluator=LiteralEvaluator(), direction="min", version="1",
                resources=Resources(cpus=1, memory_mb=256, timeout_s=5),
                references={"target": {"value": 0.0, "source": "the hidden targets (exact)"}})


def patch_registry(monkeypatch: Any) -> None:
    """Make `toy/fit5` resolvable by harness.registry.load_task (as `fmagent run` uses it)."""
    import harness.registry as reg

    real = reg.load_task

    def load_task(ref: str, **options: Any) -> Task:
        return toy_task() if ref == TASK_REF else real(ref, **options)

    real_list = reg.list_tasks

    def list_tasks(bench: str | None = None) -> dict[str, list[TaskInfo]]:
        if bench == "toy":
            return {"toy": [TaskInfo("fit5", "toy: fit five numbers", "min")]}
        return real_list(bench)

    monkeypatch.setattr(reg, "load_task", load_task)
    monkeypatch.setattr(reg, "list_tasks", list_tasks)


def retask(src: Path, dst: Path, ref: str, language: str | None = None,
           version: str | None = None) -> Path:
    """A copy of a run directory that claims another task (for report/export tests)."""
    import json
    import shutil

    shutil.copytree(src, dst)
    m = json.loads((dst / "manifest.json").read_text())
    m["task"] = {**m["task"], "ref": ref, "id": ref}
    if language:
        m["task"]["language"] = language
    if version:
        m["task"]["version"] = version
    (dst / "manifest.json").write_text(json.dumps(m))
    return dst


WEAK_CONFIG = """\
sampler: {kind: random, crossover_rate: 0.0}
offline: {scale_min: 1.0e-9, scale_max: 1.0e-8, edit_rate: 0.0, mutate_count_mean: 1.0}
"""
BASE_CONFIG = "{}\n"


def run_toy(out: Path, seed: int, max_evals: int = 40, weak: bool = False,
            config_dir: Path | None = None) -> int:
    """One `fmagent run` of the toy task (registry must be patched); returns the exit status."""
    from harness.cli import main

    cfg_dir = config_dir or out.parent
    cfg = cfg_dir / ("weak.yaml" if weak else "base.yaml")
    cfg.write_text(WEAK_CONFIG if weak else BASE_CONFIG)
    return main(["run", TASK_REF, "--out", str(out), "--seed", str(seed), "--max-evals",
                 str(max_evals), "--backend", "local", "--islands", "2", "--inflight", "1",
                 "--eval-slots", "1", "--plain", "--config", str(cfg)])
