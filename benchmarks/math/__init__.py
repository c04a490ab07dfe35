"""Classical math problems with exact evaluators (fully offline)."""

from __future__ import annotations

from typing import Any

from agent.task import Task, TaskInfo


def list_tasks() -> list[TaskInfo]:
    from benchmarks.math.problem import all_problems

    return [p.info() for p in all_problems().values()]


def load_task(name: str, **options: Any) -> Task:
    from benchmarks.math.problem import get_problem

    if options:
        raise ValueError(f"math tasks take no options, got {', '.join(sorted(options))}; "
                         "drop --option for math/" + name)
    return get_problem(name).task()
