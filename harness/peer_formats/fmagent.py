"""FM Agent example folders (baidubce/FM-Agent ``examples/``): ``init.*`` + ``evaluator.py``.

``evaluate(path)`` returns ``validity``, ``combined_score`` and ``error_info`` (text or a dict of
texts); validity 0 makes the candidate invalid with ``error_info`` as the reason. The README is
the statement. Evaluators use paths relative to their folder (``./ahc025/in``): the sandbox
directory holds a copy of the folder, so they work unchanged.
"""

from __future__ import annotations

from pathlib import Path

from agent.task import Task
from harness.peer_formats.common import peer_task
from harness.peer_formats.evaluators import PyCallEvaluator

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
    return peer_task(folder, seed, fmt="fmagent", evaluator=evaluator,
                     evaluator_file="evaluator.py", fitness_key=fitness_key, timeout_s=timeout,
                     cpus=cpus, memory_mb=memory_mb,
                     note="; validity 0 means the program is invalid")
