"""OpenEvolve task folders: ``initial_program.*`` + ``evaluator.py`` (+ ``config.yaml``).

``config.yaml`` is mapped where fmagent has a counterpart; the result is returned as
``task.meta["peer_config"]`` (dotted RunConfig overrides, plus ``prompt.system_message``), and
every other field is named in ``task.meta["ignored_config"]``. OpenEvolve's cascade
(``evaluate_stage1/2/3`` with ``evaluator.cascade_thresholds``) runs as OpenEvolve runs it:
on unless ``evaluator.cascade_evaluation: false``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.task import Task
from harness.peer_formats.common import named_config, peer_task
from harness.peer_formats.evaluators import PyCallEvaluator

DEFAULT_TIMEOUT_S = 300.0  # OpenEvolve's evaluator.timeout default
# config path -> our dotted name; values copied as they are
_DIRECT = {
    "max_iterations": "stop.max_evals",
    "random_seed": "seed",
    "database.num_islands": "population.islands",
    "database.migration_interval": "population.migration_interval",
    "database.archive_size": "population.elite_size",
    "evaluator.parallel_evaluations": "pools.evals_in_flight",
}
# used to build the task itself (not passed on as overrides)
_USED = {"evaluator.timeout", "evaluator.cascade_evaluation", "evaluator.cascade_thresholds",
         "language", "file_suffix", "prompt.system_message", "diff_based_evolution"}
_MODEL_KEYS = {"api_base": "api_base", "temperature": "temperature", "max_tokens": "max_tokens",
               "timeout": "timeout_s"}
_LLM_USED = {"models", "primary_model", "primary_model_weight", "secondary_model",
             "secondary_model_weight", *_MODEL_KEYS}
_DEFAULT_PROMPT_NAMES = {"system_message", "", None}


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML ({str(e).splitlines()[0]}); fix it or remove "
                         "it") from e
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must hold a mapping at the top level")
    return data


def _leaves(d: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out += _leaves(v, name + ".")
        else:
            out.append(name)
    return out


def _get(d: dict[str, Any], dotted: str) -> Any:
    cur: Any = d
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _models(llm: dict[str, Any]) -> list[dict[str, Any]]:
    shared = {ours: llm[theirs] for theirs, ours in _MODEL_KEYS.items()
              if llm.get(theirs) is not None}
    specs: list[dict[str, Any]] = []
    for m in llm.get("models") or []:
        if isinstance(m, dict) and m.get("name"):
            spec = {"name": str(m["name"]), "weight": float(m.get("weight", 1.0)), **shared}
            spec.update({ours: m[theirs] for theirs, ours in _MODEL_KEYS.items()
                         if m.get(theirs) is not None})
            specs.append(spec)
    for which in ("primary", "secondary"):
        name = llm.get(f"{which}_model")
        if name:
            w = llm.get(f"{which}_model_weight")
            specs.append({"name": str(name), "weight": float(1.0 if w is None else w), **shared})
    return specs


def map_config(cfg: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(peer_config, ignored field names) for an OpenEvolve config.yaml."""
    mapped: dict[str, Any] = {}
    for theirs, ours in _DIRECT.items():
        v = _get(cfg, theirs)
        if v is not None:
            mapped[ours] = v
    llm = cfg.get("llm") if isinstance(cfg.get("llm"), dict) else {}
    models = _models(llm)
    if models:
        mapped["llm.models"] = models
    if "diff_based_evolution" in cfg:
        mapped["llm.edit_mode"] = "diff" if cfg["diff_based_evolution"] else "full"
    msg = _get(cfg, "prompt.system_message")
    if msg not in _DEFAULT_PROMPT_NAMES:
        mapped["prompt.system_message"] = str(msg)
    ignored = []
    for leaf in _leaves(cfg):
        head = leaf.split(".")
        if leaf in _DIRECT or leaf in _USED:
            continue
        if head[0] == "llm" and len(head) > 1 and head[1] in _LLM_USED:
            continue
        ignored.append(leaf)
    return mapped, ignored


def _config_file(folder: Path, name: str | None) -> Path | None:
    named = named_config(folder, name)
    if named is not None:
        return named
    for n in ("config.yaml", "config.yml"):
        if (folder / n).is_file():
            return folder / n
    cands = sorted(folder.glob("config*.y*ml"))
    return cands[0] if cands else None


def load(folder: Path, seed: Path, *, timeout_s: float | None = None, memory_mb: int = 4096,
         cpus: float = 1.0, config: str | None = None, allow_tmp: bool = False,
         fitness_key: str = "combined_score") -> Task:
    cfg_path = _config_file(folder, config)
    cfg = read_yaml(cfg_path) if cfg_path else {}
    peer, ignored = map_config(cfg)
    ev = cfg.get("evaluator") if isinstance(cfg.get("evaluator"), dict) else {}
    timeout = float(timeout_s or ev.get("timeout") or DEFAULT_TIMEOUT_S)
    thresholds = tuple(float(x) for x in (ev.get("cascade_thresholds") or (0.5, 0.75, 0.9)))
    evaluator = PyCallEvaluator(folder=str(folder), evaluator_file="evaluator.py",
                                program_name="_candidate" + seed.suffix,
                                cascade=bool(ev.get("cascade_evaluation", True)),
                                thresholds=thresholds, timeout_s=timeout,
                                check_files=("evaluator.py",), allow_tmp=allow_tmp,
                                fitness_key=fitness_key)
    return peer_task(folder, seed, fmt="openevolve", evaluator=evaluator,
                     evaluator_file="evaluator.py", fitness_key=fitness_key, timeout_s=timeout,
                     cpus=cpus, memory_mb=memory_mb, language=cfg.get("language"),
                     system_message=peer.get("prompt.system_message"),
                     meta={"config_file": cfg_path.name if cfg_path else None,
                           "peer_config": peer, "ignored_config": ignored,
                           "cascade": evaluator.cascade})
