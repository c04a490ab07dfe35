"""MLE-Bench adapter: ML-script candidates, validation fitness, official grading, medal statistics.

Offline: mini competitions prepared here from scikit-learn data (``mle/mini-*``). Real:
``mle/<competition-id>`` with data prepared by ``mlebench prepare`` (option ``data_dir``) and
the ``mlebench`` package, imported only when such a task is loaded or graded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.task import Task, TaskInfo


def list_tasks() -> list[TaskInfo]:
    from benchmarks.mle.tasks import list_tasks as _list

    return _list()


def load_task(name: str, **options: Any) -> Task:
    from benchmarks.mle.tasks import load_task as _load

    return _load(name, **options)


def final_grade(task_name: str, code: str, out_dir: str | Path, **options: Any) -> dict[str, Any]:
    """Run the best program on the full public data and grade it; see tasks.final_grade."""
    from benchmarks.mle.tasks import final_grade as _grade

    return _grade(task_name, code, out_dir, **options)


def accepts_task(name: str, **options: Any) -> bool:
    """Whether ``name`` may name a task although ``list_tasks`` does not list it: any MLE-Bench
    competition id (they are lower-case words joined by hyphens), loaded from its data dir."""
    import re

    return re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) is not None
