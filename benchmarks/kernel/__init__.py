"""KernelBench Level 3 adapter (+ in-repo Level-3-style problems that run on a CPU).

Tasks: ``kernel/<name>`` for the in-repo problems (benchmarks/kernel/problems/) and
``kernel/level3/<problem>`` for the files of a KernelBench checkout (option ``kernelbench_dir``
or the environment variable KERNELBENCH_DIR). Listing imports nothing heavy; loading a task
imports torch only to pick the default device.
"""

from __future__ import annotations

import os
from typing import Any

from agent.task import Task, TaskInfo

_NEEDS = "torch (pip install 'fmagent[kernel]'); a GPU for CUDA-event timing"


def list_tasks() -> list[TaskInfo]:
    from benchmarks.kernel.problem import ENV_DIR, KernelBenchError, checkout_problems, \
        in_repo_problems

    out = [TaskInfo(p.name, p.title, "max", offline=True, needs=_NEEDS)
           for p in in_repo_problems().values()]
    if os.environ.get(ENV_DIR):
        try:
            probs = checkout_problems()
        except KernelBenchError:
            probs = {}
        out += [TaskInfo(p.name, f"KernelBench {p.name}", "max", offline=False,
                         needs=f"a KernelBench checkout ({ENV_DIR}); {_NEEDS}")
                for p in probs.values()]
    return out


def accepts_task(name: str, **options: Any) -> bool:
    """Whether ``name`` may be a task not listed by ``list_tasks`` (a checkout given as an option).

    ``level<N>/<problem>`` names are checked against the checkout by ``load_task``, which says
    clearly what is missing; the registry can call this before refusing an unlisted name.
    """
    import re

    return bool(re.match(r"^level[1-9]/[A-Za-z0-9_.\-]+$", name))


def load_task(name: str, **options: Any) -> Task:
    from benchmarks.kernel.task import build_task

    return build_task(name, **options)
