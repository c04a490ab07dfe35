"""FM Agent example folders (baidubce/FM-Agent ``examples/``): ``init.*`` + ``evaluator.py``.

``evaluate(path)`` returns ``validity``, ``combined_score`` and ``error_info`` (text or a dict of
texts); validity 0 makes the candidate invalid with ``error_info`` as the reason. The README is
the statement. Evaluators use paths relative to their folder (``./ahc025/in``): the sandbox
directory holds a copy of the folder, so they work unchanged.
"""

from __future__ import annotations

from pathlib import Path

from agent.records import Resources
from agent.task import Task
from harness.peer_formats.common import (
    folder_version, language_of, missing_message, missing_packages)
from harness.peer_formats.evaluators import PyCallEvaluator
from harness.peer_formats.openevolve import peer_statement

DEFAULT_TIMEOUT_S = 600.0


def load(folder: Path, seed: Path, *, timeout_s: float | None = None, memory_mb: int = 4096,
         cpus: float = 1.0, config: str | None = None, allow_tmp: bool = False,
         fitness_key: str = "combined_score") -> Task:
    if config:
        raise ValueError(f"{folder}: FM Agent example folders have no config file; drop config=")
    timeout = float(timeout_s or DEFAULT_TIMEOUT_S)
    evaluator = PyCallEvaluator(folder=str(folder), evaluator_file="evaluator.py",
                                program_name="_candidate" + seed.suffix, cascade=False,
                                timeout_s=timeout, check_files=("evaluator.py",),
                                allow_tmp=allow_tmp, fitness_key=fitness_key)
    statement = peer_statement(folder, seed.name, "evaluator.py", fitness_key,
                               note="; validity 0 means the program is invalid")
    missing = missing_packages(folder, ("evaluator.py",))
    meta = {"format": "fmagent", "folder": str(folder), "seed_file": seed.name,
            "peer_config": {}, "ignored_config": [],
            "missing_packages": missing_message(missing) if missing else None}
    return Task(id=f"folder/{folder.name}", statement=statement,
                seeds=(seed.read_text(errors="replace"),), evaluator=evaluator, direction="max",
                language=language_of(seed),
                version=folder_version(folder, ["evaluator.py", seed.name]),
                resources=Resources(cpus=cpus, memory_mb=memory_mb, timeout_s=timeout),
                tags=("folder", "fmagent"), meta=meta)
