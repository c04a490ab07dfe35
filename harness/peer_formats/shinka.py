"""ShinkaEvolve task folders: ``initial.*`` + ``evaluate.py`` (+ ``shinka*.yaml``, ``run_evo.py``).

``evaluate.py`` runs as its own sandboxed process with ``--program_path`` and ``--results_dir``;
``metrics.json`` (``combined_score``, ``public``, ``private``, ``text_feedback``) and
``correct.json`` are read back. The task statement is ShinkaEvolve's ``task_sys_msg``: from the
YAML config, else read (never run) from a string literal in ``run_evo.py``, else the README.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from agent.task import Task
from harness.peer_formats.common import named_config, peer_task
from harness.peer_formats.evaluators import ShinkaEvaluator
from harness.peer_formats.openevolve import _get, _leaves, read_yaml

DEFAULT_TIMEOUT_S = 600.0
_DIRECT = {
    "evo_config.num_generations": "stop.max_evals",
    "db_config.num_islands": "population.islands",
    "db_config.migration_interval": "population.migration_interval",
    "db_config.archive_size": "population.elite_size",
    "max_evaluation_jobs": "pools.evals_in_flight",
    "max_proposal_jobs": "pools.proposals_in_flight",
}
_USED = {"evo_config.llm_models", "evo_config.patch_types", "evo_config.patch_type_probs",
         "evo_config.task_sys_msg", "evo_config.language", "evo_config.init_program_path",
         "evo_config.llm_kwargs.temperatures", "evo_config.llm_kwargs.max_tokens"}


def map_config(cfg: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    mapped = {ours: v for theirs, ours in _DIRECT.items() if (v := _get(cfg, theirs)) is not None}
    models = _get(cfg, "evo_config.llm_models") or []
    if isinstance(models, str):
        models = [models]
    if models:
        kw = _get(cfg, "evo_config.llm_kwargs") or {}
        temps = kw.get("temperatures") if isinstance(kw, dict) else None
        spec: dict[str, Any] = {}
        if isinstance(temps, list) and temps:
            spec["temperature"] = float(temps[0])
        if isinstance(kw, dict) and kw.get("max_tokens"):
            spec["max_tokens"] = int(kw["max_tokens"])
        mapped["llm.models"] = [{"name": str(m), "weight": 1.0, **spec} for m in models]
    patches = _get(cfg, "evo_config.patch_types")
    if isinstance(patches, list) and patches:
        kinds = {p for p in patches if p in ("diff", "full")}
        mapped["llm.edit_mode"] = kinds.pop() if len(kinds) == 1 else "auto"
    msg = _get(cfg, "evo_config.task_sys_msg")
    if msg:
        mapped["prompt.system_message"] = str(msg)
    ignored = [leaf for leaf in _leaves(cfg) if leaf not in _DIRECT and leaf not in _USED]
    return mapped, ignored


def sys_msg_from_script(path: Path) -> str | None:
    """A ``*sys_msg*`` string literal in run_evo.py, found by parsing (the file is never run)."""
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            if any(isinstance(t, ast.Name) and "sys_msg" in t.id for t in node.targets):
                return node.value.value
        if isinstance(node, ast.keyword) and node.arg == "task_sys_msg" \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node.value.value
    return None


def _config_file(folder: Path, name: str | None) -> Path | None:
    named = named_config(folder, name)
    if named is not None:
        return named
    cands = sorted(folder.glob("shinka*.y*ml"))
    small = [p for p in cands if "small" in p.stem]
    return (small or cands or [None])[0]


def load(folder: Path, seed: Path, *, timeout_s: float | None = None, memory_mb: int = 4096,
         cpus: float = 1.0, config: str | None = None, allow_tmp: bool = False,
         fitness_key: str = "combined_score") -> Task:
    cfg_path = _config_file(folder, config)
    cfg = read_yaml(cfg_path) if cfg_path else {}
    peer, ignored = map_config(cfg)
    if "prompt.system_message" not in peer and (folder / "run_evo.py").is_file():
        msg = sys_msg_from_script(folder / "run_evo.py")
        if msg:
            peer["prompt.system_message"] = msg
    timeout = float(timeout_s or DEFAULT_TIMEOUT_S)
    evaluator = ShinkaEvaluator(folder=str(folder), program_name="_candidate" + seed.suffix,
                                timeout_s=timeout, allow_tmp=allow_tmp,
                                fitness_key=fitness_key)
    return peer_task(folder, seed, fmt="shinka", evaluator=evaluator, evaluator_file="evaluate.py",
                     fitness_key=fitness_key, timeout_s=timeout, cpus=cpus, memory_mb=memory_mb,
                     language=_get(cfg, "evo_config.language"),
                     system_message=peer.get("prompt.system_message"),
                     meta={"config_file": cfg_path.name if cfg_path else None,
                           "peer_config": peer, "ignored_config": ignored})
